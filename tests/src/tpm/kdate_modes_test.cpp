// The TPM part of a credential fetch, mode by mode, against a real swtpm
// with keys made by tpm2-tools as users make them. For each mode: kDate
// equals the software HMAC, the number of TPM commands, and what a passive
// listener on the bus sees (bus capture).
#include "support/bus_capture.hpp"
#include "support/coro.hpp"
#include "support/swtpm.hpp"
#include "support/temp_dir.hpp"

#include "base/error.hpp"
#include "sigv4/signer.hpp"
#include "files/pins.hpp"
#include "tpm/kdate.hpp"
#include "tpm/lock.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/keyfile/keyfile.hpp"
#include "tpmwire/transports/open.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

using namespace tpmwire;
using atpc::tpm::hex_handle;
using atpc::tpm::key_plan;

namespace {

const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const std::string date = "20150830";
const bytes expected_kdate = atpc::sigv4::software_kdate(secret, date);

struct lab {
    test::swtpm sw;
    explicit lab(test::swtpm_options o = {}) : sw(o) {
        std::filesystem::remove(pins_path());  // pins of an earlier test's swtpm (same process)
        make_keys();
    }

    void tool(std::vector<std::string> argv) { sw.require_tool(std::move(argv)); }

    // The original README's flow: H-2 primary, then tpm2_import of the
    // secret as an HMAC key (with a password, with a PCR policy), each kept
    // both as a PEM file and at a persistent handle.
    void make_keys() {
        std::ofstream(sw.work_dir() / "hmac.key", std::ios::binary) << "AWS4" << secret;
        tool({"tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc", "-c", "primary.ctx", "-a",
              "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt"});
        tool({"tpm2_startauthsession", "-S", "trial.ctx"});
        tool({"tpm2_policypcr", "-S", "trial.ctx", "-l", "sha256:23", "-L", "pcr23.policy"});
        tool({"tpm2_policyauthvalue", "-S", "trial.ctx", "-L", "pcr23-password.policy"});
        tool({"tpm2_flushcontext", "trial.ctx"});
        struct variant {
            const char* name;
            std::vector<std::string> extra;
            const char* handle;
        };
        for (const auto& v : {variant{"plain", {}, "0x81008002"}, variant{"password", {"-p", "pass123"}, "0x81008003"},
                              variant{"pcr", {"-L", "pcr23.policy"}, "0x81008004"},
                              variant{"noda", {"-a", "sign|userwithauth|noda"}, "0x81008005"},
                              variant{"pcrpass", {"-L", "pcr23-password.policy", "-p", "pass123"}, "0x81008006"}}) {
            std::string n = v.name;
            std::vector<std::string> import{"tpm2_import", "-C", "primary.ctx", "-G", "hmac", "-i", "hmac.key",
                                            "-u", n + ".pub", "-r", n + ".priv"};
            import.insert(import.end(), v.extra.begin(), v.extra.end());
            tool(import);
            flush_all();
            tool({"tpm2_encodeobject", "-C", "primary.ctx", "-u", n + ".pub", "-r", n + ".priv", "-o", n + ".pem"});
            flush_all();
            tool({"tpm2_load", "-C", "primary.ctx", "-u", n + ".pub", "-r", n + ".priv", "-c", n + ".ctx"});
            tool({"tpm2_evictcontrol", "-C", "o", "-c", n + ".ctx", v.handle});
            flush_all();
        }
    }

    void flush_all() { sw.flush_all(); }

    tss2_private_key pem(const std::string& name) {
        std::ifstream in(sw.work_dir() / (name + ".pem"), std::ios::binary);
        return parse_tss2_key(bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
    }

    key_plan plan() {
        key_plan p;
        p.address = parse_tpm_address(sw.address());
        return p;
    }

    struct outcome {
        atpc::tpm::kdate_result result;
        std::size_t commands = 0;
        test::bus_record bus;
        std::string error;
        std::string trace;  // --debug's lines
    };

    outcome run(const key_plan& p) {
        outcome out;
        auto record = std::make_shared<test::bus_record>();
        net::io_context io;
        {
            client tpm(io.get_executor(),
                       std::make_unique<test::capturing_transport>(make_transport(io.get_executor(), p.address), record));
            try {
                auto trace = [&out](const std::string& line) { out.trace += line + "\n"; };
                out.result = test::run_coro(io, atpc::tpm::compute_kdate(tpm, p, date, trace));
            } catch (const atpc::error& e) {
                out.error = e.what();
            }
            // Commands this flow issued; a TPM-requested resend is not one more.
            out.commands = tpm.commands_sent() - record->retries();
        }
        out.bus = *record;
        return out;
    }

    std::uint32_t lockout_counter() {
        auto r = sw.tool({"tpm2_getcap", "properties-variable"});
        REQUIRE(r.ok());
        auto at = r.out.find("TPM2_PT_LOCKOUT_COUNTER:");
        REQUIRE(at != std::string::npos);
        return static_cast<std::uint32_t>(std::stoul(r.out.substr(r.out.find(':', at) + 1), nullptr, 0));
    }

    void no_leaks() { sw.check_no_leaks(); }

    // The pins file (tests/main.cpp points XDG_STATE_HOME at a fresh directory).
    std::string pins_path() const { return atpc::files::pin_store::for_user().file(); }
    bool pins_file_exists() const { return std::filesystem::exists(pins_path()); }
    std::string pins() const {
        std::ifstream in(pins_path());
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
};

using codes = std::vector<std::uint32_t>;

std::uint32_t be32(const bytes& b, std::size_t at) {
    return std::uint32_t(b[at]) << 24 | std::uint32_t(b[at + 1]) << 16 | std::uint32_t(b[at + 2]) << 8 | b[at + 3];
}

// Every StartAuthSession on the bus names a salt key (`salt_key`, or any
// key but TPM_RH_NULL) and carries a non-empty encryptedSalt.
void all_salted(const test::bus_record& bus, TPM_HANDLE salt_key = 0) {
    const auto starts = bus.session_starts();
    CHECK_FALSE(starts.empty());
    for (std::size_t i = 0; i < starts.size(); ++i) {
        INFO("StartAuthSession " << i + 1);
        CHECK(starts[i].salt_size > 0);
        if (salt_key) CHECK(starts[i].tpm_key == salt_key);
        else CHECK(starts[i].tpm_key != TPM_RH_NULL);
    }
}

// kDate from the password-protected key at 0x81008003, which checks it.
lab::outcome password_key_run(lab& l, std::optional<bytes> salt_name = std::nullopt) {
    auto p = l.plan();
    p.persistent_handle = 0x81008003;
    p.key_auth = to_bytes("pass123");
    p.salt_name = std::move(salt_name);
    auto o = l.run(p);
    INFO(o.trace);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    return o;
}

// The name tpm2-tools computes for the key at `handle`.
bytes tool_name(lab& l, const std::string& handle) {
    l.tool({"tpm2_readpublic", "-c", handle, "-n", "key.name"});
    std::ifstream in(l.sw.work_dir() / "key.name", std::ios::binary);
    return bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("persistent handle, no password: 2 commands for a noDA key, + the lockout guard for a DA-protected one, kDate in clear (documented)", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81008005;  // noDA: a wrong password cannot count
    auto o = l.run(p);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    CHECK(o.bus.answered_codes() == codes{TPM_CC_ReadPublic, TPM_CC_HMAC});
    CHECK_FALSE(o.result.encrypted);
    // Negative control for the capture: an unsalted run shows kDate.
    CHECK(o.bus.contains(expected_kdate));

    // tpm2_import's default: DA-protected, so even the empty password is guarded.
    p.persistent_handle = 0x81008002;
    auto da = l.run(p);
    REQUIRE(da.error.empty());
    CHECK(da.bus.answered_codes() == codes{TPM_CC_ReadPublic, TPM_CC_GetCapability, TPM_CC_HMAC});
    CHECK_FALSE(l.pins_file_exists());  // nothing to protect: no salt key chosen or pinned
    l.no_leaks();
}

TEST_CASE("persistent handle with a password: salted to the H-2 primary (no EK), pinned, kDate and password hidden", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81008003;
    p.key_auth = to_bytes("pass123");
    auto first = l.run(p);
    INFO(first.trace);
    REQUIRE(first.error.empty());
    CHECK(first.result.kdate == expected_kdate);
    CHECK(first.bus.answered_codes() == codes{TPM_CC_ReadPublic, TPM_CC_GetCapability, TPM_CC_CreatePrimary,
                                             TPM_CC_GetCapability, TPM_CC_StartAuthSession, TPM_CC_HMAC,
                                             TPM_CC_FlushContext});
    CHECK(first.result.encrypted);
    all_salted(first.bus);
    CHECK_FALSE(first.bus.contains(expected_kdate));
    CHECK_FALSE(first.bus.contains(as_bytes("pass123")));
    CHECK_THAT(l.pins(), Catch::Contains(l.sw.address() + " salt 000b") && Catch::Contains(" H-2 ECC P-256 primary"));

    // Pinned: no search for an EK any more.
    auto again = l.run(p);
    REQUIRE(again.error.empty());
    CHECK(again.bus.answered_codes() == codes{TPM_CC_ReadPublic, TPM_CC_CreatePrimary, TPM_CC_GetCapability,
                                             TPM_CC_StartAuthSession, TPM_CC_HMAC, TPM_CC_FlushContext});
    all_salted(again.bus);
    CHECK_FALSE(again.bus.contains(expected_kdate));
    l.no_leaks();
}

TEST_CASE("with a persistent EK every password or policy mode is salted to it (ECC preferred), pinned on first use", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});  // RSA EK at 0x81010001, ECC P-384 EK (H-4) at 0x81010016
    struct mode {
        const char* name;
        TPM_HANDLE handle;
        const char* password;
        std::vector<unsigned> pcrs;
        codes expected;  // once pinned
    };
    const std::vector<mode> modes = {
        {"password", 0x81008003, "pass123", {},
         {TPM_CC_ReadPublic, TPM_CC_ReadPublic, TPM_CC_GetCapability, TPM_CC_StartAuthSession, TPM_CC_HMAC}},
        {"PCR policy", 0x81008004, "", {23},
         {TPM_CC_ReadPublic, TPM_CC_ReadPublic, TPM_CC_StartAuthSession, TPM_CC_PolicyPCR, TPM_CC_HMAC}},
        {"PCR policy and password", 0x81008006, "pass123", {23},
         {TPM_CC_ReadPublic, TPM_CC_ReadPublic, TPM_CC_GetCapability, TPM_CC_StartAuthSession, TPM_CC_PolicyPCR,
          TPM_CC_PolicyAuthValue, TPM_CC_HMAC}},
    };
    bool first = true;
    for (const auto& m : modes) {
        INFO(m.name);
        auto p = l.plan();
        p.persistent_handle = m.handle;
        p.key_auth = to_bytes(m.password);
        p.pcrs = m.pcrs;
        auto o = l.run(p);
        INFO(o.trace);
        REQUIRE(o.error.empty());
        CHECK(o.result.kdate == expected_kdate);
        codes expected = m.expected;
        // The first run looks the EKs up (one GetCapability) before reading the ECC one.
        if (first) expected.insert(expected.begin() + 1, TPM_CC_GetCapability);
        first = false;
        CHECK(o.bus.answered_codes() == expected);
        CHECK(o.result.encrypted);
        all_salted(o.bus, 0x81010016);
        CHECK_FALSE(o.bus.contains(expected_kdate));
        CHECK_FALSE(o.bus.contains(as_bytes("pass123")));
        l.no_leaks();
    }
    CHECK_THAT(l.pins(), Catch::Contains(" 0x81010016 ECC endorsement key (TCG template H-4)"));
}

TEST_CASE("a pinned salt key that changed is refused before anything secret is sent, saying how to re-pin", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});
    auto p = l.plan();
    p.persistent_handle = 0x81008003;
    p.key_auth = to_bytes("pass123");
    REQUIRE(l.run(p).error.empty());  // pins the ECC EK
    const std::string pinned = l.pins();

    // Another key where the pinned EK was: a replaced TPM, or an impostor.
    l.tool({"tpm2_evictcontrol", "-C", "o", "-c", "0x81010016"});
    l.tool({"tpm2_createek", "-G", "ecc", "-c", "0x81010016", "-u", "ek2.pub"});
    l.flush_all();
    auto refused = l.run(p);
    CHECK_THAT(refused.error, Catch::Contains("is not the one pinned") && Catch::Contains("0x81010016") &&
                                  Catch::Contains("delete the line '" + l.sw.address() + " salt …' from " + l.pins_path()));
    CHECK(refused.bus.answered_codes() == codes{TPM_CC_ReadPublic, TPM_CC_ReadPublic});
    CHECK(l.pins() == pinned);
    l.no_leaks();

    // Gone altogether: refused too.
    l.tool({"tpm2_evictcontrol", "-C", "o", "-c", "0x81010016"});
    CHECK_THAT(l.run(p).error, Catch::Contains("now no key at 0x81010016"));

    // Deleting the line re-pins (now the RSA EK, the only one left).
    std::filesystem::remove(l.pins_path());
    auto repinned = l.run(p);
    REQUIRE(repinned.error.empty());
    all_salted(repinned.bus, 0x81010001);
    CHECK_THAT(l.pins(), Catch::Contains(" 0x81010001 RSA endorsement key (TCG template L-1)"));
    l.no_leaks();
}

TEST_CASE("the pins file and its directory are the user's own, and a pins file others can write is refused", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81008003;
    p.key_auth = to_bytes("pass123");
    REQUIRE(l.run(p).error.empty());
    struct stat st {};
    REQUIRE(::stat(l.pins_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(st.st_uid == ::geteuid());
    REQUIRE(::stat(std::filesystem::path(l.pins_path()).parent_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);

    ::chmod(l.pins_path().c_str(), 0620);
    auto refused = l.run(p);
    CHECK_THAT(refused.error, Catch::Contains("refusing the pins file") && Catch::Contains("other users can write it"));
    CHECK(refused.bus.answered_codes() == codes{TPM_CC_ReadPublic});
}

TEST_CASE("wrong password: explained, counted once, then the guard keeps the reserve", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81008003;
    p.key_auth = to_bytes("Tr0ub4dor");
    auto bad = l.run(p);
    CHECK_THAT(bad.error, Catch::Contains("TPM_RC_AUTH_FAIL") && Catch::Contains("wrong password") &&
                              Catch::Contains("1 of 3 dictionary-attack failures now counted"));
    CHECK_THAT(bad.error, !Catch::Contains("Tr0ub4dor"));
    CHECK_FALSE(bad.bus.contains(as_bytes("Tr0ub4dor")));
    CHECK(l.lockout_counter() == 1);
    l.no_leaks();

    // swtpm allows 3 failures: with 1 counted, 2 are left, all of them the
    // default reserve; --lockout-reserve=1 lets this user try once more.
    p.key_auth = to_bytes("pass123");
    auto kept = l.run(p);
    CHECK_THAT(kept.error, Catch::Contains("refusing to try the key password: 1 of 3") &&
                               Catch::Contains("2 are kept for the TPM's other users") &&
                               Catch::Contains("--lockout-reserve"));
    CHECK(l.lockout_counter() == 1);
    p.lockout_reserve = 1;
    auto good = l.run(p);
    REQUIRE(good.error.empty());
    CHECK(good.result.kdate == expected_kdate);
    l.no_leaks();
}

TEST_CASE("the lockout guard refuses a try that would leave less than the reserve, sending no HMAC", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81008003;
    p.key_auth = to_bytes("wrong");
    p.lockout_reserve = 0;
    l.run(p);
    l.run(p);
    REQUIRE(l.lockout_counter() == 2);
    p.lockout_reserve = 1;
    auto refused = l.run(p);
    CHECK_THAT(refused.error, Catch::Contains("refusing to try the key password: 2 of 3"));
    auto got = refused.bus.command_codes();
    CHECK(std::find(got.begin(), got.end(), TPM_CC_HMAC) == got.end());
    CHECK(l.lockout_counter() == 2);
    l.no_leaks();
}

TEST_CASE("a DA-protected key used without its password costs at most one failure, then the guard refuses", "[swtpm]") {
    // The key has a password; TPM_KEY_AUTH was forgotten. It used to cost a
    // failure per run: three runs locked swtpm.
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81008003;
    auto first = l.run(p);
    CHECK_THAT(first.error, Catch::Contains("wrong password"));
    CHECK(l.lockout_counter() == 1);
    for (int run = 0; run < 3; ++run) {
        auto refused = l.run(p);
        CHECK_THAT(refused.error, Catch::Contains("refusing to try the key without a password: 1 of 3"));
    }
    CHECK(l.lockout_counter() == 1);
    l.no_leaks();
}

TEST_CASE("the DA lock is taken once, before the guard reads the counter, only when a failure could count", "[swtpm]") {
    lab l;
    struct mode {
        TPM_HANDLE handle;
        const char* password;
        int locks;
    };
    for (const auto& m : {mode{0x81008005, "", 0}, mode{0x81008002, "", 1}, mode{0x81008003, "pass123", 1}}) {
        INFO(hex_handle(m.handle));
        auto p = l.plan();
        p.persistent_handle = m.handle;
        p.key_auth = to_bytes(m.password);
        int locks = 0;
        std::size_t commands_before_lock = 0;
        net::io_context io;
        client tpm(io.get_executor(), make_transport(io.get_executor(), p.address));
        auto serialize = [&]() -> net::awaitable<void> {
            ++locks;
            commands_before_lock = tpm.commands_sent();
            co_return;
        };
        auto k = test::run_coro(io, atpc::tpm::compute_kdate(tpm, p, date, {}, serialize));
        CHECK(k.kdate == expected_kdate);
        CHECK(locks == m.locks);
        if (locks) CHECK(commands_before_lock + 2 < tpm.commands_sent());  // the counter read and the HMAC come after
    }
    l.no_leaks();
}

TEST_CASE("a run through kdate_from leaves no lock file behind", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81008003;
    p.key_auth = to_bytes("pass123");
    const std::string lock = atpc::tpm::tpm_lock::file_for(p.address, atpc::process_environment(),
                                                           atpc::tpm::tpm_lock::running_as_root())
                                 .first;
    CHECK_THAT(lock, !Catch::StartsWith("/tmp/"));
    std::string trace;
    net::io_context io;
    auto k = test::run_coro(io, atpc::tpm::kdate_from(p, std::chrono::seconds(5),
                                                      std::chrono::steady_clock::now() + std::chrono::seconds(20), date,
                                                      [&](const std::string& line) { trace += line + "\n"; }));
    INFO(trace);
    CHECK(k.kdate == expected_kdate);
    CHECK_THAT(trace, !Catch::Contains("not serialized"));
    CHECK_FALSE(std::filesystem::exists(lock));
}

TEST_CASE("no lock file goes to TMPDIR (it used to, and stayed there)", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81008003;
    p.key_auth = to_bytes("pass123");
    test::temp_dir tmp;
    const char* was = std::getenv("TMPDIR");
    const std::string saved = was ? was : "";
    ::setenv("TMPDIR", tmp.path().c_str(), 1);
    net::io_context io;
    auto k = test::run_coro(io, atpc::tpm::kdate_from(p, std::chrono::seconds(5),
                                                      std::chrono::steady_clock::now() + std::chrono::seconds(20), date,
                                                      {}));
    if (was) ::setenv("TMPDIR", saved.c_str(), 1);
    else ::unsetenv("TMPDIR");
    CHECK(k.kdate == expected_kdate);
    CHECK(std::filesystem::is_empty(tmp.path()));
}

TEST_CASE("a key file without emptyAuth (needs a password) and no password is refused before any TPM command", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.key_file = l.pem("password");
    p.key_file->emptyAuth.reset();  // as OpenSSL's TPM providers write a key with a password
    p.key_file_path = "password.pem";
    auto refused = l.run(p);
    CHECK_THAT(refused.error, Catch::Contains("says its key needs a password") && Catch::Contains("TPM_KEY_AUTH"));
    CHECK(refused.bus.commands.empty());
    CHECK(l.lockout_counter() == 0);
}

TEST_CASE("a DA-protected parent key: its password salted, and the lockout guard runs before it is tried", "[swtpm]") {
    lab l;
    // A storage key with a password and without noDA, persisted; an HMAC key (noDA) under it.
    l.tool({"tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc", "-c", "storage.ctx", "-p", "parentpw", "-a",
            "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|decrypt"});
    l.tool({"tpm2_evictcontrol", "-C", "o", "-c", "storage.ctx", "0x81000110"});
    l.flush_all();
    l.tool({"tpm2_import", "-C", "0x81000110", "-P", "parentpw", "-G", "hmac", "-i", "hmac.key", "-u", "child.pub",
            "-r", "child.priv", "-a", "sign|userwithauth|noda"});
    l.flush_all();
    l.tool({"tpm2_encodeobject", "-C", "0x81000110", "-P", "parentpw", "-u", "child.pub", "-r", "child.priv", "-o",
            "child.pem"});
    l.flush_all();
    auto p = l.plan();
    p.key_file = l.pem("child");
    p.key_file_path = "child.pem";
    p.parent_auth = to_bytes("parentpw");
    auto o = l.run(p);
    INFO(o.trace);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    const auto got = o.bus.answered_codes();
    const auto load = std::find(got.begin(), got.end(), TPM_CC_Load + 0);
    CHECK(std::count(got.begin(), load, TPM_CC_GetCapability + 0) == 2);  // the EK lookup, then the guard
    all_salted(o.bus);
    CHECK_FALSE(o.bus.contains(as_bytes("parentpw")));
    CHECK_FALSE(o.bus.contains(expected_kdate));
    l.no_leaks();

    p.parent_auth = to_bytes("wrong-parent");
    CHECK_THAT(l.run(p).error, Catch::Contains("wrong password for the parent key"));
    CHECK(l.lockout_counter() == 1);
    auto refused = l.run(p);
    CHECK_THAT(refused.error, Catch::Contains("refusing to try the password of the parent key: 1 of 3"));
    auto codes_sent = refused.bus.answered_codes();
    CHECK(std::find(codes_sent.begin(), codes_sent.end(), TPM_CC_Load + 0) == codes_sent.end());
    CHECK(l.lockout_counter() == 1);
    l.no_leaks();
}

TEST_CASE("an ECC P-256 EK (template L-2) at 0x81010002 is preferred to swtpm's P-384 one and to the RSA EK", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});
    l.tool({"tpm2_createek", "-G", "ecc", "-c", "0x81010002", "-u", "ek-p256.pub"});
    l.flush_all();
    auto o = password_key_run(l);
    all_salted(o.bus, 0x81010002);
    CHECK_THAT(l.pins(), Catch::Contains(" 0x81010002 ECC endorsement key (TCG template L-2)"));
    l.no_leaks();
}

TEST_CASE("PCR policy key: salted policy session while PCR 23 is unchanged, then 'PCR policy not satisfied'", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81008004;
    p.pcrs = {23};
    auto ok = l.run(p);
    INFO(ok.trace);
    REQUIRE(ok.error.empty());
    CHECK(ok.result.kdate == expected_kdate);
    // No guard: a PCR policy without PolicyAuthValue never checks the authValue.
    CHECK(ok.bus.answered_codes() == codes{TPM_CC_ReadPublic, TPM_CC_GetCapability, TPM_CC_CreatePrimary,
                                          TPM_CC_StartAuthSession, TPM_CC_PolicyPCR, TPM_CC_HMAC,
                                          TPM_CC_FlushContext});
    CHECK(ok.result.encrypted);
    all_salted(ok.bus);
    CHECK_FALSE(ok.bus.contains(expected_kdate));
    l.no_leaks();

    l.tool({"tpm2_pcrextend", "23:sha256=" + std::string(64, 'a')});
    auto changed = l.run(p);
    CHECK_THAT(changed.error, Catch::Contains("PCR policy not satisfied"));
    l.no_leaks();
}

TEST_CASE("key file (H-2 parent): salted to the parent, kDate encrypted, 7 commands with the guard", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.key_file = l.pem("plain");
    p.key_file_path = "plain.pem";
    auto o = l.run(p);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    CHECK(o.bus.answered_codes() == codes{TPM_CC_CreatePrimary, TPM_CC_Load, TPM_CC_GetCapability,
                                         TPM_CC_StartAuthSession, TPM_CC_HMAC, TPM_CC_FlushContext,
                                         TPM_CC_FlushContext});
    CHECK(o.result.encrypted);
    CHECK_FALSE(o.bus.contains(expected_kdate));
    l.no_leaks();
}

TEST_CASE("key file with a password and key file with a PCR policy: salted to the pinned H-2 primary, also its parent", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.key_file = l.pem("password");
    p.key_file_path = "password.pem";
    p.key_auth = to_bytes("pass123");
    auto o = l.run(p);
    INFO(o.trace);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    // One CreatePrimary: the salt key is the parent.
    CHECK(o.bus.answered_codes() == codes{TPM_CC_GetCapability, TPM_CC_CreatePrimary, TPM_CC_Load,
                                         TPM_CC_GetCapability, TPM_CC_StartAuthSession, TPM_CC_HMAC,
                                         TPM_CC_FlushContext, TPM_CC_FlushContext});
    all_salted(o.bus);
    CHECK_FALSE(o.bus.contains(expected_kdate));
    CHECK_FALSE(o.bus.contains(as_bytes("pass123")));
    l.no_leaks();

    auto q = l.plan();
    q.key_file = l.pem("pcr");
    q.key_file_path = "pcr.pem";
    q.pcrs = {23};
    auto r = l.run(q);
    REQUIRE(r.error.empty());
    CHECK(r.result.kdate == expected_kdate);
    all_salted(r.bus);
    CHECK_FALSE(r.bus.contains(expected_kdate));
    l.no_leaks();
}

TEST_CASE("named EK (--tpm-session-encrypt-with-name) salts the session, a wrong name stops before any HMAC", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});
    l.tool({"tpm2_readpublic", "-c", "0x81010001", "-n", "ek.name"});
    std::ifstream in(l.sw.work_dir() / "ek.name", std::ios::binary);
    bytes ek_name((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(ek_name.size() == 34);

    auto p = l.plan();
    p.persistent_handle = 0x81008002;
    p.salt_name = ek_name;
    auto o = l.run(p);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    CHECK(o.result.encrypted);
    CHECK_FALSE(o.bus.contains(expected_kdate));
    l.no_leaks();

    bytes wrong = ek_name;
    wrong.back() ^= 1;
    p.salt_name = wrong;
    auto refused = l.run(p);
    CHECK_THAT(refused.error, Catch::Contains("not the one given by --tpm-session-encrypt-with-name"));
    auto codes = refused.bus.command_codes();
    CHECK(std::find(codes.begin(), codes.end(), TPM_CC_HMAC) == codes.end());
    l.no_leaks();
}

TEST_CASE("negative control: a cleartext password session shows the password on the bus", "[swtpm]") {
    lab l;
    auto record = std::make_shared<test::bus_record>();
    net::io_context io;
    {
        client tpm(io.get_executor(), std::make_unique<test::capturing_transport>(
                                          make_transport(io.get_executor(), parse_tpm_address(l.sw.address())), record));
        auto pw = PasswordSession::cleartext_for_testing(to_bytes("pass123"));
        auto body = [&]() -> net::awaitable<bytes> {
            const ReadPublic read{NamedHandle(0x81008003)};
            auto pub = co_await tpm.execute(read);
            HMAC hmac;
            hmac.handle = AuthHandle(0x81008003, pub.name, &pw);
            hmac.buffer = TPM2B_MAX_BUFFER(to_bytes(date));
            hmac.hashAlg = TPM_ALG_SHA256;
            auto rsp = co_await tpm.execute(hmac);
            co_return rsp.outHMAC.buffer;
        };
        CHECK(test::run_coro(io, body()) == expected_kdate);
    }
    CHECK(record->contains(as_bytes("pass123")));
    CHECK(record->contains(expected_kdate));
}

TEST_CASE("key file under the RSA EK: PolicySecret(endorsement) to load, salted to the EK", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});
    std::ofstream(l.sw.work_dir() / "hmac.key", std::ios::binary) << "AWS4" << secret;
    l.tool({"tpm2_startauthsession", "--policy-session", "-S", "s.ctx"});
    l.tool({"tpm2_policysecret", "-S", "s.ctx", "-c", "e"});
    l.tool({"tpm2_import", "-C", "0x81010001", "-G", "hmac", "-i", "hmac.key", "-u", "ek-child.pub", "-r",
            "ek-child.priv", "-P", "session:s.ctx"});
    l.tool({"tpm2_flushcontext", "s.ctx"});
    l.flush_all();
    l.tool({"tpm2_encodeobject", "-C", "0x81010001", "-u", "ek-child.pub", "-r", "ek-child.priv", "-o", "ek-child.pem"});
    l.flush_all();
    auto key = l.pem("ek-child");
    CHECK(key.parent == 0x81010001);

    // Without, then with an endorsement password: --parentPass is that one, also
    // for an EK parent found by its template (no --useEKParent).
    for (const std::string endorsement : {"", "3ndorse"}) {
        if (!endorsement.empty()) l.tool({"tpm2_changeauth", "-c", "e", endorsement});
        for (bool flag : {false, true}) {
            INFO("--useEKParent " << flag << ", endorsement password " << !endorsement.empty());
            auto p = l.plan();
            p.key_file = key;
            p.key_file_path = "ek-child.pem";
            p.ek_parent = flag;
            p.parent_auth = to_bytes(endorsement);
            auto o = l.run(p);
            INFO(o.error);
            REQUIRE(o.error.empty());
            CHECK(o.result.kdate == expected_kdate);
            CHECK(o.result.encrypted);
            CHECK_FALSE(o.bus.contains(expected_kdate));
            if (!endorsement.empty()) CHECK_FALSE(o.bus.contains(as_bytes(endorsement)));
            l.no_leaks();
        }
    }
}

TEST_CASE("EK-parent key with PolicyOR(PolicyAuthValue, PolicyDuplicationSelect(EK)), as the original's tooling makes", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});
    std::ofstream(l.sw.work_dir() / "hmac.key", std::ios::binary) << "AWS4" << secret;
    l.tool({"tpm2_readpublic", "-c", "0x81010001", "-n", "ek.name"});
    auto trial = [&](std::vector<std::string> policy_cmd) {
        l.tool({"tpm2_startauthsession", "-S", "t.ctx"});
        policy_cmd.insert(policy_cmd.begin() + 1, {"-S", "t.ctx"});
        l.tool(policy_cmd);
        l.tool({"tpm2_flushcontext", "t.ctx"});
    };
    trial({"tpm2_policyauthvalue", "-L", "a.policy"});
    trial({"tpm2_policyduplicationselect", "-N", "ek.name", "-L", "d.policy"});
    trial({"tpm2_policyor", "-L", "or.policy", "-l", "sha256:a.policy,d.policy"});
    l.tool({"tpm2_startauthsession", "--policy-session", "-S", "s.ctx"});
    l.tool({"tpm2_policysecret", "-S", "s.ctx", "-c", "e"});
    // No userWithAuth: the password only counts through the policy.
    l.tool({"tpm2_import", "-C", "0x81010001", "-G", "hmac", "-i", "hmac.key", "-u", "or.pub", "-r", "or.priv",
            "-p", "pass123", "-L", "or.policy", "-a", "sign", "-P", "session:s.ctx"});
    l.tool({"tpm2_flushcontext", "s.ctx"});
    l.flush_all();
    l.tool({"tpm2_encodeobject", "-C", "0x81010001", "-u", "or.pub", "-r", "or.priv", "-o", "or.pem"});
    l.flush_all();

    auto p = l.plan();
    p.key_file = l.pem("or");
    p.key_file_path = "or.pem";
    p.ek_parent = true;
    p.key_auth = to_bytes("pass123");
    auto o = l.run(p);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    CHECK_FALSE(o.bus.contains(as_bytes("pass123")));
    auto codes = o.bus.command_codes();
    CHECK(std::find(codes.begin(), codes.end(), TPM_CC_PolicyOR) != codes.end());
    l.no_leaks();

    p.key_auth = to_bytes("wrong-one");
    auto bad = l.run(p);
    CHECK_THAT(bad.error, Catch::Contains("wrong password"));
    l.no_leaks();
}

TEST_CASE("parent password (--parentPass) authorizes the owner hierarchy for the H-2 parent, never in clear", "[swtpm]") {
    lab l;
    l.tool({"tpm2_changeauth", "-c", "o", "0wnerSecret"});
    auto p = l.plan();
    p.key_file = l.pem("plain");
    p.key_file_path = "plain.pem";
    p.parent_auth = to_bytes("0wnerSecret");
    auto o = l.run(p);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    CHECK_FALSE(o.bus.contains(as_bytes("0wnerSecret")));
    // No EK: the H-2 primary is the salt key (pinned) and the parent; the
    // owner password that makes it goes in a session salted to a key made
    // for the moment in the null hierarchy.
    INFO(o.trace);
    CHECK(o.bus.answered_codes() == codes{TPM_CC_GetCapability, TPM_CC_CreatePrimary, TPM_CC_StartAuthSession,
                                         TPM_CC_FlushContext, TPM_CC_CreatePrimary, TPM_CC_Load,
                                         TPM_CC_GetCapability, TPM_CC_StartAuthSession, TPM_CC_HMAC,
                                         TPM_CC_FlushContext, TPM_CC_FlushContext});
    all_salted(o.bus);
    l.no_leaks();

    p.parent_auth = to_bytes("not-it");
    auto refused = l.run(p);
    CHECK_THAT(refused.error, Catch::Contains("creating the H-2 ECC P-256 parent") && Catch::Contains("wrong password"));
    // Hierarchy passwords are not dictionary-attack protected (TPM_RC_BAD_AUTH): nothing counted, no guard.
    CHECK_THAT(refused.error, Catch::Contains("TPM_RC_BAD_AUTH"));
    CHECK(l.lockout_counter() == 0);
    l.no_leaks();
}

namespace {

// The first `cc` command sent for the handle `h` (its first handle), or empty.
bytes first_command(const test::bus_record& bus, TPM_CC cc, TPM_HANDLE h) {
    for (const auto& c : bus.commands)
        if (c.size() >= 14 && be32(c, 6) == cc && be32(c, 10) == h) return c;
    return {};
}

}  // namespace

TEST_CASE("H-2 parent, EK made to salt to: --parentPass is the owner's password, never the endorsement's", "[swtpm]") {
    // The credential flow used to send --parentPass as the endorsement
    // password too when it made the EK to salt to.
    lab l;  // no persistent EK: the run makes it under the endorsement hierarchy
    l.tool({"tpm2_createek", "-c", "ek.ctx", "-G", "rsa", "-u", "ek.pub"});
    l.tool({"tpm2_readpublic", "-c", "ek.ctx", "-n", "ek.name"});
    l.flush_all();
    std::ifstream in(l.sw.work_dir() / "ek.name", std::ios::binary);
    bytes ek_name((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(ek_name.size() == 34);
    l.tool({"tpm2_changeauth", "-c", "o", "0wnerSecret"});

    auto p = l.plan();
    p.key_file = l.pem("plain");
    p.key_file_path = "plain.pem";
    p.salt_name = ek_name;
    p.parent_auth = to_bytes("0wnerSecret");
    auto o = l.run(p);
    INFO(o.error);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    CHECK(o.result.encrypted);
    CHECK_FALSE(o.bus.contains(expected_kdate));
    CHECK_FALSE(o.bus.contains(as_bytes("0wnerSecret")));
    // The EK is made with the (empty) endorsement password: one password
    // session (TPM_RS_PW), empty nonce and HMAC; the owner's goes in a session.
    const bytes ek_create = first_command(o.bus, TPM_CC_CreatePrimary, TPM_RH_ENDORSEMENT);
    REQUIRE(ek_create.size() > 27);
    CHECK(be32(ek_create, 14) == 9);
    CHECK(be32(ek_create, 18) == TPM_RS_PW);
    const bytes h2_create = first_command(o.bus, TPM_CC_CreatePrimary, TPM_RH_OWNER);
    REQUIRE(h2_create.size() > 22);
    CHECK(be32(h2_create, 18) != TPM_RS_PW);
    l.no_leaks();
}

TEST_CASE("the first credential run on a TPM salts to the EK an import verified (the pin of role ek), not the one it would discover", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});  // discovery would pick the ECC P-384 EK at 0x81010016
    const bytes rsa_ek = tool_name(l, "0x81010001");
    // What `import --tpm-session-encrypt-with-name=<RSA EK>` leaves behind.
    const auto pins = atpc::files::pin_store::for_user();
    pins.record({l.sw.address(), "ek", rsa_ek, "0x81010001 RSA endorsement key (TCG template L-1)"});

    auto o = password_key_run(l);
    all_salted(o.bus, 0x81010001);
    const auto c = o.bus.answered_codes();
    CHECK(std::count(c.begin(), c.end(), TPM_CC_GetCapability) == 1);  // the lockout guard's: no EK search
    REQUIRE(pins.lookup(l.sw.address(), "salt"));
    CHECK(pins.lookup(l.sw.address(), "salt")->name == rsa_ek);

    // An EK made from its template each time is not adopted: discovery as before.
    std::filesystem::remove(l.pins_path());
    pins.record({l.sw.address(), "ek", rsa_ek, "L-1 RSA endorsement key (made from its TCG template, not persistent)"});
    all_salted(password_key_run(l).bus, 0x81010016);
    l.no_leaks();
}

TEST_CASE("named ECC EK (--tpm-session-encrypt-with-name with swtpm's P-384 EK, a SHA-384 name) salts the credential run", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});
    const bytes ecc_ek = tool_name(l, "0x81010016");
    REQUIRE(ecc_ek.size() == 50);
    auto o = password_key_run(l, ecc_ek);
    all_salted(o.bus, 0x81010016);
    CHECK_FALSE(o.bus.contains(expected_kdate));
    l.no_leaks();
}
