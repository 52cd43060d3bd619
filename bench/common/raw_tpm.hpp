// The floor: TPM command bytes written to a plain blocking TCP socket and the
// response read back, with nothing else in the way (no event loop, no
// marshalling). One command per write, as swtpm wants.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

using frame = std::vector<std::uint8_t>;

class raw_tpm {
public:
    raw_tpm(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}
    ~raw_tpm() { close(); }
    raw_tpm(const raw_tpm&) = delete;
    raw_tpm& operator=(const raw_tpm&) = delete;

    void connect();  // throws std::runtime_error
    void close() noexcept;
    bool is_open() const noexcept { return fd_ >= 0; }
    // Sends one command and returns the whole response.
    frame transact(const std::uint8_t* command, std::size_t size);
    frame transact(const frame& command) { return transact(command.data(), command.size()); }

private:
    void read_exact(std::uint8_t* out, std::size_t n);
    std::string host_;
    std::uint16_t port_;
    int fd_ = -1;
};

// The response code of a response frame (bytes 6..9), and its first handle.
std::uint32_t response_code(const frame& rsp);
std::uint32_t response_handle(const frame& rsp);

// A pre-marshalled TPM2_FlushContext of `handle` (no sessions).
frame flush_command(std::uint32_t handle);

}  // namespace bench
