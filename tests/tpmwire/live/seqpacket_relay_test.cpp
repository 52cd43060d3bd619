// The device transport end to end, through a stand-in for /dev/tpmrm0.
//
// STAND-IN: CI has no TPM device (nor /dev/vtpmx or CUSE to make one), so
// the device transport is given one end of a socketpair(AF_UNIX,
// SOCK_SEQPACKET) and a relay thread forwards each message to swtpm. Like
// the device, each write is one command and each read one whole response;
// unlike it, read() == 0 would mean end of file rather than "not ready" (the
// driver's not-ready behaviour is covered by device_driver_test.cpp).
#include "support/coro.hpp"
#include "support/swtpm.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/transports/device.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace tpmwire;

namespace {

// Reads exactly n bytes from a stream socket.
bool read_exact(int fd, byte* p, std::size_t n) {
    while (n) {
        ssize_t r = ::read(fd, p, n);
        if (r <= 0) return false;
        p += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

// Forwards messages from `device_side` to swtpm and back until it closes.
void relay(int device_side, std::uint16_t port, std::atomic<int>* relayed) {
    int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(tcp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(tcp);
        ::close(device_side);
        return;
    }
    std::vector<byte> buf(8192);
    for (;;) {
        ssize_t n = ::read(device_side, buf.data(), buf.size());  // one whole command
        if (n <= 0) break;
        if (::write(tcp, buf.data(), static_cast<std::size_t>(n)) != n) break;
        if (!read_exact(tcp, buf.data(), 10)) break;
        std::uint32_t size = static_cast<std::uint32_t>(buf[2]) << 24 | buf[3] << 16 | buf[4] << 8 | buf[5];
        if (size < 10 || size > buf.size() || !read_exact(tcp, buf.data() + 10, size - 10)) break;
        if (::write(device_side, buf.data(), size) != static_cast<ssize_t>(size)) break;  // one whole response
        ++*relayed;
    }
    ::close(tcp);
    ::close(device_side);
}

net::awaitable<std::string> primary_and_random(client& tpm) {
    CreatePrimary cp;
    cp.inPublic.publicArea = h2_ecc_primary_template();
    auto primary = co_await tpm.execute(cp);
    co_await tpm.flush(primary.objectHandle);
    const GetRandom random{16};
    auto r = co_await tpm.execute(random);
    co_return to_hex(r.randomBytes.buffer);
}

}  // namespace

TEST_CASE("device transport over a SEQPACKET relay to swtpm (stand-in for /dev/tpmrm0)", "[swtpm]") {
    test::swtpm sw;
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == 0);
    std::atomic<int> relayed{0};
    std::thread relay_thread(relay, pair[1], sw.port(), &relayed);
    {
        net::io_context io;
        client tpm(io.get_executor(), std::make_unique<device_transport>(io.get_executor(), pair[0], "relay stand-in"));
        CHECK(test::run_coro(io, primary_and_random(tpm)).size() == 32);
        CHECK(tpm.commands_sent() == 3);
    }  // closing our end ends the relay
    relay_thread.join();
    CHECK(relayed == 3);
    CHECK(sw.transient_handles().empty());
}
