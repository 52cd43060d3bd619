// The parent both flows load or create a key under — the H-2 primary made
// under the owner hierarchy, the RSA endorsement key (at 0x81010001 or made
// from template L-1), or a persistent storage key — what --parentPass
// authorizes for each, and the one struct every TPM key is held in.
#pragma once

#include "tpm/failure.hpp"

#include "tpmwire/bytes.hpp"
#include "tpmwire/keyfile/keyfile.hpp"
#include "tpmwire/marshal/types.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace tpmwire {
class client;
}

namespace atpc::tpm {

// A key a flow loads, loads under, salts to or authorizes. `name` is
// computed from `publicArea` here, never taken from the TPM's word.
struct tpm_key {
    tpmwire::TPM_HANDLE handle = 0;
    tpmwire::TPMT_PUBLIC publicArea;
    tpmwire::TPM2B_NAME name;
    // An endorsement key: used as a parent through PolicySecret(endorsement).
    bool endorsement = false;
    bool persistent = false;
    // The H-2 primary: a key file's H-2 parent when it is also the salt key.
    bool h2_primary = false;

    // `endorsement` when the public area is the EK template L-1's.
    static tpm_key of(tpmwire::TPM_HANDLE handle, tpmwire::TPMT_PUBLIC pub, bool persistent);
};

enum class parent_kind {
    h2,          // the H-2 ECC primary under the owner hierarchy (key files: parent 0x40000001)
    ek,          // the RSA endorsement key (template L-1), authorized by PolicySecret(endorsement)
    persistent,  // an existing persistent storage key
};

struct parent_choice {
    parent_kind kind = parent_kind::h2;
    tpmwire::TPM_HANDLE handle = 0;  // parent_kind::persistent
};

// A key file's parent: the EK with --useEKParent, else its parent field (a
// persistent key, or the owner hierarchy for the H-2 primary). Throws
// atpc::error(fault::config) for any other parent field.
parent_choice key_file_parent(const tpmwire::tss2_private_key& file, bool ek_parent, const std::string& path);

// The parent field of a key file made under `c`.
tpmwire::TPM_HANDLE key_file_parent_field(const parent_choice& c);

// What --parentPass authorizes, by parent (README, "--parentPass"); each
// view is into the caller's buffer, empty where --parentPass plays no part.
struct parent_auths {
    tpmwire::bytes_view owner;        // the owner hierarchy: creating the H-2 primary
    tpmwire::bytes_view endorsement;  // the endorsement hierarchy: creating the EK parent
    // Using the parent (Create, Load): PolicySecret(endorsement) for an EK
    // (also a persistent one found by its template), else the parent's own
    // authValue; the H-2 primary's is empty.
    tpmwire::bytes_view use;
};
parent_auths auths_for(parent_kind kind, const tpmwire::bytes& parent_auth);

// ReadPublic, refusing a public area whose name is not the one the TPM
// reports (the name is what sessions and policies bind to).
boost::asio::awaitable<tpmwire::TPMT_PUBLIC> read_public_checked(tpmwire::client& tpm, tpmwire::TPM_HANDLE h);
// The public area at a persistent handle, or nullopt when it is free.
boost::asio::awaitable<std::optional<tpmwire::TPMT_PUBLIC>> occupant(tpmwire::client& tpm, tpmwire::TPM_HANDLE h);

// TPM2_CreatePrimary of `templ` under `hierarchy`, its password `auth`
// authorized as authorize_hierarchy (sessions.hpp) does.
boost::asio::awaitable<tpm_key> create_primary(tpmwire::client& tpm, progress& p, tpmwire::TPM_HANDLE hierarchy,
                                               const tpmwire::TPMT_PUBLIC& templ, tpmwire::bytes_view auth,
                                               const tpm_key* salt);

// The RSA EK (template L-1): the persistent one at 0x81010001 when it is the
// template's (or, with `expected`, has that name), else a fresh primary.
// With `expected`, the name computed from the public area must equal it;
// otherwise this throws, saying `refused` is what it refuses to do. A
// non-empty endorsement password goes in a session salted to `salt` (or to
// a null-hierarchy key while there is none: sessions.hpp).
boost::asio::awaitable<tpm_key> endorsement_key(tpmwire::client& tpm, progress& p, tpmwire::bytes_view endorsement_auth,
                                                const std::optional<tpmwire::bytes>& expected,
                                                const std::string& refused, const tpm_key* salt);

// The H-2 ECC P-256 storage primary under the owner hierarchy (the owner
// password salted as above).
boost::asio::awaitable<tpm_key> create_h2_parent(tpmwire::client& tpm, progress& p, tpmwire::bytes_view owner_auth,
                                                 const tpm_key* salt);

// The parent `c`, ready to authorize: the EK (`known` when it is an EK
// already read, else read or made now), a persistent storage key, or the
// H-2 primary (`known` when it is the H-2 primary, else made now). `salt`
// salts the hierarchy's password.
boost::asio::awaitable<tpm_key> load_parent(tpmwire::client& tpm, progress& p, const parent_choice& c,
                                            const parent_auths& auths, const tpm_key* known, const tpm_key* salt);

// TPM2_Load of `pub`/`priv` under `parent` (authorized as sessions.hpp
// decides, `salt` being the run's salt key or null), refusing a name other
// than the public area's. `what` names the key in messages ("the new key").
boost::asio::awaitable<tpm_key> load_key(tpmwire::client& tpm, progress& p, const tpm_key& parent,
                                         const parent_auths& auths, const tpm_key* salt,
                                         const tpmwire::TPM2B_PUBLIC& pub, const tpmwire::TPM2B_PRIVATE& priv,
                                         const std::string& what);

}  // namespace atpc::tpm
