#include "https/url.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "base/percent.hpp"

namespace atpc::https {
namespace {

// What parse_url reports a failure against.
struct url_source {
    std::string_view text, what;
    bool echo;
    fault kind;

    [[noreturn]] void bad(std::string_view why) const {
        std::string msg(what);
        if (echo) msg += " \"" + std::string(text) + "\"";
        msg += " is not a valid URL: ";
        msg += why;
        throw error(kind, msg);
    }
};

bool is_scheme_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
           c == '.';
}

// Path characters of RFC 3986 (pchar and '/'); '%' is checked separately.
bool is_path_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c != '\0' && std::strchr("-._~!$&'()*+,;=:@/%", c) != nullptr;
}

// The scheme; returns what follows "://".
std::string_view take_scheme(const url_source& src, parsed_url& u) {
    const auto sep = src.text.find("://");
    if (sep == std::string_view::npos || sep == 0) src.bad("expected scheme://host");
    for (char c : src.text.substr(0, sep)) {
        if (!is_scheme_char(c)) src.bad("the scheme has invalid characters");
    }
    u.scheme = to_lower(src.text.substr(0, sep));
    std::string_view rest = src.text.substr(sep + 3);
    if (rest.find_first_of("?#") != std::string_view::npos) src.bad("a query string or fragment is not allowed");
    for (char c : rest) {
        const auto b = static_cast<unsigned char>(c);
        if (b <= 0x20 || b >= 0x7f) src.bad("it contains spaces or non-ASCII characters");
    }
    return rest;
}

// Splits host[:port] (host possibly a bracketed IPv6 literal).
void take_host(const url_source& src, std::string_view authority, std::string_view& host, std::string_view& port) {
    std::string_view after;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) src.bad("unbalanced '[' in the host");
        host = authority.substr(1, close - 1);
        after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') src.bad("unexpected text after the IPv6 address");
        if (!parse_ip(host) || host.find(':') == std::string_view::npos) src.bad("invalid IPv6 address");
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) after = authority.substr(colon);
        if (host.empty()) src.bad("no host");
        if (!parse_ip(host) && !is_valid_host_name(host)) src.bad("invalid host name");
    }
    if (!after.empty()) {
        port = after.substr(1);
        if (port.empty()) src.bad("empty port");
    }
}

std::uint16_t take_port(const url_source& src, std::string_view port) {
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9' || value > 65535) src.bad("the port is not a number 1-65535");
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) src.bad("the port is not a number 1-65535");
    return static_cast<std::uint16_t>(value);
}

void check_path(const url_source& src, std::string_view path) {
    for (char c : path) {
        if (!is_path_char(c)) src.bad("the path has characters that must be percent-encoded");
    }
    if (!has_valid_escapes(path)) src.bad("the path has a malformed %-escape");
}

}  // namespace

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool is_valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    std::size_t label = 0;
    for (char c : host) {
        if (c == '.') {
            if (label == 0) return false;  // empty label
            label = 0;
            continue;
        }
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_';
        if (!ok || ++label > 63) return false;
    }
    return true;
}

std::optional<ip16> parse_ip(std::string_view text) {
    if (text.empty() || text.size() > 45) return std::nullopt;
    const std::string s(text);
    ip16 out{};
    in_addr v4{};
    if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
        out[10] = 0xff;
        out[11] = 0xff;
        std::memcpy(out.data() + 12, &v4, 4);
        return out;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
        std::memcpy(out.data(), &v6, 16);
        return out;
    }
    return std::nullopt;
}

bool is_v4(const ip16& ip) {
    static constexpr std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(ip.data(), prefix, 12) == 0;
}

bool is_loopback(const ip16& ip) {
    if (is_v4(ip)) return ip[12] == 127;
    static constexpr ip16 one = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return ip == one;
}

std::string join_host_port(std::string_view host, std::uint16_t port) {
    std::string out = host.find(':') != std::string_view::npos ? "[" + std::string(host) + "]" : std::string(host);
    return out + ":" + std::to_string(port);
}

std::string https_authority(std::string_view host, std::uint16_t port) {
    if (port != 443) return join_host_port(host, port);
    return host.find(':') != std::string_view::npos ? "[" + std::string(host) + "]" : std::string(host);
}

parsed_url parse_url(std::string_view text, std::string_view what, bool echo, fault kind) {
    const url_source src{text, what, echo, kind};
    parsed_url u;
    const std::string_view rest = take_scheme(src, u);
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) u.path = std::string(rest.substr(slash));
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        u.userinfo.emplace();
        u.userinfo->reserve(64);  // never in the small-string buffer, which is not wiped
        u.userinfo->assign(authority.substr(0, at));
        authority = authority.substr(at + 1);
    }
    std::string_view host, port;
    take_host(src, authority, host, port);
    u.host = to_lower(host);
    if (!port.empty()) u.port = take_port(src, port);
    check_path(src, u.path);
    return u;
}

}  // namespace atpc::https
