// Sessions per mode. Three places decide everything about them:
//   choose_salt_key     which key salts the run's sessions, chosen before
//                       anything is authorized;
//   authorize_*         how the session that authorizes one entity for one
//                       command starts: salted, bound, policy, or none (the
//                       empty password); `salted()` in sessions.cpp decides
//                       when the run's salt key is used;
//   (sessions.cpp) begin_authorization, which every authorization passes
//                       first: it records what is authorized and runs the
//                       dictionary-attack lockout guard.
// Every session is one-use (continueSession clear): the TPM flushes it
// after the command it authorizes.
#pragma once

#include "tpm/key_plan.hpp"
#include "tpm/parent.hpp"

#include "tpmwire/sessions/auth_session.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>

namespace atpc::tpm {

struct salt_key {
    tpm_key key;
    // Its name matched --tpm-session-encrypt-with-name; otherwise it is
    // trusted on first use (defeats a passive listener on the bus only).
    bool verified = false;
};

// What choose_salt_key is given (issue 13 adds the pin file and the
// passwords it needs to make an H-2 primary).
struct salt_request {
    std::optional<tpmwire::bytes> name;    // --tpm-session-encrypt-with-name
    tpmwire::bytes_view endorsement_auth;  // to make the EK when it is not persistent
    std::string refused;                   // what a name mismatch refuses to do
};

// The key named by --tpm-session-encrypt-with-name: today the RSA EK,
// verified by the name computed from its public area (a mismatch throws
// before anything is authorized), or nullopt without a name.
boost::asio::awaitable<std::optional<salt_key>> choose_salt_key(tpmwire::client& tpm, progress& p,
                                                                const salt_request& want);

// The chosen salt key, else the parent (unverified; may be null), else none.
std::optional<salt_key> salt_or_parent(const std::optional<salt_key>& chosen, const tpm_key* parent);

// What a command asks of the session that authorizes it.
struct session_use {
    const tpm_key* salt = nullptr;  // the run's salt key, if it has one
    tpmwire::TPMA_SESSION attributes = 0;  // TPMA_SESSION_decrypt / _encrypt
};

// A hierarchy (CreatePrimary, EvictControl): a session bound to it with a
// non-empty password (never crossing the bus), nullptr for the empty one.
boost::asio::awaitable<std::unique_ptr<tpmwire::AuthSession>> authorize_hierarchy(tpmwire::client& tpm, progress& p,
                                                                                  tpmwire::TPM_HANDLE hierarchy,
                                                                                  tpmwire::bytes_view auth);

// A parent for Create or Load, with `auths.use`: PolicySecret(endorsement)
// for an EK, else the parent's own authValue.
boost::asio::awaitable<std::unique_ptr<tpmwire::AuthSession>> authorize_parent(tpmwire::client& tpm, progress& p,
                                                                               const tpm_key& parent,
                                                                               const parent_auths& auths,
                                                                               const session_use& use);

// The signing key for TPM2_HMAC (--keyPass, --pcrs): a policy session when
// the key asks for one (a PCR policy, or userWithAuth clear), else an HMAC
// session, salted or bound to the key; nullptr when neither a salt key nor
// a password gives it a purpose. `parent` (may be null) is the key file's.
boost::asio::awaitable<std::unique_ptr<tpmwire::AuthSession>> authorize_key(tpmwire::client& tpm, progress& p,
                                                                            const tpm_key& key, const key_plan& plan,
                                                                            const tpm_key* parent,
                                                                            const session_use& use);

// The building blocks: a one-use session bound to `entity` carrying a
// non-empty password without it crossing the bus; nullptr for the empty
// password. A hierarchy (permanent handle) is named by its handle.
boost::asio::awaitable<std::unique_ptr<tpmwire::AuthSession>> password_session(tpmwire::client& tpm,
                                                                               tpmwire::TPM_HANDLE hierarchy,
                                                                               tpmwire::bytes_view auth);
boost::asio::awaitable<std::unique_ptr<tpmwire::AuthSession>> password_session(tpmwire::client& tpm,
                                                                               const tpm_key& object,
                                                                               tpmwire::bytes_view auth);

}  // namespace atpc::tpm
