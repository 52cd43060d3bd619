// The `import` subcommand's flags and environment, validated before any I/O.
#pragma once

#include "base/env.hpp"
#include "cli/groups.hpp"

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/constants.hpp"
#include "tpmwire/transports/address.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atpc::commands {

struct import_options : cli::common_flags {
    // The TPM group (cli/groups.hpp).
    std::string tpm_path = "/dev/tpmrm0";
    tpmwire::secret_string key_pass;     // --keyPass / TPM_KEY_AUTH
    tpmwire::secret_string parent_pass;  // --parentPass / TPM_PARENT_AUTH
    std::vector<unsigned> pcrs;
    bool use_ek_parent = false;
    std::optional<tpmwire::bytes> encrypt_with_name;
    std::uint32_t lockout_reserve = 2;
    std::chrono::milliseconds timeout{2000};

    tpmwire::tpm_address address;                          // from tpm_path
    std::optional<std::string> out;                        // --out: TSS2 PRIVATE KEY PEM
    std::optional<tpmwire::TPM_HANDLE> persistent_handle;  // --persistentHandle
    bool force = false;
    tpmwire::secret_string owner_pass;          // --ownerPass / TPM_OWNER_AUTH (EvictControl)
    std::optional<tpmwire::TPM_HANDLE> parent;  // --parent: a persistent storage key
    std::string access_key_id;                  // only for the printed config line
    // How the TPM key the secret is salted to is trusted (tpm/import_trust.hpp),
    // besides encrypt_with_name and a pin.
    std::optional<std::string> ek_ca;  // --ek-ca: PEM CA bundle
    bool trust_on_first_use = false;   // --trust-tpm-on-first-use
};

// The TPM group, import's own flags, debug and help.
cli::flag_table import_rows(import_options& o);

// Parses argv[1..argc) (argv[0] is "import") and the environment, and
// validates. Throws atpc::error(fault::usage) with one line naming the flag.
import_options parse_import_options(int argc, char** argv, const env_lookup& env);

std::string import_usage();

}  // namespace atpc::commands
