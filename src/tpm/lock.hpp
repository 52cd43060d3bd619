// One process at a time on a TPM without a resource manager.
//
// SDKs start several credential processes at once. /dev/tpmrm0 multiplexes
// them; /dev/tpm0 and swtpm do not (swtpm serves one connection at a time,
// and transient objects of one process fill the slots of another). So for
// those, the TPM part of a run holds an exclusive flock on a lock file
// named after the TPM address, waiting for it within the run's deadline.
#pragma once

#include "tpmwire/transports/address.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>

namespace atpc::tpm {

class tpm_lock {
public:
    tpm_lock() = default;
    tpm_lock(tpm_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    tpm_lock& operator=(tpm_lock&& other) noexcept;
    ~tpm_lock();

    // Waits for the lock until `deadline` (atpc::error(fault::timeout) then).
    // Returns an empty lock when none is needed or the lock file cannot be
    // opened (another user's file): the TPM then serializes on its own.
    static boost::asio::awaitable<tpm_lock> acquire(const tpmwire::tpm_address& address,
                                                    std::chrono::steady_clock::time_point deadline);
    bool held() const noexcept { return fd_ >= 0; }

private:
    explicit tpm_lock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace atpc::tpm
