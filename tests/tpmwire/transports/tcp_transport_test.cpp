// The swtpm TCP transport against an in-test peer (a stand-in for swtpm's
// data port): responses split across segments, and one larger than the
// transport's usual 4 KiB receive buffer.
#include "support/coro.hpp"

#include "tpmwire/transports/tcp.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using namespace tpmwire;

namespace {

// A response of `size` bytes: a valid header, then a counting pattern.
bytes response_of(std::size_t size) {
    bytes r(size);
    r[0] = 0x80;
    r[1] = 0x01;
    r[2] = static_cast<byte>(size >> 24);
    r[3] = static_cast<byte>(size >> 16);
    r[4] = static_cast<byte>(size >> 8);
    r[5] = static_cast<byte>(size);
    for (std::size_t i = 10; i < size; ++i) r[i] = static_cast<byte>(i * 7);
    return r;
}

// Accepts one connection; per command read, writes the next response in
// two pieces with a pause between them.
struct peer {
    int listener = -1;
    std::uint16_t port = 0;
    std::thread thread;
    explicit peer(std::vector<bytes> responses) {
        listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(listener, 1) == 0);
        REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        port = ntohs(a.sin_port);
        thread = std::thread([this, responses = std::move(responses)] {
            int c = ::accept(listener, nullptr, nullptr);
            if (c < 0) return;
            for (const bytes& r : responses) {
                byte cmd[64];
                if (::read(c, cmd, sizeof cmd) <= 0) break;
                const std::size_t first = std::min<std::size_t>(r.size(), 1000);
                if (::write(c, r.data(), first) != static_cast<ssize_t>(first)) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                if (::write(c, r.data() + first, r.size() - first) != static_cast<ssize_t>(r.size() - first)) break;
            }
            ::close(c);
        });
    }
    ~peer() {
        thread.join();
        ::close(listener);
    }
};

}  // namespace

TEST_CASE("tcp transport: split responses, and one above the 4 KiB receive buffer, arrive whole") {
    const std::vector<bytes> responses{response_of(3000), response_of(6000), response_of(10)};
    peer p(responses);
    net::io_context io;
    tcp_transport t(io.get_executor(), "127.0.0.1", p.port);
    const bytes command = response_of(10);  // any 10 bytes: the peer only counts commands
    for (const bytes& expected : responses)
        CHECK(test::run_coro(io, t.transact(command)) == expected);
}
