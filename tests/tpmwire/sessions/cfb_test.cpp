// AES-CFB and session parameter encryption: NIST SP 800-38A known answers,
// round trips, and param_crypt against values computed by an independent
// implementation (Python hmac + pyca/cryptography, script below) and against
// KDFa + raw EVP in the test.
#include "tpmwire/error.hpp"
#include "tpmwire/sessions/cfb.hpp"
#include "tpmwire/sessions/kdf.hpp"

#include "support/error_kind.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <memory>

using namespace tpmwire;

namespace {

const std::string sp800_38a_plaintext =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

bytes crypt(bool encrypt, bytes_view key, bytes_view iv, bytes data) {
    if (encrypt)
        cfb_encrypt(key, iv, data);
    else
        cfb_decrypt(key, iv, data);
    return data;
}

using test::error_kind;

}  // namespace

TEST_CASE("AES-CFB128 matches NIST SP 800-38A", "[cfb]") {
    const bytes iv = from_hex("000102030405060708090a0b0c0d0e0f");
    // F.3.13 / F.3.14 CFB128-AES128
    const bytes k128 = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
    const std::string c128 =
        "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b"
        "26751f67a3cbb140b1808cf187a4f4dfc04b05357c5d1c0eeac4c66f9ff7f2e6";
    CHECK(to_hex(crypt(true, k128, iv, from_hex(sp800_38a_plaintext))) == c128);
    CHECK(to_hex(crypt(false, k128, iv, from_hex(c128))) == sp800_38a_plaintext);
    // F.3.17 / F.3.18 CFB128-AES256
    const bytes k256 = from_hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    const std::string c256 =
        "dc7e84bfda79164b7ecd8486985d386039ffed143b28b1c832113c6331e5407b"
        "df10132415e54b92a13ed0a8267ae2f975a385741ab9cef82031623d55b1e471";
    CHECK(to_hex(crypt(true, k256, iv, from_hex(sp800_38a_plaintext))) == c256);
    CHECK(to_hex(crypt(false, k256, iv, from_hex(c256))) == sp800_38a_plaintext);
    // CFB is a stream mode: a prefix encrypts to the ciphertext's prefix.
    CHECK(to_hex(crypt(true, k128, iv, from_hex(sp800_38a_plaintext.substr(0, 2 * 21)))) == c128.substr(0, 2 * 21));
}

TEST_CASE("AES-CFB round trips any length and rejects bad key or IV sizes", "[cfb]") {
    const bytes key = from_hex("000102030405060708090a0b0c0d0e0f1011121314151617");  // AES-192
    const bytes iv(16, 0x5a);
    for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 1000u}) {
        bytes data(n);
        for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<byte>(i * 7);
        bytes enc = crypt(true, key, iv, data);
        if (n > 0) CHECK(enc != data);
        CHECK(crypt(false, key, iv, enc) == data);
    }
    bytes d(4);
    CHECK(error_kind([&] { cfb_encrypt(bytes(15), iv, d); }) == errc::usage);
    CHECK(error_kind([&] { cfb_encrypt(bytes(16), bytes(12), d); }) == errc::usage);
}

// Oracle (run once; python3 with pyca/cryptography 48):
//   def kdfa(h, key, label, u, v, bits):
//       out = b''; i = 1
//       while len(out) * 8 < bits:
//           out += hmac.new(key, i.to_bytes(4,'big') + label + b'\0' + u + v + bits.to_bytes(4,'big'), h).digest(); i += 1
//       return out[:(bits + 7) // 8]
//   key = bytes.fromhex(SESSION_KEY) + b'hmac-key-password'
//   for h in sha256, sha1: for bits in 128, 256:
//       for newer, older in (caller, tpm), (tpm, caller):
//           ks = kdfa(h, key, b'CFB', newer, older, bits + 128)
//           Cipher(AES(ks[:bits//8]), CFB(ks[bits//8:])).encryptor().update(PLAINTEXT)
TEST_CASE("param_crypt matches an independent implementation", "[cfb]") {
    bytes hmac_key = from_hex("5fa5d0b2c5a94a9e41e8f32e0e3c2b6de1f0a8c07d5e2b41a6c9d8e7f6a5b4c3");
    const bytes auth = to_bytes(std::string_view("hmac-key-password"));
    hmac_key.insert(hmac_key.end(), auth.begin(), auth.end());
    const bytes caller = from_hex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    const bytes tpm = from_hex("ffeeddccbbaa99887766554433221100ffeeddccbbaa9988776655443322110f");
    const bytes plaintext = to_bytes(std::string_view("the first TPM2B parameter: 40 bytes long"));

    struct known {
        TPMI_ALG_HASH alg;
        std::uint16_t bits;
        const char* command;   // newer = caller, older = TPM
        const char* response;  // newer = TPM, older = caller
    };
    const known cases[] = {
        {TPM_ALG_SHA256, 128, "6f1148a1dac3c3178980c9c2f536e1dc605334805067c69f4ba10881ecbe38d11d102531e05cdd47",
         "57faeaea67b0ab72f1d3b55f46bf60cf9198af4f301d1df96268d472edbee17bc71407c1fd0ecf25"},
        {TPM_ALG_SHA256, 256, "8b07b337bde0a3fd4924490143c7ddaaf658b44198519b1d88cfb2fbad97a2599e5b19ca96b422dc",
         "1285a2e790ad41a5e99d3c90ceb1f307edf4e5902a7f4327acc11f09ea5df133ada32347f2c0151b"},
        {TPM_ALG_SHA1, 128, "d6e6d292bb99dc304c0981d663536b999092a1b90b17b2ce8b8e5d2398a93edab8ecda5437e4a1bb",
         "2c9ed221e5924372821764642ffaf0ebde1fbff9b8b64c93019fdfcb33129290d4548213539b5478"},
        {TPM_ALG_SHA1, 256, "1eec883a37776934bac8ac8f0f058d19820bcf9c6bc2265338de725111cd156e5761d2a714d22432",
         "e7b775d99dc1433107c6b0443cb77413762c1a30f12548f018a5e0d45440640a93a924fc34457f8a"},
    };
    for (const auto& c : cases) {
        INFO("hash " << c.alg << ", AES-" << c.bits);
        // The caller encrypts a command parameter; the TPM would decrypt it
        // with the same nonce order.
        bytes data = plaintext;
        param_crypt(c.alg, c.bits, hmac_key, caller, tpm, data, true);
        CHECK(to_hex(data) == c.command);
        param_crypt(c.alg, c.bits, hmac_key, caller, tpm, data, false);
        CHECK(data == plaintext);
        // The TPM encrypts a response parameter; the caller decrypts it.
        bytes response = from_hex(c.response);
        param_crypt(c.alg, c.bits, hmac_key, tpm, caller, response, false);
        CHECK(response == plaintext);
    }
}

TEST_CASE("param_crypt equals KDFa then raw EVP AES-128-CFB", "[cfb]") {
    const bytes hmac_key = from_hex("0102030405060708090a0b0c0d0e0f10");
    const bytes newer = from_hex("aa55aa55aa55aa55aa55aa55aa55aa55");
    const bytes older = from_hex("55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa");
    bytes data(100);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<byte>(i);

    const bytes ks = KDFa(TPM_ALG_SHA256, hmac_key, "CFB", newer, older, 256);
    bytes expected(data.size());
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    int len = 0;
    REQUIRE(EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_cfb128(), nullptr, ks.data(), ks.data() + 16) == 1);
    REQUIRE(EVP_EncryptUpdate(ctx.get(), expected.data(), &len, data.data(), static_cast<int>(data.size())) == 1);
    REQUIRE(static_cast<std::size_t>(len) == data.size());

    param_crypt(TPM_ALG_SHA256, 128, hmac_key, newer, older, data, true);
    CHECK(to_hex(data) == to_hex(expected));
}

TEST_CASE("param_crypt rejects unsupported key sizes", "[cfb]") {
    bytes data(8);
    CHECK(error_kind([&] { param_crypt(TPM_ALG_SHA256, 64, bytes(4), {}, {}, data, true); }) == errc::usage);
    CHECK(error_kind([&] { param_crypt(TPM_ALG_SHA256, 512, bytes(4), {}, {}, data, true); }) == errc::usage);
}
