#include "launcher/tpm_proxy.hpp"

#include "common/clock.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace bench {

namespace {

int listen_on(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::uint16_t port_of(int fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
}

int connect_to(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

// Counts TPM command frames in the client-to-TPM byte stream.
struct framer {
    std::uint8_t header[6] = {};
    std::size_t have = 0;
    std::uint32_t remaining = 0;
    int feed(const std::uint8_t* p, std::size_t n) {
        int frames = 0;
        while (n > 0) {
            if (remaining > 0) {
                std::size_t k = std::min<std::size_t>(remaining, n);
                remaining -= static_cast<std::uint32_t>(k);
                p += k;
                n -= k;
                continue;
            }
            header[have++] = *p++;
            --n;
            if (have == 6) {
                std::uint32_t size = std::uint32_t(header[2]) << 24 | std::uint32_t(header[3]) << 16 |
                                     std::uint32_t(header[4]) << 8 | header[5];
                remaining = size > 6 ? size - 6 : 0;
                have = 0;
                ++frames;
            }
        }
        return frames;
    }
};

struct pair {
    int client = -1, server = -1;
    bool data = true;
    framer frames;
};

}  // namespace

tpm_proxy::tpm_proxy(std::uint16_t target_port) : target_(target_port) {
    for (int attempt = 0; attempt < 50 && listeners_[1] < 0; ++attempt) {
        if (listeners_[0] >= 0) ::close(listeners_[0]);
        listeners_[0] = listen_on(0);
        if (listeners_[0] < 0) continue;
        port_ = port_of(listeners_[0]);
        if (port_ < 65535) listeners_[1] = listen_on(static_cast<std::uint16_t>(port_ + 1));
    }
    if (listeners_[1] < 0) throw std::runtime_error("tpm_proxy: no free pair of ports");
    if (::pipe2(wake_, O_CLOEXEC) != 0) throw std::runtime_error("tpm_proxy: pipe");
    thread_ = std::thread([this] { loop(); });
}

tpm_proxy::~tpm_proxy() {
    char c = 'q';
    (void)!::write(wake_[1], &c, 1);
    thread_.join();
    for (int fd : {listeners_[0], listeners_[1], wake_[0], wake_[1]}) ::close(fd);
}

void tpm_proxy::reset() {
    for (int i = 0; i < 2000; ++i) {
        {
            std::lock_guard lock(mutex_);
            if (stats_.open_now == 0) break;
        }
        ::usleep(1000);
    }
    std::lock_guard lock(mutex_);
    int open = stats_.open_now;
    stats_ = proxy_stats{};
    stats_.open_now = open;
}

proxy_stats tpm_proxy::snapshot() {
    std::lock_guard lock(mutex_);
    return stats_;
}

void tpm_proxy::loop() {
    std::vector<pair> pairs;
    std::uint8_t buf[65536];
    for (;;) {
        std::vector<pollfd> fds = {{wake_[0], POLLIN, 0}, {listeners_[0], POLLIN, 0}, {listeners_[1], POLLIN, 0}};
        for (const auto& p : pairs) {
            fds.push_back({p.client, POLLIN, 0});
            fds.push_back({p.server, POLLIN, 0});
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[0].revents) return;
        for (int l = 0; l < 2; ++l) {
            if (!(fds[1 + l].revents & POLLIN)) continue;
            int client = ::accept4(listeners_[l], nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            int one = 1;
            ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            int server = connect_to(static_cast<std::uint16_t>(target_ + l));
            if (server < 0) {
                ::close(client);
                continue;
            }
            pairs.push_back({client, server, l == 0, {}});
            std::lock_guard lock(mutex_);
            if (l == 0) ++stats_.connections;
            ++stats_.open_now;
        }
        std::vector<bool> dead(pairs.size(), false);
        for (std::size_t i = 0; i < pairs.size() && 3 + 2 * i + 1 < fds.size(); ++i) {
            auto& p = pairs[i];
            for (int dir = 0; dir < 2; ++dir) {
                const auto& pf = fds[3 + 2 * i + dir];
                if (!(pf.revents & (POLLIN | POLLHUP | POLLERR))) continue;
                int from = dir == 0 ? p.client : p.server, to = dir == 0 ? p.server : p.client;
                ssize_t n = ::read(from, buf, sizeof buf);
                if (n <= 0) {
                    dead[i] = true;
                    break;
                }
                auto t = now_ns();
                if (p.data) {
                    std::lock_guard lock(mutex_);
                    if (dir == 0) {
                        if (stats_.first_byte_ns == 0) stats_.first_byte_ns = t;
                        stats_.commands += p.frames.feed(buf, static_cast<std::size_t>(n));
                    }
                }
                if (!write_all(to, buf, static_cast<std::size_t>(n))) {
                    dead[i] = true;
                    break;
                }
                if (p.data && dir == 1) {
                    std::lock_guard lock(mutex_);
                    stats_.last_response_ns = now_ns();
                }
            }
        }
        for (std::size_t i = pairs.size(); i-- > 0;) {
            if (!dead[i]) continue;
            ::close(pairs[i].client);
            ::close(pairs[i].server);
            pairs.erase(pairs.begin() + static_cast<std::ptrdiff_t>(i));
            std::lock_guard lock(mutex_);
            --stats_.open_now;
        }
    }
}

}  // namespace bench
