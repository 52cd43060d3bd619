// Every command of the foundation against a real swtpm, each checked against
// an independent computation (OpenSSL) or a second command.
#include "support/coro.hpp"
#include "support/swtpm.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/sessions/hash.hpp"
#include "tpmwire/sessions/name.hpp"
#include "tpmwire/transports/open.hpp"

#include <catch2/catch.hpp>

using namespace tpmwire;
using namespace std::chrono_literals;

namespace {

struct fixture {
    test::swtpm sw;
    net::io_context io;
    std::unique_ptr<client> tpm;
    fixture() { connect(); }
    void connect(client_options o = {}) {
        tpm = std::make_unique<client>(io.get_executor(), make_transport(io.get_executor(), parse_tpm_address(sw.address())),
                                       o);
    }
    void disconnect() { tpm.reset(); }
    template <class T>
    T run(net::awaitable<T> op) {
        return test::run_coro(io, std::move(op));
    }
};

const bytes secret = to_bytes("AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

net::awaitable<TPM_RC> startup(client& tpm) {
    const Startup cmd{TPM_SU_CLEAR};
    try {
        co_await tpm.execute(cmd);
    } catch (const error& e) {
        co_return e.rc();
    }
    co_return 0;
}

// Create (KEYEDHASH with caller data under H-2), Load, HMAC, the HMAC
// sequence, ContextSave/ContextLoad, EvictControl both ways.
net::awaitable<void> object_lifecycle(client& tpm) {
    CreatePrimary cp;
    cp.inPublic.publicArea = h2_ecc_primary_template();
    auto primary = co_await tpm.execute(cp);

    Create create;
    create.parentHandle = AuthHandle(primary.objectHandle, primary.name);
    create.inSensitive.sensitive.data = TPM2B_SENSITIVE_DATA(secret);
    create.inPublic.publicArea =
        hmac_key_template(TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_userWithAuth |
                          TPMA_OBJECT_noDA | TPMA_OBJECT_sign);
    auto created = co_await tpm.execute(create);
    CHECK(created.outPublic.publicArea.type == TPM_ALG_KEYEDHASH);

    Load load;
    load.parentHandle = AuthHandle(primary.objectHandle, primary.name);
    load.inPrivate = created.outPrivate;
    load.inPublic = created.outPublic;
    auto key = co_await tpm.execute(load);
    CHECK(object_name(created.outPublic.publicArea) == key.name);

    bytes expected = hmac(TPM_ALG_SHA256, secret, {as_bytes("20150830")});
    HMAC one_shot;
    one_shot.handle = AuthHandle(key.objectHandle, key.name);
    one_shot.buffer = TPM2B_MAX_BUFFER(to_bytes("20150830"));
    one_shot.hashAlg = TPM_ALG_SHA256;
    auto h = co_await tpm.execute(one_shot);
    CHECK(h.outHMAC.buffer == expected);

    // The same through a sequence, fed in two parts.
    HMAC_Start start;
    start.handle = AuthHandle(key.objectHandle, key.name);
    start.hashAlg = TPM_ALG_SHA256;
    auto seq = co_await tpm.execute(start);
    CHECK(handle_type(seq.sequenceHandle) == TPM_HT_TRANSIENT);
    SequenceUpdate update;
    update.sequenceHandle = AuthHandle(seq.sequenceHandle);
    update.buffer = TPM2B_MAX_BUFFER(to_bytes("2015"));
    co_await tpm.execute(update);
    SequenceComplete complete;
    complete.sequenceHandle = AuthHandle(seq.sequenceHandle);
    complete.buffer = TPM2B_MAX_BUFFER(to_bytes("0830"));
    complete.hierarchy = TPM_RH_OWNER;
    auto done = co_await tpm.execute(complete);
    CHECK(done.result.buffer == expected);

    // Context save, flush, load: the same key comes back.
    const ContextSave save{NamedHandle(key.objectHandle)};
    auto saved = co_await tpm.execute(save);
    co_await tpm.flush(key.objectHandle);
    const ContextLoad reload{saved.context};
    auto back = co_await tpm.execute(reload);
    HMAC again = one_shot;
    again.handle = AuthHandle(back.loadedHandle, key.name);
    auto h2 = co_await tpm.execute(again);
    CHECK(h2.outHMAC.buffer == expected);

    // Persist and evict.
    EvictControl persist;
    persist.objectHandle = NamedHandle(back.loadedHandle, key.name);
    persist.persistentHandle = 0x81000123;
    co_await tpm.execute(persist);
    const ReadPublic read{NamedHandle(0x81000123)};
    auto pub = co_await tpm.execute(read);
    CHECK(pub.name == key.name);
    EvictControl evict;
    evict.objectHandle = NamedHandle(0x81000123, key.name);
    evict.persistentHandle = 0x81000123;
    co_await tpm.execute(evict);
    bool gone = false;
    try {
        co_await tpm.execute(read);
    } catch (const error& e) {
        gone = base_rc(e.rc()) == TPM_RC_HANDLE;
    }
    CHECK(gone);

    co_await tpm.flush_tracked();
}

net::awaitable<void> pcrs(client& tpm) {
    const PCR_Read read{pcr_selection(TPM_ALG_SHA256, {16})};
    auto before = co_await tpm.execute(read);
    REQUIRE(before.pcrValues.digests.size() == 1);
    bytes value = before.pcrValues.digests[0].buffer;
    bytes digest = hash(TPM_ALG_SHA256, {as_bytes("measured")});
    PCR_Extend extend;
    extend.pcrHandle = AuthHandle(16);
    extend.digests.digests.push_back(TPMT_HA{TPM_ALG_SHA256, digest});
    co_await tpm.execute(extend);
    auto after = co_await tpm.execute(read);
    CHECK(after.pcrValues.digests[0].buffer == hash(TPM_ALG_SHA256, {value, digest}));
}

net::awaitable<std::vector<TPM_HANDLE>> handles(client& tpm, TPM_HANDLE first) {
    const GetCapability cap{TPM_CAP_HANDLES, first, 32};
    auto rsp = co_await tpm.execute(cap);
    co_return rsp.capabilityData.handles;
}

}  // namespace

TEST_CASE("TPM2_Startup on a started swtpm answers TPM_RC_INITIALIZE", "[swtpm]") {
    fixture f;
    CHECK(f.run(startup(*f.tpm)) == TPM_RC_INITIALIZE);
}

TEST_CASE("Create, Load, HMAC, sequences, contexts and EvictControl", "[swtpm]") {
    fixture f;
    f.run(object_lifecycle(*f.tpm));
    CHECK(f.run(handles(*f.tpm, HR_TRANSIENT)).empty());
    CHECK(f.tpm->tracked().empty());
}

TEST_CASE("PCR_Extend and PCR_Read agree with a software extend", "[swtpm]") {
    fixture f;
    f.run(pcrs(*f.tpm));
}

TEST_CASE("a paused TPM times out within the deadline, then the client recovers", "[swtpm]") {
    fixture f;
    client_options o;
    o.command_timeout = 300ms;
    f.connect(o);
    CHECK(f.run(handles(*f.tpm, HR_TRANSIENT)).empty());  // connected and working
    f.sw.pause();
    auto start = std::chrono::steady_clock::now();
    try {
        f.run(handles(*f.tpm, HR_TRANSIENT));
        FAIL("no timeout");
    } catch (const error& e) {
        CHECK(e.kind() == errc::timeout);
        CHECK_THAT(e.what(), Catch::StartsWith("TPM2_GetCapability did not complete within the command deadline of "
                                               "300 ms (swtpm at 127.0.0.1:"));
    }
    auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed >= 300ms);
    CHECK(elapsed < 800ms);
    CHECK_FALSE(f.tpm->bus().is_open());  // a late reply cannot be misread
    f.sw.resume();
    // The next command reconnects (swtpm first finishes the abandoned one).
    CHECK(f.run(handles(*f.tpm, HR_TRANSIENT)).empty());
}

// The per-command watchdog is one lazy timer per client (client.hpp): these
// pin down what that must not change.
TEST_CASE("the command watchdog: every command gets its own deadline, and an idle client holds no timer",
          "[swtpm]") {
    fixture f;
    client_options o;
    o.command_timeout = 300ms;
    o.key_generation_timeout = 1500ms;
    f.connect(o);

    SECTION("io_context::run() returns as soon as the commands are done, not at their deadline") {
        client_options slow;
        slow.command_timeout = 5s;
        f.connect(slow);
        auto start = std::chrono::steady_clock::now();
        CHECK(f.run(handles(*f.tpm, HR_TRANSIENT)).empty());
        CHECK(std::chrono::steady_clock::now() - start < 1s);
    }

    // Each pair runs in one coroutine, so the watchdog is still set for the
    // first command when the second starts.
    auto paused_after_first = [&](bool key_generation_first) -> net::awaitable<void> {
        if (key_generation_first) {
            CreatePrimary cp;
            cp.inPublic.publicArea = h2_ecc_primary_template();
            auto primary = co_await f.tpm->execute(cp);
            co_await f.tpm->flush(primary.objectHandle);
        } else {
            co_await handles(*f.tpm, HR_TRANSIENT);
        }
        f.sw.pause();
        if (key_generation_first) {
            co_await handles(*f.tpm, HR_TRANSIENT);
        } else {
            CreatePrimary cp;
            cp.inPublic.publicArea = h2_ecc_primary_template();
            co_await f.tpm->execute(cp);
        }
    };
    auto expect_timeout = [&](bool key_generation_first, std::string_view message,
                              std::chrono::milliseconds at_least, std::chrono::milliseconds below) {
        auto start = std::chrono::steady_clock::now();
        try {
            f.run(paused_after_first(key_generation_first));
            FAIL("no timeout");
        } catch (const error& e) {
            CHECK(e.kind() == errc::timeout);
            CHECK_THAT(e.what(), Catch::StartsWith(std::string(message)));
        }
        auto elapsed = std::chrono::steady_clock::now() - start;
        CHECK(elapsed >= at_least);
        CHECK(elapsed < below);
        f.sw.resume();
    };

    SECTION("a shorter deadline after a longer one is kept (the watchdog moves earlier)") {
        expect_timeout(true, "TPM2_GetCapability did not complete within the command deadline of 300 ms", 300ms,
                       900ms);
    }
    SECTION("a longer deadline after a shorter one is not cut short (the watchdog waits on)") {
        expect_timeout(false, "TPM2_CreatePrimary did not complete within the command deadline of 1500 ms", 1500ms,
                       2300ms);
    }
}
