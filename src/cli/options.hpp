// Everything the command line and environment asked for, validated before
// any I/O. Secrets are kept in zeroizing strings.
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/constants.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace atpc::cli {

struct options {
    // TPM
    std::string tpm_path = "/dev/tpmrm0";
    tpmwire::TPM_HANDLE persistent_handle = 0x81008003;
    std::string credential_file;
    tpmwire::secret_string key_pass;     // --keyPass or TPM_KEY_AUTH
    tpmwire::secret_string parent_pass;  // --parentPass or TPM_PARENT_AUTH
    std::vector<unsigned> pcrs;
    bool use_ek_parent = false;
    std::optional<tpmwire::bytes> encrypt_with_name;
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

    // The whole run: TPM plus network.
    std::chrono::milliseconds deadline{25000};
    bool debug = false;
    bool version = false;
    bool help = false;
    // Arguments after the flags (Go's flag package stops at the first
    // non-flag argument and ignores the rest; so do we).
    std::vector<std::string> ignored;
};

}  // namespace atpc::cli
