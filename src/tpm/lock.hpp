// Runs take turns on a TPM through an exclusive flock on a lock file named
// after the TPM address.
//
// When: SDKs start several credential processes at once. On a TPM without
// a resource manager (/dev/tpm0, swtpm, which serves one connection at a
// time and whose transient objects of one process fill the slots of
// another) the whole TPM part of a run holds the lock. With a resource
// manager (/dev/tpmrm0) a run takes it only before its lockout guard reads
// the dictionary-attack counter, so that two runs never both see "one try
// to spare" and both spend it; `import` holds it throughout on every TPM.
//
// Where: /run/lock when running as root, else $XDG_RUNTIME_DIR, else the
// user's state directory (files/user_dirs.hpp, 0700) — never a shared
// world-writable directory, where another user could hold or plant the
// file. The file is opened with O_NOFOLLOW and must belong to the effective
// user; if it cannot be used the run goes on unserialized and --debug says
// why. The holder removes the file when it releases it (a waiter that then
// locks the removed file opens it again), so none are left behind.
#pragma once

#include "tpm/key_plan.hpp"

#include "base/env.hpp"

#include "tpmwire/transports/address.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <utility>

namespace atpc::tpm {

class tpm_lock {
public:
    tpm_lock() = default;
    tpm_lock(tpm_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}
    tpm_lock& operator=(tpm_lock&& other) noexcept;
    ~tpm_lock();

    // Whether the whole run holds the lock (no resource manager).
    static bool whole_run(const tpmwire::tpm_address& address) { return !address.has_resource_manager(); }

    // Waits for the lock until `deadline` (atpc::error(fault::timeout) then).
    // Returns an empty lock when no usable lock file can be had (traced).
    // `env` and `root` choose the directory (file_for).
    static boost::asio::awaitable<tpm_lock> acquire(const tpmwire::tpm_address& address,
                                                    std::chrono::steady_clock::time_point deadline,
                                                    trace_fn trace = {}, env_lookup env = process_environment(),
                                                    bool root = running_as_root());
    static bool running_as_root();
    bool held() const noexcept { return fd_ >= 0; }
    // The lock file's path ("" when not held).
    const std::string& path() const noexcept { return path_; }

    // The lock file for `address`, or the reason there is none (`root`: the
    // effective user is root).
    static std::pair<std::string, std::string> file_for(const tpmwire::tpm_address& address, const env_lookup& env,
                                                        bool root);

private:
    tpm_lock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    void release() noexcept;
    int fd_ = -1;
    std::string path_;
};

}  // namespace atpc::tpm
