// A TPM character device (/dev/tpmrm0, /dev/tpm0) or any file descriptor
// that behaves like one.
//
// Linux driver behaviour this follows (drivers/char/tpm/tpm-dev-common.c):
// one command per write(); with O_NONBLOCK the write queues the command and
// returns at once; read() returns 0 (not EAGAIN) while no response is ready
// and the whole response once it is; poll() reports readable when it is; a
// second write while a response is unread fails with EBUSY; close() waits
// for an in-flight command. So: wait for readability, then read(), and never
// close on the executor's thread.
//
// The system calls go through device_io so tests can reproduce the driver's
// behaviour without a device.
#pragma once

#include "tpmwire/transports/transport.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <thread>
#include <unistd.h>

namespace tpmwire {

class device_io {
public:
    virtual ~device_io() = default;
    virtual ssize_t write(int fd, const void* data, std::size_t n) { return ::write(fd, data, n); }
    virtual ssize_t read(int fd, void* data, std::size_t n) { return ::read(fd, data, n); }
    virtual int close(int fd) { return ::close(fd); }
};

class device_transport final : public transport {
public:
    // Opens `path` (reopened after a close).
    device_transport(net::any_io_executor ex, std::string path, std::shared_ptr<device_io> io = nullptr)
        : ex_(std::move(ex)), path_(std::move(path)), io_(io ? std::move(io) : std::make_shared<device_io>()),
          descriptor_(ex_) {}

    // Adopts an open descriptor (the "fd you hand in"); it cannot be reopened.
    device_transport(net::any_io_executor ex, int fd, std::string description, std::shared_ptr<device_io> io = nullptr)
        : ex_(std::move(ex)), description_(std::move(description)),
          io_(io ? std::move(io) : std::make_shared<device_io>()), descriptor_(ex_) {
        adopt(fd);
    }

    ~device_transport() override { close(); }

    net::awaitable<void> reopen() override {
        close();
        if (path_.empty()) throw error(errc::transport, describe() + " was closed and cannot be reopened");
        int fd = ::open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            std::string hint = e == ENOENT ? " (no TPM at this path; is the tpm_crb/tpm_tis driver loaded?)"
                             : e == EACCES ? " (add your user to the 'tss' group or check the device permissions)"
                             : e == EBUSY  ? " (another program holds it; use /dev/tpmrm0, the resource manager)"
                                           : "";
            throw error(errc::transport, "cannot open TPM device " + path_ + ": " + std::strerror(e) + hint);
        }
        adopt(fd);
        co_return;
    }

    net::awaitable<bytes> transact(bytes_view command) override {
        if (!descriptor_.is_open()) co_await reopen();
        const int fd = descriptor_.native_handle();
        ssize_t n = io_->write(fd, command.data(), command.size());
        if (n < 0) {
            int e = errno;
            close();
            throw error(errc::transport, "write to " + describe() + " failed: " + std::strerror(e) +
                                             (e == EBUSY ? " (a previous response was never read)" : ""));
        }
        if (static_cast<std::size_t>(n) != command.size()) {
            close();
            throw error(errc::transport, "short write to " + describe());
        }
        std::span<byte> response = received_.space();
        auto idle = std::chrono::microseconds(0);
        for (;;) {
            co_await descriptor_.async_wait(net::posix::descriptor_base::wait_read, net::use_awaitable);
            n = io_->read(fd, response.data(), response.size());
            if (n > 0) break;
            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                int e = errno;
                close();
                throw error(errc::transport, "read from " + describe() + " failed: " + std::strerror(e));
            }
            // Not ready (the driver's read() == 0). Back off a little so a
            // descriptor that keeps polling readable cannot spin a core; the
            // client's deadline bounds the wait.
            idle = std::min(idle + std::chrono::microseconds(200), std::chrono::microseconds(5000));
            net::steady_timer pause(ex_, idle);
            co_await pause.async_wait(net::use_awaitable);
        }
        const auto got = static_cast<std::size_t>(n);
        if (got < 10 || detail::response_size(response.first(got)) != got) {
            received_.wipe();
            close();
            throw error(errc::transport, "truncated or oversized response from " + describe());
        }
        co_return received_.take(got);
    }

    void close() noexcept override {
        if (!descriptor_.is_open()) return;
        boost::system::error_code ignored;
        descriptor_.cancel(ignored);
        int fd = descriptor_.release();
        // close() on a TPM device waits for an in-flight command; never let
        // that block the executor.
        try {
            std::thread([io = io_, fd] { io->close(fd); }).detach();
        } catch (...) {
            io_->close(fd);
        }
    }

    bool is_open() const noexcept override { return descriptor_.is_open(); }
    std::string describe() const override { return path_.empty() ? description_ : path_; }
    bool flushes_on_close() const noexcept override { return path_.find("/tpmrm") != std::string::npos; }

private:
    void adopt(int fd) {
        int flags = ::fcntl(fd, F_GETFL);
        if (flags >= 0 && !(flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        descriptor_.assign(fd);
    }

    net::any_io_executor ex_;
    std::string path_;
    std::string description_;
    std::shared_ptr<device_io> io_;
    net::posix::stream_descriptor descriptor_;
    detail::receive_buffer received_{max_response_bytes};
};

}  // namespace tpmwire
