// Which key salts a run's sessions. A salted session's key comes from a
// secret only the TPM holding the salt key can decrypt, so neither a
// password nor kDate can be recovered from a recording of the bus. In order:
//   1. --tpm-session-encrypt-with-name: the EK, RSA or ECC, with that name
//      (checked against the public area we hash ourselves; ek.hpp);
//   2. when a password or policy is in play (salt_request::needed), the key
//      pinned for this TPM address (files/pins.hpp, role "salt"), found where
//      the pin says and refused if its name changed; on first use, the
//      persistent EK an import verified (role "ek", ek.hpp), else a
//      persistent EK — ECC first (0x81010002, 0x81010016; templates L-2, H-3,
//      H-4: ECDH is cheaper than an RSA decryption), then RSA (0x81010001,
//      L-1) — else the H-2 primary under the owner hierarchy; then pinned;
//   3. otherwise none here: the run may still salt to the key file's parent
//      (salt_or_parent), which hides kDate from a passive listener.
#pragma once

#include "tpm/parent.hpp"

#include "tpmwire/bytes.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace atpc::tpm {

struct salt_key {
    tpm_key key;
    // Its name matched --tpm-session-encrypt-with-name or the pin; otherwise
    // it is trusted on first use (defeats a passive listener on the bus only).
    bool verified = false;
    // Where it is and what it is, as pinned: "0x81010002 ECC endorsement key
    // (TCG template L-2)", "H-2 ECC P-256 primary under the owner hierarchy".
    std::string what;
};

struct salt_request {
    std::optional<tpmwire::bytes> name;    // --tpm-session-encrypt-with-name
    tpmwire::bytes_view endorsement_auth;  // to make the named EK when it is not persistent
    std::string refused;                   // what a name mismatch refuses to do
    // A password or policy is in play: choose (and pin) a salt key even
    // without a name.
    bool needed = false;
    std::string address;              // the TPM, as pinned: tpm_address::to_string()
    tpmwire::bytes_view owner_auth;   // to make the H-2 primary
};

// The run's salt key as the header says, or nullopt (no name, not needed).
// Throws atpc::error before anything is authorized when the named or pinned
// key is not the one found, and fault::config for an unusable pins file.
boost::asio::awaitable<std::optional<salt_key>> choose_salt_key(tpmwire::client& tpm, progress& p,
                                                                const salt_request& want);

// The chosen salt key, else the parent (unverified; may be null), else none.
std::optional<salt_key> salt_or_parent(const std::optional<salt_key>& chosen, const tpm_key* parent);

}  // namespace atpc::tpm
