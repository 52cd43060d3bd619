#include "tpmwire/commands/session.hpp"

namespace tpmwire {

PasswordSession PasswordSession::cleartext_for_testing(bytes password) {
    PasswordSession s;
    s.password_ = TPM2B_AUTH(std::move(password));
    return s;
}

TPMS_AUTH_COMMAND PasswordSession::authorize(const command_context&) {
    TPMS_AUTH_COMMAND auth;
    auth.sessionHandle = TPM_RS_PW;
    auth.sessionAttributes = TPMA_SESSION_continueSession;
    auth.hmac = password_;
    return auth;
}

void PasswordSession::verify(const response_context&, const TPMS_AUTH_RESPONSE& auth) {
    // Part 1 §19.8.6: the TPM answers a password authorization with an empty
    // nonce and an empty HMAC.
    if (!auth.nonce.empty() || !auth.hmac.empty())
        throw error(errc::integrity, "password session: the TPM's response carries a nonce or HMAC it should not");
}

PasswordSession& empty_password() {
    // Stateless, so one instance serves every command and thread.
    static PasswordSession session;
    return session;
}

}  // namespace tpmwire
