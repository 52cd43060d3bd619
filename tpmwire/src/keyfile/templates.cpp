#include "tpmwire/keyfile/templates.hpp"

namespace tpmwire {

namespace {
constexpr TPMT_SYM_DEF aes128_cfb{TPM_ALG_AES, 128, TPM_ALG_CFB};
// PolicySecret(TPM_RH_ENDORSEMENT), TCG EK Credential Profile §B.3.3.
constexpr byte ek_policy[32] = {0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
                                0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
                                0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa};
// PolicyB of the high-range EK templates (PolicyOR of PolicySecret(endorsement)
// and PolicyAuthorizeNV), TCG EK Credential Profile 2.x, SHA-256 and SHA-384.
constexpr byte ek_policy_b_sha256[32] = {0xca, 0x3d, 0x0a, 0x99, 0xa2, 0xb9, 0x39, 0x06, 0xf7, 0xa3, 0x34,
                                         0x24, 0x14, 0xef, 0xcf, 0xb3, 0xa3, 0x85, 0xd4, 0x4c, 0xd1, 0xfd,
                                         0x45, 0x90, 0x89, 0xd1, 0x9b, 0x50, 0x71, 0xc0, 0xb7, 0xa0};
constexpr byte ek_policy_b_sha384[48] = {0xb2, 0x6e, 0x7d, 0x28, 0xd1, 0x1a, 0x50, 0xbc, 0x53, 0xd8, 0x82, 0xbc,
                                         0xf5, 0xfd, 0x3a, 0x1a, 0x07, 0x41, 0x48, 0xbb, 0x35, 0xd3, 0xb4, 0xe4,
                                         0xcb, 0x1c, 0x0a, 0xd9, 0xbd, 0xe4, 0x19, 0xca, 0xcb, 0x47, 0xba, 0x09,
                                         0x69, 0x96, 0x46, 0x15, 0x0f, 0x9f, 0xc0, 0x00, 0xf3, 0xf8, 0x0e, 0x12};

// A restricted decryption ECC key's parameters: AES-CFB, no scheme, no kdf.
TPMS_ECC_PARMS storage_ecc(TPM_ECC_CURVE curve, std::uint16_t aes_bits) {
    TPMS_ECC_PARMS ecc;
    ecc.symmetric = {TPM_ALG_AES, aes_bits, TPM_ALG_CFB};
    ecc.scheme = {TPM_ALG_NULL, TPM_ALG_NULL, 0};
    ecc.curveID = curve;
    ecc.kdf = {TPM_ALG_NULL, TPM_ALG_NULL};
    return ecc;
}

// An ECC EK template: restricted decryption, no scheme or kdf, `unique` empty.
TPMT_PUBLIC ecc_ek(TPMI_ALG_HASH name_alg, bool user_with_auth, bytes_view policy, std::uint16_t aes_bits,
                   TPM_ECC_CURVE curve) {
    TPMT_PUBLIC p;
    p.type = TPM_ALG_ECC;
    p.nameAlg = name_alg;
    p.objectAttributes = TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sensitiveDataOrigin |
                         TPMA_OBJECT_adminWithPolicy | TPMA_OBJECT_restricted | TPMA_OBJECT_decrypt;
    if (user_with_auth) p.objectAttributes |= TPMA_OBJECT_userWithAuth;
    p.authPolicy = TPM2B_DIGEST(policy);
    p.parameters = storage_ecc(curve, aes_bits);
    p.unique = TPMS_ECC_POINT{};
    return p;
}
}  // namespace

TPMT_PUBLIC h2_ecc_primary_template() {
    TPMT_PUBLIC p;
    p.type = TPM_ALG_ECC;
    p.nameAlg = TPM_ALG_SHA256;
    p.objectAttributes = TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sensitiveDataOrigin |
                         TPMA_OBJECT_userWithAuth | TPMA_OBJECT_noDA | TPMA_OBJECT_restricted | TPMA_OBJECT_decrypt;
    p.parameters = storage_ecc(TPM_ECC_NIST_P256, 128);
    p.unique = TPMS_ECC_POINT{};
    return p;
}

TPMT_PUBLIC ek_rsa_template() {
    TPMT_PUBLIC p;
    p.type = TPM_ALG_RSA;
    p.nameAlg = TPM_ALG_SHA256;
    p.objectAttributes = TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sensitiveDataOrigin |
                         TPMA_OBJECT_adminWithPolicy | TPMA_OBJECT_restricted | TPMA_OBJECT_decrypt;
    p.authPolicy = TPM2B_DIGEST(bytes_view(ek_policy));
    TPMS_RSA_PARMS rsa;
    rsa.symmetric = aes128_cfb;
    rsa.scheme = {TPM_ALG_NULL, TPM_ALG_NULL, 0};
    rsa.keyBits = 2048;
    rsa.exponent = 0;
    p.parameters = rsa;
    p.unique = TPM2B_PUBLIC_KEY_RSA(bytes(256, 0));
    return p;
}

bool matches_ek_rsa_template(const TPMT_PUBLIC& p) {
    if (p.type != TPM_ALG_RSA) return false;
    TPMT_PUBLIC blank = p;
    blank.unique = TPM2B_PUBLIC_KEY_RSA(bytes(256, 0));
    return blank == ek_rsa_template();
}

TPMT_PUBLIC ek_ecc_template() {
    TPMT_PUBLIC p = ecc_ek(TPM_ALG_SHA256, false, ek_policy, 128, TPM_ECC_NIST_P256);
    p.unique = TPMS_ECC_POINT{TPM2B_ECC_PARAMETER(bytes(32, 0)), TPM2B_ECC_PARAMETER(bytes(32, 0))};
    return p;
}

TPMT_PUBLIC ek_ecc_p384_template() {
    return ecc_ek(TPM_ALG_SHA384, true, ek_policy_b_sha384, 256, TPM_ECC_NIST_P384);
}

const char* ek_ecc_template_name(const TPMT_PUBLIC& p) {
    if (p.type != TPM_ALG_ECC) return nullptr;
    TPMT_PUBLIC blank = p;
    blank.unique = TPMS_ECC_POINT{};
    if (blank == ecc_ek(TPM_ALG_SHA256, false, ek_policy, 128, TPM_ECC_NIST_P256)) return "L-2";
    if (blank == ecc_ek(TPM_ALG_SHA256, true, ek_policy_b_sha256, 128, TPM_ECC_NIST_P256)) return "H-3";
    if (blank == ecc_ek(TPM_ALG_SHA384, true, ek_policy_b_sha384, 256, TPM_ECC_NIST_P384)) return "H-4";
    return nullptr;
}

TPMT_PUBLIC hmac_key_template(TPMA_OBJECT attributes, bytes authPolicy) {
    TPMT_PUBLIC p;
    p.type = TPM_ALG_KEYEDHASH;
    p.nameAlg = TPM_ALG_SHA256;
    p.objectAttributes = attributes;
    p.authPolicy = TPM2B_DIGEST(std::move(authPolicy));
    p.parameters = TPMS_KEYEDHASH_PARMS{{TPM_ALG_HMAC, TPM_ALG_SHA256, TPM_ALG_NULL}};
    p.unique = TPM2B_DIGEST{};
    return p;
}

bool is_hmac_sha256_key(const TPMT_PUBLIC& p) {
    if (p.type != TPM_ALG_KEYEDHASH || !(p.objectAttributes & TPMA_OBJECT_sign)) return false;
    const auto* parms = std::get_if<TPMS_KEYEDHASH_PARMS>(&p.parameters);
    if (!parms) return false;
    const auto& s = parms->scheme;
    return (s.scheme == TPM_ALG_HMAC && s.hashAlg == TPM_ALG_SHA256) || s.scheme == TPM_ALG_NULL;
}

}  // namespace tpmwire
