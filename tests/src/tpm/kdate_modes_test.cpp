// The TPM part of a credential fetch, mode by mode, against a real swtpm
// with keys made by tpm2-tools as users make them. For each mode: kDate
// equals the software HMAC, the number of TPM commands, and what a passive
// listener on the bus sees (bus capture).
#include "support/bus_capture.hpp"
#include "support/coro.hpp"
#include "support/swtpm.hpp"

#include "base/error.hpp"
#include "sigv4/signer.hpp"
#include "tpm/kdate.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/keyfile/keyfile.hpp"
#include "tpmwire/transports/open.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace tpmwire;
using atpc::tpm::key_plan;

namespace {

const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const std::string date = "20150830";
const bytes expected_kdate = atpc::sigv4::software_kdate(secret, date);

struct lab {
    test::swtpm sw;
    explicit lab(test::swtpm_options o = {}) : sw(o) { make_keys(); }

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
        tool({"tpm2_flushcontext", "trial.ctx"});
        struct variant {
            const char* name;
            std::vector<std::string> extra;
            const char* handle;
        };
        for (const auto& v : {variant{"plain", {}, "0x81010002"}, variant{"password", {"-p", "pass123"}, "0x81010003"},
                              variant{"pcr", {"-L", "pcr23.policy"}, "0x81010004"}}) {
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
    };

    outcome run(const key_plan& p) {
        outcome out;
        auto record = std::make_shared<test::bus_record>();
        net::io_context io;
        {
            client tpm(io.get_executor(),
                       std::make_unique<test::capturing_transport>(make_transport(io.get_executor(), p.address), record));
            try {
                out.result = test::run_coro(io, atpc::tpm::compute_kdate(tpm, p, date, {}));
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
};

}  // namespace

TEST_CASE("persistent handle, no password: 2 commands, kDate in clear (documented)", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81010002;
    auto o = l.run(p);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    CHECK(o.commands == 2);
    CHECK_FALSE(o.result.encrypted);
    // Negative control for the capture: an unsalted run shows kDate.
    CHECK(o.bus.contains(expected_kdate));
    l.no_leaks();
}

TEST_CASE("persistent handle with a password: bound session, kDate and password hidden", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81010003;
    p.key_auth = to_bytes("pass123");
    auto o = l.run(p);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    CHECK(o.commands == 4);  // ReadPublic, GetCapability (lockout), StartAuthSession, HMAC
    CHECK(o.result.encrypted);
    CHECK_FALSE(o.bus.contains(expected_kdate));
    CHECK_FALSE(o.bus.contains(as_bytes("pass123")));
    l.no_leaks();
}

TEST_CASE("wrong password: explained, counted once, and the right one still works", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81010003;
    p.key_auth = to_bytes("Tr0ub4dor");
    auto bad = l.run(p);
    CHECK_THAT(bad.error, Catch::Contains("TPM_RC_AUTH_FAIL") && Catch::Contains("wrong password") &&
                              Catch::Contains("1 of 3 dictionary-attack failures now counted"));
    CHECK_THAT(bad.error, !Catch::Contains("Tr0ub4dor"));
    CHECK_FALSE(bad.bus.contains(as_bytes("Tr0ub4dor")));
    CHECK(l.lockout_counter() == 1);
    l.no_leaks();

    p.key_auth = to_bytes("pass123");
    auto good = l.run(p);
    REQUIRE(good.error.empty());
    CHECK(good.result.kdate == expected_kdate);
    l.no_leaks();
}

TEST_CASE("the lockout guard refuses the last try before a lockout, sending no HMAC", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81010003;
    p.key_auth = to_bytes("wrong");
    l.run(p);
    l.run(p);
    REQUIRE(l.lockout_counter() == 2);
    auto refused = l.run(p);
    CHECK_THAT(refused.error, Catch::Contains("refusing to try the key password: 2 of 3"));
    auto codes = refused.bus.command_codes();
    CHECK(std::find(codes.begin(), codes.end(), TPM_CC_HMAC) == codes.end());
    CHECK(l.lockout_counter() == 2);
    l.no_leaks();
}

TEST_CASE("PCR policy key: signs while PCR 23 is unchanged, then 'PCR policy not satisfied'", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.persistent_handle = 0x81010004;
    p.pcrs = {23};
    auto ok = l.run(p);
    REQUIRE(ok.error.empty());
    CHECK(ok.result.kdate == expected_kdate);
    CHECK(ok.commands == 4);  // ReadPublic, StartAuthSession, PolicyPCR, HMAC
    l.no_leaks();

    l.tool({"tpm2_pcrextend", "23:sha256=" + std::string(64, 'a')});
    auto changed = l.run(p);
    CHECK_THAT(changed.error, Catch::Contains("PCR policy not satisfied"));
    l.no_leaks();
}

TEST_CASE("key file (H-2 parent): salted session, kDate encrypted, 6 commands", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.key_file = l.pem("plain");
    p.key_file_path = "plain.pem";
    auto o = l.run(p);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
    CHECK(o.commands == 6);  // CreatePrimary, Load, StartAuthSession, HMAC, FlushContext x2
    CHECK(o.result.encrypted);
    CHECK_FALSE(o.bus.contains(expected_kdate));
    l.no_leaks();
}

TEST_CASE("key file with a password and key file with a PCR policy", "[swtpm]") {
    lab l;
    auto p = l.plan();
    p.key_file = l.pem("password");
    p.key_file_path = "password.pem";
    p.key_auth = to_bytes("pass123");
    auto o = l.run(p);
    REQUIRE(o.error.empty());
    CHECK(o.result.kdate == expected_kdate);
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
    p.persistent_handle = 0x81010002;
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
            const ReadPublic read{NamedHandle(0x81010003)};
            auto pub = co_await tpm.execute(read);
            HMAC hmac;
            hmac.handle = AuthHandle(0x81010003, pub.name, &pw);
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
    CHECK(o.commands == 7);  // + the StartAuthSession that carries the owner password
    l.no_leaks();

    p.parent_auth.clear();
    auto refused = l.run(p);
    CHECK_THAT(refused.error, Catch::Contains("creating the H-2 ECC P-256 parent") && Catch::Contains("wrong password"));
    l.no_leaks();
}

namespace {

std::uint32_t be32(const bytes& b, std::size_t at) {
    return std::uint32_t(b[at]) << 24 | std::uint32_t(b[at + 1]) << 16 | std::uint32_t(b[at + 2]) << 8 | b[at + 3];
}

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
