// Salt/seed encapsulation against the reference-implementation vectors
// (derandomized entry points, exact seed and ciphertext), and the random
// entry point checked by decapsulating with the vectors' private keys:
// RSA through OpenSSL's own OAEP decryption, ECC through OpenSSL ECDH.
#include "vectors.hpp"

#include "tpmwire/error.hpp"
#include "tpmwire/sessions/encapsulate.hpp"
#include "tpmwire/sessions/kdf.hpp"

#include "support/error_kind.hpp"

#include <catch2/catch.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <memory>

using namespace tpmwire;

namespace {


// The vector's TPMT_PUBLIC, parsed by tpmwire (24 of the ECC keys carry an
// ECMQV scheme, which the seed does not depend on).
TPMT_PUBLIC parse_public(const std::string& hex) {
    bytes area = from_hex(hex);
    Reader r(area);
    TPMT_PUBLIC pub;
    unmarshal(r, pub);
    r.expect_end("TPMT_PUBLIC");
    return pub;
}

// The sensitive part (RSA prime p or ECC private scalar) of a marshalled
// TPMT_SENSITIVE.
bytes private_part(const std::string& hex) {
    bytes area = from_hex(hex);
    Reader r(area);
    r.u16("sensitiveType");
    r.sized(MAX_DIGEST_SIZE, "authValue");
    r.sized(MAX_DIGEST_SIZE, "seedValue");
    auto s = r.sized(MAX_RSA_KEY_BYTES, "sensitive");
    r.expect_end("TPMT_SENSITIVE");
    return to_bytes(s);
}

struct ossl {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
    void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
    void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
    void operator()(BIGNUM* p) const { BN_clear_free(p); }
    void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
template <class T>
using own = std::unique_ptr<T, ossl>;

own<BIGNUM> bn(bytes_view b) { return own<BIGNUM>(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr)); }

own<EVP_PKEY> import(const char* type, OSSL_PARAM_BLD* bld, int selection) {
    own<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld));
    own<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* key = nullptr;
    REQUIRE(EVP_PKEY_fromdata_init(ctx.get()) == 1);
    REQUIRE(EVP_PKEY_fromdata(ctx.get(), &key, selection, params.get()) == 1);
    return own<EVP_PKEY>(key);
}

const char* group_name(TPM_ECC_CURVE c) {
    switch (c) {
        case TPM_ECC_NIST_P256: return "P-256";
        case TPM_ECC_NIST_P384: return "P-384";
        default: return "P-521";
    }
}

// What the TPM does with an ECC ciphertext: Z = x(d * ephemeral), then KDFe.
bytes ecc_decapsulate(const TPMT_PUBLIC& pub, bytes_view d, bytes_view ciphertext, std::string_view label) {
    const auto& parms = std::get<TPMS_ECC_PARMS>(pub.parameters);
    Reader r(ciphertext);
    TPMS_ECC_POINT eph;
    unmarshal(r, eph);
    r.expect_end("TPMS_ECC_POINT");
    bytes octets{0x04};
    octets.insert(octets.end(), eph.x.buffer.begin(), eph.x.buffer.end());
    octets.insert(octets.end(), eph.y.buffer.begin(), eph.y.buffer.end());

    own<OSSL_PARAM_BLD> peer_bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_utf8_string(peer_bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group_name(parms.curveID), 0);
    OSSL_PARAM_BLD_push_octet_string(peer_bld.get(), OSSL_PKEY_PARAM_PUB_KEY, octets.data(), octets.size());
    own<EVP_PKEY> peer = import("EC", peer_bld.get(), EVP_PKEY_PUBLIC_KEY);

    own<BIGNUM> priv = bn(d);
    own<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group_name(parms.curveID), 0);
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get());
    own<EVP_PKEY> key = import("EC", bld.get(), EVP_PKEY_KEYPAIR);

    own<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    std::size_t len = 0;
    REQUIRE(EVP_PKEY_derive_init(ctx.get()) == 1);
    REQUIRE(EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), 1) == 1);
    REQUIRE(EVP_PKEY_derive(ctx.get(), nullptr, &len) == 1);
    bytes z(len);
    REQUIRE(EVP_PKEY_derive(ctx.get(), z.data(), &len) == 1);
    const auto& q = std::get<TPMS_ECC_POINT>(pub.unique);
    return KDFe(pub.nameAlg, z, label, eph.x.view(), q.x.view(),
                static_cast<std::uint32_t>(digest_size(pub.nameAlg) * 8));
}

const EVP_MD* md_of(TPMI_ALG_HASH alg) {
    switch (alg) {
        case TPM_ALG_SHA1: return EVP_sha1();
        case TPM_ALG_SHA256: return EVP_sha256();
        case TPM_ALG_SHA384: return EVP_sha384();
        default: return EVP_sha512();
    }
}

// What the TPM does with an RSA ciphertext, with OpenSSL's OAEP decoding:
// the private key is rebuilt from n, e and the prime p.
bytes rsa_decapsulate(const TPMT_PUBLIC& pub, bytes_view p_bytes, bytes_view ciphertext, std::string_view label,
                      TPMI_ALG_HASH oaep_hash) {
    const auto& parms = std::get<TPMS_RSA_PARMS>(pub.parameters);
    own<BN_CTX> bctx(BN_CTX_new());
    own<BIGNUM> n = bn(std::get<TPM2B_PUBLIC_KEY_RSA>(pub.unique).view()), p = bn(p_bytes);
    own<BIGNUM> e(BN_new()), q(BN_new()), rem(BN_new()), phi(BN_new()), p1(BN_new()), q1(BN_new()), d(BN_new());
    BN_set_word(e.get(), parms.exponent ? parms.exponent : 65537);
    REQUIRE(BN_div(q.get(), rem.get(), n.get(), p.get(), bctx.get()) == 1);
    REQUIRE(BN_is_zero(rem.get()));
    BN_sub(p1.get(), p.get(), BN_value_one());
    BN_sub(q1.get(), q.get(), BN_value_one());
    BN_mul(phi.get(), p1.get(), q1.get(), bctx.get());
    REQUIRE(BN_mod_inverse(d.get(), e.get(), phi.get(), bctx.get()) != nullptr);

    own<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get());
    own<EVP_PKEY> key = import("RSA", bld.get(), EVP_PKEY_KEYPAIR);

    own<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    REQUIRE(EVP_PKEY_decrypt_init(ctx.get()) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md_of(oaep_hash)) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md_of(oaep_hash)) == 1);
    // OpenSSL takes ownership of the label buffer.
    std::string l(label);
    l.push_back('\0');
    void* owned_label = OPENSSL_memdup(l.data(), l.size());
    REQUIRE(EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), owned_label, static_cast<int>(l.size())) == 1);
    bytes out(ciphertext.size());
    std::size_t len = out.size();
    REQUIRE(EVP_PKEY_decrypt(ctx.get(), out.data(), &len, ciphertext.data(), ciphertext.size()) == 1);
    out.resize(len);
    return out;
}

TPMI_ALG_HASH rsa_oaep_hash(const TPMT_PUBLIC& pub) {
    const auto& s = std::get<TPMS_RSA_PARMS>(pub.parameters).scheme;
    return s.scheme == TPM_ALG_OAEP ? s.hashAlg : pub.nameAlg;
}

using test::error_kind;

}  // namespace

TEST_CASE("ECC encapsulation matches every reference vector", "[encapsulate]") {
    auto vectors = test::load_vectors("ecc_labeled_encaps.json");
    REQUIRE(vectors.size() == 100);
    int ecmqv = 0;
    for (const auto& v : vectors) {
        INFO("vector " << test::field(v, "Name"));
        TPMT_PUBLIC pub = parse_public(test::field(v, "PublicKey"));
        ecmqv += std::get<TPMS_ECC_PARMS>(pub.parameters).scheme.scheme == TPM_ALG_ECMQV;
        auto out = encapsulate_ecc(pub, test::field(v, "Label"), from_hex(test::field(v, "EphemeralPrivate")));
        CHECK(to_hex(out.seed) == test::field(v, "Secret"));
        CHECK(to_hex(out.ciphertext.view()) == test::field(v, "Ciphertext"));
    }
    CHECK(ecmqv == 24);
}

TEST_CASE("RSA encapsulation matches every reference vector", "[encapsulate]") {
    auto vectors = test::load_vectors("rsa_labeled_encaps.json");
    REQUIRE(vectors.size() == 100);
    for (const auto& v : vectors) {
        INFO("vector " << test::field(v, "Name"));
        TPMT_PUBLIC pub = parse_public(test::field(v, "PublicKey"));
        auto out = encapsulate_rsa(pub, test::field(v, "Label"), from_hex(test::field(v, "Secret")),
                                   from_hex(test::field(v, "OAEPSalt")));
        CHECK(to_hex(out.seed) == test::field(v, "Secret"));
        CHECK(to_hex(out.ciphertext.view()) == test::field(v, "Ciphertext"));
    }
}

TEST_CASE("The test decapsulators recover every vector's secret", "[encapsulate]") {
    // Guards the oracles used for the random entry point below.
    for (const auto& v : test::load_vectors("rsa_labeled_encaps.json")) {
        INFO("vector " << test::field(v, "Name"));
        TPMT_PUBLIC pub = parse_public(test::field(v, "PublicKey"));
        bytes seed = rsa_decapsulate(pub, private_part(test::field(v, "PrivateKey")),
                                     from_hex(test::field(v, "Ciphertext")), test::field(v, "Label"),
                                     rsa_oaep_hash(pub));
        CHECK(to_hex(seed) == test::field(v, "Secret"));
    }
    for (const auto& v : test::load_vectors("ecc_labeled_encaps.json")) {
        INFO("vector " << test::field(v, "Name"));
        TPMT_PUBLIC pub = parse_public(test::field(v, "PublicKey"));
        bytes seed = ecc_decapsulate(pub, private_part(test::field(v, "PrivateKey")),
                                     from_hex(test::field(v, "Ciphertext")), test::field(v, "Label"));
        CHECK(to_hex(seed) == test::field(v, "Secret"));
    }
}

TEST_CASE("Random encapsulation is recovered by the key's owner", "[encapsulate]") {
    auto rsa = test::load_vectors("rsa_labeled_encaps.json");
    auto ecc = test::load_vectors("ecc_labeled_encaps.json");
    // One key per curve / size and hash layout, incl. an OAEP-scheme key.
    for (const char* name : {"09_R_2048_SHA256_128", "33_R_3072_SHA256_256", "56_U_2048_SHA1_SHA512"}) {
        INFO("RSA key " << name);
        const auto& v = *std::find_if(rsa.begin(), rsa.end(), [&](auto& x) { return x.at("Name") == name; });
        TPMT_PUBLIC pub = parse_public(test::field(v, "PublicKey"));
        auto a = encapsulate(pub, "SECRET");
        auto b = encapsulate(pub, "SECRET");
        CHECK(a.seed.size() == digest_size(rsa_oaep_hash(pub)));
        CHECK(a.seed != b.seed);
        CHECK(a.ciphertext.size() == std::get<TPM2B_PUBLIC_KEY_RSA>(pub.unique).size());
        CHECK(rsa_decapsulate(pub, private_part(test::field(v, "PrivateKey")), a.ciphertext.view(), "SECRET",
                              rsa_oaep_hash(pub)) == a.seed);
    }
    for (const char* name : {"04_R_P256_SHA256_128", "21_R_P384_SHA384_128", "35_R_P521_SHA256_256"}) {
        INFO("ECC key " << name);
        const auto& v = *std::find_if(ecc.begin(), ecc.end(), [&](auto& x) { return x.at("Name") == name; });
        TPMT_PUBLIC pub = parse_public(test::field(v, "PublicKey"));
        auto a = encapsulate(pub, "DUPLICATE");
        auto b = encapsulate(pub, "DUPLICATE");
        CHECK(a.seed.size() == digest_size(pub.nameAlg));
        CHECK(a.seed != b.seed);
        CHECK(a.ciphertext != b.ciphertext);
        CHECK(ecc_decapsulate(pub, private_part(test::field(v, "PrivateKey")), a.ciphertext.view(), "DUPLICATE") ==
              a.seed);
    }
}

TEST_CASE("Encapsulation refuses unusable keys", "[encapsulate]") {
    auto ecc = test::load_vectors("ecc_labeled_encaps.json");
    auto rsa = test::load_vectors("rsa_labeled_encaps.json");
    const TPMT_PUBLIC ecc_key = parse_public(test::field(ecc.at(4), "PublicKey"));  // P-256, SHA-256
    const TPMT_PUBLIC rsa_key = parse_public(test::field(rsa.at(9), "PublicKey"));  // 2048, SHA-256
    const bytes scalar = from_hex(test::field(ecc.at(4), "EphemeralPrivate"));
    const bytes h32(32, 0x11);

    SECTION("ECC point off the curve") {
        TPMT_PUBLIC k = ecc_key;
        std::get<TPMS_ECC_POINT>(k.unique).y.buffer.back() ^= 1;
        CHECK(error_kind([&] { encapsulate_ecc(k, "SECRET", scalar); }) == errc::crypto);
        CHECK(error_kind([&] { encapsulate(k, "SECRET"); }) == errc::crypto);
    }
    SECTION("ECC coordinate longer than the curve") {
        TPMT_PUBLIC k = ecc_key;
        auto& x = std::get<TPMS_ECC_POINT>(k.unique).x.buffer;
        x.insert(x.begin(), 0x00);
        CHECK(error_kind([&] { encapsulate_ecc(k, "SECRET", scalar); }) == errc::crypto);
    }
    SECTION("ECC key without a public point") {
        TPMT_PUBLIC k = ecc_key;
        k.unique = TPMS_ECC_POINT{};
        CHECK(error_kind([&] { encapsulate(k, "SECRET"); }) == errc::usage);
    }
    SECTION("Unsupported curve") {
        TPMT_PUBLIC k = ecc_key;
        std::get<TPMS_ECC_PARMS>(k.parameters).curveID = 0x0010;  // BN P-256
        CHECK(error_kind([&] { encapsulate(k, "SECRET"); }) == errc::usage);
    }
    SECTION("Ephemeral scalar out of range") {
        CHECK(error_kind([&] { encapsulate_ecc(ecc_key, "SECRET", bytes(32, 0)); }) == errc::usage);
        CHECK(error_kind([&] { encapsulate_ecc(ecc_key, "SECRET", bytes(32, 0xFF)); }) == errc::usage);
    }
    SECTION("Not a decryption key") {
        TPMT_PUBLIC k = ecc_key;
        k.objectAttributes &= ~TPMA_OBJECT_decrypt;
        CHECK(error_kind([&] { encapsulate(k, "SECRET"); }) == errc::usage);
        TPMT_PUBLIC r = rsa_key;
        r.objectAttributes &= ~TPMA_OBJECT_decrypt;
        CHECK(error_kind([&] { encapsulate(r, "SECRET"); }) == errc::usage);
    }
    SECTION("Not an asymmetric key") {
        TPMT_PUBLIC k;
        k.type = TPM_ALG_KEYEDHASH;
        k.parameters = TPMS_KEYEDHASH_PARMS{};
        k.unique = TPM2B_DIGEST{};
        CHECK(error_kind([&] { encapsulate(k, "SECRET"); }) == errc::usage);
        CHECK(error_kind([&] { encapsulate_ecc(k, "SECRET", scalar); }) == errc::usage);
        CHECK(error_kind([&] { encapsulate_rsa(k, "SECRET", h32, h32); }) == errc::usage);
    }
    SECTION("RSA modulus of the wrong size or even") {
        TPMT_PUBLIC k = rsa_key;
        std::get<TPM2B_PUBLIC_KEY_RSA>(k.unique).buffer.pop_back();
        CHECK(error_kind([&] { encapsulate(k, "SECRET"); }) == errc::crypto);
        k = rsa_key;
        std::get<TPM2B_PUBLIC_KEY_RSA>(k.unique).buffer.back() &= 0xFE;
        CHECK(error_kind([&] { encapsulate(k, "SECRET"); }) == errc::crypto);
    }
    SECTION("RSA key with a signing or PKCS#1 scheme") {
        TPMT_PUBLIC k = rsa_key;
        std::get<TPMS_RSA_PARMS>(k.parameters).scheme = {TPM_ALG_RSAES, TPM_ALG_NULL, 0};
        CHECK(error_kind([&] { encapsulate(k, "SECRET"); }) == errc::usage);
    }
    SECTION("RSA secret or seed of the wrong size") {
        CHECK(error_kind([&] { encapsulate_rsa(rsa_key, "SECRET", bytes(31, 1), h32); }) == errc::usage);
        CHECK(error_kind([&] { encapsulate_rsa(rsa_key, "SECRET", h32, bytes(20, 1)); }) == errc::usage);
    }
}

TEST_CASE("tpmwire parses TPMT_PUBLIC with an ECMQV scheme", "[encapsulate]") {
    auto ecc = test::load_vectors("ecc_labeled_encaps.json");
    bytes area = from_hex(test::field(ecc.at(53), "PublicKey"));  // 53_U_P256_SHA256_ECMQV_SHA1
    Reader r(area);
    TPMT_PUBLIC pub;
    unmarshal(r, pub);
    CHECK(std::get<TPMS_ECC_PARMS>(pub.parameters).scheme.scheme == TPM_ALG_ECMQV);
}
