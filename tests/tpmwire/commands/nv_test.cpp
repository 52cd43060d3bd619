// TPM2_NV_ReadPublic and TPM2_NV_Read byte for byte (Part 3 §31.6, §31.13),
// TPMS_NV_PUBLIC / TPM2B_NV_PUBLIC and their bounds (Part 2 §13.5, §13.6),
// the name of an NV index, and how a whole index is cut into reads. The
// public area is swtpm_setup's RSA EK certificate index, whose name
// tpm2_nvreadpublic printed for it.
#include "tpmwire/client/nv.hpp"
#include "tpmwire/commands/commands.hpp"
#include "tpmwire/sessions/name.hpp"

#include <catch2/catch.hpp>

using namespace tpmwire;

namespace {

// 0x01C00002, SHA-256, ppwrite|writedefine|ppread|ownerread|authread|no_da|
// written|platformcreate, no policy, 1016 bytes.
const std::string ek_cert_index_public = "01c00002" "000b" "62072001" "0000" "03f8";

TPMS_NV_PUBLIC ek_cert_index() {
    TPMS_NV_PUBLIC p;
    p.nvIndex = 0x01C00002;
    p.nameAlg = TPM_ALG_SHA256;
    p.attributes = TPMA_NV_PPWRITE | TPMA_NV_WRITEDEFINE | TPMA_NV_PPREAD | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD |
                   TPMA_NV_NO_DA | TPMA_NV_WRITTEN | TPMA_NV_PLATFORMCREATE;
    p.dataSize = 1016;
    return p;
}

TPM2B_NV_PUBLIC parse_nv_public(const std::string& hex) {
    const bytes b = from_hex(hex);
    Reader r(b);
    TPM2B_NV_PUBLIC out;
    unmarshal(r, out);
    r.expect_end("test");
    return out;
}

}  // namespace

TEST_CASE("TPMS_NV_PUBLIC marshals in Part 2 order, and TPM2B_NV_PUBLIC wraps it with its size") {
    CHECK(ek_cert_index().attributes == 0x62072001);  // what tpm2_nvreadpublic shows as the value
    CHECK(to_hex(marshal_to_bytes(ek_cert_index())) == ek_cert_index_public);
    Writer w;
    marshal(w, TPM2B_NV_PUBLIC{ek_cert_index()});
    CHECK(to_hex(w.take()) == "000e" + ek_cert_index_public);
    CHECK(parse_nv_public("000e" + ek_cert_index_public).nvPublic == ek_cert_index());
    auto with_policy = parse_nv_public("002e" "01c0000a" "000b" "00040004" "0020" + std::string(64, 'c') + "0100");
    CHECK(with_policy.nvPublic.authPolicy.buffer == bytes(32, 0xcc));
    CHECK(with_policy.nvPublic.dataSize == 256);
    CHECK(nv_index_type(with_policy.nvPublic.attributes) == TPM_NT_ORDINARY);
}

TEST_CASE("an NV index's name is nameAlg || H(TPMS_NV_PUBLIC), as tpm2_nvreadpublic prints it") {
    CHECK(to_hex(nv_name(ek_cert_index()).buffer) ==
          "000b03f3ac4467316d2d26a0ac4bbaf1236a9cae50fb1f70cf2e42e422cd2108b5d2");
    auto unwritten = ek_cert_index();
    unwritten.attributes &= ~TPMA_NV_WRITTEN;  // the name changes with the attributes
    CHECK(nv_name(unwritten) != nv_name(ek_cert_index()));
}

TEST_CASE("a malformed TPM2B_NV_PUBLIC is refused, naming the field") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"000f" + ek_cert_index_public + "00", "1 unexpected trailing bytes"},       // size claims more than the structure
        {"000d" + ek_cert_index_public, "TPMS_NV_PUBLIC dataSize"},                 // size claims less
        {"0020" + ek_cert_index_public, "size 32 but only 14 bytes left"},           // size beyond the response
        {"000e" "81000001" "000b" "62072001" "0000" "03f8", "is not an NV index"},    // a persistent handle
        {"000e" "01c00002" "0010" "62072001" "0000" "03f8", "nameAlg 0x0010"},        // TPM_ALG_NULL
        {"000f" "01c00002" "000b" "62072001" "0041" "00" "03f8", "TPM2B_DIGEST"},     // policy over 64 bytes
        {"0000", "TPMS_NV_PUBLIC nvIndex"},                                          // empty
    };
    for (const auto& [hex, message] : cases) {
        INFO(hex);
        CHECK_THROWS_WITH(parse_nv_public(hex), Catch::Contains(message));
    }
}

TEST_CASE("TPM2_NV_ReadPublic and TPM2_NV_Read encode byte for byte") {
    std::vector<Session*> sessions;
    const NV_ReadPublic read_public{NamedHandle(0x01C00002)};
    CHECK(to_hex(encode(read_public, sessions)) == "8001" "0000000e" "00000169" "01c00002");

    NV_Read read;
    read.authHandle = AuthHandle(0x01C00002);
    read.nvIndex = NamedHandle(0x01C00002);
    read.size = 1024;
    read.offset = 2048;
    CHECK(to_hex(encode(read, sessions)) ==
          "8002" "00000023" "0000014e"
          "01c00002" "01c00002"                     // authHandle (the index itself), nvIndex
          "00000009" "40000009" "0000" "01" "0000"  // the empty password
          "0400" "0800");                            // size, offset
}

TEST_CASE("their responses decode, and a lying size is refused") {
    std::vector<Session*> none;
    const NV_ReadPublic read_public{NamedHandle(0x01C00002)};
    const std::string name = "0022" "000b03f3ac4467316d2d26a0ac4bbaf1236a9cae50fb1f70cf2e42e422cd2108b5d2";
    auto pub = decode(read_public, from_hex("8001" "0000003e" "00000000" "000e" + ek_cert_index_public + name), none);
    CHECK(pub.nvPublic.nvPublic == ek_cert_index());
    CHECK(pub.nvName == nv_name(ek_cert_index()));

    NV_Read read;
    std::vector<Session*> password{&empty_password()};
    auto data = decode(read, from_hex("8002" "00000019" "00000000" "00000006" "0004" "30820122" "0000" "01" "0000"),
                       password);
    CHECK(to_hex(data.data.buffer) == "30820122");
    // A data size past MAX_NV_BUFFER_SIZE, and one past the parameters.
    CHECK_THROWS_WITH(decode(read, from_hex("8002" "00000019" "00000000" "00000006" "0801" "30820122" "0000" "01" "0000"),
                             password),
                      Catch::Contains("TPM2B_MAX_NV_BUFFER"));
    CHECK_THROWS_AS(decode(read, from_hex("8002" "00000019" "00000000" "00000006" "0005" "30820122" "0000" "01" "0000"),
                           password),
                    error);
}

TEST_CASE("a whole index is read in pieces of at most the TPM's NV buffer") {
    CHECK(nv_pieces(0, 1024).empty());
    CHECK(nv_pieces(1016, 1024) == std::vector<nv_piece>{{0, 1016}});
    CHECK(nv_pieces(2048, 1024) == std::vector<nv_piece>{{0, 1024}, {1024, 1024}});
    CHECK(nv_pieces(2500, 1024) == std::vector<nv_piece>{{0, 1024}, {1024, 1024}, {2048, 452}});
    CHECK(nv_pieces(65535, 2048).back() == nv_piece{63488, 2047});
    CHECK_THROWS_AS(nv_pieces(10, 0), error);
}
