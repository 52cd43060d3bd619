#include "ekcert/ek_certificate.hpp"

#include "base/error.hpp"

#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/sessions/name.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <fstream>
#include <iterator>

namespace atpc::ekcert {

using namespace tpmwire;

namespace {

// tcg-kp-EKCertificate, TCG EK Credential Profile.
constexpr const char* ek_certificate_usage = "2.23.133.8.1";

struct free_x509 { void operator()(X509* p) const { X509_free(p); } };
template <class T, void (*F)(T*)>
struct freer { void operator()(T* p) const { F(p); } };
using bio_ptr = std::unique_ptr<BIO, freer<BIO, BIO_free_all>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, freer<EVP_PKEY, EVP_PKEY_free>>;
using bn_ptr = std::unique_ptr<BIGNUM, freer<BIGNUM, BN_free>>;
using store_ptr = std::unique_ptr<X509_STORE, freer<X509_STORE, X509_STORE_free>>;
using store_ctx_ptr = std::unique_ptr<X509_STORE_CTX, freer<X509_STORE_CTX, X509_STORE_CTX_free>>;
using eku_ptr = std::unique_ptr<EXTENDED_KEY_USAGE, freer<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>>;

std::shared_ptr<X509> own(X509* p) { return std::shared_ptr<X509>(p, free_x509{}); }

// The first OpenSSL error on this thread, and the queue emptied.
std::string openssl_reason() {
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string name_text(const X509_NAME* name) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    return bio_text(bio.get());
}

std::string read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw error(fault::config, "cannot read " + path + ": check the path and its permissions");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// "prime256v1" and its coordinate size, for the curves EKs use.
struct curve_info {
    TPM_ECC_CURVE id;
    const char* group;
    std::size_t bytes;
};
constexpr curve_info curves[] = {{TPM_ECC_NIST_P256, "prime256v1", 32},
                                 {TPM_ECC_NIST_P384, "secp384r1", 48},
                                 {TPM_ECC_NIST_P521, "secp521r1", 66}};

const curve_info* curve_by_id(TPM_ECC_CURVE id) {
    for (const auto& c : curves)
        if (c.id == id) return &c;
    return nullptr;
}

const curve_info* curve_by_group(const std::string& group) {
    for (const auto& c : curves)
        if (group == c.group) return &c;
    return nullptr;
}

pkey_ptr pkey_from(const char* type, OSSL_PARAM_BLD* bld) {
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
    EVP_PKEY* key = nullptr;
    const bool ok = params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
                    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    if (!ok) throw error(fault::config, std::string("the TPM public area is not a valid ") + type + " key: " + openssl_reason());
    return pkey_ptr(key);
}

pkey_ptr rsa_pkey(const TPMT_PUBLIC& pub) {
    const auto& parms = std::get<TPMS_RSA_PARMS>(pub.parameters);
    const auto& n = std::get<TPM2B_PUBLIC_KEY_RSA>(pub.unique).buffer;
    bn_ptr modulus(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
    bn_ptr exponent(BN_new());
    BN_set_word(exponent.get(), parms.exponent == 0 ? 65537 : parms.exponent);
    std::unique_ptr<OSSL_PARAM_BLD, freer<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>> bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get());
    return pkey_from("RSA", bld.get());
}

bytes padded(const bytes& coordinate, std::size_t size) {
    if (coordinate.size() > size) throw error(fault::config, "the TPM public area has an ECC coordinate too long for its curve");
    bytes out(size - coordinate.size(), 0);
    out.insert(out.end(), coordinate.begin(), coordinate.end());
    return out;
}

pkey_ptr ecc_pkey(const TPMT_PUBLIC& pub) {
    const auto* curve = curve_by_id(std::get<TPMS_ECC_PARMS>(pub.parameters).curveID);
    if (!curve) throw error(fault::config, "the TPM public area's ECC curve is not NIST P-256, P-384 or P-521");
    const auto& point = std::get<TPMS_ECC_POINT>(pub.unique);
    bytes encoded{0x04};  // uncompressed: 04 || x || y
    for (const auto* c : {&point.x.buffer, &point.y.buffer}) {
        const bytes part = padded(*c, curve->bytes);
        encoded.insert(encoded.end(), part.begin(), part.end());
    }
    std::unique_ptr<OSSL_PARAM_BLD, freer<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>> bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve->group, 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, encoded.data(), encoded.size());
    return pkey_from("EC", bld.get());
}

// The public key of an RSA or ECC public area, as OpenSSL holds one.
pkey_ptr pkey_of(const TPMT_PUBLIC& pub) {
    if (pub.type == TPM_ALG_RSA) return rsa_pkey(pub);
    if (pub.type == TPM_ALG_ECC) return ecc_pkey(pub);
    throw error(fault::config, "an endorsement key is RSA or ECC; this public area is neither");
}

EVP_PKEY* certificate_key(const certificate& cert) {
    EVP_PKEY* key = X509_get0_pubkey(cert.get());
    if (!key) throw error(fault::config, cert.what() + " has a public key OpenSSL cannot read: " + openssl_reason());
    return key;
}

bytes bn_param(EVP_PKEY* key, const char* name, std::size_t size) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) throw error(fault::config, std::string("no ") + name + " in the certificate's key");
    bn_ptr v(raw);
    if (static_cast<std::size_t>(BN_num_bytes(v.get())) > size) throw error(fault::config, "the certificate's key is larger than the template's");
    bytes out(size);
    BN_bn2binpad(v.get(), out.data(), static_cast<int>(size));
    return out;
}

void fill_rsa(EVP_PKEY* key, TPMT_PUBLIC& out, const std::string& what) {
    const auto& parms = std::get<TPMS_RSA_PARMS>(out.parameters);
    const std::uint32_t exponent = parms.exponent == 0 ? 65537 : parms.exponent;
    const bytes e = bn_param(key, OSSL_PKEY_PARAM_RSA_E, 4);
    const std::uint32_t got = static_cast<std::uint32_t>(e[0]) << 24 | e[1] << 16 | e[2] << 8 | e[3];
    if (EVP_PKEY_get_bits(key) != parms.keyBits || got != exponent)
        throw error(fault::config, what + " holds an RSA key of " + std::to_string(EVP_PKEY_get_bits(key)) +
                                       " bits, exponent " + std::to_string(got) + ", not the template's " +
                                       std::to_string(parms.keyBits) + " bits, exponent " + std::to_string(exponent));
    out.unique = TPM2B_PUBLIC_KEY_RSA(bn_param(key, OSSL_PKEY_PARAM_RSA_N, parms.keyBits / 8));
}

std::string group_of(EVP_PKEY* key) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1) return {};
    return std::string(group, len);
}

void fill_ecc(EVP_PKEY* key, TPMT_PUBLIC& out, const std::string& what) {
    const auto* want = curve_by_id(std::get<TPMS_ECC_PARMS>(out.parameters).curveID);
    const std::string group = group_of(key);
    if (!want || group != want->group)
        throw error(fault::config, what + " holds an ECC key on curve " + (group.empty() ? "?" : group) +
                                       ", not the template's " + (want ? want->group : "?"));
    out.unique = TPMS_ECC_POINT{TPM2B_ECC_PARAMETER(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, want->bytes)),
                                TPM2B_ECC_PARAMETER(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, want->bytes))};
}

// An extended key usage, when present, must name tcg-kp-EKCertificate.
std::string usage_problem(const certificate& cert) {
    eku_ptr eku(static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert.get(), NID_ext_key_usage, nullptr, nullptr)));
    if (!eku) return {};
    std::unique_ptr<ASN1_OBJECT, freer<ASN1_OBJECT, ASN1_OBJECT_free>> wanted(OBJ_txt2obj(ek_certificate_usage, 1));
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i)
        if (OBJ_cmp(sk_ASN1_OBJECT_value(eku.get(), i), wanted.get()) == 0) return {};
    return "its extended key usage does not include tcg-kp-EKCertificate (2.23.133.8.1): it is no EK certificate";
}

}  // namespace

certificate certificate::from_der(bytes_view der, const std::string& what) {
    const unsigned char* p = der.data();
    X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    if (!x) throw error(fault::tpm, what + " is not a DER X.509 certificate (" + openssl_reason() + ")");
    certificate c;
    c.x509_ = own(x);
    c.what_ = what;
    const auto rest = der.subspan(static_cast<std::size_t>(p - der.data()));
    const bool padding = std::all_of(rest.begin(), rest.end(), [](byte b) { return b == 0; }) ||
                         std::all_of(rest.begin(), rest.end(), [](byte b) { return b == 0xFF; });
    if (!padding)
        throw error(fault::tpm, what + " has " + std::to_string(rest.size()) + " bytes after the certificate that are not padding");
    return c;
}

certificate certificate::from_file(const std::string& path) {
    const std::string text = read_whole(path);
    bio_ptr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    ERR_clear_error();
    if (x) {
        certificate c;
        c.x509_ = own(x);
        c.what_ = "the certificate in " + path;
        return c;
    }
    try {
        return from_der(as_bytes(text), "the certificate in " + path);
    } catch (const error& e) {
        throw error(fault::config, path + " holds neither a PEM nor a DER certificate");
    }
}

std::string certificate::pem() const {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), get());
    return bio_text(bio.get());
}

bytes certificate::der() const {
    unsigned char* out = nullptr;
    const int n = i2d_X509(get(), &out);
    if (n <= 0) throw error(fault::internal, "cannot encode " + what_ + " as DER");
    bytes b(out, out + n);
    OPENSSL_free(out);
    return b;
}

std::string certificate::subject() const { return name_text(X509_get_subject_name(get())); }
std::string certificate::issuer() const { return name_text(X509_get_issuer_name(get())); }

ca_bundle ca_bundle::load(const std::string& path) {
    const std::string text = read_whole(path);
    bio_ptr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    ca_bundle out;
    out.path_ = path;
    while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.certs_.push_back(own(x));
    ERR_clear_error();  // the end of the file reads as "no start line"
    if (out.certs_.empty())
        throw error(fault::config, "--ek-ca " + path + " holds no PEM certificate: give the TPM manufacturer's CA "
                                   "certificates (-----BEGIN CERTIFICATE-----)");
    return out;
}

std::string verify(const certificate& cert, const ca_bundle& cas) {
    store_ptr store(X509_STORE_new());
    for (const auto& ca : cas.certificates()) X509_STORE_add_cert(store.get(), ca.get());
    X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
    store_ctx_ptr ctx(X509_STORE_CTX_new());
    if (!store || !ctx || X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1)
        throw error(fault::internal, "cannot set up certificate verification: " + openssl_reason());
    if (X509_verify_cert(ctx.get()) != 1) {
        const int code = X509_STORE_CTX_get_error(ctx.get());
        X509* at = X509_STORE_CTX_get_current_cert(ctx.get());
        ERR_clear_error();
        std::string why = X509_verify_cert_error_string(code);
        if (at && at != cert.get()) why += " (at " + name_text(X509_get_subject_name(at)) + ")";
        else why += " (issuer " + cert.issuer() + ")";
        return why;
    }
    return usage_problem(cert);
}

bool same_key(const certificate& cert, const TPMT_PUBLIC& pub) {
    if (pub.type != TPM_ALG_RSA && pub.type != TPM_ALG_ECC) return false;
    const pkey_ptr tpm_key = pkey_of(pub);
    return EVP_PKEY_eq(certificate_key(cert), tpm_key.get()) == 1;
}

TPMT_PUBLIC public_area(const certificate& cert, const TPMT_PUBLIC& templ) {
    EVP_PKEY* key = certificate_key(cert);
    TPMT_PUBLIC out = templ;
    const int id = EVP_PKEY_get_base_id(key);
    if (templ.type == TPM_ALG_RSA && id == EVP_PKEY_RSA) {
        fill_rsa(key, out, cert.what());
    } else if (templ.type == TPM_ALG_ECC && id == EVP_PKEY_EC) {
        fill_ecc(key, out, cert.what());
    } else {
        throw error(fault::config, cert.what() + " holds a key of another algorithm than the template's");
    }
    return out;
}

TPMT_PUBLIC ek_template_for(const certificate& cert) {
    EVP_PKEY* key = certificate_key(cert);
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA && EVP_PKEY_get_bits(key) == 2048) return ek_rsa_template();
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
        const auto* curve = curve_by_group(group_of(key));
        if (curve && curve->id == TPM_ECC_NIST_P256) return ek_ecc_template();
        if (curve && curve->id == TPM_ECC_NIST_P384) return ek_ecc_p384_template();
    }
    throw error(fault::config, cert.what() + " holds neither an RSA-2048 nor a NIST P-256 or P-384 key: no EK template is known for it");
}

TPM2B_NAME ek_name(const TPMT_PUBLIC& pub) { return object_name(pub); }

TPM2B_NAME ek_name(const certificate& cert, const TPMT_PUBLIC& templ) { return object_name(public_area(cert, templ)); }

std::string public_key_pem(const TPMT_PUBLIC& pub) {
    const pkey_ptr key = pkey_of(pub);
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1)
        throw error(fault::internal, "cannot write the public key as PEM: " + openssl_reason());
    return bio_text(bio.get());
}

}  // namespace atpc::ekcert
