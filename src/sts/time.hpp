// The three time formats STS replies use: ISO 8601 (XML Expiration), epoch
// seconds as a JSON number (JSON Expiration, often 1.514869445E9), and the
// HTTP Date header (clock-skew correction). All exact, all bounds-checked;
// nullopt for anything malformed or outside years 1970-9999.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace atpc::sts {

using sys_time = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM|+HHMM|-HHMM); 't'/'z'/' ' accepted.
std::optional<sys_time> parse_iso8601(std::string_view text);

// A JSON number of seconds since the epoch, decoded exactly to milliseconds
// (further digits are truncated): "1514869445", "1.514869445E9", "1.5e9".
std::optional<sys_time> parse_epoch_number(std::string_view text);

// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110).
std::optional<sys_time> parse_http_date(std::string_view text);

}  // namespace atpc::sts
