// tpm2-tss ESAPI over its swtpm TCTI (which opens a TCP connection for every
// command): the standard C stack, doing the same commands with the same
// templates and the same kinds of sessions as the tpmwire side.
#include "tpm_commands/ops.hpp"

#include "common/clock.hpp"

#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/marshal/marshal.hpp"
#include "tpmwire/marshal/types.hpp"

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace bench {

namespace {

void check(TSS2_RC rc, const char* what) {
    if (rc != TSS2_RC_SUCCESS) {
        char msg[128];
        std::snprintf(msg, sizeof msg, "ESAPI %s failed: 0x%08x", what, static_cast<unsigned>(rc));
        throw std::runtime_error(msg);
    }
}

// One ESAPI context with its TCTI for the batch.
class esys {
public:
    explicit esys(const setup& s) {
        std::string conf = "swtpm:host=" + s.host + ",port=" + std::to_string(s.port);
        check(Tss2_TctiLdr_Initialize(conf.c_str(), &tcti_), "Tss2_TctiLdr_Initialize");
        TSS2_RC rc = Esys_Initialize(&ctx_, tcti_, nullptr);
        if (rc != TSS2_RC_SUCCESS) Tss2_TctiLdr_Finalize(&tcti_);
        check(rc, "Esys_Initialize");
    }
    ~esys() {
        Esys_Finalize(&ctx_);
        Tss2_TctiLdr_Finalize(&tcti_);
    }
    esys(const esys&) = delete;
    esys& operator=(const esys&) = delete;
    ESYS_CONTEXT* get() const { return ctx_; }

private:
    TSS2_TCTI_CONTEXT* tcti_ = nullptr;
    ESYS_CONTEXT* ctx_ = nullptr;
};

template <class T>
T unmarshal_mu(const frame& bytes, TSS2_RC (*fn)(const uint8_t[], size_t, size_t*, T*), const char* what) {
    T out;
    std::memset(&out, 0, sizeof out);
    size_t offset = 0;
    check(fn(bytes.data(), bytes.size(), &offset, &out), what);
    return out;
}

// The H-2 template, byte for byte the one tpmwire sends.
TPM2B_PUBLIC h2_template() {
    tpmwire::TPM2B_PUBLIC pub;
    pub.publicArea = tpmwire::h2_ecc_primary_template();
    tpmwire::Writer w;
    marshal(w, pub);
    tpmwire::bytes b = w.take();
    return unmarshal_mu(frame(b.begin(), b.end()), Tss2_MU_TPM2B_PUBLIC_Unmarshal, "unmarshal H-2 template");
}

ESYS_TR create_h2(ESYS_CONTEXT* ctx) {
    TPM2B_SENSITIVE_CREATE sensitive;
    std::memset(&sensitive, 0, sizeof sensitive);
    TPM2B_PUBLIC in_public = h2_template();
    TPM2B_DATA outside;
    std::memset(&outside, 0, sizeof outside);
    TPML_PCR_SELECTION pcrs;
    std::memset(&pcrs, 0, sizeof pcrs);
    ESYS_TR handle = ESYS_TR_NONE;
    TPM2B_PUBLIC* out_public = nullptr;
    TPM2B_CREATION_DATA* creation_data = nullptr;
    TPM2B_DIGEST* creation_hash = nullptr;
    TPMT_TK_CREATION* ticket = nullptr;
    check(Esys_CreatePrimary(ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive,
                             &in_public, &outside, &pcrs, &handle, &out_public, &creation_data, &creation_hash,
                             &ticket),
          "Esys_CreatePrimary");
    Esys_Free(out_public);
    Esys_Free(creation_data);
    Esys_Free(creation_hash);
    Esys_Free(ticket);
    return handle;
}

ESYS_TR persistent(ESYS_CONTEXT* ctx, std::uint32_t handle) {
    ESYS_TR tr = ESYS_TR_NONE;
    check(Esys_TR_FromTPMPublic(ctx, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &tr), "Esys_TR_FromTPMPublic");
    return tr;
}

void hmac_n(ESYS_CONTEXT* ctx, ESYS_TR key, ESYS_TR auth, const setup& s, int n, samples& out) {
    TPM2B_MAX_BUFFER buffer;
    std::memset(&buffer, 0, sizeof buffer);
    buffer.size = static_cast<UINT16>(s.data.size());
    std::memcpy(buffer.buffer, s.data.data(), s.data.size());
    for (int i = 0; i < n; ++i) {
        TPM2B_DIGEST* result = nullptr;
        auto t0 = now_ns();
        check(Esys_HMAC(ctx, key, auth, ESYS_TR_NONE, ESYS_TR_NONE, &buffer, TPM2_ALG_SHA256, &result), "Esys_HMAC");
        out.push_back(now_ns() - t0);
        Esys_Free(result);
    }
}

void set_password(ESYS_CONTEXT* ctx, ESYS_TR key, const std::string& password) {
    TPM2B_AUTH auth;
    std::memset(&auth, 0, sizeof auth);
    auth.size = static_cast<UINT16>(password.size());
    std::memcpy(auth.buffer, password.data(), password.size());
    check(Esys_TR_SetAuth(ctx, key, &auth), "Esys_TR_SetAuth");
}

void salted_sessions(ESYS_CONTEXT* ctx, ESYS_TR salt_key, int n, samples& out) {
    TPMT_SYM_DEF symmetric;
    std::memset(&symmetric, 0, sizeof symmetric);
    symmetric.algorithm = TPM2_ALG_AES;
    symmetric.keyBits.aes = 128;
    symmetric.mode.aes = TPM2_ALG_CFB;
    for (int i = 0; i < n; ++i) {
        ESYS_TR session = ESYS_TR_NONE;
        auto t0 = now_ns();
        check(Esys_StartAuthSession(ctx, salt_key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, nullptr,
                                    TPM2_SE_HMAC, &symmetric, TPM2_ALG_SHA256, &session),
              "Esys_StartAuthSession (salted)");
        out.push_back(now_ns() - t0);
        check(Esys_FlushContext(ctx, session), "Esys_FlushContext");
    }
}

}  // namespace

samples esapi_batch(const setup& s, op o, int n) {
    samples out;
    out.reserve(static_cast<std::size_t>(n));
    esys e(s);
    ESYS_CONTEXT* ctx = e.get();
    switch (o) {
        case op::hmac_empty_pw:
            hmac_n(ctx, persistent(ctx, s.plain_key), ESYS_TR_PASSWORD, s, n, out);
            break;
        case op::hmac_clear_pw: {
            ESYS_TR key = persistent(ctx, s.password_key);
            set_password(ctx, key, s.password);
            hmac_n(ctx, key, ESYS_TR_PASSWORD, s, n, out);
            break;
        }
        case op::hmac_session: {
            ESYS_TR key = persistent(ctx, s.password_key);
            set_password(ctx, key, s.password);
            TPMT_SYM_DEF none;
            std::memset(&none, 0, sizeof none);
            none.algorithm = TPM2_ALG_NULL;
            ESYS_TR session = ESYS_TR_NONE;
            check(Esys_StartAuthSession(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                        nullptr, TPM2_SE_HMAC, &none, TPM2_ALG_SHA256, &session),
                  "Esys_StartAuthSession");
            check(Esys_TRSess_SetAttributes(ctx, session, TPMA_SESSION_CONTINUESESSION, 0xff),
                  "Esys_TRSess_SetAttributes");
            hmac_n(ctx, key, session, s, n, out);
            check(Esys_FlushContext(ctx, session), "Esys_FlushContext");
            break;
        }
        case op::create_primary:
            for (int i = 0; i < n; ++i) {
                auto t0 = now_ns();
                ESYS_TR handle = create_h2(ctx);
                out.push_back(now_ns() - t0);
                check(Esys_FlushContext(ctx, handle), "Esys_FlushContext");
            }
            break;
        case op::load: {
            ESYS_TR parent = create_h2(ctx);
            TPM2B_PUBLIC pub = unmarshal_mu(s.key_public, Tss2_MU_TPM2B_PUBLIC_Unmarshal, "unmarshal hmac.pub");
            TPM2B_PRIVATE priv = unmarshal_mu(s.key_private, Tss2_MU_TPM2B_PRIVATE_Unmarshal, "unmarshal hmac.priv");
            for (int i = 0; i < n; ++i) {
                ESYS_TR key = ESYS_TR_NONE;
                auto t0 = now_ns();
                check(Esys_Load(ctx, parent, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &priv, &pub, &key),
                      "Esys_Load");
                out.push_back(now_ns() - t0);
                check(Esys_FlushContext(ctx, key), "Esys_FlushContext");
            }
            check(Esys_FlushContext(ctx, parent), "Esys_FlushContext");
            break;
        }
        case op::salted_session_ecc: {
            ESYS_TR parent = create_h2(ctx);
            salted_sessions(ctx, parent, n, out);
            check(Esys_FlushContext(ctx, parent), "Esys_FlushContext");
            break;
        }
        case op::salted_session_rsa:
            salted_sessions(ctx, persistent(ctx, s.ek), n, out);
            break;
    }
    return out;
}

}  // namespace bench
