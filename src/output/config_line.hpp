// The `credential_process = ...` line `import` prints for ~/.aws/config.
// botocore splits it with shlex (POSIX rules), so arguments are quoted for
// a POSIX shell. It never carries a password: TPM_KEY_AUTH does.
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/constants.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atpc::output {

// Unchanged when made only of [A-Za-z0-9_@%+=:,./-], else in single quotes.
std::string shell_quote(std::string_view arg);

struct config_line_inputs {
    std::string program;  // absolute path of this executable
    std::string tpm_path;
    // Exactly one selects the key.
    std::optional<tpmwire::TPM_HANDLE> persistent_handle;
    std::optional<std::string> key_file;  // absolute
    std::string access_key_id;            // empty: a placeholder
    std::vector<unsigned> pcrs;
    bool ek_parent = false;  // key files under the EK
    std::optional<tpmwire::bytes> salt_name;
};

std::string credential_process_line(const config_line_inputs& in);

// The placeholder used when --aws-access-key-id was not given.
inline constexpr std::string_view access_key_placeholder = "<ACCESS_KEY_ID>";

}  // namespace atpc::output
