// Issue 13 item 2: import sends the secret only over a session salted to an
// endorsement key verified before its first byte — by its certificate
// (--ek-ca), by its name, by the pin of an earlier verified import — or
// trusted on first use when the caller says so. Each refusal is checked on
// the bus: no TPM2_Create (nor any session) reaches it, and nothing is left.
#include "support/lab.hpp"
#include "support/test_pki.hpp"

#include "ekcert/ek_certificate.hpp"

#include "tpmwire/keyfile/templates.hpp"

using namespace provision_test;
using namespace tpmwire;
using atpc::tpm::import_plan;
using atpc::tpm::trust_basis;

namespace {

bool sent(const test::bus_record& bus, std::uint32_t code) {
    const auto codes = bus.command_codes();
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

std::shared_ptr<const atpc::ekcert::ca_bundle> ca(const std::string& path) {
    return std::make_shared<const atpc::ekcert::ca_bundle>(atpc::ekcert::ca_bundle::load(path));
}

std::optional<atpc::files::pin> ek_pin(const std::string& address) {
    return atpc::files::pin_store::for_user().lookup(address, "ek");
}

// Nothing secret was sent and nothing was made: no session, no Create, no
// new persistent handle, nothing loaded.
void refused_cleanly(lab& l, const lab::outcome& o, const std::vector<std::uint32_t>& persistent_before) {
    INFO(o.error);
    CHECK_FALSE(o.key);
    CHECK_FALSE(sent(o.bus, TPM_CC_Create));
    CHECK_FALSE(sent(o.bus, TPM_CC_StartAuthSession));
    CHECK(l.persistent() == persistent_before);
    l.no_leaks();
}

}  // namespace

TEST_CASE("salt by certificate (--ek-ca) when the EK certificate in NV verifies, TPM2_Create salted to that EK, which is pinned", "[swtpm]") {
    lab l(test::swtpm_options{.ek_cert = true});
    const bytes ecc_ek = l.tool_name("0x81010016");  // ECC is preferred: swtpm's P-384 EK
    import_plan plan;
    plan.persistent_handle = 0x81000140;
    plan.ek_ca = ca(l.ek_ca_bundle());
    auto o = l.run_import(plan);
    REQUIRE(o.error.empty());
    CHECK(o.key->salt_trust == trust_basis::certificate);
    CHECK(o.key->salt_name.buffer == ecc_ek);
    CHECK_FALSE(o.bus.contains(atpc::cli::hmac_key_bytes(secret)));
    // The certificate was read from NV before any session was started.
    const auto codes = o.bus.command_codes();
    const auto first_read = std::find(codes.begin(), codes.end(), TPM_CC_NV_Read);
    const auto first_session = std::find(codes.begin(), codes.end(), TPM_CC_StartAuthSession);
    CHECK(first_read < first_session);
    for (const auto& start : o.bus.session_starts()) CHECK(start.tpm_key == 0x81010016);
    const auto pin = ek_pin(l.sw.address());
    REQUIRE(pin);
    CHECK(pin->name == ecc_ek);
    CHECK_THAT(pin->what, Catch::StartsWith("0x81010016 ECC endorsement key"));
    bytes kd;
    REQUIRE(l.kdate(l.handle_plan(0x81000140), kd).empty());
    CHECK(kd == expected_kdate());
    l.no_leaks();
}

TEST_CASE("salt by certificate with a CA that did not sign the EK certificates is refused, no TPM2_Create, nothing left", "[swtpm]") {
    lab l(test::swtpm_options{.ek_cert = true});
    const auto before = l.persistent();
    import_plan plan;
    plan.persistent_handle = 0x81000141;
    plan.ek_ca = ca(test::test_pki().ca_pem);
    auto o = l.run_import(plan);
    CHECK_THAT(o.error, Catch::Contains("no EK certificate of this TPM verifies against --ek-ca " + test::test_pki().ca_pem) &&
                            Catch::Contains("unable to get local issuer certificate"));
    CHECK(sent(o.bus, TPM_CC_NV_Read));  // the certificates were read, and refused
    refused_cleanly(l, o, before);
    CHECK_FALSE(ek_pin(l.sw.address()));
}

TEST_CASE("with no way to trust the TPM import is refused naming the three ways, before any TPM command", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});
    const auto before = l.persistent();
    import_plan plan;
    plan.persistent_handle = 0x81000142;
    auto o = l.run_import(plan, secret, {}, /*as_is=*/true);
    CHECK_THAT(o.error, Catch::Contains("refusing to send the secret to a TPM key nothing has verified") &&
                            Catch::Contains("--ek-ca=") && Catch::Contains("--tpm-session-encrypt-with-name=") &&
                            Catch::Contains("--trust-tpm-on-first-use"));
    CHECK(o.bus.commands.empty());
    refused_cleanly(l, o, before);
}

TEST_CASE("trust on first use (--trust-tpm-on-first-use) announces the name before anything is sent, pins it, the next import uses the pin", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});
    const bytes ecc_ek = l.tool_name("0x81010016");
    import_plan plan;
    plan.trust_on_first_use = true;
    plan.persistent_handle = 0x81000143;
    std::vector<std::string> announced;
    std::vector<std::uint32_t> sent_before;
    atpc::tpm::import_hooks hooks;
    hooks.trusting = [&](const std::string& line) {
        announced.push_back(line);
        sent_before = l.live_bus->command_codes();
    };
    auto o = l.run_import(plan, secret, hooks, /*as_is=*/true);
    REQUIRE(o.error.empty());
    REQUIRE(announced.size() == 1);
    CHECK_THAT(announced[0], Catch::Contains("on first use") && Catch::Contains(to_hex(ecc_ek)));
    CHECK(std::find(sent_before.begin(), sent_before.end(), TPM_CC_Create) == sent_before.end());
    CHECK(std::find(sent_before.begin(), sent_before.end(), TPM_CC_StartAuthSession) == sent_before.end());
    CHECK(o.key->salt_trust == trust_basis::first_use);
    CHECK(o.key->salt_name.buffer == ecc_ek);
    REQUIRE(ek_pin(l.sw.address()));
    CHECK(ek_pin(l.sw.address())->name == ecc_ek);

    // The next import says nothing about trust: the pin decides, and nothing is announced.
    import_plan again;
    again.persistent_handle = 0x81000144;
    announced.clear();
    auto p = l.run_import(again, secret, hooks, /*as_is=*/true);
    REQUIRE(p.error.empty());
    CHECK(announced.empty());
    CHECK(p.key->salt_trust == trust_basis::pin);
    CHECK(p.key->salt_name.buffer == ecc_ek);
    l.no_leaks();
}

TEST_CASE("another TPM at the pinned address is refused by the pin before any TPM2_Create", "[swtpm]") {
    // Two fresh TPMs without a persistent EK: each trusts the RSA EK made
    // from template L-1, whose key differs from one TPM to the other.
    lab first;
    lab second;  // made before any pin: a lab removes the pins file
    import_plan plan;
    plan.address = "the-tpm";  // both answer at "the same address"
    plan.persistent_handle = 0x81000145;
    auto o = first.run_import(plan);
    REQUIRE(o.error.empty());
    REQUIRE(ek_pin("the-tpm"));
    CHECK_THAT(ek_pin("the-tpm")->what, Catch::StartsWith("L-1 RSA endorsement key"));

    const auto before = second.persistent();
    auto changed = second.run_import(plan, secret, {}, /*as_is=*/true);
    CHECK_THAT(changed.error, Catch::Contains("the endorsement key pinned for the-tpm is not the one the TPM presents") &&
                                  Catch::Contains(to_hex(o.key->salt_name.buffer)));
    refused_cleanly(second, changed, before);
    // --trust-tpm-on-first-use does not override a pin.
    plan.trust_on_first_use = true;
    auto still = second.run_import(plan, secret, {}, /*as_is=*/true);
    CHECK_THAT(still.error, Catch::Contains("is not the one the TPM presents"));
    refused_cleanly(second, still, before);
}

TEST_CASE("a certificate that verifies but whose key is not the TPM's EK is refused before any TPM2_Create", "[swtpm]") {
    lab l(test::swtpm_options{.ek_cert = true});
    test::swtpm other(test::swtpm_options{.ek_cert = true});
    // The other TPM's RSA EK certificate, put where this TPM's belongs.
    const auto theirs = other.ek_cert_dir() / "ek-rsa2048.crt";
    const auto size = std::to_string(std::filesystem::file_size(theirs));
    l.tool({"tpm2_nvundefine", "-C", "p", "0x01c00002"});
    l.tool({"tpm2_nvdefine", "0x01c00002", "-C", "p", "-s", size, "-a",
            "ppwrite|writedefine|ppread|ownerread|authread|no_da|platformcreate"});
    l.tool({"tpm2_nvwrite", "0x01c00002", "-C", "p", "-i", theirs.string()});
    const auto other_ca = other.ek_cert_dir() / ".." / "localca";
    {
        std::ofstream bundle(l.sw.work_dir() / "other-ca.pem");
        bundle << std::ifstream(other_ca / "issuercert.pem").rdbuf()
               << std::ifstream(other_ca / "swtpm-localca-rootca-cert.pem").rdbuf();
    }
    const auto before = l.persistent();
    import_plan plan;
    plan.persistent_handle = 0x81000146;
    plan.ek_ca = ca((l.sw.work_dir() / "other-ca.pem").string());
    auto o = l.run_import(plan);
    // This TPM's own ECC certificate does not chain to the other CA; the RSA one
    // does, but certifies the other TPM's key.
    CHECK_THAT(o.error, Catch::Contains("the RSA EK certificate in NV index 0x01c00002 verifies against --ek-ca") &&
                            Catch::Contains("0x81010001 RSA endorsement key (TCG template L-1)") &&
                            Catch::Contains("has another key"));
    refused_cleanly(l, o, before);
    CHECK_FALSE(ek_pin(l.sw.address()));
}

TEST_CASE("salt by name (--tpm-session-encrypt-with-name) takes an ECC EK's name too, swtpm's P-384 with a SHA-384 name", "[swtpm]") {
    lab l(test::swtpm_options{.with_ek = true});
    const bytes ecc_ek = l.tool_name("0x81010016");
    REQUIRE(ecc_ek.size() == 50);
    import_plan plan;
    plan.persistent_handle = 0x81000147;
    plan.salt_name = ecc_ek;
    auto o = l.run_import(plan);
    REQUIRE(o.error.empty());
    CHECK(o.key->salt_trust == trust_basis::name);
    CHECK(o.key->salt_name.buffer == ecc_ek);
    for (const auto& start : o.bus.session_starts()) CHECK(start.tpm_key == 0x81010016);
    CHECK(ek_pin(l.sw.address())->name == ecc_ek);  // a verified run pins
    l.no_leaks();
}
