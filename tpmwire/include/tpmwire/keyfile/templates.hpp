// Public-area templates that must match other tools byte for byte, because
// a primary key is re-derived from its template: one differing byte is a
// different key.
#pragma once

#include "tpmwire/marshal/types.hpp"

namespace tpmwire {

// The storage primary that TSS2 PRIVATE KEY files with parent 0x40000001
// (or the legacy 0x80000000) are created under: TCG EK Credential Profile
// template H-2 as the key-file draft requires. ECC NIST P-256, SHA-256,
// attributes 0x00030472 (fixedTPM|fixedParent|sensitiveDataOrigin|
// userWithAuth|noDA|restricted|decrypt), AES-128-CFB, scheme and kdf NULL,
// and zero-length unique x and y (32 zero bytes each is a different key).
TPMT_PUBLIC h2_ecc_primary_template();

// The RSA endorsement key, TCG EK Credential Profile template L-1:
// RSA-2048, SHA-256, attributes 0x000300B2, authPolicy
// PolicySecret(TPM_RH_ENDORSEMENT), AES-128-CFB, unique = 256 zero bytes.
TPMT_PUBLIC ek_rsa_template();

// True when `p` was made from template L-1 (any unique value): the RSA EK.
bool matches_ek_rsa_template(const TPMT_PUBLIC& p);

// The persistent handle where provisioning tools leave the RSA EK.
inline constexpr TPM_HANDLE ek_rsa_persistent_handle = 0x81010001;

// The ECC endorsement key, TCG EK Credential Profile template L-2: NIST
// P-256, SHA-256, attributes 0x000300B2, authPolicy
// PolicySecret(TPM_RH_ENDORSEMENT), AES-128-CFB, unique x and y of 32 zero
// bytes each (tpm2_createek -G ecc).
TPMT_PUBLIC ek_ecc_template();

// Which ECC EK template `p` was made from, any unique value: "L-2", "H-3"
// (P-256, SHA-256, PolicyB) or "H-4" (P-384, SHA-384, PolicyB, AES-256: what
// swtpm_setup --createek makes); nullptr for none.
const char* ek_ecc_template_name(const TPMT_PUBLIC& p);

// Where provisioning tools leave ECC EKs: 0x81010002 (P-256, TCG
// provisioning guidance) and 0x81010016 (swtpm_setup's P-384 EK).
inline constexpr TPM_HANDLE ek_ecc_persistent_handle = 0x81010002;
inline constexpr TPM_HANDLE ek_ecc_p384_persistent_handle = 0x81010016;

// The P-384 ECC EK swtpm_setup --createek makes (ek_ecc_template_name's
// "H-4"): SHA-384, PolicyB, AES-256-CFB, unique x and y empty.
TPMT_PUBLIC ek_ecc_p384_template();

// Where EK certificates are in NV (TCG EK Credential Profile): RSA-2048
// (template L-1) and NIST P-256 (L-2) in the low range, and the P-384 one
// swtpm_setup --create-ek-cert writes.
inline constexpr TPM_HANDLE ek_rsa_certificate_index = 0x01C00002;
inline constexpr TPM_HANDLE ek_ecc_certificate_index = 0x01C0000A;
inline constexpr TPM_HANDLE ek_ecc_p384_certificate_index = 0x01C00016;

// A KEYEDHASH HMAC-SHA256 key imported or created with caller data:
// sensitiveDataOrigin clear, sign set.
TPMT_PUBLIC hmac_key_template(TPMA_OBJECT attributes, bytes authPolicy = {});

// True when the key can compute kDate: a KEYEDHASH object with an HMAC
// scheme over SHA-256 (or a NULL scheme, where the command names the hash)
// and the sign attribute.
bool is_hmac_sha256_key(const TPMT_PUBLIC& p);

}  // namespace tpmwire
