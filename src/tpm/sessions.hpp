// Sessions per mode. Three places decide everything about them:
//   choose_salt_key     (salt.hpp) which key salts the run's sessions, chosen
//                       before anything is authorized;
//   authorize_*         how the session that authorizes one entity for one
//                       command starts: salted, bound, policy, or none (the
//                       empty password); `salted()` in sessions.cpp decides
//                       when the run's salt key is used: whenever the session
//                       carries a password, runs a policy or encrypts;
//   (sessions.cpp) begin_authorization, which every authorization passes
//                       first: it records what is authorized and runs the
//                       dictionary-attack lockout guard when a failure could
//                       count (a DA-protected object whose authValue is checked).
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

// What a command asks of the session that authorizes it.
struct session_use {
    const tpm_key* salt = nullptr;  // the run's salt key, if it has one
    tpmwire::TPMA_SESSION attributes = 0;  // TPMA_SESSION_decrypt / _encrypt
};

// A hierarchy (CreatePrimary, EvictControl, PolicySecret): nullptr for the
// empty password; else a session salted to `salt` carrying it — or, while
// the run has no salt key yet (the salt key itself is being made), to a
// primary made for the moment in the null hierarchy (2 more commands).
boost::asio::awaitable<std::unique_ptr<tpmwire::AuthSession>> authorize_hierarchy(tpmwire::client& tpm, progress& p,
                                                                                  tpmwire::TPM_HANDLE hierarchy,
                                                                                  tpmwire::bytes_view auth,
                                                                                  const tpm_key* salt);

// A parent for Create or Load, with `auths.use`: PolicySecret(endorsement)
// for an EK, else the parent's own authValue; a non-empty one always in a
// salted session (use.salt, else a null-hierarchy key as above).
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

}  // namespace atpc::tpm
