// Proxy choice for https requests, following Go's http.ProxyFromEnvironment
// (golang.org/x/net/http/httpproxy):
//   - HTTPS_PROXY, else https_proxy (empty counts as unset);
//   - the value is a URL, or "host[:port]" meaning http://host[:port];
//     http://user:pass@host:port adds Basic Proxy-Authorization to CONNECT
//     (user and password percent-decoded); the port defaults to 80;
//   - NO_PROXY, else no_proxy: comma list of "*", IPs, CIDRs, IP:port,
//     domain names (matching the name and its subdomains), ".domain" or
//     "*.domain" (subdomains only), each optionally with ":port";
//   - "localhost" and loopback IP literals are never proxied.
// Unlike Go, a proxy value that cannot be used (bad URL, https:// or socks5://
// proxy) is an error instead of silently connecting directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tpmwire/bytes.hpp>

#include "base/env.hpp"

namespace atpc::https {

struct proxy_settings {
    std::string host;  // lower-case; IPv6 literal without brackets
    std::uint16_t port = 80;
    // "Basic base64(user:password)" when the URL has a user; never printed.
    std::optional<tpmwire::secret_string> authorization;
    std::string source;  // the variable it came from

    // "http://host:port", without credentials: safe for messages.
    std::string display() const;
};

// Parses a proxy value; throws atpc::error(fault::config) naming `source`,
// never repeating the value (it may hold a password).
proxy_settings parse_proxy(std::string_view value, std::string_view source);

// True when a request to host:port must not use the proxy: NO_PROXY matches,
// or host is "localhost" or a loopback IP literal.
bool bypass_proxy(std::string_view no_proxy, std::string_view host, std::uint16_t port);

// The proxy for an https request to host:port, or nullopt to connect directly.
std::optional<proxy_settings> proxy_for(const env_lookup& env, std::string_view host, std::uint16_t port);

}  // namespace atpc::https
