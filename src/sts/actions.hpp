// The STS actions that return credentials: parameters, validation before any
// I/O, and the Query form body (Version=2011-06-15).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sts/form.hpp"

namespace atpc::sts {

inline constexpr std::string_view sts_api_version = "2011-06-15";

struct mfa {
    std::string serial_number;  // MFA device ARN or hardware serial
    std::string token_code;     // 6 digits
};

struct get_session_token_params {
    std::int64_t duration_seconds = 3600;  // 900..129600
    std::optional<mfa> mfa_device;
};

struct session_tag {
    std::string key;
    std::string value;
};

struct assume_role_params {
    std::string role_arn;
    std::string role_session_name;         // 2..64 of [\w+=,.@-]
    std::int64_t duration_seconds = 3600;  // 900..43200
    std::optional<std::string> external_id;
    std::optional<mfa> mfa_device;
    std::optional<std::string> source_identity;
    std::optional<std::string> policy;     // inline session policy (JSON)
    std::vector<std::string> policy_arns;  // managed session policies
    std::vector<session_tag> tags;
};

// Validate and encode; throw atpc::error(fault::usage) naming the parameter.
query_request build_request(const get_session_token_params& p);
query_request build_request(const assume_role_params& p);

}  // namespace atpc::sts
