#include "support/tcp_sink.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace test {

struct tcp_sink::impl {
    int listener = -1;
    std::uint16_t port = 0;
    std::atomic<bool> stop{false};
    mutable std::mutex mu;
    std::vector<connection> seen;
    struct open_fd {
        int fd;
        std::size_t index;  // into `seen`
    };
    std::vector<open_fd> open_fds;  // touched by the worker thread only
    std::thread worker;

    // One poll loop: accept new connections, drain the open ones.
    void run() {
        while (!stop) {
            std::vector<pollfd> fds{{listener, POLLIN, 0}};
            for (const auto& o : open_fds) fds.push_back({o.fd, POLLIN, 0});
            if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
            for (std::size_t i = 1; i < fds.size(); ++i) {
                if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                auto& o = open_fds[i - 1];
                char buf[4096];
                const ssize_t n = ::read(o.fd, buf, sizeof buf);
                if (n > 0) {
                    std::lock_guard lock(mu);
                    seen[o.index].bytes_received += static_cast<std::size_t>(n);
                } else {
                    ::close(o.fd);  // closed by the peer: keep the record, stop polling it
                    o.fd = -1;
                }
            }
            std::erase_if(open_fds, [](const open_fd& o) { return o.fd < 0; });
            if (fds[0].revents & POLLIN) {
                const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
                if (fd >= 0) {
                    std::lock_guard lock(mu);
                    open_fds.push_back({fd, seen.size()});
                    seen.push_back({std::chrono::steady_clock::now(), 0});
                }
            }
        }
    }
};

tcp_sink::tcp_sink() : impl_(std::make_unique<impl>()) {
    impl_->listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (impl_->listener < 0) throw std::runtime_error("tcp_sink: socket failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(impl_->listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(impl_->listener, 16) != 0 ||
        ::getsockname(impl_->listener, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        ::close(impl_->listener);
        throw std::runtime_error("tcp_sink: cannot listen on 127.0.0.1");
    }
    impl_->port = ntohs(a.sin_port);
    impl_->worker = std::thread([this] { impl_->run(); });
}

tcp_sink::~tcp_sink() {
    impl_->stop = true;
    impl_->worker.join();
    for (const auto& o : impl_->open_fds) ::close(o.fd);
    ::close(impl_->listener);
}

std::uint16_t tcp_sink::port() const { return impl_->port; }

std::vector<tcp_sink::connection> tcp_sink::connections() const {
    std::lock_guard lock(impl_->mu);
    return impl_->seen;
}

}  // namespace test
