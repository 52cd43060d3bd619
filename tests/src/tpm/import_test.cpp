// The import code path in-process against a swtpm, per route: what a
// passive listener on the TPM bus sees (bus capture, with a negative
// control), the key's attributes and policy against independent oracles
// (tpm2-tools), kDate through the credential flow's own code, and that every
// failure leaves the TPM as it was.
#include "support/lab.hpp"

#include "tpmwire/client/sessions.hpp"
#include "tpmwire/keyfile/keyfile.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/sessions/name.hpp"

using namespace provision_test;
using namespace tpmwire;
using atpc::tpm::import_plan;
using atpc::tpm::parent_kind;

namespace {

// What must never cross the bus in clear: the HMAC key, the secret, and
// any 12-character piece of the secret.
void secret_hidden(const test::bus_record& bus, const std::string& s = secret) {
    CHECK_FALSE(bus.contains(atpc::cli::hmac_key_bytes(s)));
    CHECK_FALSE(bus.contains(as_bytes(s)));
    for (std::size_t at = 0; at + 12 <= s.size(); at += 7) {
        INFO("piece at " << at);
        CHECK_FALSE(bus.contains(as_bytes(std::string_view(s).substr(at, 12))));
    }
}

tss2_private_key key_file(const atpc::tpm::imported_key& k) {
    tss2_private_key f;
    f.parent = k.file_parent;
    f.pubkey = k.pub;
    f.privkey = k.priv;
    // As import writes it: its keys are noDA exactly when they have no password.
    f.emptyAuth = (k.pub.publicArea.objectAttributes & TPMA_OBJECT_noDA) != 0;
    return f;
}

bool has(const std::vector<std::uint32_t>& v, std::uint32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST_CASE("H-2 parent: the secret crosses the bus encrypted, the key is fixed and computes kDate", "[swtpm]") {
    lab l;
    import_plan plan;
    plan.persistent_handle = 0x81000100;
    auto o = l.run_import(plan);
    REQUIRE(o.error.empty());
    secret_hidden(o.bus);
    auto codes = o.bus.command_codes();
    // ReadPublic (handle free?), GetCapability (a persistent EK? none) and
    // CreatePrimary (the RSA EK, trusted on first use), CreatePrimary (H-2),
    // StartAuthSession (salted to the EK), Create, Load, FlushContext (H-2),
    // EvictControl, FlushContext x2 (the loaded key, the EK).
    CHECK(codes == std::vector<std::uint32_t>{TPM_CC_ReadPublic, TPM_CC_GetCapability, TPM_CC_CreatePrimary,
                                              TPM_CC_CreatePrimary, TPM_CC_StartAuthSession, TPM_CC_Create,
                                              TPM_CC_Load, TPM_CC_FlushContext, TPM_CC_EvictControl,
                                              TPM_CC_FlushContext, TPM_CC_FlushContext});
    CHECK(o.bus.session_starts().front().tpm_key != TPM_RH_NULL);
    CHECK(o.key->persisted);
    CHECK(o.key->salt_trust == atpc::tpm::trust_basis::first_use);  // lab's default for a fresh swtpm
    CHECK(o.key->file_parent == TPM_RH_OWNER);
    CHECK(o.key->salt_name != o.key->parent_name);  // salted to the EK, not the parent
    l.no_leaks();

    // The TPM's own view (tpm2-tools): fixedtpm|fixedparent|userwithauth|noda|sign, no sensitivedataorigin.
    auto pub = l.sw.tool({"tpm2_readpublic", "-c", "0x81000100"});
    REQUIRE(pub.ok());
    CHECK_THAT(pub.out, Catch::Contains("raw: 0x40452"));
    CHECK_THAT(pub.out, Catch::Contains("name: " + to_hex(o.key->name.buffer)));

    bytes kd;
    REQUIRE(l.kdate(l.handle_plan(0x81000100), kd).empty());
    CHECK(kd == expected_kdate());

    // The key file route (H-2 re-created from its template) gives the same kDate.
    auto p = l.handle_plan(0);
    p.key_file = key_file(*o.key);
    p.key_file_path = "imported.pem";
    REQUIRE(l.kdate(p, kd).empty());
    CHECK(kd == expected_kdate());
    l.no_leaks();
}

// TPM2_Create of the HMAC key under the H-2 primary with the empty password
// session: nothing encrypts the secret.
// g++ 12 reports a mismatched new/delete of this coroutine's frame (Asio's
// aligned operator new) depending on what else the file inlines: a false
// positive, silenced for this function alone.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
static net::awaitable<void> create_in_clear(client& tpm) {
    CreatePrimary primary;
    primary.inPublic.publicArea = h2_ecc_primary_template();
    auto parent = co_await tpm.execute(primary);
    Create create;
    create.parentHandle = AuthHandle(parent.objectHandle);
    create.inSensitive.sensitive.data = TPM2B_SENSITIVE_DATA(atpc::cli::hmac_key_bytes(secret));
    create.inPublic.publicArea = hmac_key_template(atpc::tpm::key_attributes(false, false));
    co_await tpm.execute(create);
    co_await tpm.flush_tracked();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

TEST_CASE("negative control: TPM2_Create with a plain password session shows the secret on the bus", "[swtpm]") {
    lab l;
    auto record = std::make_shared<test::bus_record>();
    net::io_context io;
    {
        client tpm(io.get_executor(),
                   std::make_unique<test::capturing_transport>(make_transport(io.get_executor(), l.address()), record));
        test::run_coro(io, create_in_clear(tpm));
    }
    CHECK(record->contains(atpc::cli::hmac_key_bytes(secret)));
    l.no_leaks();
}

TEST_CASE("password and PCR policy: authPolicy equals tpm2-tools' trial policy, the credential flow satisfies it", "[swtpm]") {
    lab l;
    l.tool({"tpm2_pcrextend", "23:sha256=" + std::string(64, '7')});  // a non-zero value to bind to
    import_plan plan;
    plan.persistent_handle = 0x81000101;
    plan.key_auth = to_bytes("pass123");
    plan.pcrs = {23};
    auto o = l.run_import(plan);
    REQUIRE(o.error.empty());
    secret_hidden(o.bus);
    CHECK_FALSE(o.bus.contains(as_bytes("pass123")));
    l.no_leaks();

    const auto& pub = o.key->pub.publicArea;
    CHECK((pub.objectAttributes & TPMA_OBJECT_userWithAuth) == 0);
    CHECK((pub.objectAttributes & TPMA_OBJECT_noDA) == 0);
    CHECK((pub.objectAttributes & TPMA_OBJECT_sensitiveDataOrigin) == 0);
    l.tool({"tpm2_startauthsession", "-S", "trial.ctx"});
    l.tool({"tpm2_policypcr", "-S", "trial.ctx", "-l", "sha256:23"});
    l.tool({"tpm2_policyauthvalue", "-S", "trial.ctx", "-L", "expected.policy"});
    l.tool({"tpm2_flushcontext", "trial.ctx"});
    auto expected = l.read_file("expected.policy");
    CHECK(to_hex(pub.authPolicy.buffer) == to_hex(as_bytes(expected)));

    auto p = l.handle_plan(0x81000101);
    p.pcrs = {23};
    p.key_auth = to_bytes("pass123");
    bytes kd;
    REQUIRE(l.kdate(p, kd).empty());
    CHECK(kd == expected_kdate());

    p.key_auth = to_bytes("wrong");
    CHECK_THAT(l.kdate(p, kd), Catch::Contains("wrong password"));
    // swtpm allows 3 failures: after one, the default reserve (2) would refuse to try again.
    p.lockout_reserve = 1;
    p.key_auth = to_bytes("pass123");
    l.tool({"tpm2_pcrextend", "23:sha256=" + std::string(64, 'a')});
    CHECK_THAT(l.kdate(p, kd), Catch::Contains("PCR policy not satisfied"));
    l.no_leaks();
}

TEST_CASE("PCR policy over several PCRs (more than PCR_Read returns at once)", "[swtpm]") {
    lab l;
    import_plan plan;
    plan.persistent_handle = 0x81000105;
    plan.pcrs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 23};
    auto o = l.run_import(plan);
    REQUIRE(o.error.empty());
    auto codes = o.bus.command_codes();
    CHECK(std::count(codes.begin(), codes.end(), TPM_CC_PCR_Read) == 2);  // 8 values, then 4
    // tpm2_policypcr takes at most 8 PCRs; the oracle here is the TPM's own
    // PolicyPCR over the current values, which must reach the key's authPolicy.
    auto p = l.handle_plan(0x81000105);
    p.pcrs = plan.pcrs;
    bytes kd;
    REQUIRE(l.kdate(p, kd).empty());
    CHECK(kd == expected_kdate());
    l.tool({"tpm2_pcrextend", "9:sha256=" + std::string(64, '9')});
    CHECK_THAT(l.kdate(p, kd), Catch::Contains("PCR policy not satisfied"));
    l.no_leaks();
}

TEST_CASE("EK parent: PolicySecret(endorsement), salted to the EK, key file parent 0x81010001", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});
    import_plan plan;
    plan.parent = parent_kind::ek;
    auto o = l.run_import(plan);
    REQUIRE(o.error.empty());
    secret_hidden(o.bus);
    CHECK(o.key->file_parent == ek_rsa_persistent_handle);
    CHECK(o.key->ek_persistent);
    auto codes = o.bus.command_codes();
    CHECK(std::count(codes.begin(), codes.end(), TPM_CC_PolicySecret) == 2);  // Create and Load
    l.no_leaks();

    for (bool flag : {true, false}) {  // the credential flow finds the EK parent with or without --useEKParent
        auto p = l.handle_plan(0);
        p.key_file = key_file(*o.key);
        p.key_file_path = "ek-child.pem";
        p.ek_parent = flag;
        bytes kd;
        REQUIRE(l.kdate(p, kd).empty());
        CHECK(kd == expected_kdate());
    }
    l.no_leaks();
}

TEST_CASE("salt by name (--tpm-session-encrypt-with-name): the EK salts the Create, a wrong name stops before any Create", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});
    l.tool({"tpm2_readpublic", "-c", "0x81010001", "-n", "ek.name"});
    auto name = l.read_file("ek.name");
    REQUIRE(name.size() == 34);
    import_plan plan;
    plan.persistent_handle = 0x81000106;
    plan.salt_name = to_bytes(name);
    auto o = l.run_import(plan);
    REQUIRE(o.error.empty());
    secret_hidden(o.bus);
    CHECK(o.key->salt_trust == atpc::tpm::trust_basis::name);
    CHECK(o.key->salt_name.buffer == to_bytes(name));
    CHECK(o.key->parent_name != o.key->salt_name);
    l.no_leaks();

    auto before = l.persistent();
    bytes wrong = to_bytes(name);
    wrong.back() ^= 1;
    plan.salt_name = wrong;
    plan.persistent_handle = 0x81000107;
    auto refused = l.run_import(plan);
    CHECK_THAT(refused.error, Catch::Contains("not the one given by --tpm-session-encrypt-with-name"));
    auto codes = refused.bus.command_codes();
    CHECK(std::find(codes.begin(), codes.end(), TPM_CC_Create) == codes.end());
    CHECK(l.persistent() == before);
    l.no_leaks();
}

TEST_CASE("persistent parent (--parent): a storage key with a password, never sent in clear", "[swtpm]") {
    lab l;
    l.tool({"tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc", "-c", "storage.ctx", "-p", "parentpw", "-a",
            "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt"});
    l.tool({"tpm2_evictcontrol", "-C", "o", "-c", "storage.ctx", "0x81000110"});
    l.flush_all();
    import_plan plan;
    plan.parent = parent_kind::persistent;
    plan.parent_handle = 0x81000110;
    plan.parent_auth = to_bytes("parentpw");
    auto o = l.run_import(plan);
    REQUIRE(o.error.empty());
    secret_hidden(o.bus);
    CHECK_FALSE(o.bus.contains(as_bytes("parentpw")));
    CHECK(o.key->file_parent == 0x81000110);
    CHECK_FALSE(o.key->persisted);
    l.no_leaks();

    auto p = l.handle_plan(0);
    p.key_file = key_file(*o.key);
    p.key_file_path = "child.pem";
    p.parent_auth = to_bytes("parentpw");
    bytes kd;
    REQUIRE(l.kdate(p, kd).empty());
    CHECK(kd == expected_kdate());

    plan.parent_auth = to_bytes("nope");
    auto bad = l.run_import(plan);
    CHECK_THAT(bad.error, Catch::Contains("wrong password") && Catch::Contains("--parentPass"));
    l.no_leaks();

    plan.parent_handle = 0x81000111;  // nothing there
    auto missing = l.run_import(plan);
    CHECK_THAT(missing.error, Catch::Contains("reading the parent key at 0x81000111") && Catch::Contains("no key at that handle"));
    l.no_leaks();
}

TEST_CASE("a failing commit evicts the new handle again, a failing prepare persists nothing", "[swtpm]") {
    lab l;
    auto before = l.persistent();
    import_plan plan;
    plan.persistent_handle = 0x81000120;

    atpc::tpm::import_hooks hooks;
    bool prepared = false;
    hooks.prepare = [&](const atpc::tpm::imported_key&) { prepared = true; };
    hooks.commit = [] { throw atpc::error(atpc::fault::config, "cannot rename the key file into place"); };
    auto o = l.run_import(plan, secret, hooks);
    CHECK(prepared);
    CHECK(o.error == "cannot rename the key file into place");
    auto codes = o.bus.command_codes();
    CHECK(std::count(codes.begin(), codes.end(), TPM_CC_EvictControl) == 2);  // made persistent, then undone
    CHECK(l.persistent() == before);
    l.no_leaks();

    atpc::tpm::import_hooks failing_prepare;
    failing_prepare.prepare = [](const atpc::tpm::imported_key&) {
        throw atpc::error(atpc::fault::config, "cannot write --out");
    };
    auto p = l.run_import(plan, secret, failing_prepare);
    CHECK(p.error == "cannot write --out");
    codes = p.bus.command_codes();
    CHECK(std::find(codes.begin(), codes.end(), TPM_CC_EvictControl) == codes.end());
    CHECK(l.persistent() == before);
    l.no_leaks();
}

TEST_CASE("an occupied handle: refused without force, --force replaces an HMAC key, never a storage key", "[swtpm]") {
    lab l;
    import_plan plan;
    plan.persistent_handle = 0x81000130;
    REQUIRE(l.run_import(plan).error.empty());

    const std::string other = "AKIDEXAMPLEotherSECRET0123456789abcdefgh";
    auto refused = l.run_import(plan, other);
    CHECK_THAT(refused.error, Catch::Contains("0x81000130 already holds a key") && Catch::Contains("--force"));
    auto codes = refused.bus.command_codes();
    CHECK(codes == std::vector<std::uint32_t>{TPM_CC_ReadPublic});  // nothing created
    bytes kd;
    REQUIRE(l.kdate(l.handle_plan(0x81000130), kd).empty());
    CHECK(kd == expected_kdate());

    plan.force = true;
    auto replaced = l.run_import(plan, other);
    REQUIRE(replaced.error.empty());
    CHECK(replaced.key->replaced);
    secret_hidden(replaced.bus, other);
    REQUIRE(l.kdate(l.handle_plan(0x81000130), kd).empty());
    CHECK(kd == expected_kdate(other));
    l.no_leaks();

    // A storage key, and sealed data under it: --force leaves both alone.
    l.tool({"tpm2_createprimary", "-C", "o", "-c", "storage.ctx"});
    l.tool({"tpm2_evictcontrol", "-C", "o", "-c", "storage.ctx", "0x81000131"});
    l.flush_all();
    std::ofstream(l.sw.work_dir() / "disk.key", std::ios::binary) << "a disk encryption key";
    l.tool({"tpm2_create", "-C", "0x81000131", "-i", "disk.key", "-u", "sealed.pub", "-r", "sealed.priv"});
    l.flush_all();
    l.tool({"tpm2_load", "-C", "0x81000131", "-u", "sealed.pub", "-r", "sealed.priv", "-c", "sealed.ctx"});
    l.tool({"tpm2_evictcontrol", "-C", "o", "-c", "sealed.ctx", "0x81000132"});
    l.flush_all();
    for (TPM_HANDLE h : {0x81000131u, 0x81000132u}) {
        plan.persistent_handle = h;
        auto kept = l.run_import(plan);
        CHECK_THAT(kept.error, Catch::Contains("never replaces"));
        CHECK(has(l.persistent(), h));
        auto codes = kept.bus.command_codes();
        CHECK(std::find(codes.begin(), codes.end(), TPM_CC_EvictControl) == codes.end());
        l.no_leaks();
    }
    auto unseal = l.sw.tool({"tpm2_unseal", "-c", "0x81000132"});
    CHECK(unseal.out == "a disk encryption key");
}

TEST_CASE("an owner password goes only in salted sessions: making the H-2 parent and EvictControl", "[swtpm]") {
    lab l;
    l.tool({"tpm2_changeauth", "-c", "o", "0wnerSecret"});
    import_plan plan;
    plan.persistent_handle = 0x81000120;
    plan.parent_auth = to_bytes("0wnerSecret");  // the H-2 parent's hierarchy
    plan.owner_auth = to_bytes("0wnerSecret");   // EvictControl
    auto o = l.run_import(plan);
    INFO(o.error);
    REQUIRE(o.error.empty());
    secret_hidden(o.bus);
    CHECK_FALSE(o.bus.contains(as_bytes("0wnerSecret")));
    const auto starts = o.bus.session_starts();
    CHECK(starts.size() == 3);  // the owner for CreatePrimary, the Create, the owner for EvictControl
    for (const auto& s : starts) {
        CHECK(s.salt_size > 0);
        CHECK(s.tpm_key != TPM_RH_NULL);
    }
    CHECK(o.key->persisted);
    l.no_leaks();
}
