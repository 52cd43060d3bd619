#include "tpmwire/sessions/cfb.hpp"

#include "tpmwire/error.hpp"
#include "tpmwire/sessions/kdf.hpp"

#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <string>

namespace tpmwire {

namespace {

constexpr std::size_t iv_size = 16;

// Fetched once per key size: a legacy EVP_aes_128_cfb128() is re-fetched
// from the provider tables on every init. Function-local statics: thread-safe.
const EVP_CIPHER* aes_cfb(std::size_t key_size) {
    switch (key_size) {
        case 16: { static EVP_CIPHER* const c = EVP_CIPHER_fetch(nullptr, "AES-128-CFB", nullptr); return c; }
        case 24: { static EVP_CIPHER* const c = EVP_CIPHER_fetch(nullptr, "AES-192-CFB", nullptr); return c; }
        case 32: { static EVP_CIPHER* const c = EVP_CIPHER_fetch(nullptr, "AES-256-CFB", nullptr); return c; }
        default:
            throw error(errc::usage, "AES-CFB key of " + std::to_string(key_size) +
                                         " bytes; expected 16, 24 or 32");
    }
}

void cfb(bytes_view key, bytes_view iv, std::span<std::uint8_t> data, int enc) {
    const EVP_CIPHER* cipher = aes_cfb(key.size());
    if (!cipher) throw error(errc::crypto, "OpenSSL has no AES-CFB");
    if (iv.size() != iv_size)
        throw error(errc::usage, "AES-CFB IV of " + std::to_string(iv.size()) + " bytes; expected 16");
    if (data.empty()) return;
    if (data.size() > static_cast<std::size_t>(INT_MAX)) throw error(errc::usage, "AES-CFB input is too large");
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                        EVP_CIPHER_CTX_free);
    int len = 0;
    // CFB is a stream mode: updating in place (in == out) is supported and
    // final produces nothing. The context's key schedule is wiped by _free.
    if (!ctx || EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), iv.data(), enc, nullptr) != 1 ||
        EVP_CipherUpdate(ctx.get(), data.data(), &len, data.data(), static_cast<int>(data.size())) != 1 ||
        static_cast<std::size_t>(len) != data.size() ||
        EVP_CipherFinal_ex(ctx.get(), data.data() + len, &len) != 1)
        throw error(errc::crypto, "OpenSSL AES-CFB operation failed");
}

}  // namespace

void cfb_encrypt(bytes_view key, bytes_view iv, std::span<std::uint8_t> data) { cfb(key, iv, data, 1); }

void cfb_decrypt(bytes_view key, bytes_view iv, std::span<std::uint8_t> data) { cfb(key, iv, data, 0); }

void param_crypt(TPMI_ALG_HASH hashAlg, std::uint16_t keyBits, bytes_view hmacKey, bytes_view nonceNewer,
                 bytes_view nonceOlder, std::span<std::uint8_t> data, bool encrypt) {
    if (keyBits != 128 && keyBits != 192 && keyBits != 256)
        throw error(errc::usage, "parameter encryption with AES-" + std::to_string(keyBits) +
                                     " is not supported; use 128, 192 or 256 bits");
    // bytes wipes itself when released, on every path.
    const bytes keystream = KDFa(hashAlg, hmacKey, "CFB", nonceNewer, nonceOlder, keyBits + 8u * iv_size);
    const std::size_t key_size = keyBits / 8u;
    bytes_view all(keystream);
    bytes_view key = all.first(key_size);
    bytes_view iv = all.subspan(key_size, iv_size);
    cfb(key, iv, data, encrypt ? 1 : 0);
}

}  // namespace tpmwire
