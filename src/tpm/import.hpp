// The TPM part of `import`: create the HMAC key from "AWS4"+secret under a
// parent, load it, and persist it, leaving nothing transient behind.
#pragma once

#include "ekcert/ek_certificate.hpp"
#include "tpm/key_plan.hpp"
#include "tpm/parent.hpp"

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/types.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tpmwire {
class client;
}

namespace atpc::tpm {

// Why import trusts the key it salts TPM2_Create to (import_trust.hpp).
enum class trust_basis {
    name,         // --tpm-session-encrypt-with-name
    certificate,  // --ek-ca: the EK's certificate in NV chains to a given CA
    pin,          // the pin "ek" an earlier verified (or explicitly trusted) import recorded
    first_use,    // --trust-tpm-on-first-use
};

struct import_plan {
    std::string address;  // the TPM, as pins name it: tpm_address::to_string()
    parent_kind parent = parent_kind::h2;
    tpmwire::TPM_HANDLE parent_handle = 0;  // parent_kind::persistent
    // Never printed. parent_auth: the owner hierarchy (h2), the endorsement
    // hierarchy (ek) or the parent key (persistent). owner_auth: EvictControl.
    tpmwire::bytes parent_auth;
    tpmwire::bytes owner_auth;
    tpmwire::bytes key_auth;  // the new key's password; empty: none (and noDA)
    // SHA-256 PCRs whose current values the key's policy binds to.
    std::vector<unsigned> pcrs;
    // How the salt key is trusted before the secret is sent: the EK with
    // this name (--tpm-session-encrypt-with-name, checked against the public
    // area we hash ourselves), the EK whose certificate chains to these CAs
    // (--ek-ca), the pin, or --trust-tpm-on-first-use; else refused.
    std::optional<tpmwire::bytes> salt_name;
    std::shared_ptr<const ekcert::ca_bundle> ek_ca;
    bool trust_on_first_use = false;
    std::optional<tpmwire::TPM_HANDLE> persistent_handle;
    bool force = false;  // replace an HMAC key already at persistent_handle
    // --lockout-reserve: dictionary-attack tries left for the TPM's other users.
    std::uint32_t lockout_reserve = 2;
};

struct imported_key {
    tpmwire::TPM2B_PUBLIC pub;
    tpmwire::TPM2B_PRIVATE priv;  // wrapped by the parent: useless outside this TPM
    tpmwire::TPM2B_NAME name;
    // The parent field of a key file: 0x40000001 (H-2), 0x81010001 (EK) or the persistent parent.
    tpmwire::TPM_HANDLE file_parent = 0;
    tpmwire::TPM2B_NAME parent_name;
    // The EK the Create session was salted to, and why it is trusted.
    tpmwire::TPM2B_NAME salt_name;
    std::string salt_what;  // "0x81010001 RSA endorsement key (TCG template L-1)"
    trust_basis salt_trust = trust_basis::first_use;
    std::string pins_file;  // where the pin "ek" is
    bool ek_persistent = true;  // parent_kind::ek: the EK was found at 0x81010001
    bool replaced = false;      // --force evicted an HMAC key at persistent_handle
    bool persisted = false;
};

// Called by import_key at the two points where the caller's own effects
// belong, so a failure anywhere leaves neither a file nor a handle:
struct import_hooks {
    // The key exists and loads; nothing persistent has changed yet (write the
    // key file to a temporary file). Throwing aborts the import.
    std::function<void(const imported_key&)> prepare;
    // After the EvictControl, if any (rename the file into place). Throwing
    // evicts the new persistent handle again.
    std::function<void()> commit;
    // --trust-tpm-on-first-use: one line naming the key about to be trusted,
    // before anything secret is sent (the program prints it on stderr).
    std::function<void(const std::string&)> trusting;
};

// The key's objectAttributes: fixedTPM|fixedParent|sign, userWithAuth
// unless a PCR policy is asked for, noDA unless it has a password;
// sensitiveDataOrigin clear (the caller supplies the key).
tpmwire::TPMA_OBJECT key_attributes(bool password, bool pcr_policy);

// `hmac_key` is "AWS4"+secret (at most 128 bytes). `plan` and `hooks` must
// outlive the coroutine. Throws atpc::error with one line naming the step
// and what to check; the TPM is left as found (plus the new persistent key
// on success).
boost::asio::awaitable<imported_key> import_key(tpmwire::client& tpm, const import_plan& plan,
                                                const tpmwire::bytes& hmac_key, const import_hooks& hooks,
                                                trace_fn trace);

}  // namespace atpc::tpm
