// STS reply bodies: credentials from a success reply, the service error from
// a failure reply. JSON (simdjson; sent when the request carries
// "Accept: application/json") and XML (expat; the Query API default) are
// both understood; the format is chosen by sniffing the first non-space byte,
// Content-Type only breaking ties. Parsers never copy a secret into memory
// that is not wiped: simdjson reads a padded copy that is wiped, JSON
// strings are unescaped by us into secret_string, and expat allocates through
// a wiping allocator.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <tpmwire/bytes.hpp>

namespace atpc::sts {

struct credentials {
    std::string access_key_id;
    tpmwire::secret_string secret_access_key;
    tpmwire::secret_string session_token;
    std::chrono::system_clock::time_point expiration;
    std::optional<std::string> assumed_role_arn;  // AssumeRole only
    std::optional<std::string> assumed_role_id;   // AssumeRole only
    std::optional<std::string> account_id;        // from the assumed-role ARN
};

struct service_error {
    std::string code;     // e.g. "SignatureDoesNotMatch"; may be empty
    std::string message;  // as the server sent it (sanitize before printing)
    std::string type;     // "Sender" / "Receiver" when given
    std::string request_id;
};

// A reply that could not be understood. what() is a short reason without any
// byte of the body (which may hold credentials).
class reply_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Credentials from a 2xx body. Throws reply_error.
credentials parse_credentials(std::string_view body, std::string_view content_type);

// The error in a non-2xx body, or nullopt when the body is not a recognizable
// STS error. Never throws for malformed input.
std::optional<service_error> parse_service_error(std::string_view body, std::string_view content_type);

// Account id (12 digits) from an ARN such as arn:aws:sts::123456789012:assumed-role/r/s.
std::optional<std::string> account_from_arn(std::string_view arn);

}  // namespace atpc::sts
