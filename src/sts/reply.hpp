// AWS Query-protocol reply bodies, read with sts/fields.hpp: the
// credentials of a success reply (GetSessionToken, AssumeRole, ...) and the
// service error of a failure reply, in JSON or XML.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sts/credentials.hpp"
#include "sts/fields.hpp"

namespace atpc::sts {

struct service_error {
    std::string code;     // e.g. "SignatureDoesNotMatch"; may be empty
    std::string message;  // as the server sent it (sanitize before printing)
    std::string type;     // "Sender" / "Receiver" when given
    std::string request_id;
};

// Credentials from a 2xx body (<Action>Response/<Action>Result/Credentials).
// Throws reply_error.
credentials parse_credentials(std::string_view body, std::string_view content_type);

// The error in a non-2xx body, or nullopt when the body is not a recognizable
// AWS error. Never throws for malformed input.
std::optional<service_error> parse_service_error(std::string_view body, std::string_view content_type);

// Account id (12 digits) from an ARN such as arn:aws:sts::123456789012:assumed-role/r/s.
std::optional<std::string> account_from_arn(std::string_view arn);

// True when every byte is printable ASCII other than space.
bool printable_no_space(std::string_view s);

}  // namespace atpc::sts
