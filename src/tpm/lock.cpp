#include "tpm/lock.hpp"

#include "base/error.hpp"
#include "files/user_dirs.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
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

bool is_directory(const std::string& dir) {
    struct stat st {};
    return ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// $XDG_RUNTIME_DIR when it is set and private to the user (the spec's 0700).
std::string runtime_directory(const env_lookup& env) {
    const auto dir = env("XDG_RUNTIME_DIR");
    if (!dir || dir->front() != '/') return {};
    struct stat st {};
    if (::lstat(dir->c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !files::not_private(st).empty()) return {};
    return *dir;
}

// The lock file opened (created if need be), or -1 and why not: it must be
// a regular file of the effective user.
int open_own(const std::string& path, std::string& why) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        why = fmt::format("cannot open the lock file {}: {}", path, std::strerror(errno));
        return -1;
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid()) return fd;
    why = fmt::format("the lock file {} is not a file of uid {}", path, ::geteuid());
    ::close(fd);
    return -1;
}

// Whether `fd` is still the file at `path`: a holder removes it on release.
bool still_linked(int fd, const std::string& path) {
    struct stat open_file {}, named {};
    return ::fstat(fd, &open_file) == 0 && ::lstat(path.c_str(), &named) == 0 && open_file.st_ino == named.st_ino &&
           open_file.st_dev == named.st_dev;
}

}  // namespace

std::pair<std::string, std::string> tpm_lock::file_for(const tpmwire::tpm_address& address, const env_lookup& env,
                                                     bool root) {
    const std::string name = fmt::format("aws-tpm-process-credential-{:016x}.lock", fnv1a(address.to_string()));
    if (root && is_directory("/run/lock")) return {"/run/lock/" + name, ""};
    if (auto dir = runtime_directory(env); !dir.empty()) return {dir + "/" + name, ""};
    const std::string dir = files::state_directory(env);
    if (auto why = files::make_private_directory(dir); !why.empty()) return {"", why};
    return {dir + "/" + name, ""};
}

void tpm_lock::release() noexcept {
    if (fd_ < 0) return;
    // Removed while still held, so no one can lock it in between.
    if (still_linked(fd_, path_)) ::unlink(path_.c_str());
    ::close(fd_);  // releases the flock
    fd_ = -1;
}

tpm_lock& tpm_lock::operator=(tpm_lock&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

tpm_lock::~tpm_lock() { release(); }

bool tpm_lock::running_as_root() { return ::geteuid() == 0; }

boost::asio::awaitable<tpm_lock> tpm_lock::acquire(const tpmwire::tpm_address& address,
                                                   std::chrono::steady_clock::time_point deadline, trace_fn trace,
                                                   env_lookup env, bool root) {
    auto [path, why] = file_for(address, env, root);
    auto pause = std::chrono::milliseconds(2);
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    int fd = -1;
    while (!path.empty()) {
        if (fd < 0 && (fd = open_own(path, why)) < 0) break;
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (still_linked(fd, path)) {
                tpm_lock lock(fd, path);
                co_return lock;
            }
            ::close(fd);  // its holder removed it: lock the file now there
            fd = -1;
            continue;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            why = fmt::format("cannot lock {}: {}", path, std::strerror(errno));
            break;
        }
        if (std::chrono::steady_clock::now() + pause >= deadline) {
            ::close(fd);
            throw error(fault::timeout, "another aws-tpm-process-credential kept the TPM at " + address.to_string() +
                                            " busy until the deadline (--deadline)");
        }
        timer.expires_after(pause);
        boost::system::error_code cancelled;
        co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, cancelled));
        if (cancelled) {
            ::close(fd);
            throw boost::system::system_error(cancelled);
        }
        pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
    if (fd >= 0) ::close(fd);
    if (trace) trace("TPM: runs on " + address.to_string() + " are not serialized: " + why);
    co_return tpm_lock();
}

}  // namespace atpc::tpm
