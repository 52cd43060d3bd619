// A TCP proxy in front of swtpm that watches the TPM traffic of one run:
// when the first command byte arrived, when the last response byte left,
// how many commands (framed by their headers) and connections there were.
// It forwards swtpm's control port too (listen port + 1 -> target port + 1),
// because tpm2-tss's swtpm TCTI talks to both.
#pragma once

#include <cstdint>
#include <mutex>
#include <thread>

namespace bench {

struct proxy_stats {
    std::int64_t first_byte_ns = 0;     // 0: no TPM traffic
    std::int64_t last_response_ns = 0;
    int commands = 0;
    int connections = 0;  // to the data port
    int open_now = 0;     // connections not yet closed
};

class tpm_proxy {
public:
    // Listens on a free pair of loopback ports.
    explicit tpm_proxy(std::uint16_t target_port);
    ~tpm_proxy();
    tpm_proxy(const tpm_proxy&) = delete;
    tpm_proxy& operator=(const tpm_proxy&) = delete;

    std::uint16_t port() const { return port_; }
    // Waits (up to 2 s) for the previous run's connections to close, then clears.
    void reset();
    proxy_stats snapshot();

private:
    void loop();
    std::uint16_t target_;
    std::uint16_t port_ = 0;
    int listeners_[2] = {-1, -1};
    int wake_[2] = {-1, -1};
    std::mutex mutex_;
    proxy_stats stats_;
    std::thread thread_;
};

}  // namespace bench
