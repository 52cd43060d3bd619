// AES in CFB mode (128-bit feedback) and the parameter encryption of
// TPM 2.0 sessions built on it (Part 1 §21.4).
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/constants.hpp"

#include <cstdint>
#include <span>

namespace tpmwire {

// In-place AES-CFB128. The key is 16, 24 or 32 bytes (AES-128/192/256), the
// IV 16 bytes; anything else throws errc::usage. Any data length is allowed
// (CFB needs no padding).
void cfb_encrypt(bytes_view key, bytes_view iv, std::span<std::uint8_t> data);
void cfb_decrypt(bytes_view key, bytes_view iv, std::span<std::uint8_t> data);

// Encrypts (encrypt = true) or decrypts the data of the first TPM2B
// parameter in place, as a session with symmetric = {AES, keyBits, CFB} does:
//   key || iv = KDFa(hashAlg, hmacKey, "CFB", nonceNewer, nonceOlder, keyBits + 128)
// hmacKey is sessionKey || authValue. For a command nonceNewer is the
// caller's nonce and nonceOlder the TPM's; for a response the reverse.
// keyBits is 128, 192 or 256. The derived key and IV are wiped.
void param_crypt(TPMI_ALG_HASH hashAlg, std::uint16_t keyBits, bytes_view hmacKey, bytes_view nonceNewer,
                 bytes_view nonceOlder, std::span<std::uint8_t> data, bool encrypt);

}  // namespace tpmwire
