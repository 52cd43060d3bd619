#include "tpmwire/sessions/hash.hpp"

#include "tpmwire/error.hpp"

#include <openssl/evp.h>

#include <cstring>

namespace tpmwire {

namespace {

// Digests are fetched once per process and algorithm: a legacy
// EVP_sha256() is re-fetched from the provider tables on every
// EVP_DigestInit_ex. Each thread then reuses one digest context: re-initialising
// a context with the digest it already holds allocates nothing, unlike
// EVP_MAC's duplicate, init, free per HMAC (bench/README.md). A session
// command computes two HMACs and two hashes.
const EVP_MD* digest_for(TPMI_ALG_HASH alg) {
    auto fetch = [](const char* name) { return EVP_MD_fetch(nullptr, name, nullptr); };
    const EVP_MD* md = nullptr;
    switch (alg) {
        case TPM_ALG_SHA1: { static EVP_MD* const m = fetch("SHA1"); md = m; break; }
        case TPM_ALG_SHA256: { static EVP_MD* const m = fetch("SHA2-256"); md = m; break; }
        case TPM_ALG_SHA384: { static EVP_MD* const m = fetch("SHA2-384"); md = m; break; }
        case TPM_ALG_SHA512: { static EVP_MD* const m = fetch("SHA2-512"); md = m; break; }
        default: throw error(errc::crypto, "hash algorithm " + std::to_string(alg) + " is not supported");
    }
    if (!md) throw error(errc::crypto, "OpenSSL digest fetch failed");
    return md;
}

// The thread's digest context. After every use it holds only the state of
// the last output computed (a digest or an HMAC, never a key's pads: those
// are always followed by more input and a final).
EVP_MD_CTX* scratch() {
    struct holder {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        ~holder() { EVP_MD_CTX_free(ctx); }
    };
    thread_local holder h;
    if (!h.ctx) throw error(errc::crypto, "OpenSSL EVP_MD_CTX_new failed");
    return h.ctx;
}

[[noreturn]] void openssl_failed(const char* what) {
    throw error(errc::crypto, std::string("OpenSSL ") + what + " failed");
}

// One digest over `parts` (and `prefix` first, when given) into `out`.
void digest_into(const EVP_MD* md, bytes_view prefix, std::initializer_list<bytes_view> parts, byte* out) {
    EVP_MD_CTX* ctx = scratch();
    if (EVP_DigestInit_ex(ctx, md, nullptr) != 1) openssl_failed("digest init");
    if (!prefix.empty() && EVP_DigestUpdate(ctx, prefix.data(), prefix.size()) != 1) openssl_failed("digest");
    for (auto p : parts)
        if (!p.empty() && EVP_DigestUpdate(ctx, p.data(), p.size()) != 1) openssl_failed("digest");
    unsigned len = 0;
    if (EVP_DigestFinal_ex(ctx, out, &len) != 1) openssl_failed("digest final");
}

}  // namespace

bytes hash(TPMI_ALG_HASH alg, std::initializer_list<bytes_view> parts) {
    const EVP_MD* md = digest_for(alg);
    bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
    digest_into(md, {}, parts, out.data());
    return out;
}

// RFC 2104: H((K0 ^ opad) || H((K0 ^ ipad) || text)), K0 the key padded to
// the block size (hashed first when longer than a block).
bytes hmac(TPMI_ALG_HASH alg, bytes_view key, std::initializer_list<bytes_view> parts) {
    const EVP_MD* md = digest_for(alg);
    const auto block = static_cast<std::size_t>(EVP_MD_get_block_size(md));
    const auto size = static_cast<std::size_t>(EVP_MD_get_size(md));
    constexpr std::size_t max_block = 128;  // SHA-384/512
    if (block > max_block || size > max_block) openssl_failed("HMAC block size");
    struct wiped {
        byte pad[max_block] = {};
        byte inner[max_block] = {};
        ~wiped() { secure_zero(this, sizeof *this); }
    } w;
    if (key.size() > block)
        digest_into(md, {}, {key}, w.pad);
    else if (!key.empty())
        std::memcpy(w.pad, key.data(), key.size());
    for (std::size_t i = 0; i < block; ++i) w.pad[i] ^= 0x36;
    digest_into(md, bytes_view(w.pad, block), parts, w.inner);
    for (std::size_t i = 0; i < block; ++i) w.pad[i] ^= 0x36 ^ 0x5c;
    bytes out(size);
    digest_into(md, bytes_view(w.pad, block), {bytes_view(w.inner, size)}, out.data());
    return out;
}

}  // namespace tpmwire
