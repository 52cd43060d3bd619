// Hash and HMAC by TPM algorithm id (OpenSSL libcrypto underneath).
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/constants.hpp"

#include <initializer_list>

namespace tpmwire {

// H(part0 || part1 || ...). Throws errc::crypto for a hash tpmwire cannot do.
bytes hash(TPMI_ALG_HASH alg, std::initializer_list<bytes_view> parts);
// HMAC(key, part0 || part1 || ...).
bytes hmac(TPMI_ALG_HASH alg, bytes_view key, std::initializer_list<bytes_view> parts);

}  // namespace tpmwire
