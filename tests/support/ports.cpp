#include "support/ports.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

namespace test {
namespace {

struct fd_guard {
    int fd;
    ~fd_guard() {
        if (fd >= 0) ::close(fd);
    }
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

// Binds 127.0.0.1:port (0 = any) and returns the socket, or -1 if taken.
int bind_port(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in a = loopback(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::uint16_t port_of(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        throw std::runtime_error(std::string("getsockname: ") + std::strerror(errno));
    return ntohs(a.sin_port);
}

// Socket inodes of the listening TCP sockets in /proc/net/tcp{,6}, by port.
void listening_inodes(const char* table, std::multimap<unsigned long, std::uint16_t>& out) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues, timer, retr, uid, timeout;
        unsigned long inode = 0;
        if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode))
            continue;
        if (state != "0A") continue;  // TCP_LISTEN
        auto colon = local.rfind(':');
        if (colon == std::string::npos) continue;
        out.emplace(inode, static_cast<std::uint16_t>(std::stoul(local.substr(colon + 1), nullptr, 16)));
    }
}

}  // namespace

std::uint16_t free_tcp_port() {
    int fd = bind_port(0);
    if (fd < 0) throw std::runtime_error(std::string("bind 127.0.0.1:0: ") + std::strerror(errno));
    fd_guard g{fd};
    return port_of(fd);
}

std::pair<std::uint16_t, std::uint16_t> free_tcp_port_pair() {
    for (int attempt = 0; attempt < 200; ++attempt) {
        int first = bind_port(0);
        if (first < 0) throw std::runtime_error(std::string("bind 127.0.0.1:0: ") + std::strerror(errno));
        fd_guard g1{first};
        std::uint16_t p = port_of(first);
        if (p == 65535) continue;
        fd_guard g2{bind_port(static_cast<std::uint16_t>(p + 1))};
        if (g2.fd >= 0) return {p, static_cast<std::uint16_t>(p + 1)};
    }
    throw std::runtime_error("no two consecutive free TCP ports on 127.0.0.1 after 200 tries");
}

std::set<std::uint16_t> listening_ports(pid_t pid) {
    std::multimap<unsigned long, std::uint16_t> by_inode;
    listening_inodes("/proc/net/tcp", by_inode);
    listening_inodes("/proc/net/tcp6", by_inode);
    std::set<std::uint16_t> ports;
    std::error_code ec;
    std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        std::string target = std::filesystem::read_symlink(it->path(), ec).string();
        if (ec) {
            ec.clear();  // the fd was closed meanwhile
            continue;
        }
        if (target.rfind("socket:[", 0) != 0) continue;
        unsigned long inode = std::stoul(target.substr(8));
        auto [lo, hi] = by_inode.equal_range(inode);
        for (auto i = lo; i != hi; ++i) ports.insert(i->second);
    }
    return ports;
}

bool port_accepts(std::uint16_t port, std::chrono::milliseconds timeout) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return false;
    fd_guard g{fd};
    sockaddr_in a = loopback(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return true;
    if (errno != EINPROGRESS) return false;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    return err == 0;
}

}  // namespace test
