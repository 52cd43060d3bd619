#include "common/raw_tpm.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace bench {

namespace {

std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

}  // namespace

void raw_tpm::connect() {
    close();
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) {
        ::close(fd);
        throw std::runtime_error("raw_tpm: not an IPv4 address: " + host_);
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        fail("connect to swtpm port " + std::to_string(port_));
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fd_ = fd;
}

void raw_tpm::close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void raw_tpm::read_exact(std::uint8_t* out, std::size_t n) {
    while (n > 0) {
        ssize_t got = ::read(fd_, out, n);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            if (got == 0) errno = ECONNRESET;
            fail("read from swtpm");
        }
        out += got;
        n -= static_cast<std::size_t>(got);
    }
}

frame raw_tpm::transact(const std::uint8_t* command, std::size_t size) {
    if (fd_ < 0) connect();
    std::size_t sent = 0;
    while (sent < size) {
        ssize_t n = ::write(fd_, command + sent, size - sent);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write to swtpm");
        sent += static_cast<std::size_t>(n);
    }
    frame rsp(10);
    read_exact(rsp.data(), 10);
    std::uint32_t total = be32(rsp.data() + 2);
    if (total < 10 || total > 65536) throw std::runtime_error("raw_tpm: impossible response size");
    rsp.resize(total);
    read_exact(rsp.data() + 10, total - 10);
    return rsp;
}

std::uint32_t response_code(const frame& rsp) { return rsp.size() >= 10 ? be32(rsp.data() + 6) : 0xFFFFFFFF; }

std::uint32_t response_handle(const frame& rsp) {
    if (rsp.size() < 14) throw std::runtime_error("raw_tpm: response has no handle");
    return be32(rsp.data() + 10);
}

frame flush_command(std::uint32_t handle) {
    frame f = {0x80, 0x01, 0, 0, 0, 14, 0, 0, 0x01, 0x65};  // TPM_ST_NO_SESSIONS, 14 bytes, TPM_CC_FlushContext
    for (int shift = 24; shift >= 0; shift -= 8) f.push_back(static_cast<std::uint8_t>(handle >> shift));
    return f;
}

}  // namespace bench
