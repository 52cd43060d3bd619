#include "tpmwire/sessions/encapsulate.hpp"

#include "tpmwire/error.hpp"
#include "tpmwire/sessions/hash.hpp"
#include "tpmwire/sessions/kdf.hpp"
#include "tpmwire/sessions/random.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <array>
#include <memory>
#include <string>

namespace tpmwire {

namespace {

// ---- OpenSSL ownership ------------------------------------------------------

struct openssl_free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
    void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
    // A private scalar pushed from a secure BIGNUM lives in the array's
    // secure block, which OSSL_PARAM_free clears.
    void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
    void operator()(BIGNUM* p) const { BN_clear_free(p); }
    void operator()(BN_CTX* p) const { BN_CTX_free(p); }
    void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
    void operator()(EC_POINT* p) const { EC_POINT_clear_free(p); }
};
template <class T>
using owned = std::unique_ptr<T, openssl_free>;

[[noreturn]] void openssl_failed(const std::string& what) {
    throw error(errc::crypto, "OpenSSL " + what + " failed");
}

template <class T>
owned<T> check(T* p, const char* what) {
    if (!p) openssl_failed(what);
    return owned<T>(p);
}

owned<BIGNUM> to_bn(bytes_view b) {
    return check(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr), "BN_bin2bn");
}

// Big-endian, left-padded with zeros to exactly n bytes.
bytes bn_to_bytes(const BIGNUM* v, std::size_t n) {
    bytes out(n);
    if (BN_bn2binpad(v, out.data(), static_cast<int>(n)) != static_cast<int>(n)) openssl_failed("BN_bn2binpad");
    return out;
}

owned<EVP_PKEY> pkey_from(const char* type, OSSL_PARAM_BLD* bld, int selection) {
    owned<OSSL_PARAM> params = check(OSSL_PARAM_BLD_to_param(bld), "OSSL_PARAM_BLD_to_param");
    owned<EVP_PKEY_CTX> ctx = check(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), "EVP_PKEY_CTX_new");
    EVP_PKEY* key = nullptr;
    if (EVP_PKEY_fromdata_init(ctx.get()) != 1 || EVP_PKEY_fromdata(ctx.get(), &key, selection, params.get()) != 1)
        return nullptr;
    return owned<EVP_PKEY>(key);
}

void require_decrypt_key(const TPMT_PUBLIC& key) {
    if (!(key.objectAttributes & TPMA_OBJECT_decrypt))
        throw error(errc::usage, "the key chosen to receive a secret is not a decryption key "
                                 "(its decrypt attribute is clear)");
}

std::size_t hash_size(TPMI_ALG_HASH alg, const char* role) {
    std::size_t n = digest_size(alg);
    if (n == 0)
        throw error(errc::usage, std::string("the key's ") + role + " " + std::to_string(alg) +
                                     " is not a hash tpmwire supports");
    return n;
}

// ---- ECC --------------------------------------------------------------------

struct curve {
    const char* name;  // OpenSSL group name
    int nid;
    std::size_t size;  // bytes of a coordinate
};

curve curve_of(TPM_ECC_CURVE id) {
    switch (id) {
        case TPM_ECC_NIST_P256: return {"P-256", NID_X9_62_prime256v1, 32};
        case TPM_ECC_NIST_P384: return {"P-384", NID_secp384r1, 48};
        case TPM_ECC_NIST_P521: return {"P-521", NID_secp521r1, 66};
        default:
            throw error(errc::usage, "ECC curve " + std::to_string(id) +
                                         " is not supported for secret sharing; use NIST P-256, P-384 or P-521");
    }
}

bytes left_pad(bytes_view v, std::size_t n, const char* what) {
    if (v.size() > n)
        throw error(errc::crypto, std::string(what) + " has " + std::to_string(v.size()) +
                                      " bytes, more than the curve's " + std::to_string(n));
    bytes out(n - v.size(), 0);
    out.insert(out.end(), v.begin(), v.end());
    return out;
}

// The TPM key as an OpenSSL public key, fully validated (on the curve, in
// the prime-order subgroup, not the point at infinity): ECDH with an invalid
// point would leak nothing useful here, but would give the TPM a salt it can
// never recover.
owned<EVP_PKEY> ecc_public_key(const curve& c, const TPMS_ECC_POINT& point) {
    if (point.x.empty() || point.y.empty())
        throw error(errc::usage, "the ECC key has no public point (x or y is empty); read its public area first");
    bytes octets{0x04};
    bytes x = left_pad(point.x.view(), c.size, "the ECC key's x coordinate");
    bytes y = left_pad(point.y.view(), c.size, "the ECC key's y coordinate");
    octets.insert(octets.end(), x.begin(), x.end());
    octets.insert(octets.end(), y.begin(), y.end());

    owned<OSSL_PARAM_BLD> bld = check(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new");
    if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, c.name, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, octets.data(), octets.size()) != 1)
        openssl_failed("OSSL_PARAM_BLD_push");
    owned<EVP_PKEY> key = pkey_from("EC", bld.get(), EVP_PKEY_PUBLIC_KEY);
    bool valid = false;
    if (key) {
        owned<EVP_PKEY_CTX> ctx = check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr), "EVP_PKEY_CTX_new");
        // On-curve check. The NIST curves have cofactor 1, so this also rules
        // out small-subgroup points; the full check (an order
        // multiplication, ~10x slower) adds nothing here.
        valid = EVP_PKEY_public_check_quick(ctx.get()) == 1;
    }
    if (!valid)
        throw error(errc::crypto, std::string("the ECC key's public point is not a valid ") + c.name +
                                      " point; check the key's public area");
    return key;
}

struct ephemeral {
    owned<EVP_PKEY> key;
    bytes x, y;  // public coordinates, padded to the curve size
};

// The ephemeral key pair for a given private scalar. OpenSSL's EVP import
// does not derive the public point from the scalar, so it is computed with
// the (non-deprecated) EC_POINT arithmetic and imported alongside.
ephemeral ephemeral_key(const curve& c, bytes_view scalar) {
    owned<EC_GROUP> group = check(EC_GROUP_new_by_curve_name(c.nid), "EC_GROUP_new_by_curve_name");
    owned<BIGNUM> d = check(BN_secure_new(), "BN_secure_new");
    if (!BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), d.get())) openssl_failed("BN_bin2bn");
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
        throw error(errc::usage, std::string("the ephemeral private scalar is not in [1, order) for ") + c.name);

    owned<BN_CTX> bn_ctx = check(BN_CTX_secure_new(), "BN_CTX_secure_new");
    owned<EC_POINT> q = check(EC_POINT_new(group.get()), "EC_POINT_new");
    owned<BIGNUM> qx = check(BN_new(), "BN_new"), qy = check(BN_new(), "BN_new");
    if (EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
        EC_POINT_get_affine_coordinates(group.get(), q.get(), qx.get(), qy.get(), bn_ctx.get()) != 1)
        openssl_failed("EC_POINT_mul");

    ephemeral e;
    e.x = bn_to_bytes(qx.get(), c.size);
    e.y = bn_to_bytes(qy.get(), c.size);
    bytes octets{0x04};
    octets.insert(octets.end(), e.x.begin(), e.x.end());
    octets.insert(octets.end(), e.y.begin(), e.y.end());

    owned<OSSL_PARAM_BLD> bld = check(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new");
    if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, c.name, 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, octets.data(), octets.size()) != 1)
        openssl_failed("OSSL_PARAM_BLD_push");
    e.key = pkey_from("EC", bld.get(), EVP_PKEY_KEYPAIR);
    if (!e.key) openssl_failed("EC key import");
    return e;
}

// Z = x-coordinate of ECDH(ours, theirs), padded to the field size.
bytes ecdh_x(EVP_PKEY* ours, EVP_PKEY* theirs) {
    owned<EVP_PKEY_CTX> ctx = check(EVP_PKEY_CTX_new_from_pkey(nullptr, ours, nullptr), "EVP_PKEY_CTX_new");
    std::size_t len = 0;
    if (EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer_ex(ctx.get(), theirs, 0 /* checked above */) != 1 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1)
        openssl_failed("ECDH");
    bytes z(len);
    if (EVP_PKEY_derive(ctx.get(), z.data(), &len) != 1) openssl_failed("ECDH");
    z.resize(len);
    return z;
}

struct ecc_key {
    const TPMS_ECC_PARMS* parms;
    const TPMS_ECC_POINT* point;
};

ecc_key ecc_parts(const TPMT_PUBLIC& key) {
    auto* parms = std::get_if<TPMS_ECC_PARMS>(&key.parameters);
    auto* point = std::get_if<TPMS_ECC_POINT>(&key.unique);
    if (key.type != TPM_ALG_ECC || !parms || !point)
        throw error(errc::usage, "secret sharing: the key is not an ECC key");
    require_decrypt_key(key);
    return {parms, point};
}

// ---- RSA --------------------------------------------------------------------

struct rsa_key {
    TPMI_ALG_HASH hashAlg;  // OAEP and MGF1 hash; also sizes the secret
    bytes_view modulus;
    std::uint32_t exponent;
};

rsa_key rsa_parts(const TPMT_PUBLIC& key) {
    auto* parms = std::get_if<TPMS_RSA_PARMS>(&key.parameters);
    auto* n = std::get_if<TPM2B_PUBLIC_KEY_RSA>(&key.unique);
    if (key.type != TPM_ALG_RSA || !parms || !n) throw error(errc::usage, "secret sharing: the key is not an RSA key");
    require_decrypt_key(key);

    // The TPM decrypts with the key's own OAEP hash when it has an OAEP
    // scheme, else with OAEP over its nameAlg (checked against the TCG
    // reference implementation's vectors).
    TPMI_ALG_HASH alg = key.nameAlg;
    if (parms->scheme.scheme == TPM_ALG_OAEP)
        alg = parms->scheme.hashAlg;
    else if (parms->scheme.scheme != TPM_ALG_NULL)
        throw error(errc::usage, "the RSA key's scheme " + std::to_string(parms->scheme.scheme) +
                                     " cannot receive an OAEP-encrypted secret; use a key with scheme NULL or OAEP");
    hash_size(alg, "OAEP hash");

    const std::uint16_t bits = parms->keyBits;
    if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096)
        throw error(errc::usage, "RSA-" + std::to_string(bits) + " is not supported for secret sharing");
    bytes_view m = n->view();
    if (m.size() != bits / 8u || m.front() < 0x80 || (m.back() & 1) == 0)
        throw error(errc::crypto, "the RSA key's modulus is not a valid " + std::to_string(bits) +
                                      "-bit modulus; check the key's public area");
    std::uint32_t e = parms->exponent == 0 ? 65537u : parms->exponent;
    if (e < 3 || (e & 1) == 0)
        throw error(errc::crypto, "the RSA key's public exponent " + std::to_string(e) + " is not valid");
    return {alg, m, e};
}

// MGF1 (RFC 8017 B.2.1): H(seed || BE32(0)) || H(seed || BE32(1)) || ..., cut to len.
bytes mgf1(TPMI_ALG_HASH alg, bytes_view seed, std::size_t len) {
    bytes out;
    for (std::uint32_t c = 0; out.size() < len; ++c) {
        const std::array<byte, 4> counter{static_cast<byte>(c >> 24), static_cast<byte>(c >> 16),
                                          static_cast<byte>(c >> 8), static_cast<byte>(c)};
        bytes block = hash(alg, {seed, counter});
        out.insert(out.end(), block.begin(), block.end());
    }
    out.resize(len);
    return out;
}

// EME-OAEP encoding (RFC 8017 §7.1.1 step 2) with a caller-chosen seed:
//   EM = 0x00 || (seed ^ MGF(maskedDB)) || maskedDB,
//   maskedDB = (H(L) || 0..0 || 0x01 || M) ^ MGF(seed).
// OpenSSL takes the seed from its own generator only, so the encoding is
// done here and followed by a raw RSA operation; that also lets the vectors
// check it exactly.
bytes oaep_encode(TPMI_ALG_HASH alg, bytes_view message, bytes_view label, bytes_view seed, std::size_t k) {
    const std::size_t h = seed.size();
    if (k < message.size() + 2 * h + 2)
        throw error(errc::usage, "the RSA key is too small for an OAEP secret with this hash");
    bytes db = hash(alg, {label});
    db.resize(k - h - 1 - message.size() - 1, 0);
    db.push_back(0x01);
    db.insert(db.end(), message.begin(), message.end());

    const bytes db_mask = mgf1(alg, seed, db.size());
    for (std::size_t i = 0; i < db.size(); ++i) db[i] ^= db_mask[i];
    const bytes seed_mask = mgf1(alg, db, h);

    bytes em{0x00};
    for (std::size_t i = 0; i < h; ++i) em.push_back(static_cast<byte>(seed[i] ^ seed_mask[i]));
    em.insert(em.end(), db.begin(), db.end());
    return em;
}

// m^e mod n for an encoded message of exactly the modulus size.
bytes rsa_public_op(const rsa_key& key, bytes_view em) {
    owned<BIGNUM> n = to_bn(key.modulus);
    owned<BIGNUM> e = check(BN_new(), "BN_new");
    if (BN_set_word(e.get(), key.exponent) != 1) openssl_failed("BN_set_word");
    owned<OSSL_PARAM_BLD> bld = check(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new");
    if (OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
        openssl_failed("OSSL_PARAM_BLD_push");
    owned<EVP_PKEY> pkey = pkey_from("RSA", bld.get(), EVP_PKEY_PUBLIC_KEY);
    if (!pkey) throw error(errc::crypto, "the RSA key's public area was rejected by OpenSSL");

    owned<EVP_PKEY_CTX> ctx = check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr), "EVP_PKEY_CTX_new");
    bytes out(key.modulus.size());
    std::size_t len = out.size();
    if (EVP_PKEY_encrypt_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1 ||
        EVP_PKEY_encrypt(ctx.get(), out.data(), &len, em.data(), em.size()) != 1)
        openssl_failed("RSA encryption");
    // Raw RSA output is always modulus-sized; pad defensively anyway.
    if (len < out.size()) {
        out.resize(len);
        out.insert(out.begin(), key.modulus.size() - len, 0);
    }
    return out;
}

}  // namespace

namespace {

// The part both ECC entry points share, from the TPM key and an ephemeral
// key pair on its curve: ECDH, KDFe, the marshalled ephemeral point.
encapsulated_secret finish_ecc(const TPMT_PUBLIC& key, const ecc_key& k, EVP_PKEY* tpm_key, std::string_view label,
                               ephemeral eph) {
    const std::size_t seed_bytes = hash_size(key.nameAlg, "nameAlg");
    const bytes z = ecdh_x(eph.key.get(), tpm_key);
    encapsulated_secret out;
    // partyV is the key's x exactly as in its public area: that is the
    // value the TPM hashes.
    out.seed = KDFe(key.nameAlg, z, label, eph.x, k.point->x.view(), static_cast<std::uint32_t>(seed_bytes * 8));
    Writer w;
    marshal(w, TPMS_ECC_POINT{TPM2B_ECC_PARAMETER(std::move(eph.x)), TPM2B_ECC_PARAMETER(std::move(eph.y))});
    out.ciphertext = TPM2B_ENCRYPTED_SECRET(w.take());
    return out;
}

// A fresh ephemeral key pair from OpenSSL's generator, on the TPM key's
// group (copied from it: cheaper than building the group by name again).
ephemeral generated_ephemeral(const curve& c, EVP_PKEY* tpm_key) {
    owned<EVP_PKEY_CTX> ctx = check(EVP_PKEY_CTX_new_from_pkey(nullptr, tpm_key, nullptr), "EVP_PKEY_CTX_new");
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
        openssl_failed("EC key generation");
    ephemeral e;
    e.key.reset(raw);
    // One export of the uncompressed point (04 || x || y): the X and Y
    // parameters separately cost two conversions.
    bytes point(1 + 2 * c.size);
    std::size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(raw, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &len) != 1 ||
        len != point.size() || point[0] != 0x04)
        openssl_failed("EC public key export");
    e.x.assign(point.begin() + 1, point.begin() + 1 + static_cast<std::ptrdiff_t>(c.size));
    e.y.assign(point.begin() + 1 + static_cast<std::ptrdiff_t>(c.size), point.end());
    return e;
}

}  // namespace

encapsulated_secret encapsulate_ecc(const TPMT_PUBLIC& key, std::string_view label,
                                    bytes_view ephemeral_private_scalar) {
    const ecc_key k = ecc_parts(key);
    const curve c = curve_of(k.parms->curveID);
    owned<EVP_PKEY> tpm_key = ecc_public_key(c, *k.point);
    return finish_ecc(key, k, tpm_key.get(), label, ephemeral_key(c, ephemeral_private_scalar));
}

encapsulated_secret encapsulate_rsa(const TPMT_PUBLIC& key, std::string_view label, bytes_view secret,
                                    bytes_view oaep_seed) {
    const rsa_key k = rsa_parts(key);
    const std::size_t h = digest_size(k.hashAlg);
    if (secret.size() != h || oaep_seed.size() != h)
        throw error(errc::usage, "RSA secret sharing: the secret and the OAEP seed must each be " +
                                     std::to_string(h) + " bytes for this key");
    // The OAEP label is the label with its terminating NUL.
    bytes l = to_bytes(label);
    if (l.empty() || l.back() != 0) l.push_back(0);

    const bytes em = oaep_encode(k.hashAlg, secret, l, oaep_seed, k.modulus.size());
    encapsulated_secret out;
    out.seed = to_bytes(secret);
    out.ciphertext = TPM2B_ENCRYPTED_SECRET(rsa_public_op(k, em));
    return out;
}

encapsulated_secret encapsulate(const TPMT_PUBLIC& key, std::string_view label) {
    if (key.type == TPM_ALG_RSA) {
        const std::size_t h = digest_size(rsa_parts(key).hashAlg);
        return encapsulate_rsa(key, label, random_bytes(h), random_bytes(h));
    }
    if (key.type == TPM_ALG_ECC) {
        // Same tail as encapsulate_ecc (which the vectors check); only the
        // ephemeral key comes from OpenSSL's generator.
        const ecc_key k = ecc_parts(key);
        const curve c = curve_of(k.parms->curveID);
        owned<EVP_PKEY> tpm_key = ecc_public_key(c, *k.point);
        return finish_ecc(key, k, tpm_key.get(), label, generated_ephemeral(c, tpm_key.get()));
    }
    throw error(errc::usage, "secret sharing needs an RSA or ECC key; the key's type is " + std::to_string(key.type));
}

}  // namespace tpmwire
