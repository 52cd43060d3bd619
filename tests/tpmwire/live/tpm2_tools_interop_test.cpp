// Keys made by tpm2-tools exactly as the original tool's README does
// (tpm2_createprimary H-2, tpm2_import -G hmac, tpm2_encodeobject) are used
// by tpmwire from the PEM file and from a persistent handle, against a real
// swtpm; the TPM's HMAC must equal the software HMAC (the AWS SigV4 suite's
// kDate). Afterwards nothing is left loaded.
#include "support/coro.hpp"
#include "support/swtpm.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/keyfile/keyfile.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/sessions/name.hpp"
#include "tpmwire/transports/open.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace tpmwire;

namespace {

// kDate for the SigV4 suite's secret and 20150830.
const std::string suite_kdate = "0138c7a6cbd60aa727b2f653a522567439dfb9f3e72b21f9b25941a42f04a7cd";

void provision(test::swtpm& tpm) {
    auto run = [&](std::vector<std::string> argv) {
        auto r = tpm.tool(std::move(argv));
        INFO(r.describe());
        REQUIRE(r.ok());
    };
    {
        std::ofstream key(tpm.work_dir() / "hmac.key", std::ios::binary);
        key << "AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    }
    run({"tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc", "-c", "primary.ctx", "-a",
         "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt"});
    run({"tpm2_import", "-C", "primary.ctx", "-G", "hmac", "-i", "hmac.key", "-u", "hmac.pub", "-r", "hmac.priv"});
    run({"tpm2_flushcontext", "-t"});
    run({"tpm2_encodeobject", "-C", "primary.ctx", "-u", "hmac.pub", "-r", "hmac.priv", "-o", "private.pem"});
    run({"tpm2_flushcontext", "-t"});
    run({"tpm2_load", "-C", "primary.ctx", "-u", "hmac.pub", "-r", "hmac.priv", "-c", "hmac.ctx"});
    run({"tpm2_evictcontrol", "-C", "o", "-c", "hmac.ctx", "0x81010002"});
    run({"tpm2_flushcontext", "-t"});
    // The tools leave their own sessions loaded on a TPM without a resource
    // manager; clear them so the leak check below only sees ours.
    run({"tpm2_flushcontext", "-l"});
    REQUIRE(tpm.transient_handles().empty());
    REQUIRE(tpm.loaded_sessions().empty());
}

bytes read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

net::awaitable<std::string> hmac_from_pem(client& tpm, tss2_private_key key) {
    CreatePrimary create;
    create.inPublic.publicArea = h2_ecc_primary_template();
    auto primary = co_await tpm.execute(create);
    CHECK(object_name(primary.outPublic.publicArea) == primary.name);
    Load load;
    load.parentHandle = AuthHandle(primary.objectHandle, primary.name);
    load.inPrivate = key.privkey;
    load.inPublic = key.pubkey;
    auto loaded = co_await tpm.execute(load);
    CHECK(object_name(key.pubkey.publicArea) == loaded.name);
    HMAC hmac;
    hmac.handle = AuthHandle(loaded.objectHandle, loaded.name);
    hmac.buffer = TPM2B_MAX_BUFFER(to_bytes("20150830"));
    hmac.hashAlg = TPM_ALG_SHA256;
    auto rsp = co_await tpm.execute(hmac);
    CHECK(tpm.tracked().size() == 2);
    co_await tpm.flush_tracked();
    co_return to_hex(rsp.outHMAC.buffer);
}

net::awaitable<std::string> hmac_from_handle(client& tpm, TPM_HANDLE handle) {
    const ReadPublic read{NamedHandle(handle)};
    auto pub = co_await tpm.execute(read);
    CHECK(object_name(pub.outPublic.publicArea) == pub.name);
    CHECK(is_hmac_sha256_key(pub.outPublic.publicArea));
    HMAC hmac;
    hmac.handle = AuthHandle(handle, pub.name);
    hmac.buffer = TPM2B_MAX_BUFFER(to_bytes("20150830"));
    hmac.hashAlg = TPM_ALG_SHA256;
    auto rsp = co_await tpm.execute(hmac);
    co_return to_hex(rsp.outHMAC.buffer);
}

}  // namespace

TEST_CASE("tpm2-tools README keys work through tpmwire from PEM and persistent handle", "[swtpm]") {
    test::swtpm sw;
    provision(sw);
    auto key = parse_tss2_key(read_file(sw.work_dir() / "private.pem"));
    CHECK(parent_is_h2_primary(key.parent));

    net::io_context io;
    {
        client tpm(io.get_executor(), make_transport(io.get_executor(), parse_tpm_address(sw.address())));
        CHECK(test::run_coro(io, hmac_from_pem(tpm, key)) == suite_kdate);
        CHECK(test::run_coro(io, hmac_from_handle(tpm, 0x81010002)) == suite_kdate);
        CHECK(tpm.tracked().empty());
    }
    // Our connection is closed: the tools can talk to swtpm again.
    CHECK(sw.transient_handles().empty());
    CHECK(sw.loaded_sessions().empty());
}
