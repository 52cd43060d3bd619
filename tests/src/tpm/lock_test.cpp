// The per-TPM lock file (src/tpm/lock.hpp): where it lives (never a shared
// world-writable directory), that it refuses what it does not own, that
// runs take turns, and that it is removed when released.
#include "support/coro.hpp"
#include "support/env_fake.hpp"
#include "support/temp_dir.hpp"

#include "base/error.hpp"
#include "tpm/lock.hpp"

#include "tpmwire/transports/address.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using atpc::tpm::tpm_lock;
namespace net = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const tpmwire::tpm_address address = tpmwire::parse_tpm_address("127.0.0.1:2321");

std::chrono::steady_clock::time_point in(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

tpm_lock take(net::io_context& io, const atpc::env_lookup& env, std::chrono::milliseconds wait = 1s,
              atpc::tpm::trace_fn trace = {}) {
    return test::run_coro(io, tpm_lock::acquire(address, in(wait), std::move(trace), env, false));
}

}  // namespace

TEST_CASE("lock file location: /run/lock for root, else XDG_RUNTIME_DIR when private, else the state directory") {
    test::temp_dir runtime, state;
    const auto env = test::fake_env({{"XDG_RUNTIME_DIR", runtime.path()}, {"XDG_STATE_HOME", state.path()}});
    const auto [user_path, why] = tpm_lock::file_for(address, env, false);
    CHECK(why.empty());
    CHECK(fs::path(user_path).parent_path() == runtime.path());
    CHECK_THAT(user_path, Catch::EndsWith(".lock") && Catch::Contains("aws-tpm-process-credential-"));
    if (fs::is_directory("/run/lock")) CHECK_THAT(tpm_lock::file_for(address, env, true).first, Catch::StartsWith("/run/lock/"));

    // No runtime directory, or one others can write: the user's own state directory (made 0700).
    for (bool shared : {false, true}) {
        ::chmod(runtime.path().c_str(), shared ? 0777 : 0700);
        const auto fallback_env = shared ? env : test::fake_env({{"XDG_STATE_HOME", state.path()}});
        const auto [path, reason] = tpm_lock::file_for(address, fallback_env, false);
        CHECK(reason.empty());
        CHECK(fs::path(path).parent_path() == state.path() / "aws-tpm-process-credential");
        struct stat st {};
        REQUIRE(::stat(fs::path(path).parent_path().c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
    }
    ::chmod(runtime.path().c_str(), 0700);
}

TEST_CASE("a lock file is removed when released, and a second run waits for the first until its deadline") {
    test::temp_dir runtime;
    const auto env = test::fake_env({{"XDG_RUNTIME_DIR", runtime.path()}});
    const std::string path = tpm_lock::file_for(address, env, false).first;
    net::io_context io;
    {
        tpm_lock first = take(io, env);
        REQUIRE(first.held());
        CHECK(first.path() == path);
        CHECK(fs::exists(path));
        try {
            take(io, env, 60ms);
            FAIL("a second lock was granted while the first was held");
        } catch (const atpc::error& e) {
            CHECK(e.kind() == atpc::fault::timeout);
            CHECK_THAT(e.what(), Catch::Contains("kept the TPM at 127.0.0.1:2321 busy"));
        }
    }
    CHECK_FALSE(fs::exists(path));
    CHECK(fs::is_empty(runtime.path()));
}

TEST_CASE("a waiter whose file was removed by the holder locks the file now there, not the removed one") {
    test::temp_dir runtime;
    const auto env = test::fake_env({{"XDG_RUNTIME_DIR", runtime.path()}});
    net::io_context io;
    auto holder = std::make_unique<tpm_lock>(take(io, env));
    REQUIRE(holder->held());
    std::optional<tpm_lock> waiter;
    auto wait = [&]() -> net::awaitable<void> { waiter = co_await tpm_lock::acquire(address, in(2s), {}, env, false); };
    net::co_spawn(io, wait(), net::detached);
    net::steady_timer later(io, 50ms);
    later.async_wait([&](boost::system::error_code) { holder.reset(); });
    io.restart();
    io.run();
    REQUIRE(waiter);
    REQUIRE(waiter->held());
    struct stat st {};
    CHECK(::stat(waiter->path().c_str(), &st) == 0);  // it holds the file that is there
    waiter.reset();
    CHECK(fs::is_empty(runtime.path()));
}

TEST_CASE("a lock file that is a symbolic link is not followed: the run goes on unserialized and says why") {
    test::temp_dir runtime, elsewhere;
    const auto env = test::fake_env({{"XDG_RUNTIME_DIR", runtime.path()}});
    const std::string path = tpm_lock::file_for(address, env, false).first;
    fs::create_symlink(elsewhere.path() / "target", path);
    std::string said;
    net::io_context io;
    tpm_lock lock = take(io, env, 1s, [&](const std::string& line) { said += line; });
    CHECK_FALSE(lock.held());
    CHECK_THAT(said, Catch::Contains("not serialized") && Catch::Contains("cannot open the lock file " + path));
    CHECK_FALSE(fs::exists(elsewhere.path() / "target"));
}
