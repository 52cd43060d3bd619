// Names of trusted TPM keys ("pins"), one line per TPM address and role, so a
// later run can tell that the TPM answering is the one seen first. A role
// has one meaning:
//   "salt"  the key the credential flow salts its sessions to, trusted on
//           its first run that needed one (tpm/salt.hpp);
//   "ek"    an endorsement key import verified (--ek-ca, --tpm-session-
//           encrypt-with-name) or was told to trust (--trust-tpm-on-first-use),
//           and salts the secret to (tpm/import_trust.hpp).
// Other flows (a credential cache) add roles of their own.
//
// The file, $XDG_STATE_HOME/aws-tpm-process-credential/pins (default
// ~/.local/state/...), directory 0700 and file 0600, both the user's own:
//
//   # <TPM address> <role> <name> <what>
//   /dev/tpmrm0 salt 000b5f3c…e1 0x81010002 ECC endorsement key (TCG template L-2)
//
// Deleting a line makes the next run trust (and pin) that role's key again.
// A file or directory another user could write is refused: a planted pin
// would let a fake TPM pass.
#pragma once

#include "base/env.hpp"

#include "tpmwire/bytes.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atpc::files {

struct pin {
    std::string address;  // the TPM as tpm_address::to_string() spells it: "/dev/tpmrm0", "127.0.0.1:2321"
    std::string role;     // what the key is trusted for: "salt", "ek"
    tpmwire::bytes name;  // the key's TPM2B_NAME (nameAlg || digest); public
    std::string what;     // where the key is and what it is, for messages; one line
};

class pin_store {
public:
    explicit pin_store(std::string file) : file_(std::move(file)) {}

    // $XDG_STATE_HOME/aws-tpm-process-credential/pins, else under
    // $HOME/.local/state (else the user's home directory from the password
    // database).
    static pin_store for_user(const env_lookup& env = process_environment());

    // The pin for (address, role), or nullopt when there is none (or no
    // file). Throws atpc::error(fault::config) for a file that is not the
    // user's own, is writable by others, or does not parse.
    std::optional<pin> lookup(std::string_view address, std::string_view role) const;

    // Adds or replaces the pin for (p.address, p.role), creating the
    // directory (0700) and rewriting the file atomically (0600). Throws
    // atpc::error(fault::config).
    void record(const pin& p) const;

    // "delete the line '<address> <role> …' from <file>": how a message
    // tells the user to trust a changed key.
    std::string how_to_forget(std::string_view address, std::string_view role) const;

    const std::string& file() const { return file_; }

private:
    std::vector<pin> read_all() const;
    std::string file_;
};

}  // namespace atpc::files
