#include "tpmwire/sessions/hash.hpp"

#include "tpmwire/error.hpp"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <memory>

namespace tpmwire {

namespace {

const EVP_MD* md_for(TPMI_ALG_HASH alg) {
    switch (alg) {
        case TPM_ALG_SHA1: return EVP_sha1();
        case TPM_ALG_SHA256: return EVP_sha256();
        case TPM_ALG_SHA384: return EVP_sha384();
        case TPM_ALG_SHA512: return EVP_sha512();
        default: throw error(errc::crypto, "hash algorithm " + std::to_string(alg) + " is not supported");
    }
}

[[noreturn]] void openssl_failed(const char* what) {
    throw error(errc::crypto, std::string("OpenSSL ") + what + " failed");
}

}  // namespace

bytes hash(TPMI_ALG_HASH alg, std::initializer_list<bytes_view> parts) {
    const EVP_MD* md = md_for(alg);
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
    const EVP_MD* md = md_for(alg);
    // Fetched once per process: EVP_MAC_fetch walks the provider tables.
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!mac) openssl_failed("HMAC fetch");
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(mac), EVP_MAC_CTX_free);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", const_cast<char*>(EVP_MD_get0_name(md)), 0),
        OSSL_PARAM_construct_end(),
    };
    static const byte empty_key = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), key.empty() ? &empty_key : key.data(), key.size(), params) != 1)
        openssl_failed("HMAC init");
    for (auto p : parts)
        if (!p.empty() && EVP_MAC_update(ctx.get(), p.data(), p.size()) != 1) openssl_failed("HMAC");
    bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
    std::size_t len = 0;
    if (EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1) openssl_failed("HMAC final");
    return out;
}

}  // namespace tpmwire
