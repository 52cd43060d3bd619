// A loopback TCP peer that accepts connections, reads whatever arrives and
// never answers: an STS endpoint that hangs in the TLS handshake. It binds
// port 0 itself (no race for a port) and records when each connection came
// and how many bytes it sent.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace test {

class tcp_sink {
public:
    struct connection {
        std::chrono::steady_clock::time_point accepted;
        std::size_t bytes_received = 0;
    };

    tcp_sink();
    ~tcp_sink();
    tcp_sink(const tcp_sink&) = delete;
    tcp_sink& operator=(const tcp_sink&) = delete;

    std::uint16_t port() const;
    std::vector<connection> connections() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace test
