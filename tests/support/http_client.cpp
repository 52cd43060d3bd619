#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace test {

namespace {

using clock = std::chrono::steady_clock;

// Parses the head in `in` (up to the blank line) into `r`; returns the
// Content-Length (0 when absent).
std::size_t parse_head(const std::string& head, http_reply& r) {
    std::size_t at = head.find("\r\n");
    const std::string status_line = head.substr(0, at);
    if (status_line.rfind("HTTP/1.1 ", 0) == 0) r.status = std::atoi(status_line.c_str() + 9);
    while (at != std::string::npos && at + 2 < head.size()) {
        const std::size_t next = head.find("\r\n", at + 2);
        const std::string line = head.substr(at + 2, next - at - 2);
        const std::size_t colon = line.find(':');
        if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
        }
        at = next;
    }
    auto it = r.headers.find("content-length");
    return it == r.headers.end() ? 0 : std::stoul(it->second);
}

// Waits for readability until `deadline`; false on timeout.
bool readable(int fd, clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(left)) > 0;
}

}  // namespace

std::string http_get(const std::string& path, const std::string& host, const std::string& extra) {
    return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n";
}

http_connection::http_connection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        const int e = errno;
        if (fd_ >= 0) ::close(fd_);
        throw std::runtime_error(std::string("connect to the server: ") + std::strerror(e));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

http_connection::~http_connection() {
    if (fd_ >= 0) ::close(fd_);
}

http_connection::http_connection(http_connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), pending_(std::move(other.pending_)) {}

bool http_connection::send(const std::string& raw) {
    std::size_t done = 0;
    while (done < raw.size()) {
        const ssize_t n = ::send(fd_, raw.data() + done, raw.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

http_reply http_connection::exchange(const std::string& raw, std::chrono::milliseconds timeout) {
    http_reply r;
    const auto start = clock::now(), deadline = start + timeout;
    if (!send(raw)) return r;
    std::string in = std::move(pending_);
    std::size_t head_end = std::string::npos, length = 0;
    for (;;) {
        if (head_end == std::string::npos && (head_end = in.find("\r\n\r\n")) != std::string::npos)
            length = parse_head(in.substr(0, head_end + 2), r);
        if (head_end != std::string::npos && in.size() >= head_end + 4 + length) break;
        char buf[16384];
        if (!readable(fd_, deadline)) break;
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
    }
    r.received = in.size();
    r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start);
    if (head_end != std::string::npos && in.size() >= head_end + 4 + length) {
        r.complete = true;
        r.body = in.substr(head_end + 4, length);
        pending_ = in.substr(head_end + 4 + length);
    }
    return r;
}

bool http_connection::closed_by_peer(std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    char buf[4096];
    while (readable(fd_, deadline)) {
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return true;
    }
    return false;
}

http_reply http_once(std::uint16_t port, const std::string& raw, std::chrono::milliseconds timeout) {
    http_connection c(port);
    return c.exchange(raw, timeout);
}

}  // namespace test
