// The writer: a hand-checked byte vector, every optional field through a
// round trip, and OpenSSL's asn1parse as an independent judge of the DER.
#include <catch2/catch.hpp>

#include "tpmwire/keyfile/keyfile.hpp"
#include "tpmwire/keyfile/pem.hpp"
#include "util.hpp"

using namespace tpmwire;
using namespace kftest;
using Catch::Matchers::Contains;

namespace {

tss2_private_key small_key() {
    tss2_private_key k;
    const bytes pub_bytes = small_pub();
    Reader pub(pub_bytes);
    unmarshal(pub, k.pubkey);
    k.privkey = TPM2B_PRIVATE(raw({0xAA, 0xBB}));
    return k;
}

tss2_private_key full_key() {
    tss2_private_key k = small_key();
    k.emptyAuth = false;
    k.policy = {{TPM_CC_PolicyPCR, raw({0x00, 0x00, 0x00, 0x01, 0x00, 0x0B, 0x03, 0x00, 0x00, 0x80})},
                {TPM_CC_PolicyAuthValue, {}}};
    k.authPolicy = {{std::string("kernel 6.1"), {{TPM_CC_PolicyCommandCode, raw({0x00, 0x00, 0x01, 0x55})}}},
                    {std::nullopt, {{TPM_CC_PolicyAuthValue, {}}}}};
    k.description = "AWS secret for ci \xE2\x9C\x93";
    k.rsaParent = false;
    k.parent = 0x81000001;
    return k;
}

}  // namespace

TEST_CASE("writer output matches a hand-checked byte vector") {
    tss2_private_key k = small_key();
    k.emptyAuth = true;
    k.policy = {{TPM_CC_PolicyAuthValue, {}}};
    k.parent = 0x81000001;
    const char* expected =
        "303e"                    // SEQUENCE, 62 bytes
        "06066781050a0103"        // OID 2.23.133.10.1.3
        "a0030101ff"              // [0] { BOOLEAN TRUE }
        "a10e300c300a"            // [1] { SEQUENCE OF { TPMPolicy
        "a0040202016b"            //   [0] { INTEGER 0x16B }
        "a1020400"                //   [1] { OCTET STRING '' } } }
        "020500" "81000001"       // INTEGER 0x81000001, positive 5-byte form
        "0412" "0010" "0008000b00040040" "0000" "0005000b" "0000"  // pubkey TPM2B_PUBLIC
        "0404" "0002aabb";        // privkey TPM2B_PRIVATE
    bytes der = to_der(k);
    CHECK(to_hex(der) == expected);

    std::string out;
    REQUIRE(openssl_asn1parse(der, out) == 0);
    CHECK_THAT(out, Contains(":2.23.133.10.1.3"));
    CHECK_THAT(out, Contains("BOOLEAN           :255"));
    CHECK_THAT(out, Contains("INTEGER           :016B"));
    CHECK_THAT(out, Contains("INTEGER           :81000001"));  // positive, not -7EFFFFFF
}

TEST_CASE("every optional field round-trips and OpenSSL accepts the DER") {
    tss2_private_key k = full_key();
    bytes der = to_der(k);
    CHECK(parse_tss2_key_der(der) == k);
    CHECK(parse_tss2_key_pem(to_pem(k)) == k);
    CHECK(parse_tss2_key(as_bytes(to_pem(k))) == k);

    std::string out;
    REQUIRE(openssl_asn1parse(der, out) == 0);
    for (const char* s : {"cont [ 0 ]", "cont [ 1 ]", "cont [ 3 ]", "cont [ 4 ]", "cont [ 5 ]", "UTF8STRING        :kernel 6.1",
                          "INTEGER           :017F", "BOOLEAN           :0"})
        CHECK_THAT(out, Contains(s));

    // An importable key with its secret.
    tss2_private_key imp = small_key();
    imp.type = keyfile_type::importable;
    imp.secret = raw({0x00, 0x02, 0x01, 0x02});
    CHECK(parse_tss2_key_der(to_der(imp)) == imp);
    REQUIRE(openssl_asn1parse(to_der(imp), out) == 0);
    CHECK_THAT(out, Contains(":2.23.133.10.1.4"));
    CHECK_THAT(out, Contains("cont [ 2 ]"));

    tss2_private_key sealed = small_key();
    sealed.type = keyfile_type::sealed;
    REQUIRE(openssl_asn1parse(to_der(sealed), out) == 0);
    CHECK_THAT(out, Contains(":2.23.133.10.1.5"));
}

TEST_CASE("long policies use long-form lengths") {
    tss2_private_key k = small_key();
    k.policy = {{TPM_CC_PolicyPCR, bytes(300, 0x11)}};
    bytes der = to_der(k);
    CHECK(der[1] == 0x82);  // outer length needs two bytes
    CHECK(parse_tss2_key_der(der) == k);
    std::string out;
    CHECK(openssl_asn1parse(der, out) == 0);
}

TEST_CASE("PEM writer format") {
    std::string pem = to_pem(full_key());
    CHECK(pem.rfind("-----BEGIN TSS2 PRIVATE KEY-----\n", 0) == 0);
    CHECK(pem.size() > 40);
    CHECK(pem.substr(pem.size() - 31) == "-----END TSS2 PRIVATE KEY-----\n");
    std::size_t start = pem.find('\n') + 1, end = pem.find("-----END");
    std::string body = pem.substr(start, end - start);
    for (std::size_t p = 0; p < body.size();) {
        std::size_t nl = body.find('\n', p);
        REQUIRE(nl != std::string::npos);
        CHECK(nl - p <= 64);
        if (body.find('\n', nl + 1) != std::string::npos) CHECK(nl - p == 64);  // all but the last line are full
        p = nl + 1;
    }
}

TEST_CASE("writer refuses keys that cannot be valid files") {
    auto usage = [](const tss2_private_key& k) {
        try {
            to_der(k);
        } catch (const error& e) {
            CHECK(e.kind() == errc::usage);
            return std::string(e.what());
        }
        return std::string();
    };
    tss2_private_key k = small_key();
    k.type = keyfile_type::importable;
    CHECK_THAT(usage(k), Contains("importable key has no secret"));
    k = small_key();
    k.secret = raw({0, 0});
    CHECK_THAT(usage(k), Contains("only allowed in importable keys"));
    k = small_key();
    k.description = std::string("\xFF");
    CHECK_THAT(usage(k), Contains("not valid UTF-8"));
    k = small_key();
    k.authPolicy = {{std::nullopt, {}}};
    CHECK_THAT(usage(k), Contains("lists no policy commands"));
    k = small_key();
    k.parent = 0x01000000;
    CHECK_THAT(usage(k), Contains("not a permanent, transient or persistent handle"));
    k = small_key();
    k.privkey = TPM2B_PRIVATE();
    CHECK_THAT(usage(k), Contains("empty TPM2B_PRIVATE"));
    k = small_key();
    k.type = keyfile_type::sealed;
    k.legacy_oid = true;
    CHECK_THAT(usage(k), Contains("legacy object identifier"));
}

TEST_CASE("base64 RFC 4648 test vectors") {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"}};
    for (auto [plain, enc] : vectors) {
        INFO(plain);
        CHECK(pem::base64_encode(as_bytes(std::string_view(plain))) == enc);
        CHECK(pem::base64_decode(enc) == to_bytes(std::string_view(plain)));
    }
    CHECK(pem::base64_decode("Zm9v\r\n YmFy") == to_bytes(std::string_view("foobar")));
    CHECK(pem::base64_encode(raw({0xFB, 0xFF})) == "+/8=");
    for (const char* bad : {"Zg=", "Zg", "Z===", "Zh==", "Zm9=", "Zg==Zg==", "Zg=a", "=Zg=", "Zm9v=", "Zm 9*"}) {
        INFO(bad);
        CHECK_THROWS_AS(pem::base64_decode(bad), error);
    }
}
