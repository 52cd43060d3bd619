// What one credential fetch needs, validated by whoever fills it in (the
// subcommands, from their flags). Secrets are kept in zeroizing strings.
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/constants.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atpc::credential {

struct settings {
    // TPM
    std::string tpm_path = "/dev/tpmrm0";
    tpmwire::TPM_HANDLE persistent_handle = 0x81008003;
    std::string credential_file;  // used instead of the handle when set
    tpmwire::secret_string key_pass;
    tpmwire::secret_string parent_pass;
    std::vector<unsigned> pcrs;
    bool use_ek_parent = false;
    std::optional<tpmwire::bytes> encrypt_with_name;
    std::uint32_t lockout_reserve = 2;  // DA tries left for the TPM's other users
    std::chrono::milliseconds timeout{2000};  // per TPM command

    // AWS
    std::string access_key_id;
    std::string role_arn;
    std::string session_name;  // generated when empty
    std::optional<std::string> region;
    bool assume_role = false;
    std::chrono::seconds duration{3600};
    std::optional<std::string> sts_endpoint;
    std::optional<std::string> ca_bundle;
    std::optional<std::string> external_id;
    std::optional<std::string> serial_number;
    std::optional<std::string> token_code;
    std::optional<std::string> source_identity;

    std::chrono::milliseconds deadline{25000};  // the whole run: TPM plus network
};

}  // namespace atpc::credential
