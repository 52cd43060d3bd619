// --listen: one numeric address and a port ("127.0.0.1:0", "[::1]:8080",
// "localhost:PORT" for 127.0.0.1). Port 0 lets the system pick one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atpc::server {

struct listen_address {
    std::string address;  // numeric, as inet_pton reads it
    std::uint16_t port = 0;
    bool v6 = false;
    bool loopback = false;  // 127.0.0.0/8 or ::1
    bool wildcard = false;  // 0.0.0.0 or ::

    // "127.0.0.1:8080", "[::1]:8080" with the given port.
    std::string authority(std::uint16_t actual_port) const;
};

// nullopt when `text` is not ADDRESS:PORT.
std::optional<listen_address> parse_listen(std::string_view text);

}  // namespace atpc::server
