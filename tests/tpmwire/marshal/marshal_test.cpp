// Byte-exact marshalling of the structures tpmwire sends and receives, and
// the reader's refusal of short, long and lying inputs.
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/marshal/types.hpp"

#include <catch2/catch.hpp>

using namespace tpmwire;

namespace {
template <class T>
bytes encode_one(const T& v) {
    Writer w;
    marshal(w, v);
    return w.take();
}
template <class T>
T decode_one(bytes_view b) {
    Reader r(b);
    T v;
    unmarshal(r, v);
    r.expect_end("test");
    return v;
}
}  // namespace

TEST_CASE("Writer is big-endian and Reader reads it back") {
    Writer w;
    w.u8(0x01);
    w.u16(0x0203);
    w.u32(0x04050607);
    w.u64(0x08090a0b0c0d0e0fULL);
    CHECK(to_hex(w.buffer()) == "0102030405060708090a0b0c0d0e0f");
    Reader r(w.buffer());
    CHECK(r.u8("a") == 0x01);
    CHECK(r.u16("b") == 0x0203);
    CHECK(r.u32("c") == 0x04050607);
    CHECK(r.u64("d") == 0x08090a0b0c0d0e0fULL);
    CHECK(r.empty());
    CHECK_THROWS_WITH(r.u8("extra"), "extra: needs 1 bytes but only 0 left");
}

TEST_CASE("TPM2B sizes are checked against the maximum and the bytes present") {
    SECTION("size larger than what is left") {
        bytes b = from_hex("0005aabbcc");
        Reader r(b);
        TPM2B_DIGEST d;
        CHECK_THROWS_WITH(unmarshal(r, d), "TPM2B_DIGEST: size 5 but only 3 bytes left");
    }
    SECTION("size larger than the type allows") {
        bytes b(2 + 65, 0);
        b[1] = 65;
        Reader r(b);
        TPM2B_DIGEST d;
        CHECK_THROWS_WITH(unmarshal(r, d), "TPM2B_DIGEST: size 65 exceeds the maximum 64");
    }
    SECTION("writer refuses oversize content") {
        TPM2B_SENSITIVE_DATA d(bytes(129, 1));
        Writer w;
        CHECK_THROWS_AS(marshal(w, d), error);
    }
    SECTION("empty TPM2B") {
        CHECK(to_hex(encode_one(TPM2B_DIGEST{})) == "0000");
        CHECK(decode_one<TPM2B_DIGEST>(from_hex("0000")).empty());
    }
}

TEST_CASE("H2 primary template marshals to the TCG H-2 bytes") {
    // facts.md / TCG EK Credential Profile H-2, as the key-file draft requires.
    CHECK(to_hex(marshal_to_bytes(h2_ecc_primary_template())) ==
          "0023000b000304720000000600800043001000030010"
          "00000000");
}

TEST_CASE("RSA EK template marshals to the TCG L-1 layout") {
    bytes b = marshal_to_bytes(ek_rsa_template());
    std::string hex = to_hex(b);
    // type, nameAlg, attributes, authPolicy
    CHECK(hex.substr(0, 16) == "0001000b000300b2");
    CHECK(hex.substr(16, 4 + 64) == "0020837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");
    // AES-128-CFB, scheme NULL, 2048 bits, exponent 0, unique 256 zero bytes
    CHECK(hex.substr(84, 32) == "0006008000430010080000000000" "0100");
    CHECK(b.size() == 2 + 2 + 4 + 34 + 6 + 2 + 2 + 4 + 2 + 256);
    CHECK(decode_one<TPMT_PUBLIC>(b) == ek_rsa_template());
}

TEST_CASE("ECC EK templates: L-2 as tpm2_createek -G ecc makes it, H-4 as swtpm_setup --createek does") {
    // Public areas read back from swtpm 0.7.1 (TPM2B_PUBLIC without its size).
    const TPMT_PUBLIC l2 = decode_one<TPMT_PUBLIC>(from_hex(
        "0023000b000300b20020837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa0006008000430010000300"
        "1000207ede5a582679fc1e526f3b8f13dfe5ef636d0a74043478c66a32a62d30df5d7c00206f433c2c513a81b4edb89443190181ed"
        "ddddd14c3c96c729d171c285734faacc"));
    const TPMT_PUBLIC h4 = decode_one<TPMT_PUBLIC>(from_hex(
        "0023000c000300f20030b26e7d28d11a50bc53d882bcf5fd3a1a074148bb35d3b4e4cb1c0ad9bde419cacb47ba09699646150f9fc0"
        "00f3f80e120006010000430010000400100030f2c5c6a7b991a1bf375de8078603ab3907c97ac089fcffdac0ec7922e365c6c8888e"
        "cc1dc3d0d090750df94fbc61c50f00303919924071dd3faabe107843ac4026352d2671791761820a0b0134306515c9ee0e779d2f56"
        "cd951254c196cc81a22a61"));
    CHECK(std::string(ek_ecc_template_name(l2)) == "L-2");
    CHECK(std::string(ek_ecc_template_name(h4)) == "H-4");
    CHECK(std::string(ek_ecc_template_name(ek_ecc_template())) == "L-2");
    // The template L-2 is re-created from: unique x and y of 32 zero bytes each.
    CHECK(to_hex(marshal_to_bytes(ek_ecc_template())).ends_with("0020" + std::string(64, '0') + "0020" + std::string(64, '0')));
    TPMT_PUBLIC other = l2;
    other.objectAttributes |= TPMA_OBJECT_userWithAuth;  // no EK template has it with policy A
    CHECK(ek_ecc_template_name(other) == nullptr);
    CHECK(ek_ecc_template_name(h2_ecc_primary_template()) == nullptr);
    CHECK(ek_ecc_template_name(ek_rsa_template()) == nullptr);
}

TEST_CASE("TPMT_PUBLIC round-trips for KEYEDHASH, RSA and ECC") {
    auto hmac = hmac_key_template(TPMA_OBJECT_sign | TPMA_OBJECT_userWithAuth | TPMA_OBJECT_fixedTPM |
                                  TPMA_OBJECT_fixedParent);
    CHECK(to_hex(marshal_to_bytes(hmac)) == "0008000b0004005200000005000b0000");
    CHECK(decode_one<TPMT_PUBLIC>(marshal_to_bytes(hmac)) == hmac);
    CHECK(is_hmac_sha256_key(hmac));
    CHECK_FALSE(is_hmac_sha256_key(h2_ecc_primary_template()));

    auto ecc = h2_ecc_primary_template();
    std::get<TPMS_ECC_POINT>(ecc.unique).x = TPM2B_ECC_PARAMETER(bytes(32, 0xAA));
    std::get<TPMS_ECC_POINT>(ecc.unique).y = TPM2B_ECC_PARAMETER(bytes(32, 0xBB));
    CHECK(decode_one<TPMT_PUBLIC>(marshal_to_bytes(ecc)) == ecc);

    TPM2B_PUBLIC wrapped{hmac};
    bytes w = encode_one(wrapped);
    CHECK(to_hex(w).substr(0, 4) == "0010");  // 16-byte TPMT_PUBLIC inside
    CHECK(decode_one<TPM2B_PUBLIC>(w) == wrapped);
}

TEST_CASE("TPMT_PUBLIC refuses inconsistent unions and unknown selectors") {
    TPMT_PUBLIC p = h2_ecc_primary_template();
    p.unique = TPM2B_DIGEST{};
    Writer w;
    CHECK_THROWS_AS(marshal(w, p), error);

    bytes b = marshal_to_bytes(h2_ecc_primary_template());
    b[1] = 0x99;  // type 0x0099
    CHECK_THROWS_WITH(decode_one<TPMT_PUBLIC>(b), "TPMT_PUBLIC: unsupported type 0x0099");
}

TEST_CASE("TPM2B_PUBLIC whose size lies is refused") {
    bytes inner = marshal_to_bytes(hmac_key_template(TPMA_OBJECT_sign));
    SECTION("size claims more than the structure") {
        Writer w;
        w.u16(static_cast<std::uint16_t>(inner.size() + 2));
        w.raw(inner);
        w.u16(0);
        CHECK_THROWS_WITH(decode_one<TPM2B_PUBLIC>(w.buffer()), "TPM2B_PUBLIC: 2 unexpected trailing bytes");
    }
    SECTION("size claims less than the structure") {
        Writer w;
        w.u16(static_cast<std::uint16_t>(inner.size() - 2));
        w.raw(inner);
        CHECK_THROWS_AS(decode_one<TPM2B_PUBLIC>(w.buffer()), error);
    }
    SECTION("size claims more than the buffer") {
        Writer w;
        w.u16(static_cast<std::uint16_t>(inner.size() + 40));
        w.raw(inner);
        CHECK_THROWS_WITH(decode_one<TPM2B_PUBLIC>(w.buffer()), "TPM2B_PUBLIC: size 56 but only 16 bytes left");
    }
}

TEST_CASE("Every truncation of a structure is a clean error") {
    TPMT_PUBLIC ek = ek_rsa_template();
    bytes full = encode_one(TPM2B_PUBLIC{ek});
    for (std::size_t n = 0; n < full.size(); ++n) {
        INFO("truncated to " << n);
        bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        CHECK_THROWS_AS(decode_one<TPM2B_PUBLIC>(cut), error);
    }
    CHECK(decode_one<TPM2B_PUBLIC>(full).publicArea == ek);
}

TEST_CASE("PCR selections") {
    auto sel = pcr_selection(TPM_ALG_SHA256, {0, 7, 23});
    CHECK(to_hex(encode_one(sel)) == "00000001000b03810080");
    CHECK(selected_pcrs(sel.pcrSelections[0]) == std::vector<unsigned>{0, 7, 23});
    CHECK(decode_one<TPML_PCR_SELECTION>(from_hex("00000001000b03810080")) == sel);
    CHECK_THROWS_AS(pcr_selection(TPM_ALG_SHA256, {24}), error);
    // sizeofSelect beyond what any TPM has
    CHECK_THROWS_WITH(decode_one<TPML_PCR_SELECTION>(from_hex("00000001000b05ffffffffff")),
                      "TPMS_PCR_SELECTION: sizeofSelect 5 exceeds 4");
    // a count that would make us loop for ever on garbage
    CHECK_THROWS_AS(decode_one<TPML_PCR_SELECTION>(from_hex("ffffffff")), error);
}

TEST_CASE("Capability data: handles and properties, bounded counts") {
    auto handles = decode_one<TPMS_CAPABILITY_DATA>(from_hex("00000001" "00000002" "80000000" "80000001"));
    CHECK(handles.handles == std::vector<TPM_HANDLE>{0x80000000, 0x80000001});
    auto props = decode_one<TPMS_CAPABILITY_DATA>(from_hex("00000006" "00000001" "0000020e" "00000001"));
    REQUIRE(props.tpmProperties.size() == 1);
    CHECK(props.tpmProperties[0].property == TPM_PT_LOCKOUT_COUNTER);
    CHECK(props.tpmProperties[0].value == 1);
    CHECK_THROWS_WITH(decode_one<TPMS_CAPABILITY_DATA>(from_hex("00000001" "40000000" "80000000")),
                      "TPML_HANDLE count: count 1073741824 does not fit in the 4 bytes left");
    CHECK_THROWS_WITH(decode_one<TPMS_CAPABILITY_DATA>(from_hex("00000009" "00000000")),
                      "TPMS_CAPABILITY_DATA: capability 0x0009 is not supported by tpmwire");
}

TEST_CASE("Digest lists and TPMT_HA sizes") {
    TPML_DIGEST_VALUES v{{TPMT_HA{TPM_ALG_SHA256, bytes(32, 0x11)}}};
    bytes b = encode_one(v);
    CHECK(b.size() == 4 + 2 + 32);
    CHECK(decode_one<TPML_DIGEST_VALUES>(b).digests[0].digest == bytes(32, 0x11));
    v.digests[0].digest.resize(20);
    Writer w;
    CHECK_THROWS_AS(marshal(w, v), error);
    CHECK_THROWS_AS(decode_one<TPML_DIGEST>(from_hex("00000009")), error);
}

TEST_CASE("hex helpers") {
    CHECK(to_hex(from_hex("00ff10Ab")) == "00ff10ab");
    CHECK_THROWS_AS(from_hex("abc"), error);
    CHECK_THROWS_AS(from_hex("zz"), error);
    CHECK(equal_constant_time(from_hex("0102"), from_hex("0102")));
    CHECK_FALSE(equal_constant_time(from_hex("0102"), from_hex("0103")));
    CHECK_FALSE(equal_constant_time(from_hex("0102"), from_hex("01")));
}
