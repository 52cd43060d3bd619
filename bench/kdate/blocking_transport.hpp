// A tpmwire transport that is the floor: a plain blocking socket, timing its
// own connect and each command's write-to-response. Under the real client it
// separates what the TPM and the socket cost from what tpmwire costs.
#pragma once

#include "common/raw_tpm.hpp"

#include "tpmwire/transports/transport.hpp"

#include <cstdint>

namespace bench {

struct io_stats {
    std::int64_t connect_ns = 0;
    std::int64_t io_ns = 0;  // sum over commands of write + wait + read
    int commands = 0;        // commands seen by the transport
};

class blocking_transport final : public tpmwire::transport {
public:
    blocking_transport(std::string host, std::uint16_t port, io_stats& stats)
        : tpm_(host, port), host_(std::move(host)), port_(port), stats_(stats) {}

    tpmwire::net::awaitable<tpmwire::bytes> transact(tpmwire::bytes_view command) override;
    void close() noexcept override { tpm_.close(); }
    bool is_open() const noexcept override { return tpm_.is_open(); }
    tpmwire::net::awaitable<void> reopen() override;
    std::string describe() const override { return "swtpm at " + host_ + ":" + std::to_string(port_) + " (blocking)"; }

private:
    raw_tpm tpm_;
    std::string host_;
    std::uint16_t port_;
    io_stats& stats_;
};

}  // namespace bench
