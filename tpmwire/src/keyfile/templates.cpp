#include "tpmwire/keyfile/templates.hpp"

namespace tpmwire {

namespace {
constexpr TPMT_SYM_DEF aes128_cfb{TPM_ALG_AES, 128, TPM_ALG_CFB};
// PolicySecret(TPM_RH_ENDORSEMENT), TCG EK Credential Profile §B.3.3.
constexpr byte ek_policy[32] = {0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
                                0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
                                0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa};
}  // namespace

TPMT_PUBLIC h2_ecc_primary_template() {
    TPMT_PUBLIC p;
    p.type = TPM_ALG_ECC;
    p.nameAlg = TPM_ALG_SHA256;
    p.objectAttributes = TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sensitiveDataOrigin |
                         TPMA_OBJECT_userWithAuth | TPMA_OBJECT_noDA | TPMA_OBJECT_restricted | TPMA_OBJECT_decrypt;
    TPMS_ECC_PARMS ecc;
    ecc.symmetric = aes128_cfb;
    ecc.scheme = {TPM_ALG_NULL, TPM_ALG_NULL, 0};
    ecc.curveID = TPM_ECC_NIST_P256;
    ecc.kdf = {TPM_ALG_NULL, TPM_ALG_NULL};
    p.parameters = ecc;
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
