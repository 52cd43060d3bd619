// Temporary AWS credentials: the one type from the STS reply to the
// credential_process output (output::to_json takes it as it is).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <tpmwire/bytes.hpp>

namespace atpc::sts {

struct credentials {
    std::string access_key_id;
    tpmwire::secret_string secret_access_key;
    tpmwire::secret_string session_token;
    std::chrono::system_clock::time_point expiration;
    std::optional<std::string> assumed_role_arn;  // AssumeRole only
    std::optional<std::string> assumed_role_id;   // AssumeRole only
    std::optional<std::string> account_id;        // from the assumed-role ARN
};

}  // namespace atpc::sts
