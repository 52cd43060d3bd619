#include "sts/proxy.hpp"

#include <openssl/evp.h>

#include "base/error.hpp"
#include "sts/url.hpp"

namespace atpc::sts {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Go's net.SplitHostPort: "host:port" or "[v6]:port"; false when there is no
// port or the form is ambiguous (several colons without brackets).
bool split_host_port(std::string_view s, std::string_view& host, std::string_view& port) {
    if (!s.empty() && s.front() == '[') {
        auto close = s.find(']');
        if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') return false;
        host = s.substr(1, close - 1);
        port = s.substr(close + 2);
        return port.find(':') == std::string_view::npos;
    }
    auto colon = s.find(':');
    if (colon == std::string_view::npos || s.find(':', colon + 1) != std::string_view::npos) return false;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    return true;
}

// One NO_PROXY entry tested against host (lower-case) and port.
bool entry_matches(std::string_view entry, std::string_view host, const std::optional<ip16>& ip,
                   std::string_view port) {
    // IP/CIDR
    if (auto slash = entry.find('/'); slash != std::string_view::npos) {
        auto net = parse_ip(entry.substr(0, slash));
        auto bits_text = entry.substr(slash + 1);
        if (!net || bits_text.empty() || bits_text.size() > 3) return false;
        unsigned bits = 0;
        for (char c : bits_text) {
            if (c < '0' || c > '9') return false;
            bits = bits * 10 + static_cast<unsigned>(c - '0');
        }
        const bool v4 = entry.substr(0, slash).find(':') == std::string_view::npos;
        if ((v4 && bits > 32) || bits > 128) return false;
        if (!ip) return false;
        if (v4) {
            if (!is_v4(*ip)) return false;
            bits += 96;
        }
        for (unsigned i = 0; i < bits; ++i) {
            const unsigned mask = 0x80u >> (i % 8);
            if (((*net)[i / 8] & mask) != ((*ip)[i / 8] & mask)) return false;
        }
        return true;
    }
    std::string_view phost = entry;
    std::string_view pport;
    if (std::string_view h, p; split_host_port(entry, h, p)) {
        if (h.empty()) return false;  // malformed, ignored as Go does
        phost = h;
        pport = p;
    }
    if (auto pip = parse_ip(phost)) {
        return ip && *pip == *ip && (pport.empty() || pport == port);
    }
    if (phost.empty()) return false;
    // domain, .domain, *.domain
    if (phost.substr(0, 2) == "*.") phost.remove_prefix(1);
    const bool match_host = phost.front() != '.';
    std::string dotted = match_host ? "." + std::string(phost) : std::string(phost);
    if (ends_with(host, dotted) || (match_host && host == std::string_view(dotted).substr(1))) {
        return pport.empty() || pport == port;
    }
    return false;
}

tpmwire::secret_string basic_authorization(const tpmwire::secret_string& userinfo, std::string_view source) {
    auto colon = userinfo.find(':');
    tpmwire::secret_string user;
    tpmwire::secret_string password;
    std::string_view u = std::string_view(userinfo).substr(0, colon);
    std::string_view p = colon == tpmwire::secret_string::npos ? std::string_view{}
                                                               : std::string_view(userinfo).substr(colon + 1);
    if (!percent_decode(u, user) || !percent_decode(p, password)) {
        throw error(fault::config, std::string(source) + " has a malformed %-escape in its user name or password");
    }
    tpmwire::secret_string plain;
    plain.reserve(user.size() + password.size() + 64);
    plain += user;
    plain += ':';
    plain += password;
    tpmwire::secret_string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                  reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
    encoded.resize(static_cast<std::size_t>(n));
    tpmwire::secret_string header;
    header.reserve(encoded.size() + 64);
    header += "Basic ";
    header += encoded;
    return header;
}

}  // namespace

std::string proxy_settings::display() const { return "http://" + join_host_port(host, port); }

proxy_settings parse_proxy(std::string_view value, std::string_view source) {
    value = trim(value);
    // Go: a value without a usable scheme is retried as "http://" + value.
    std::string text(value);
    auto sep = value.find("://");
    if (sep == std::string_view::npos) {
        text = "http://" + text;
    } else {
        auto scheme = to_lower(value.substr(0, sep));
        if (scheme != "http" && scheme != "https" && scheme != "socks5") text = "http://" + text;
    }
    auto u = parse_url(text, source, false, fault::config);
    if (u.scheme != "http") {
        throw error(fault::config, std::string(source) + " uses a " + u.scheme +
                                       ":// proxy; only http:// proxies (HTTP CONNECT) are supported");
    }
    if (!u.path.empty() && u.path != "/") {
        throw error(fault::config, std::string(source) + " must be http://[user:password@]host[:port] without a path");
    }
    proxy_settings p;
    p.host = u.host;
    p.port = u.port.value_or(80);
    p.source = std::string(source);
    if (u.userinfo) p.authorization = basic_authorization(*u.userinfo, source);
    return p;
}

bool bypass_proxy(std::string_view no_proxy, std::string_view host_in, std::uint16_t port_number) {
    const std::string host = to_lower(trim(host_in));
    if (host == "localhost") return true;
    const auto ip = parse_ip(host);
    if (ip && is_loopback(*ip)) return true;
    const std::string port = std::to_string(port_number);

    std::size_t start = 0;
    while (start <= no_proxy.size()) {
        auto comma = no_proxy.find(',', start);
        auto raw = no_proxy.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        start = comma == std::string_view::npos ? no_proxy.size() + 1 : comma + 1;
        const std::string entry = to_lower(trim(raw));
        if (entry.empty()) continue;
        if (entry == "*") return true;
        if (entry_matches(entry, host, ip, port)) return true;
    }
    return false;
}

std::optional<proxy_settings> proxy_for(const env_lookup& env, std::string_view host, std::uint16_t port) {
    std::string source;
    std::optional<std::string> value;
    for (const char* name : {"HTTPS_PROXY", "https_proxy"}) {
        if (auto v = env(name); v && !v->empty()) {
            value = std::move(v);
            source = name;
            break;
        }
    }
    if (!value) return std::nullopt;
    auto settings = parse_proxy(*value, source);
    auto no_proxy = first_set(env, {"NO_PROXY", "no_proxy"});
    if (bypass_proxy(no_proxy.value_or(""), host, port)) return std::nullopt;
    return settings;
}

}  // namespace atpc::sts
