// Percent-encoding the way SigV4 canonical requests and Go's url.Values do it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atpc::sigv4 {

// Keeps the RFC 3986 unreserved bytes (A-Z a-z 0-9 - _ . ~), and '/' when
// keep_slash is set; every other byte becomes %XX in upper-case hex.
std::string uri_encode(std::string_view s, bool keep_slash = false);

// Decodes %XX escapes (either case); '+' stays '+'. Throws
// atpc::error(fault::usage) on a truncated or non-hex escape.
std::string percent_decode(std::string_view s);

// An application/x-www-form-urlencoded body, byte for byte what Go's
// url.Values.Encode gives: fields sorted by key (byte order; fields with
// equal keys keep their given order), unreserved bytes kept, space as '+',
// every other byte %XX in upper-case hex, joined with '&'.
std::string form_encode(std::vector<std::pair<std::string, std::string>> fields);

}  // namespace atpc::sigv4
