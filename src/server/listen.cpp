#include "server/listen.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace atpc::server {

std::string listen_address::authority(std::uint16_t actual_port) const {
    return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(actual_port);
}

std::optional<listen_address> parse_listen(std::string_view text) {
    listen_address out;
    std::string_view host, port;
    if (text.starts_with('[')) {
        const auto close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return std::nullopt;  // IPv6 needs its brackets
    }
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size()) return std::nullopt;
    out.address = host == "localhost" ? "127.0.0.1" : std::string(host);
    unsigned char raw[16];
    if (inet_pton(AF_INET, out.address.c_str(), raw) == 1) {
        out.loopback = raw[0] == 127;
        out.wildcard = std::memcmp(raw, "\0\0\0\0", 4) == 0;
    } else if (inet_pton(AF_INET6, out.address.c_str(), raw) == 1) {
        static const unsigned char zero[16] = {}, one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        out.v6 = true;
        out.loopback = std::memcmp(raw, one, 16) == 0;
        out.wildcard = std::memcmp(raw, zero, 16) == 0;
    } else {
        return std::nullopt;
    }
    // The canonical spelling: the one a connection's local address has.
    char canonical[INET6_ADDRSTRLEN];
    inet_ntop(out.v6 ? AF_INET6 : AF_INET, raw, canonical, sizeof canonical);
    out.address = canonical;
    return out;
}

}  // namespace atpc::server
