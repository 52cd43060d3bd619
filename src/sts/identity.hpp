// GetCallerIdentity: who a signature belongs to. The one STS call every
// identity can make without permissions, so `whoami` uses it to prove that a
// TPM key and an access key id belong together.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>

#include "sts/client.hpp"
#include "sts/form.hpp"
#include "sts/options.hpp"
#include "sts/query.hpp"

namespace atpc::sts {

struct caller_identity {
    std::string account;  // 12 digits
    std::string arn;      // arn:aws:iam::123456789012:user/name, arn:aws:sts::...:assumed-role/r/s
    std::string user_id;  // AIDA..., AROA...:session
};

// Action=GetCallerIdentity&Version=2011-06-15
query_request get_caller_identity_request();

// The identity in a 2xx body, JSON or XML (told apart by the first
// non-space byte, as for credentials). Throws reply_error naming what is
// missing or malformed; never quotes the body.
caller_identity parse_caller_identity(std::string_view body, std::string_view content_type);

// Signs and sends GetCallerIdentity with `sign`; retries, deadlines,
// errors and the early connection as sts::call_service.
boost::asio::awaitable<caller_identity> get_caller_identity(call_options options, signer sign,
                                                            early_connection early = {});

}  // namespace atpc::sts
