// HMAC and policy sessions (Part 1 §19, §21): salting, binding, the command
// and response HMACs, and AES-CFB parameter encryption in both directions.
//
// Starting one is two steps so this layer needs no I/O:
//   auto [session, start] = AuthSession::prepare(params);   // StartAuthSession to send
//   session->started(co_await tpm.execute(start));           // the TPM's answer
// (client/sessions.hpp wraps both in one co_await.)
#pragma once

#include "tpmwire/commands/commands.hpp"

#include <memory>
#include <optional>
#include <utility>

namespace tpmwire {

class AuthSession final : public Session {
public:
    struct parameters {
        TPM_SE type = TPM_SE_HMAC;  // or TPM_SE_POLICY / TPM_SE_TRIAL
        TPMI_ALG_HASH hash = TPM_ALG_SHA256;
        // TPM_ALG_NULL disables parameter encryption.
        TPMT_SYM_DEF symmetric{TPM_ALG_AES, 128, TPM_ALG_CFB};
        // Salting: the TPM key (loaded at salt_handle) whose public area the
        // salt is encrypted to. Only the holder of that key's private part
        // can learn the session key, so pass a public area you have verified.
        TPM_HANDLE salt_handle = TPM_RH_NULL;
        std::optional<TPMT_PUBLIC> salt_public;
        // Binding: the entity whose authValue joins the session key.
        TPM_HANDLE bind_handle = TPM_RH_NULL;
        TPM2B_NAME bind_name;
        bytes bind_auth;
        TPMA_SESSION attributes = TPMA_SESSION_continueSession;
    };

    // Builds the StartAuthSession command: fresh nonceCaller, and the salt
    // encrypted to the salt key. The session is usable after started().
    static std::pair<std::unique_ptr<AuthSession>, StartAuthSession> prepare(parameters params);
    void started(const StartAuthSession::response& rsp);

    ~AuthSession() override;
    AuthSession(const AuthSession&) = delete;
    AuthSession& operator=(const AuthSession&) = delete;

    // The authValue of the entity the session authorizes next (a key's
    // password). Kept only in memory, wiped on destruction.
    void set_auth_value(bytes auth_value);
    void set_attributes(TPMA_SESSION attributes) noexcept { attributes_ = attributes; }
    // Policy sessions: after TPM2_PolicyAuthValue the HMAC key includes the
    // authValue; after TPM2_PolicyPassword the authValue is sent in clear,
    // which tpmwire allows only for an empty authValue.
    void policy_auth_value_used() noexcept { needs_auth_value_ = true; }
    void policy_password_used();
    // TPM2_PolicyRestart or a successful use resets what the policy asked for.
    void policy_reset() noexcept { needs_auth_value_ = needs_password_ = false; }

    bool salted() const noexcept { return salted_; }
    bool bound() const noexcept { return !bind_name_.empty(); }
    TPM_SE type() const noexcept { return type_; }
    TPMI_ALG_HASH hash_alg() const noexcept { return hash_; }

    // Session interface.
    TPM_HANDLE handle() const noexcept override { return handle_; }
    TPMA_SESSION attributes() const noexcept override { return attributes_; }
    bytes_view nonce_tpm() const noexcept override { return nonce_tpm_; }
    void begin_command() override;
    void encrypt_parameter(std::span<byte> data) override;
    TPMS_AUTH_COMMAND authorize(const command_context& cmd) override;
    void verify(const response_context& rsp, const TPMS_AUTH_RESPONSE& auth) override;
    void decrypt_parameter(std::span<byte> data) override;

private:
    AuthSession() = default;
    bytes hmac_key(bool include_auth_value) const;
    bytes cfb_key() const;

    TPM_HANDLE handle_ = TPM_RH_NULL;
    TPM_SE type_ = TPM_SE_HMAC;
    TPMI_ALG_HASH hash_ = TPM_ALG_SHA256;
    TPMT_SYM_DEF symmetric_;
    TPMA_SESSION attributes_ = TPMA_SESSION_continueSession;
    bytes salt_;         // kept only until started()
    bytes bind_auth_;    // kept only until started()
    TPM2B_NAME bind_name_;
    bytes session_key_;
    bytes auth_value_;
    bytes nonce_caller_;
    bytes nonce_tpm_;
    bool salted_ = false;
    bool needs_auth_value_ = false;
    bool needs_password_ = false;
    // Whether the command being authorized names the bind entity (its
    // authValue is then already in the session key).
    bool authorizing_bind_entity_ = false;
};

// Part 1 §18.7 and §18.8.
bytes cp_hash(TPMI_ALG_HASH alg, TPM_CC cc, std::span<const TPM2B_NAME> names, bytes_view parameters);
bytes rp_hash(TPMI_ALG_HASH alg, TPM_CC cc, bytes_view parameters);

}  // namespace tpmwire
