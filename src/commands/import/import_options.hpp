// The `import` subcommand's flags and environment, validated before any I/O.
#pragma once

#include "base/env.hpp"

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/constants.hpp"
#include "tpmwire/transports/address.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace atpc::commands {

// EvictControl with owner authorization may use 0x81000000-0x817FFFFF; the
// rest of the persistent range belongs to the platform.
inline constexpr tpmwire::TPM_HANDLE owner_persistent_first = 0x81000000;
inline constexpr tpmwire::TPM_HANDLE owner_persistent_last = 0x817FFFFF;

struct import_options {
    std::string tpm_path = "/dev/tpmrm0";
    tpmwire::tpm_address address;
    std::optional<std::string> out;                       // --out: TSS2 PRIVATE KEY PEM
    std::optional<tpmwire::TPM_HANDLE> persistent_handle;  // --persistentHandle
    bool force = false;
    tpmwire::secret_string key_pass;     // --keyPass / TPM_KEY_AUTH
    tpmwire::secret_string parent_pass;  // --parentPass / TPM_PARENT_AUTH
    tpmwire::secret_string owner_pass;   // --ownerPass / TPM_OWNER_AUTH (EvictControl)
    std::vector<unsigned> pcrs;
    bool use_ek_parent = false;
    std::optional<tpmwire::TPM_HANDLE> parent;  // --parent: a persistent storage key
    std::optional<tpmwire::bytes> encrypt_with_name;
    std::chrono::milliseconds timeout{2000};
    std::string access_key_id;  // only for the printed config line
    bool debug = false;
    bool help = false;
};

// Parses argv[1..argc) (argv[0] is "import") and the environment, and
// validates. Throws atpc::error(fault::usage) with one line naming the flag.
import_options parse_import_options(int argc, char** argv, const env_lookup& env);

std::string import_usage();

}  // namespace atpc::commands
