// Key files written by real tpm2-tools 5.4 against swtpm (the original
// tool's README flow; see tests/data/keyfiles/README.md) are the oracle for
// the reader, and must come back byte for byte from the writer.
#include <catch2/catch.hpp>

#include "tpmwire/keyfile/keyfile.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "util.hpp"

#include <algorithm>
#include <variant>

using namespace tpmwire;
using kftest::data_path;

namespace {

tss2_private_key load(const std::string& name) { return parse_tss2_key(kftest::read_bytes(data_path(name))); }

void check_hmac_sha256(const tss2_private_key& k) {
    const TPMT_PUBLIC& p = k.pubkey.publicArea;
    CHECK(p.type == TPM_ALG_KEYEDHASH);
    CHECK(p.nameAlg == TPM_ALG_SHA256);
    const auto* parms = std::get_if<TPMS_KEYEDHASH_PARMS>(&p.parameters);
    REQUIRE(parms);
    CHECK(parms->scheme.scheme == TPM_ALG_HMAC);
    CHECK(parms->scheme.hashAlg == TPM_ALG_SHA256);
    const auto* unique = std::get_if<TPM2B_DIGEST>(&p.unique);
    REQUIRE(unique);
    CHECK(unique->size() == 32);  // H(seedValue || key) for an imported KEYEDHASH
    // TPM2B_PRIVATE from TPM2_Import: integrity HMAC (2 + 32 bytes), then the
    // encrypted sensitive area; tpm2-tools 5.4 on swtpm gives 170 bytes.
    REQUIRE(k.privkey.size() == 170);
    CHECK(k.privkey.buffer[0] == 0x00);
    CHECK(k.privkey.buffer[1] == 0x20);
}

}  // namespace

TEST_CASE("tpm2-tools 5.4 key file without password") {
    auto k = load("private.pem");
    CHECK(k.type == keyfile_type::loadable);
    CHECK_FALSE(k.legacy_oid);
    CHECK(k.emptyAuth == std::optional<bool>(false));  // 5.4 writes it inverted
    CHECK(k.parent == 0x40000001);
    CHECK(parent_is_h2_primary(k));
    CHECK(k.policy.empty());
    CHECK(k.authPolicy.empty());
    CHECK_FALSE(k.secret);
    CHECK_FALSE(k.description);
    CHECK_FALSE(k.rsaParent);
    check_hmac_sha256(k);
    // tpm2_import's defaults for an HMAC key: userWithAuth|sign, no noDA.
    CHECK(k.pubkey.publicArea.objectAttributes == (TPMA_OBJECT_userWithAuth | TPMA_OBJECT_sign));
    CHECK(k.pubkey.publicArea.authPolicy.empty());
}

TEST_CASE("tpm2-tools 5.4 key file with password") {
    auto k = load("private-password.pem");
    CHECK(k.emptyAuth == std::optional<bool>(true));  // inverted: the key does need a password
    CHECK(k.parent == 0x40000001);
    check_hmac_sha256(k);
    CHECK(k.pubkey.publicArea.objectAttributes == (TPMA_OBJECT_userWithAuth | TPMA_OBJECT_sign));
}

TEST_CASE("tpm2-tools 5.4 key file with a PCR policy") {
    auto k = load("private-policy.pem");
    CHECK(k.parent == 0x40000001);
    check_hmac_sha256(k);
    // -L clears userWithAuth: the key is usable by policy only.
    CHECK(k.pubkey.publicArea.objectAttributes == TPMA_OBJECT_sign);
    // authPolicy is the digest tpm2_createpolicy wrote.
    bytes digest = kftest::read_bytes(data_path("pcr23-sha256.policy"));
    CHECK(to_hex(k.pubkey.publicArea.authPolicy.view()) == to_hex(digest));
    CHECK(k.policy.empty());  // tpm2-tools does not write the policy [1] field
}

TEST_CASE("tpm2-tools 5.4 key file under a persistent parent") {
    auto k = load("private-persistent.pem");
    CHECK(k.parent == 0x81000001);  // written as the 5-byte INTEGER 00 81 00 00 01
    CHECK_FALSE(parent_is_h2_primary(k));
    check_hmac_sha256(k);
    // Same pubkey/privkey as private.pem: only the parent differs.
    auto plain = load("private.pem");
    CHECK(k.pubkey == plain.pubkey);
    CHECK(k.privkey == plain.privkey);
}

TEST_CASE("tpm2-tools key files round-trip byte for byte") {
    for (const auto& name : kftest::tool_files) {
        INFO(name);
        const std::string path = data_path(name);
        const std::string text = kftest::read_text(path);
        const bytes der = kftest::openssl_der(path);  // decoded by OpenSSL, not by us

        auto from_pem = parse_tss2_key_pem(text);
        auto from_der = parse_tss2_key_der(der);
        CHECK(from_pem == from_der);
        CHECK(parse_tss2_key(der) == from_der);  // auto-detected DER

        // tpm2-tools 5.4 writes emptyAuth TRUE as BOOLEAN 01; DER (and our
        // writer) says FF. That one byte is the only allowed difference.
        bytes canonical = der;
        const std::size_t header = der[1] == 0x81 ? 3 : 4;
        const bytes true_01 = {0xA0, 0x03, 0x01, 0x01, 0x01};
        const bool patched = std::equal(true_01.begin(), true_01.end(), der.begin() + header + 8);
        if (patched) canonical[header + 8 + 4] = 0xFF;
        CHECK(patched == (name == "private-password.pem"));

        CHECK(to_hex(to_der(from_pem)) == to_hex(canonical));
        // OpenSSL's PEM writer uses the same armour and 64-character lines.
        if (!patched) CHECK(to_pem(from_pem) == text);
        CHECK(parse_tss2_key_pem(to_pem(from_pem)) == from_pem);
    }
}

TEST_CASE("parent_is_h2_primary") {
    CHECK(parent_is_h2_primary(0x40000001));
    CHECK(parent_is_h2_primary(0x80000000));
    CHECK_FALSE(parent_is_h2_primary(0x81000001));
    CHECK_FALSE(parent_is_h2_primary(0x4000000B));
    auto k = load("private.pem");
    k.rsaParent = true;
    CHECK_FALSE(parent_is_h2_primary(k));
    k.rsaParent = false;
    CHECK(parent_is_h2_primary(k));
}

TEST_CASE("tpm2-tools primary template is the H-2 template") {
    // tpm2_createprimary -G ecc -a 'fixedtpm|...|noda|restricted|decrypt'
    // --template-data; the bytes facts.md gives for H-2.
    bytes t = kftest::read_bytes(data_path("h2-primary.template"));
    CHECK(to_hex(t) == "0023000b00030472000000060080004300100003001000000000");
    // tpmwire's own H-2 template must be the same bytes, or it derives another primary.
    CHECK(to_hex(marshal_to_bytes(h2_ecc_primary_template())) == to_hex(t));
}

TEST_CASE("tpm2-tools HMAC keys pass tpmwire's HMAC-SHA256 key check") {
    for (const auto& name : kftest::tool_files) {
        INFO(name);
        CHECK(is_hmac_sha256_key(load(name).pubkey.publicArea));
    }
}
