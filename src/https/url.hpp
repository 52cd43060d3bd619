// The part of URL handling an HTTPS client needs: absolute
// "scheme://[userinfo@]host[:port][/path]" URLs (endpoint overrides, proxy
// URLs), host names and IP literals. Pure functions, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tpmwire/bytes.hpp>

#include "base/error.hpp"

namespace atpc::https {

struct parsed_url {
    std::string scheme;                              // lower-case
    std::optional<tpmwire::secret_string> userinfo;  // still percent-encoded; may hold a password
    std::string host;                                // lower-case; IPv6 without brackets
    std::optional<std::uint16_t> port;
    std::string path;                                // "" or starting with '/'
};

// Parses an absolute URL. Query strings and fragments are refused. On failure
// throws atpc::error(kind) naming `what` (the setting the text came from);
// the offending text is quoted only when `echo` is true, so a URL that may
// carry a password is never repeated.
parsed_url parse_url(std::string_view text, std::string_view what, bool echo, fault kind = fault::config);

// 16-byte form of an IPv4 (as ::ffff:a.b.c.d) or IPv6 literal, like Go's
// net.ParseIP; nullopt for anything else (names, zones, brackets).
using ip16 = std::array<std::uint8_t, 16>;
std::optional<ip16> parse_ip(std::string_view text);
bool is_loopback(const ip16& ip);
bool is_v4(const ip16& ip);

// "host:port", with brackets around IPv6 literals.
std::string join_host_port(std::string_view host, std::uint16_t port);

// An https URL's authority and Host header: the host (IPv6 in brackets),
// with ":port" only when the port is not 443.
std::string https_authority(std::string_view host, std::uint16_t port);

// A DNS name as the client accepts it: 1-253 chars of [A-Za-z0-9._-], no
// empty labels except a trailing dot.
bool is_valid_host_name(std::string_view host);

std::string to_lower(std::string_view s);

}  // namespace atpc::https
