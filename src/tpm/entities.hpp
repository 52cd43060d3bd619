// TPM entities both flows use (the credential's kDate and `import`): keys
// read with their names checked, the RSA EK found or made (and checked by
// name), the H-2 parent, and sessions that carry a password or the EK's
// PolicySecret without anything secret crossing the bus.
#pragma once

#include "base/error.hpp"
#include "tpm/key_plan.hpp"
#include "tpmwire/client/sessions.hpp"
#include "tpmwire/error.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace atpc::tpm {

// A key a flow loads under, salts to or authorizes.
struct tpm_key {
    tpmwire::TPM_HANDLE handle = 0;
    tpmwire::TPMT_PUBLIC publicArea;
    // An endorsement key: using it takes PolicySecret(endorsement).
    bool endorsement = false;
    bool persistent = false;
};


// One line for a failed TPM step: "TPM: <where> failed: <what>; <hint>"
// then `suffix`. `hint` is the flow's own advice for the response code (or
// empty); the advice every flow shares (lockout, a TPM full of objects) is
// added here when the flow has none. A timeout stays fault::timeout.
atpc::error tpm_failure(const tpmwire::error& e, const std::string& where, std::string hint,
                        const std::string& suffix = {});

// --debug: "TPM: done, N commands" (and how many the TPM asked to resend).
void trace_done(const trace_fn& trace, const tpmwire::client& tpm);

// ReadPublic, refusing a public area whose name is not the one the TPM
// reports (the name is what sessions and policies bind to).
boost::asio::awaitable<tpmwire::TPMT_PUBLIC> read_public_checked(tpmwire::client& tpm, tpmwire::TPM_HANDLE h);
// The public area at a persistent handle, or nullopt when it is free.
boost::asio::awaitable<std::optional<tpmwire::TPMT_PUBLIC>> occupant(tpmwire::client& tpm, tpmwire::TPM_HANDLE h);

// A one-use session that authorizes `entity` with a non-empty password
// without the password crossing the bus (bound to the entity); nullptr for
// the empty password. `name` may be empty for permanent handles.
boost::asio::awaitable<std::unique_ptr<tpmwire::AuthSession>> password_session(tpmwire::client& tpm,
                                                                              tpmwire::TPM_HANDLE entity,
                                                                              const tpmwire::TPM2B_NAME& name,
                                                                              const tpmwire::bytes& auth);

// The RSA EK (template L-1): the persistent one at 0x81010001 when it is the
// template's (or, with `expected`, has that name), else a fresh primary.
// With `expected`, the name computed from the public area must equal it;
// otherwise this throws, saying `refused` is what it refuses to do.
boost::asio::awaitable<tpm_key> endorsement_key(tpmwire::client& tpm, const std::function<void(std::string)>& step,
                                                const tpmwire::bytes& endorsement_auth,
                                                const std::optional<tpmwire::bytes>& expected,
                                                const std::string& refused);

// The H-2 ECC P-256 storage primary under the owner hierarchy.
boost::asio::awaitable<tpm_key> create_h2_parent(tpmwire::client& tpm, const tpmwire::bytes& owner_auth);

// A policy session satisfying the EK's PolicySecret(TPM_RH_ENDORSEMENT);
// `params` gives its salt and attributes.
boost::asio::awaitable<std::unique_ptr<tpmwire::AuthSession>> endorsement_policy(
    tpmwire::client& tpm, tpmwire::AuthSession::parameters params, const tpmwire::bytes& endorsement_auth);

}  // namespace atpc::tpm
