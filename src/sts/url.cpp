#include "sts/url.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "base/error.hpp"

namespace atpc::sts {
namespace {

[[noreturn]] void bad(fault kind, std::string_view what, std::string_view text, bool echo, std::string_view why) {
    std::string msg(what);
    if (echo) msg += " \"" + std::string(text) + "\"";
    msg += " is not a valid URL: ";
    msg += why;
    throw error(kind, msg);
}

bool is_scheme_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
           c == '.';
}

// Path characters of RFC 3986 (pchar and '/'); '%' is checked separately.
bool is_path_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::strchr("-._~!$&'()*+,;=:@/%", c) != nullptr && c != '\0';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool percent_decode(std::string_view s, tpmwire::secret_string& out) {
    out.clear();
    out.reserve(std::max<std::size_t>(s.size(), 64));  // never in the unwiped small-string buffer
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return false;
        int hi = hex_value(s[i + 1]);
        int lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return true;
}

bool is_valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i < host.size(); ++i) {
        char c = host[i];
        if (c == '.') {
            if (label == 0) return false;  // empty label
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || ++label > 63) return false;
    }
    return true;
}

std::optional<ip16> parse_ip(std::string_view text) {
    if (text.empty() || text.size() > 45) return std::nullopt;
    std::string s(text);
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
    std::string out;
    if (host.find(':') != std::string_view::npos) {
        out = "[" + std::string(host) + "]";
    } else {
        out = std::string(host);
    }
    return out + ":" + std::to_string(port);
}

parsed_url parse_url(std::string_view text, std::string_view what, bool echo, fault kind) {
    parsed_url u;
    auto sep = text.find("://");
    if (sep == std::string_view::npos || sep == 0) bad(kind, what, text, echo, "expected scheme://host");
    for (char c : text.substr(0, sep)) {
        if (!is_scheme_char(c)) bad(kind, what, text, echo, "the scheme has invalid characters");
    }
    u.scheme = to_lower(text.substr(0, sep));
    std::string_view rest = text.substr(sep + 3);
    if (rest.find_first_of("?#") != std::string_view::npos) {
        bad(kind, what, text, echo, "a query string or fragment is not allowed");
    }
    for (char c : rest) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            bad(kind, what, text, echo, "it contains spaces or non-ASCII characters");
        }
    }
    auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) u.path = std::string(rest.substr(slash));

    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        u.userinfo.emplace();
        u.userinfo->reserve(64);  // never in the small-string buffer, which is not wiped
        u.userinfo->assign(authority.substr(0, at));
        authority = authority.substr(at + 1);
    }

    std::string_view host;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) bad(kind, what, text, echo, "unbalanced '[' in the host");
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') bad(kind, what, text, echo, "unexpected text after the IPv6 address");
            port = after.substr(1);
            if (port.empty()) bad(kind, what, text, echo, "empty port");
        }
        auto ip = parse_ip(host);
        if (!ip || host.find(':') == std::string_view::npos) bad(kind, what, text, echo, "invalid IPv6 address");
    } else {
        auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) bad(kind, what, text, echo, "empty port");
        }
        if (host.empty()) bad(kind, what, text, echo, "no host");
        if (!parse_ip(host) && !is_valid_host_name(host)) bad(kind, what, text, echo, "invalid host name");
    }
    u.host = to_lower(host);

    if (!port.empty()) {
        unsigned value = 0;
        for (char c : port) {
            if (c < '0' || c > '9' || value > 65535) bad(kind, what, text, echo, "the port is not a number 1-65535");
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value == 0 || value > 65535) bad(kind, what, text, echo, "the port is not a number 1-65535");
        u.port = static_cast<std::uint16_t>(value);
    }

    for (std::size_t i = 0; i < u.path.size(); ++i) {
        char c = u.path[i];
        if (!is_path_char(c)) bad(kind, what, text, echo, "the path has characters that must be percent-encoded");
        if (c == '%' && (i + 2 >= u.path.size() || hex_value(u.path[i + 1]) < 0 || hex_value(u.path[i + 2]) < 0)) {
            bad(kind, what, text, echo, "the path has a malformed %-escape");
        }
    }
    return u;
}

}  // namespace atpc::sts
