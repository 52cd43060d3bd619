// KDFa and KDFe against the reference-implementation vectors, and against
// OpenSSL's own SP 800-108 (KBKDF) and SP 800-56C (SSKDF) implementations
// for whole-byte lengths.
#include "vectors.hpp"

#include "tpmwire/error.hpp"
#include "tpmwire/sessions/kdf.hpp"

#include <catch2/catch.hpp>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

using namespace tpmwire;

namespace {

TPMI_ALG_HASH hash_of(const test::vector_fields& v) {
    return static_cast<TPMI_ALG_HASH>(std::stoul(test::field(v, "HashAlg")));
}
std::uint32_t bits_of(const test::vector_fields& v) {
    return static_cast<std::uint32_t>(std::stoul(test::field(v, "Bits")));
}
const char* md_name(TPMI_ALG_HASH alg) {
    switch (alg) {
        case TPM_ALG_SHA1: return "SHA1";
        case TPM_ALG_SHA256: return "SHA256";
        case TPM_ALG_SHA384: return "SHA384";
        default: return "SHA512";
    }
}

// OpenSSL EVP_KDF with the given parameters, `len` bytes out.
bytes openssl_kdf(const char* kdf_name, OSSL_PARAM* params, std::size_t len) {
    std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, kdf_name, nullptr), EVP_KDF_free);
    REQUIRE(kdf);
    std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf.get()), EVP_KDF_CTX_free);
    REQUIRE(ctx);
    bytes out(len);
    REQUIRE(EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1);
    return out;
}

}  // namespace

TEST_CASE("KDFa matches every reference vector", "[kdf]") {
    auto vectors = test::load_vectors("kdfa.json");
    REQUIRE(vectors.size() == 100);
    for (const auto& v : vectors) {
        INFO("vector " << test::field(v, "Name"));
        bytes out = KDFa(hash_of(v), from_hex(test::field(v, "Key")), test::field(v, "Label"),
                         from_hex(test::field(v, "ContextU")), from_hex(test::field(v, "ContextV")), bits_of(v));
        CHECK(to_hex(out) == test::field(v, "Result"));
    }
}

TEST_CASE("KDFe matches every reference vector", "[kdf]") {
    auto vectors = test::load_vectors("kdfe.json");
    REQUIRE(vectors.size() == 100);
    for (const auto& v : vectors) {
        INFO("vector " << test::field(v, "Name"));
        bytes out = KDFe(hash_of(v), from_hex(test::field(v, "Z")), test::field(v, "Label"),
                         from_hex(test::field(v, "ContextU")), from_hex(test::field(v, "ContextV")), bits_of(v));
        CHECK(to_hex(out) == test::field(v, "Result"));
    }
}

TEST_CASE("KDFa equals OpenSSL KBKDF in counter mode with HMAC", "[kdf]") {
    const bytes key = from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    const bytes u = from_hex("a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0");
    const bytes v = from_hex("d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0");
    for (TPMI_ALG_HASH alg : {TPM_ALG_SHA1, TPM_ALG_SHA256, TPM_ALG_SHA384, TPM_ALG_SHA512}) {
        for (std::size_t len : {16u, 32u, 48u, 100u}) {
            INFO("hash " << alg << ", " << len << " bytes");
            // KBKDF hashes counter || label || 0x00 || context || BE32(L): the
            // TPM's layout with context = contextU || contextV.
            bytes context = u;
            context.insert(context.end(), v.begin(), v.end());
            char label[] = "ATH";
            OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, const_cast<char*>("HMAC"), 0),
                OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(md_name(alg)), 0),
                OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, const_cast<char*>("counter"), 0),
                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<byte*>(key.data()), key.size()),
                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, label, 3),
                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, context.data(), context.size()),
                OSSL_PARAM_construct_end(),
            };
            bytes expected = openssl_kdf("KBKDF", params, len);
            CHECK(to_hex(KDFa(alg, key, "ATH", u, v, static_cast<std::uint32_t>(len * 8))) == to_hex(expected));
        }
    }
}

TEST_CASE("KDFe equals OpenSSL SSKDF with a hash", "[kdf]") {
    const bytes z = from_hex("9a7a3c2f01e5b8d4a0c3f1e2d3c4b5a6978877665544332211000f1e2d3c4b5a");
    const bytes u = from_hex("04aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899");
    const bytes v = from_hex("0102030405060708090a0b0c0d0e0f10");
    for (TPMI_ALG_HASH alg : {TPM_ALG_SHA1, TPM_ALG_SHA256, TPM_ALG_SHA384, TPM_ALG_SHA512}) {
        for (std::size_t len : {20u, 32u, 70u}) {
            INFO("hash " << alg << ", " << len << " bytes");
            // SSKDF hashes BE32(counter) || Z || FixedInfo.
            bytes info = to_bytes(std::string_view("SECRET\0", 7));
            info.insert(info.end(), u.begin(), u.end());
            info.insert(info.end(), v.begin(), v.end());
            OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(md_name(alg)), 0),
                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<byte*>(z.data()), z.size()),
                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
                OSSL_PARAM_construct_end(),
            };
            bytes expected = openssl_kdf("SSKDF", params, len);
            CHECK(to_hex(KDFe(alg, z, "SECRET", u, v, static_cast<std::uint32_t>(len * 8))) == to_hex(expected));
        }
    }
}

TEST_CASE("KDF labels may be given with or without their NUL", "[kdf]") {
    const bytes key = from_hex("0011223344");
    CHECK(KDFa(TPM_ALG_SHA256, key, "CFB", {}, {}, 256) ==
          KDFa(TPM_ALG_SHA256, key, std::string_view("CFB\0", 4), {}, {}, 256));
    CHECK(KDFe(TPM_ALG_SHA256, key, "SECRET", {}, {}, 256) ==
          KDFe(TPM_ALG_SHA256, key, std::string_view("SECRET\0", 7), {}, {}, 256));
    // ... and the NUL is part of what is hashed.
    CHECK(KDFa(TPM_ALG_SHA256, key, "CFB", {}, {}, 256) != KDFa(TPM_ALG_SHA256, key, "CFBX", {}, {}, 256));
}

TEST_CASE("KDF lengths and bad arguments", "[kdf]") {
    const bytes key = from_hex("01");
    CHECK(KDFa(TPM_ALG_SHA256, key, "ATH", {}, {}, 0).empty());
    CHECK(KDFa(TPM_ALG_SHA256, key, "ATH", {}, {}, 1).size() == 1);
    CHECK(KDFa(TPM_ALG_SHA256, key, "ATH", {}, {}, 1)[0] <= 1);
    CHECK(KDFe(TPM_ALG_SHA1, key, "ATH", {}, {}, 161).size() == 21);
    // KDFe does not hash the length, so a longer result extends a shorter one.
    CHECK(to_hex(bytes_view(KDFe(TPM_ALG_SHA256, key, "X", {}, {}, 512)).first(32)) ==
          to_hex(KDFe(TPM_ALG_SHA256, key, "X", {}, {}, 256)));
    try {
        KDFa(0x0099, key, "ATH", {}, {}, 0);
        FAIL("unsupported hash accepted");
    } catch (const error& e) {
        CHECK(e.kind() == errc::crypto);
    }
    try {
        KDFe(TPM_ALG_SHA256, key, "ATH", {}, {}, 0x80000000u);
        FAIL("huge length accepted");
    } catch (const error& e) {
        CHECK(e.kind() == errc::usage);
    }
}
