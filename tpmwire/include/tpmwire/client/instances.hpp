// The client's execute() for every command in TPMWIRE_COMMANDS, compiled
// here once. Include this in exactly one .cpp of a program that defines
// TPMWIRE_EXTERN_CLIENT (see client.hpp), compiled with the same Asio
// configuration macros as the rest of the program.
#pragma once

#include "tpmwire/client/client.hpp"

namespace tpmwire {

#define TPMWIRE_DETAIL_INSTANTIATE_EXECUTE(C) \
    template net::awaitable<C::response> client::execute<C>(const C&, std::span<Session* const>);
TPMWIRE_COMMANDS(TPMWIRE_DETAIL_INSTANTIATE_EXECUTE)
#undef TPMWIRE_DETAIL_INSTANTIATE_EXECUTE

}  // namespace tpmwire
