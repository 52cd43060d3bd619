// The STS calls that return credentials (GetSessionToken, AssumeRole): the
// Query call loop (sts/query.hpp) with the credentials reader. Typical use:
//   auto opts = resolve_call_options(inputs, ca_bundle_flag, process_environment(), deadline);
//   auto creds = co_await call(opts, build_request(params), make_signer(...));
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string_view>

#include "sts/credentials.hpp"
#include "sts/query.hpp"

namespace atpc::sts {

// The service's name in messages.
inline constexpr std::string_view sts_service = "STS";

boost::asio::awaitable<credentials> call(call_options options, query_request request, signer sign,
                                         early_connection early = {});

}  // namespace atpc::sts
