// The two key derivation functions of TPM 2.0 (Part 1 §11.4.10).
//
// Labels are passed without their terminating NUL ("ATH", "CFB", "SECRET",
// "STORAGE", "INTEGRITY", "DUPLICATE"); the spec hashes the label together
// with one 0x00 byte, which these functions append. A label that already ends
// in '\0' is used as is, so both spellings give the same result.
//
// Results are ceil(bits / 8) bytes; when bits is not a multiple of 8 the
// unused high bits of the first byte are cleared, as the TPM does.
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/constants.hpp"

#include <cstdint>
#include <string_view>

namespace tpmwire {

// KDFa (§11.4.10.2): SP 800-108 counter mode with HMAC:
//   HMAC(key, BE32(i) || label || 0x00 || contextU || contextV || BE32(bits)), i = 1, 2, ...
// Used for session keys ("ATH"), parameter encryption ("CFB") and the
// protections of duplicated objects ("STORAGE", "INTEGRITY").
bytes KDFa(TPMI_ALG_HASH hashAlg, bytes_view key, std::string_view label, bytes_view contextU,
           bytes_view contextV, std::uint32_t bits);

// KDFe (§11.4.10.3): SP 800-56A concatenation KDF:
//   H(BE32(i) || Z || label || 0x00 || partyUInfo || partyVInfo), i = 1, 2, ...
// Turns an ECDH shared x-coordinate into a salt or seed.
bytes KDFe(TPMI_ALG_HASH hashAlg, bytes_view z, std::string_view label, bytes_view partyUInfo,
           bytes_view partyVInfo, std::uint32_t bits);

}  // namespace tpmwire
