#include "https/proxy.hpp"

#include <openssl/evp.h>

#include "base/error.hpp"
#include "base/percent.hpp"
#include "https/url.hpp"

namespace atpc::https {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Go's net.SplitHostPort: "host:port" or "[v6]:port"; false when there is no
// port or the form is ambiguous (several colons without brackets).
bool split_host_port(std::string_view s, std::string_view& host, std::string_view& port) {
    if (!s.empty() && s.front() == '[') {
        const auto close = s.find(']');
        if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') return false;
        host = s.substr(1, close - 1);
        port = s.substr(close + 2);
        return port.find(':') == std::string_view::npos;
    }
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || s.find(':', colon + 1) != std::string_view::npos) return false;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    return true;
}

// An IP/CIDR entry ("10.0.0.0/8", "2002:db8:a::45/64") against the host's IP.
bool cidr_matches(std::string_view entry, std::size_t slash, const std::optional<ip16>& ip) {
    const auto net = parse_ip(entry.substr(0, slash));
    const auto bits_text = entry.substr(slash + 1);
    if (!net || bits_text.empty() || bits_text.size() > 3) return false;
    unsigned bits = 0;
    for (char c : bits_text) {
        if (c < '0' || c > '9') return false;
        bits = bits * 10 + static_cast<unsigned>(c - '0');
    }
    const bool v4 = entry.substr(0, slash).find(':') == std::string_view::npos;
    if ((v4 && bits > 32) || bits > 128 || !ip) return false;
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

// One NO_PROXY entry tested against host (lower-case) and port.
bool entry_matches(std::string_view entry, std::string_view host, const std::optional<ip16>& ip,
                   std::string_view port) {
    if (auto slash = entry.find('/'); slash != std::string_view::npos) return cidr_matches(entry, slash, ip);
    std::string_view phost = entry;
    std::string_view pport;
    if (std::string_view h, p; split_host_port(entry, h, p)) {
        if (h.empty()) return false;  // malformed, ignored as Go does
        phost = h;
        pport = p;
    }
    if (auto pip = parse_ip(phost)) return ip && *pip == *ip && (pport.empty() || pport == port);
    if (phost.empty()) return false;
    // domain, .domain, *.domain
    if (phost.substr(0, 2) == "*.") phost.remove_prefix(1);
    const bool match_host = phost.front() != '.';
    const std::string dotted = match_host ? "." + std::string(phost) : std::string(phost);
    const bool suffix = host.size() >= dotted.size() && host.substr(host.size() - dotted.size()) == dotted;
    if (suffix || (match_host && host == std::string_view(dotted).substr(1))) return pport.empty() || pport == port;
    return false;
}

tpmwire::secret_string basic_authorization(const tpmwire::secret_string& userinfo, std::string_view source) {
    const auto colon = userinfo.find(':');
    const std::string_view u = std::string_view(userinfo).substr(0, colon);
    const std::string_view p =
        colon == tpmwire::secret_string::npos ? std::string_view{} : std::string_view(userinfo).substr(colon + 1);
    tpmwire::secret_string plain;
    plain.reserve(userinfo.size() + 64);  // never in the unwiped small-string buffer
    if (!percent_decode(u, plain) || !(plain += ':', percent_decode(p, plain))) {
        throw error(fault::config, std::string(source) + " has a malformed %-escape in its user name or password");
    }
    tpmwire::secret_string header;
    header.reserve(plain.size() * 2 + 64);
    header.assign(6 + 4 * ((plain.size() + 2) / 3) + 1, '\0');
    header.replace(0, 6, "Basic ");
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(header.data() + 6),
                                  reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
    header.resize(6 + static_cast<std::size_t>(n));
    return header;
}

}  // namespace

std::string proxy_settings::display() const { return "http://" + join_host_port(host, port); }

proxy_settings parse_proxy(std::string_view value, std::string_view source) {
    value = trim(value);
    // Go: a value without a usable scheme is retried as "http://" + value.
    // The value may hold a password: only ever copied into wiped storage.
    tpmwire::secret_string text;
    text.reserve(value.size() + 64);
    const auto sep = value.find("://");
    const std::string scheme = sep == std::string_view::npos ? "" : to_lower(value.substr(0, sep));
    if (scheme != "http" && scheme != "https" && scheme != "socks5") text = "http://";
    text += value;
    const auto u = parse_url(text, source, false, fault::config);
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
    while (!no_proxy.empty()) {
        const auto comma = no_proxy.find(',');
        const std::string entry = to_lower(trim(no_proxy.substr(0, comma)));
        no_proxy = comma == std::string_view::npos ? std::string_view{} : no_proxy.substr(comma + 1);
        if (entry == "*") return true;
        if (!entry.empty() && entry_matches(entry, host, ip, port)) return true;
    }
    return false;
}

std::optional<proxy_settings> proxy_for(const env_lookup& env, std::string_view host, std::uint16_t port) {
    for (const char* name : {"HTTPS_PROXY", "https_proxy"}) {
        auto value = env(name);
        if (!value || value->empty()) continue;
        // The lookup's copy may hold a proxy password: wiped once parsed.
        struct wipe {
            std::string& s;
            ~wipe() { tpmwire::secure_zero(s.data(), s.size()); }
        } wiped{*value};
        auto settings = parse_proxy(*value, name);
        const auto no_proxy = first_set(env, {"NO_PROXY", "no_proxy"});
        if (bypass_proxy(no_proxy.value_or(""), host, port)) return std::nullopt;
        return settings;
    }
    return std::nullopt;
}

}  // namespace atpc::https
