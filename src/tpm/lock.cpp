#include "tpm/lock.hpp"

#include "base/error.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace atpc::tpm {

namespace {

// FNV-1a: a stable short name for the address.
std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

}  // namespace

tpm_lock& tpm_lock::operator=(tpm_lock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

tpm_lock::~tpm_lock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
}

boost::asio::awaitable<tpm_lock> tpm_lock::acquire(const tpmwire::tpm_address& address,
                                                   std::chrono::steady_clock::time_point deadline) {
    if (address.has_resource_manager()) co_return tpm_lock();
    const char* dir = std::getenv("TMPDIR");
    std::string path = fmt::format("{}/.aws-tpm-process-credential-{:016x}.lock", dir && *dir ? dir : "/tmp",
                                   fnv1a(address.to_string()));
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) co_return tpm_lock();
    tpm_lock lock(fd);
    auto pause = std::chrono::milliseconds(2);
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) co_return tpm_lock();
        if (std::chrono::steady_clock::now() + pause >= deadline)
            throw error(fault::timeout, "another aws-tpm-process-credential kept the TPM at " + address.to_string() +
                                            " busy until the deadline (--deadline)");
        timer.expires_after(pause);
        co_await timer.async_wait(boost::asio::use_awaitable);
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
    co_return lock;
}

}  // namespace atpc::tpm
