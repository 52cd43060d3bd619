// Shared between the JSON and XML reply parsers (not a public header).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <tpmwire/bytes.hpp>

#include "sts/reply.hpp"

namespace atpc::sts::detail {

// Fields as found in a body, before validation.
struct raw_credentials {
    std::optional<std::string> access_key_id;
    std::optional<tpmwire::secret_string> secret_access_key;
    std::optional<tpmwire::secret_string> session_token;
    std::optional<std::string> expiration;  // text or JSON number token
    bool expiration_is_number = false;
    std::optional<std::string> arn;
    std::optional<std::string> role_id;
};

// Checks presence and shape of every field; throws reply_error.
credentials finish(raw_credentials raw);

// A secret_string whose storage is on the heap (the small-string buffer inside
// the object is not wiped by the allocator).
inline tpmwire::secret_string new_secret() {
    tpmwire::secret_string s;
    s.reserve(64);
    return s;
}

credentials parse_json_credentials(std::string_view body);
std::optional<service_error> parse_json_error(std::string_view body);
credentials parse_xml_credentials(std::string_view body);
std::optional<service_error> parse_xml_error(std::string_view body);

// Upper bound for one text field (session tokens are a few KiB at most).
inline constexpr std::size_t max_field_bytes = 16 * 1024;

}  // namespace atpc::sts::detail
