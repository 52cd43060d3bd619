#include "tpmwire/sessions/auth_session.hpp"

#include "tpmwire/sessions/cfb.hpp"
#include "tpmwire/sessions/encapsulate.hpp"
#include "tpmwire/sessions/hash.hpp"
#include "tpmwire/sessions/kdf.hpp"
#include "tpmwire/sessions/random.hpp"

#include <cstdio>

namespace tpmwire {

namespace {

// Part 1 §19.6.5 note 2: trailing zeros of an authValue are not significant.
bytes_view trim_trailing_zeros(bytes_view v) {
    std::size_t n = v.size();
    while (n > 0 && v[n - 1] == 0) --n;
    return v.first(n);
}

std::string handle_hex(TPM_HANDLE h) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", h);
    return buf;
}

}  // namespace

bytes cp_hash(TPMI_ALG_HASH alg, TPM_CC cc, std::span<const TPM2B_NAME> names, bytes_view parameters) {
    Writer w;
    w.u32(cc);
    for (const auto& n : names) w.raw(n.buffer);
    w.raw(parameters);
    return hash(alg, {w.buffer()});
}

bytes rp_hash(TPMI_ALG_HASH alg, TPM_CC cc, bytes_view parameters) {
    Writer w;
    w.u32(0);  // responseCode: only successful responses carry an HMAC
    w.u32(cc);
    w.raw(parameters);
    return hash(alg, {w.buffer()});
}

std::pair<std::unique_ptr<AuthSession>, StartAuthSession> AuthSession::prepare(parameters p) {
    std::size_t digest = digest_size(p.hash);
    if (digest == 0) throw error(errc::usage, "session hash algorithm is not supported");
    if (p.symmetric.algorithm != TPM_ALG_NULL &&
        (p.symmetric.algorithm != TPM_ALG_AES || p.symmetric.mode != TPM_ALG_CFB))
        throw error(errc::usage, "parameter encryption supports AES-CFB only");
    if ((p.salt_handle == TPM_RH_NULL) != !p.salt_public)
        throw error(errc::usage, "a salted session needs both the salt key's handle and its public area");

    std::unique_ptr<AuthSession> s(new AuthSession());
    s->type_ = p.type;
    s->hash_ = p.hash;
    s->symmetric_ = p.symmetric;
    s->attributes_ = p.attributes;
    s->nonce_caller_ = random_bytes(digest);
    s->bind_name_ = p.bind_name;
    s->bind_auth_ = std::move(p.bind_auth);

    StartAuthSession cmd;
    cmd.tpmKey = NamedHandle(p.salt_handle);
    cmd.bind = NamedHandle(p.bind_handle, p.bind_name);
    cmd.nonceCaller = TPM2B_NONCE(s->nonce_caller_);
    cmd.sessionType = p.type;
    cmd.symmetric = p.symmetric;
    cmd.authHash = p.hash;
    if (p.salt_public) {
        auto salt = encapsulate(*p.salt_public, "SECRET");
        s->salt_ = std::move(salt.seed);
        cmd.encryptedSalt = std::move(salt.ciphertext);
        s->salted_ = true;
    }
    return {std::move(s), std::move(cmd)};
}

void AuthSession::started(const StartAuthSession::response& rsp) {
    handle_ = rsp.sessionHandle;
    nonce_tpm_ = rsp.nonceTPM.buffer;
    // sessionKey = KDFa(hash, bindAuth || salt, "ATH", nonceTPM, nonceCaller, digest bits);
    // empty for an unbound, unsalted session (Part 1 §19.6.8).
    if (!bind_name_.empty() || salted_) {
        bytes key(trim_trailing_zeros(bind_auth_).begin(), trim_trailing_zeros(bind_auth_).end());
        key.insert(key.end(), salt_.begin(), salt_.end());
        session_key_ = KDFa(hash_, key, "ATH", nonce_tpm_, nonce_caller_,
                            static_cast<std::uint32_t>(digest_size(hash_) * 8));
    }
    salt_.clear();
    salt_.shrink_to_fit();
    bind_auth_.clear();
    bind_auth_.shrink_to_fit();
}

AuthSession::~AuthSession() = default;  // every buffer is a zeroizing tpmwire::bytes

void AuthSession::set_auth_value(bytes auth_value) { auth_value_ = std::move(auth_value); }

void AuthSession::policy_password_used() {
    if (!trim_trailing_zeros(auth_value_).empty())
        throw error(errc::policy, "PolicyPassword would send a non-empty password in clear; use PolicyAuthValue");
    needs_password_ = true;
}

void AuthSession::begin_command() {
    if (handle_ == TPM_RH_NULL) throw error(errc::usage, "session used before it was started");
    nonce_caller_ = random_bytes(nonce_caller_.size());
}

bytes AuthSession::hmac_key(bool include_auth_value) const {
    bytes key = session_key_;
    if (include_auth_value) {
        auto a = trim_trailing_zeros(auth_value_);
        key.insert(key.end(), a.begin(), a.end());
    }
    return key;
}

bytes AuthSession::cfb_key() const {
    // Part 1 §21.1: sessionValue = sessionKey || authValue of the entity the
    // session authorizes (empty when it only encrypts). Unlike the HMAC key,
    // the authValue is included even when the session is bound to that
    // entity (checked against the TCG reference implementation in swtpm).
    bytes key = session_key_;
    auto a = trim_trailing_zeros(auth_value_);
    key.insert(key.end(), a.begin(), a.end());
    return key;
}

void AuthSession::encrypt_parameter(std::span<byte> data) {
    if (symmetric_.algorithm == TPM_ALG_NULL)
        throw error(errc::usage, "session " + handle_hex(handle_) + " was started without a symmetric algorithm");
    bytes key = cfb_key();
    if (key.empty())
        throw error(errc::usage, "parameter encryption needs a salted or bound session, or an authValue");
    param_crypt(hash_, symmetric_.keyBits, key, nonce_caller_, nonce_tpm_, data, true);
}

void AuthSession::decrypt_parameter(std::span<byte> data) {
    bytes key = cfb_key();
    param_crypt(hash_, symmetric_.keyBits, key, nonce_tpm_, nonce_caller_, data, false);
}

TPMS_AUTH_COMMAND AuthSession::authorize(const command_context& cmd) {
    TPMS_AUTH_COMMAND auth;
    auth.sessionHandle = handle_;
    auth.nonce = TPM2B_NONCE(nonce_caller_);
    auth.sessionAttributes = attributes_;

    // Which entity this session authorizes: the handle in the same position
    // among authorized handles is not known here, so the bind shortcut
    // (authValue already in the session key) applies when any named handle
    // is the bind entity, which is how bound sessions are used in practice.
    authorizing_bind_entity_ = false;
    if (!bind_name_.empty())
        for (const auto& n : cmd.names)
            if (n == bind_name_) authorizing_bind_entity_ = true;

    if (type_ != TPM_SE_HMAC && needs_password_) {
        auth.hmac = TPM2B_AUTH(auth_value_);
        return auth;
    }
    for (std::size_t i = 0; i < cmd.names.size(); ++i)
        if (cmd.names[i].empty())
            throw error(errc::usage, "command " + handle_hex(cmd.commandCode) +
                                         ": the name of handle " + std::to_string(i + 1) +
                                         " is unknown (read the object's public area first)");
    bool with_auth = type_ == TPM_SE_HMAC ? !authorizing_bind_entity_ : needs_auth_value_;
    bytes key = hmac_key(with_auth);
    bytes cph = cp_hash(hash_, cmd.commandCode, cmd.names, cmd.parameters);
    byte attrs = attributes_;
    auth.hmac = TPM2B_AUTH(hmac(hash_, key, {cph, nonce_caller_, nonce_tpm_, cmd.decryptNonce, cmd.encryptNonce,
                                             bytes_view(&attrs, 1)}));
    return auth;
}

void AuthSession::verify(const response_context& rsp, const TPMS_AUTH_RESPONSE& auth) {
    nonce_tpm_ = auth.nonce.buffer;
    if (type_ != TPM_SE_HMAC && needs_password_) {
        if (!auth.hmac.empty())
            throw error(errc::integrity, "policy session " + handle_hex(handle_) + ": unexpected response HMAC");
        policy_reset();
        return;
    }
    bool with_auth = type_ == TPM_SE_HMAC ? !authorizing_bind_entity_ : needs_auth_value_;
    bytes key = hmac_key(with_auth);
    bytes rph = rp_hash(hash_, rsp.commandCode, rsp.parameters);
    byte attrs = auth.sessionAttributes;
    bytes expected = hmac(hash_, key, {rph, nonce_tpm_, nonce_caller_, bytes_view(&attrs, 1)});
    if (!equal_constant_time(expected, auth.hmac.buffer))
        throw error(errc::integrity, "the TPM's response HMAC for session " + handle_hex(handle_) +
                                         " does not verify: the response was altered or is not from this TPM");
    // A policy session that authorized a command starts over (Part 1 §19.7.1).
    if (type_ != TPM_SE_HMAC) policy_reset();
}

}  // namespace tpmwire
