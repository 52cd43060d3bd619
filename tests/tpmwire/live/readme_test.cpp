// The examples of tpmwire/README.md, compiled from the README itself
// (tests/CMakeLists.txt writes them out) and run against swtpm.
#include "support/coro.hpp"
#include "support/process.hpp"
#include "support/swtpm.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/sessions/hash.hpp"
#include "tpmwire/transports/open.hpp"

#include <catch2/catch.hpp>

#include <fstream>

// "Adding a command": the struct as the README shows it, as if in commands.hpp.
namespace readme {
using namespace tpmwire;
#include "readme/adding_a_command.hpp"
}  // namespace readme

using namespace tpmwire;
using namespace std::chrono_literals;

namespace {

static_assert(tpm_command<readme::Hash>);

net::awaitable<readme::Hash::response> hash_on_tpm(client& tpm, bytes data) {
    readme::Hash cmd;
    cmd.data = TPM2B_MAX_BUFFER(std::move(data));
    co_return co_await tpm.execute(cmd);
}

const std::string secret = "AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// An HMAC key with a password at 0x81008003, imported by tpm2-tools as the
// original tool's README does.
void provision_key(test::swtpm& tpm) {
    std::ofstream(tpm.work_dir() / "hmac.key", std::ios::binary) << secret;
    tpm.require_tool({"tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc", "-c", "primary.ctx", "-a",
                      "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt"});
    tpm.require_tool({"tpm2_import", "-C", "primary.ctx", "-G", "hmac", "-i", "hmac.key", "-p", "password", "-a",
                      "userwithauth|noda|sign", "-u", "hmac.pub", "-r", "hmac.priv"});
    tpm.require_tool({"tpm2_flushcontext", "-t"});  // swtpm has 3 object slots; the tools fill them
    tpm.require_tool({"tpm2_load", "-C", "primary.ctx", "-u", "hmac.pub", "-r", "hmac.priv", "-c", "hmac.ctx"});
    tpm.require_tool({"tpm2_evictcontrol", "-C", "o", "-c", "hmac.ctx", "0x81008003"});
    tpm.flush_all();
}

}  // namespace

TEST_CASE("README, Adding a command: TPM2_Hash as shown runs through the client", "[swtpm]") {
    test::swtpm sw;
    net::io_context io;
    client tpm(io.get_executor(), make_transport(io.get_executor(), parse_tpm_address(sw.address())));
    auto rsp = test::run_coro(io, hash_on_tpm(tpm, to_bytes("20150830")));
    CHECK(rsp.outHash.buffer == hash(TPM_ALG_SHA256, {as_bytes("20150830")}));
    CHECK(rsp.validation.hierarchy == TPM_RH_NULL);  // TPM_RH_NULL asks for no ticket
}

TEST_CASE("README, Use: the program computes kDate with a password-protected key and flushes its session",
          "[swtpm]") {
    test::swtpm sw;
    provision_key(sw);
    const std::string expected = to_hex(hmac(TPM_ALG_SHA256, as_bytes(secret), {as_bytes("20150830")}));

    auto ok = test::run({TPMWIRE_README_USE, sw.address(), "0x81008003", "20150830"}, {{"KEY_AUTH", "password"}}, 30s);
    INFO(ok.describe());
    CHECK(ok.exit_code == 0);
    CHECK(ok.out == expected + "\n");
    sw.check_no_leaks();

    auto wrong = test::run({TPMWIRE_README_USE, sw.address(), "0x81008003", "20150830"}, {{"KEY_AUTH", "nope"}}, 30s);
    CHECK(wrong.exit_code == 1);
    CHECK(wrong.out.empty());
    CHECK_THAT(wrong.err, Catch::StartsWith("kdate: TPM2_HMAC: TPM_RC_BAD_AUTH"));
    sw.check_no_leaks();

    auto usage = test::run({TPMWIRE_README_USE, sw.address()}, {}, 30s);
    CHECK(usage.exit_code == 2);
}
