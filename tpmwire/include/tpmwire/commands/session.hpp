// The authorization-session interface the command encoder talks to, and the
// one session that needs no cryptography: the password session TPM_RS_PW.
//
// HMAC and policy sessions (tpmwire::crypto, sessions/) implement the same
// interface; the encoder calls, per command and in this order:
//   begin_command()        fresh nonceCaller
//   encrypt_parameter()    if attributes() has decrypt: the first TPM2B parameter
//   authorize()            the TPMS_AUTH_COMMAND, over the final parameter bytes
// and per successful response:
//   verify()               response HMAC (throws errc::integrity on mismatch)
//   decrypt_parameter()    if attributes() has encrypt: the first TPM2B parameter
#pragma once

#include "tpmwire/marshal/types.hpp"

#include <span>

namespace tpmwire {

// What a session sees of a command (Part 1 §18.7, §19.6).
struct command_context {
    TPM_CC commandCode = 0;
    // Names of every handle in the handle area, in order. An empty name
    // means "unknown" (an object whose public area the caller never read).
    std::span<const TPM2B_NAME> names;
    // The parameter area after parameter encryption (cpHash input).
    bytes_view parameters;
    // Part 1 §19.6.5: when a different session encrypts the command or the
    // response, its nonceTPM joins the HMAC of the first authorization session.
    bytes_view decryptNonce;
    bytes_view encryptNonce;
    // True for the session authorizing the first handle that needs it.
    bool first = false;
};

// What a session sees of a successful response.
struct response_context {
    TPM_CC commandCode = 0;
    bytes_view parameters;  // the parameter area as received (rpHash input)
};

class Session {
public:
    virtual ~Session() = default;
    virtual TPM_HANDLE handle() const noexcept = 0;
    // The attributes this session sends with the next command.
    virtual TPMA_SESSION attributes() const noexcept = 0;
    virtual bytes_view nonce_tpm() const noexcept { return {}; }

    virtual void begin_command() {}
    virtual void encrypt_parameter(std::span<byte> /*data*/) {}
    virtual TPMS_AUTH_COMMAND authorize(const command_context& cmd) = 0;
    virtual void verify(const response_context& rsp, const TPMS_AUTH_RESPONSE& auth) = 0;
    virtual void decrypt_parameter(std::span<byte> /*data*/) {}
};

// TPM_RS_PW. tpmwire's rule is that a non-empty password never crosses the
// bus, so the ordinary constructor only makes the empty-password session;
// use an HMAC session or PolicyAuthValue for a password.
class PasswordSession final : public Session {
public:
    PasswordSession() = default;
    // Sends `password` in clear. Exists for interoperability tests and the
    // negative control of the bus-capture tests; never used by the program.
    static PasswordSession cleartext_for_testing(bytes password);

    TPM_HANDLE handle() const noexcept override { return TPM_RS_PW; }
    TPMA_SESSION attributes() const noexcept override { return TPMA_SESSION_continueSession; }
    TPMS_AUTH_COMMAND authorize(const command_context& cmd) override;
    void verify(const response_context& rsp, const TPMS_AUTH_RESPONSE& auth) override;

private:
    TPM2B_AUTH password_;
};

// The shared empty-password session used when an AuthHandle names none.
PasswordSession& empty_password();

}  // namespace tpmwire
