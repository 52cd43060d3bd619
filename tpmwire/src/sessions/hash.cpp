#include "tpmwire/sessions/hash.hpp"

#include "tpmwire/error.hpp"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <memory>

namespace tpmwire {

namespace {

// Digests and HMAC contexts are fetched once per process and algorithm:
// a legacy EVP_sha256() is re-fetched from the provider tables on every
// EVP_DigestInit_ex, and an HMAC "digest" parameter on every EVP_MAC_init
// (together ≈ 4 µs of a 5 µs HMAC). Thread-safe: function-local statics,
// then only read (an HMAC context template is duplicated per call).
struct algorithm {
    EVP_MD* md;
    EVP_MAC_CTX* hmac_template;
};

algorithm fetch(const char* name) {
    EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* tmpl = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    EVP_MAC_free(mac);  // the context keeps its own reference
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", const_cast<char*>(name), 0),
        OSSL_PARAM_construct_end(),
    };
    if (tmpl && EVP_MAC_CTX_set_params(tmpl, params) != 1) {
        EVP_MAC_CTX_free(tmpl);
        tmpl = nullptr;
    }
    return {md, tmpl};
}

const algorithm& algorithm_for(TPMI_ALG_HASH alg) {
    switch (alg) {
        case TPM_ALG_SHA1: { static const algorithm a = fetch("SHA1"); return a; }
        case TPM_ALG_SHA256: { static const algorithm a = fetch("SHA2-256"); return a; }
        case TPM_ALG_SHA384: { static const algorithm a = fetch("SHA2-384"); return a; }
        case TPM_ALG_SHA512: { static const algorithm a = fetch("SHA2-512"); return a; }
        default: throw error(errc::crypto, "hash algorithm " + std::to_string(alg) + " is not supported");
    }
}

[[noreturn]] void openssl_failed(const char* what) {
    throw error(errc::crypto, std::string("OpenSSL ") + what + " failed");
}

}  // namespace

bytes hash(TPMI_ALG_HASH alg, std::initializer_list<bytes_view> parts) {
    const EVP_MD* md = algorithm_for(alg).md;
    if (!md) openssl_failed("digest fetch");
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) openssl_failed("digest init");
    for (auto p : parts)
        if (!p.empty() && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) != 1) openssl_failed("digest");
    bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
    unsigned len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1) openssl_failed("digest final");
    return out;
}

bytes hmac(TPMI_ALG_HASH alg, bytes_view key, std::initializer_list<bytes_view> parts) {
    const algorithm& a = algorithm_for(alg);
    if (!a.md || !a.hmac_template) openssl_failed("HMAC fetch");
    // The duplicate holds the key; EVP_MAC_CTX_free cleanses it.
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(a.hmac_template), EVP_MAC_CTX_free);
    static const byte empty_key = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), key.empty() ? &empty_key : key.data(), key.size(), nullptr) != 1)
        openssl_failed("HMAC init");
    for (auto p : parts)
        if (!p.empty() && EVP_MAC_update(ctx.get(), p.data(), p.size()) != 1) openssl_failed("HMAC");
    bytes out(static_cast<std::size_t>(EVP_MD_get_size(a.md)));
    std::size_t len = 0;
    if (EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1) openssl_failed("HMAC final");
    return out;
}

}  // namespace tpmwire
