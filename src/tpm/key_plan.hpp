// What the user asked of the TPM, decided before any I/O: where the TPM is,
// which key, which passwords and policies, and whether to verify a salt key.
#pragma once

#include "tpmwire/keyfile/keyfile.hpp"
#include "tpmwire/transports/address.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace atpc::tpm {

struct key_plan {
    tpmwire::tpm_address address;
    // Exactly one of these selects the key.
    tpmwire::TPM_HANDLE persistent_handle = 0x81008003;
    std::optional<tpmwire::tss2_private_key> key_file;
    std::string key_file_path;  // for messages
    // Empty means "no password". Never printed. parent_auth (--parentPass)
    // authorizes what the key file is loaded under: the owner hierarchy (H-2
    // parent), the endorsement hierarchy (EK parent) or the persistent parent.
    tpmwire::bytes key_auth;
    tpmwire::bytes parent_auth;
    // SHA-256 PCRs of the key's PolicyPCR; empty: no PCR policy.
    std::vector<unsigned> pcrs;
    // The key's parent is the RSA endorsement key (TCG template L-1).
    bool ek_parent = false;
    // --tpm-session-encrypt-with-name: the name of the EK that salts the
    // session; checked against the public area we hash ourselves.
    std::optional<tpmwire::bytes> salt_name;
    // --lockout-reserve: dictionary-attack tries left for the TPM's other
    // users; the guard refuses an attempt that would leave fewer.
    std::uint32_t lockout_reserve = 2;
};

// One line per step for --debug; never given a secret.
using trace_fn = std::function<void(const std::string&)>;

// "0x81010002": how every message names a handle.
std::string hex_handle(tpmwire::TPM_HANDLE h);

}  // namespace atpc::tpm
