// Starting sessions and running policies through the client, one co_await each.
#pragma once

#include "tpmwire/client/client.hpp"
#include "tpmwire/sessions/auth_session.hpp"

#include <memory>

namespace tpmwire {

// Starts a session; the client tracks its handle until it is flushed.
inline net::awaitable<std::unique_ptr<AuthSession>> start_session(client& tpm, const AuthSession::parameters& params) {
    auto [session, command] = AuthSession::prepare(params);
    auto rsp = co_await tpm.execute(command);
    session->started(rsp);
    co_return std::move(session);
}

#if TPMWIRE_REFUSE_COAWAIT_TEMPORARIES  // see client.hpp
net::awaitable<std::unique_ptr<AuthSession>> start_session(client&, AuthSession::parameters&&) = delete;
#endif

// TPM2_PolicyAuthValue, and the session remembers the HMAC now includes the authValue.
inline net::awaitable<void> policy_auth_value(client& tpm, AuthSession& session) {
    const PolicyAuthValue cmd{NamedHandle(session.handle())};
    co_await tpm.execute(cmd);
    session.policy_auth_value_used();
}

// TPM2_PolicyPassword; refused for a non-empty authValue (it would cross the bus in clear).
inline net::awaitable<void> policy_password(client& tpm, AuthSession& session) {
    const PolicyPassword cmd{NamedHandle(session.handle())};
    co_await tpm.execute(cmd);
    session.policy_password_used();
}

// The session's policy digest as the TPM computed it.
inline net::awaitable<bytes> policy_get_digest(client& tpm, const AuthSession& session) {
    const PolicyGetDigest cmd{NamedHandle(session.handle())};
    auto rsp = co_await tpm.execute(cmd);
    co_return std::move(rsp.policyDigest.buffer);
}

}  // namespace tpmwire
