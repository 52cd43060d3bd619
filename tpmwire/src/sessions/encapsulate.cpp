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

// The curve's group, built once per process: EC_GROUP_new_by_curve_name is
// a visible share of an encapsulation (bench/README.md). OpenSSL only reads a
// group during arithmetic, so threads share it.
const EC_GROUP* group_of(const curve& c) {
    auto make = [](int nid) { return EC_GROUP_new_by_curve_name(nid); };
    const EC_GROUP* g = nullptr;
    switch (c.nid) {
        case NID_X9_62_prime256v1: { static EC_GROUP* const p256 = make(c.nid); g = p256; break; }
        case NID_secp384r1: { static EC_GROUP* const p384 = make(c.nid); g = p384; break; }
        case NID_secp521r1: { static EC_GROUP* const p521 = make(c.nid); g = p521; break; }
        default: break;
    }
    if (!g) openssl_failed("EC_GROUP_new_by_curve_name");
    return g;
}

// The TPM key's public point, validated: OpenSSL refuses affine coordinates
// off the curve, the point at infinity has none, and the NIST curves have
// cofactor 1, so no small-subgroup point gets through. ECDH with an invalid
// point would leak nothing useful here, but would give the TPM a salt it can
// never recover.
owned<EC_POINT> ecc_public_point(const curve& c, const EC_GROUP* group, const TPMS_ECC_POINT& point, BN_CTX* ctx) {
    if (point.x.empty() || point.y.empty())
        throw error(errc::usage, "the ECC key has no public point (x or y is empty); read its public area first");
    if (point.x.size() > c.size || point.y.size() > c.size)
        throw error(errc::crypto, std::string("the ECC key's public point has a coordinate longer than ") + c.name +
                                      "'s; check the key's public area");
    owned<BIGNUM> x = to_bn(point.x.view()), y = to_bn(point.y.view());
    owned<EC_POINT> p = check(EC_POINT_new(group), "EC_POINT_new");
    if (EC_POINT_set_affine_coordinates(group, p.get(), x.get(), y.get(), ctx) != 1)
        throw error(errc::crypto, std::string("the ECC key's public point is not a valid ") + c.name +
                                      " point; check the key's public area");
    return p;
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

// The part both ECC entry points share, from the TPM key and the ephemeral
// private scalar d (Part 1 §C.6.1): Q = d·G is sent, Z = x(d·P) with P the
// TPM's point, seed = KDFe(nameAlg, Z, label, x(Q), x(P)).
encapsulated_secret ecc_encapsulate(const TPMT_PUBLIC& key, const ecc_key& k, const curve& c, const EC_GROUP* group,
                                    const BIGNUM* d, BN_CTX* ctx, std::string_view label) {
    const std::size_t seed_bytes = hash_size(key.nameAlg, "nameAlg");
    owned<EC_POINT> tpm_point = ecc_public_point(c, group, *k.point, ctx);
    owned<EC_POINT> q = check(EC_POINT_new(group), "EC_POINT_new");
    owned<EC_POINT> shared = check(EC_POINT_new(group), "EC_POINT_new");
    owned<BIGNUM> qx = check(BN_new(), "BN_new"), qy = check(BN_new(), "BN_new");
    owned<BIGNUM> zx = check(BN_secure_new(), "BN_secure_new");
    if (EC_POINT_mul(group, q.get(), d, nullptr, nullptr, ctx) != 1 ||
        EC_POINT_get_affine_coordinates(group, q.get(), qx.get(), qy.get(), ctx) != 1)
        openssl_failed("EC_POINT_mul (ephemeral public key)");
    if (EC_POINT_mul(group, shared.get(), nullptr, tpm_point.get(), d, ctx) != 1 ||
        EC_POINT_get_affine_coordinates(group, shared.get(), zx.get(), nullptr, ctx) != 1)
        openssl_failed("EC_POINT_mul (ECDH)");
    const bytes z = bn_to_bytes(zx.get(), c.size);
    bytes ex = bn_to_bytes(qx.get(), c.size);
    encapsulated_secret out;
    // partyV is the key's x exactly as in its public area: that is the
    // value the TPM hashes.
    out.seed = KDFe(key.nameAlg, z, label, ex, k.point->x.view(), static_cast<std::uint32_t>(seed_bytes * 8));
    Writer w;
    marshal(w, TPMS_ECC_POINT{TPM2B_ECC_PARAMETER(std::move(ex)), TPM2B_ECC_PARAMETER(bn_to_bytes(qy.get(), c.size))});
    out.ciphertext = TPM2B_ENCRYPTED_SECRET(w.take());
    return out;
}

}  // namespace

encapsulated_secret encapsulate_ecc(const TPMT_PUBLIC& key, std::string_view label,
                                    bytes_view ephemeral_private_scalar) {
    const ecc_key k = ecc_parts(key);
    const curve c = curve_of(k.parms->curveID);
    const EC_GROUP* group = group_of(c);
    owned<BIGNUM> d = check(BN_secure_new(), "BN_secure_new");
    if (!BN_bin2bn(ephemeral_private_scalar.data(), static_cast<int>(ephemeral_private_scalar.size()), d.get()))
        openssl_failed("BN_bin2bn");
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group)) >= 0)
        throw error(errc::usage, std::string("the ephemeral private scalar is not in [1, order) for ") + c.name);
    owned<BN_CTX> ctx = check(BN_CTX_secure_new(), "BN_CTX_secure_new");
    return ecc_encapsulate(key, k, c, group, d.get(), ctx.get(), label);
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
        // ephemeral scalar comes from OpenSSL's generator, in [1, order).
        const ecc_key k = ecc_parts(key);
        const curve c = curve_of(k.parms->curveID);
        const EC_GROUP* group = group_of(c);
        owned<BN_CTX> ctx = check(BN_CTX_secure_new(), "BN_CTX_secure_new");
        owned<BIGNUM> d = check(BN_secure_new(), "BN_secure_new");
        do {
            if (BN_priv_rand_range_ex(d.get(), EC_GROUP_get0_order(group), 0, ctx.get()) != 1)
                openssl_failed("BN_priv_rand_range_ex (ephemeral key)");
        } while (BN_is_zero(d.get()));
        return ecc_encapsulate(key, k, c, group, d.get(), ctx.get(), label);
    }
    throw error(errc::usage, "secret sharing needs an RSA or ECC key; the key's type is " + std::to_string(key.type));
}

}  // namespace tpmwire
