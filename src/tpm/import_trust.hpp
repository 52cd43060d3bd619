// How `import` trusts the TPM key it salts TPM2_Create to, before the first
// byte of the secret is sent: an active interposer on the TPM bus that
// answered with a key of its own would otherwise read "AWS4"+secret. One of,
// in this order:
//   --tpm-session-encrypt-with-name  the EK (RSA or ECC) with that name;
//   --ek-ca                          the EK whose certificate in NV chains to
//                                    those CAs and certifies exactly the
//                                    public area the TPM presents (ek.hpp);
//   the pin "ek" for this TPM        recorded by an earlier run that verified
//                                    (or was told to trust) the EK, found
//                                    where the pin says and compared;
//   --trust-tpm-on-first-use         the EK the TPM presents now (a
//                                    persistent one, else template L-1),
//                                    announced before anything is sent.
// All but the pin record the pin "ek" (files/pins.hpp). With none of them
// import is refused, naming the three ways, before any TPM command.
#pragma once

#include "files/pins.hpp"
#include "tpm/import.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <string>

namespace atpc::tpm {

struct trusted_key {
    tpm_key key;
    std::string what;  // where and what it is, as pinned
    trust_basis basis = trust_basis::first_use;
    std::string pins_file;
};

// Which way applies, decided from the flags and the pins file alone (no TPM
// command). Throws atpc::error(fault::config): the refusal naming the three
// ways, or a pins file that is not the user's own.
struct trust_decision {
    files::pin_store pins;
    std::optional<files::pin> pin;  // the pin "ek" to check, when no flag verifies
};
trust_decision decide_trust(const import_plan& plan);

// The salt key as decided. `endorsement_auth` makes an EK that is not
// persistent; `trusting` (may be empty) receives the one line
// --trust-tpm-on-first-use announces, before the pin is recorded. Throws
// atpc::error for a name or certificate that does not match, or a pinned EK
// the TPM no longer presents (fault::tpm).
boost::asio::awaitable<trusted_key> trusted_salt_key(tpmwire::client& tpm, progress& p, const import_plan& plan,
                                                     const trust_decision& decided, tpmwire::bytes_view endorsement_auth,
                                                     const std::function<void(const std::string&)>& trusting);

}  // namespace atpc::tpm
