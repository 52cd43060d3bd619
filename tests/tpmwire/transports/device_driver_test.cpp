// The device transport against a stand-in for the Linux TPM driver.
//
// CI has no /dev/tpmrm0, so `fake_driver` reproduces, through injected
// system calls, what drivers/char/tpm/tpm-dev-common.c does: a write queues
// one command; read() returns 0 while no response is ready and the whole
// response once it is; a second write while a response is unread fails with
// EBUSY; poll() (here an eventfd) reports readable when a response is ready.
// This is a stand-in, not a device: the end-to-end path over a real TPM is
// covered by the SEQPACKET relay test against swtpm.
#include "tpmwire/client/client.hpp"
#include "tpmwire/transports/device.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <sys/eventfd.h>

using namespace tpmwire;
using namespace std::chrono_literals;

namespace {

class fake_driver final : public device_io {
public:
    // How the "TPM" answers a command; nullopt = never answers.
    std::function<std::optional<bytes>(bytes_view)> tpm;
    // Signal readability this many times before the response is really ready
    // (poll can wake up before read() has data on a real system too).
    int spurious_wakeups = 0;
    // Milliseconds close() blocks, as closing a device with a command in flight does.
    int close_blocks_ms = 0;

    fake_driver() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
    int fd() const { return fd_; }

    ssize_t write(int, const void* data, std::size_t n) override {
        std::lock_guard lock(mu_);
        ++writes;
        if (pending_) {
            errno = EBUSY;
            return -1;
        }
        auto rsp = tpm(bytes_view(static_cast<const byte*>(data), n));
        if (!rsp) return static_cast<ssize_t>(n);  // queued; never answered
        pending_ = std::move(*rsp);
        wakeups_left_ = spurious_wakeups;
        signal();
        return static_cast<ssize_t>(n);
    }

    ssize_t read(int, void* data, std::size_t n) override {
        std::lock_guard lock(mu_);
        ++reads;
        drain();
        if (!pending_) return 0;
        if (wakeups_left_ > 0) {  // woke up early: nothing yet, then ready
            --wakeups_left_;
            signal();
            return 0;
        }
        std::size_t len = std::min(n, pending_->size());
        std::memcpy(data, pending_->data(), len);
        pending_.reset();
        return static_cast<ssize_t>(len);
    }

    int close(int fd) override {
        if (close_blocks_ms) std::this_thread::sleep_for(std::chrono::milliseconds(close_blocks_ms));
        closed = true;
        return ::close(fd);
    }

    std::atomic<int> writes{0}, reads{0};
    std::atomic<bool> closed{false};

private:
    void signal() {
        std::uint64_t one = 1;
        [[maybe_unused]] auto r = ::write(fd_, &one, sizeof one);
    }
    void drain() {
        std::uint64_t v;
        [[maybe_unused]] auto r = ::read(fd_, &v, sizeof v);
    }
    int fd_;
    std::mutex mu_;
    std::optional<bytes> pending_;
    int wakeups_left_ = 0;
};

// A TPM that answers GetRandom with 8 bytes of 0x5A.
std::optional<bytes> random_tpm(bytes_view) {
    return from_hex("8001" "00000014" "00000000" "0008" "5a5a5a5a5a5a5a5a");
}

template <class T>
T run(net::io_context& io, net::awaitable<T> op) {
    std::optional<T> out;
    std::exception_ptr failure;
    net::co_spawn(io, std::move(op), [&](std::exception_ptr e, T v) {
        failure = e;
        if (!e) out = std::move(v);
    });
    io.run();
    io.restart();
    if (failure) std::rethrow_exception(failure);
    return std::move(*out);
}

net::awaitable<bytes> get_random(client& tpm) {
    const GetRandom cmd{8};
    auto rsp = co_await tpm.execute(cmd);
    co_return rsp.randomBytes.buffer;
}

}  // namespace

TEST_CASE("device transport: one write, wait for readability, one whole read") {
    net::io_context io;
    auto driver = std::make_shared<fake_driver>();
    driver->tpm = random_tpm;
    client tpm(io.get_executor(), std::make_unique<device_transport>(io.get_executor(), driver->fd(), "fake driver", driver));
    CHECK(to_hex(run(io, get_random(tpm))) == "5a5a5a5a5a5a5a5a");
    CHECK(driver->writes == 1);
    CHECK(driver->reads == 1);
}

TEST_CASE("device transport: read() == 0 means not ready, not end of file") {
    net::io_context io;
    auto driver = std::make_shared<fake_driver>();
    driver->tpm = random_tpm;
    driver->spurious_wakeups = 3;
    client tpm(io.get_executor(), std::make_unique<device_transport>(io.get_executor(), driver->fd(), "fake driver", driver));
    CHECK(to_hex(run(io, get_random(tpm))) == "5a5a5a5a5a5a5a5a");
    CHECK(driver->reads == 4);
}

TEST_CASE("device transport: EBUSY and truncated responses are clear errors") {
    net::io_context io;
    auto driver = std::make_shared<fake_driver>();
    SECTION("truncated response") {
        driver->tpm = [](bytes_view) -> std::optional<bytes> { return from_hex("8001" "00000014" "00000000" "0008"); };
        client tpm(io.get_executor(), std::make_unique<device_transport>(io.get_executor(), driver->fd(), "fake driver", driver));
        CHECK_THROWS_WITH(run(io, get_random(tpm)), "truncated or oversized response from fake driver");
    }
    SECTION("a response left unread makes the next write fail with EBUSY") {
        driver->tpm = random_tpm;
        device_transport t(io.get_executor(), driver->fd(), "fake driver", driver);
        bytes cmd = from_hex("80010000000c0000017b0008");
        REQUIRE(driver->write(driver->fd(), cmd.data(), cmd.size()) == static_cast<ssize_t>(cmd.size()));
        auto transact = [&]() -> net::awaitable<bytes> { co_return co_await t.transact(cmd); };
        CHECK_THROWS_WITH(run(io, transact()), Catch::Contains("Device or resource busy") &&
                                                   Catch::Contains("a previous response was never read"));
    }
}

TEST_CASE("device transport: a TPM that never answers times out without blocking on close") {
    net::io_context io;
    auto driver = std::make_shared<fake_driver>();
    driver->tpm = [](bytes_view) -> std::optional<bytes> { return std::nullopt; };
    driver->close_blocks_ms = 1500;  // close() waits for the in-flight command
    client_options options;
    options.command_timeout = 200ms;
    client tpm(io.get_executor(), std::make_unique<device_transport>(io.get_executor(), driver->fd(), "fake driver", driver),
               options);
    auto start = std::chrono::steady_clock::now();
    try {
        run(io, get_random(tpm));
        FAIL("no timeout");
    } catch (const error& e) {
        CHECK(e.kind() == errc::timeout);
        CHECK(std::string(e.what()) ==
              "TPM2_GetRandom did not complete within the command deadline of 200 ms (fake driver); the TPM is hung or busy");
    }
    auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed >= 200ms);
    CHECK(elapsed < 700ms);       // neither the close nor anything else held us
    CHECK_FALSE(driver->closed);  // the close is still blocked on its own thread
    CHECK_FALSE(tpm.bus().is_open());
    std::this_thread::sleep_for(1600ms);
    CHECK(driver->closed);
}

TEST_CASE("client retries TPM_RC_RETRY and TPM_RC_TESTING, but not authorization failures") {
    net::io_context io;
    auto driver = std::make_shared<fake_driver>();
    std::vector<TPM_RC> answers{0x922, 0x90A, 0};
    std::size_t i = 0;
    driver->tpm = [&](bytes_view cmd) -> std::optional<bytes> {
        TPM_RC rc = i < answers.size() ? answers[i++] : 0x98E;
        if (rc == 0) return random_tpm(cmd);
        Writer w;
        w.u16(TPM_ST_NO_SESSIONS);
        w.u32(10);
        w.u32(rc);
        return w.take();
    };
    client tpm(io.get_executor(), std::make_unique<device_transport>(io.get_executor(), driver->fd(), "fake driver", driver));
    CHECK(to_hex(run(io, get_random(tpm))) == "5a5a5a5a5a5a5a5a");
    CHECK(tpm.commands_sent() == 3);
    try {
        run(io, get_random(tpm));
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.rc() == 0x98E);
    }
    CHECK(tpm.commands_sent() == 4);  // the authorization failure went out once
}
