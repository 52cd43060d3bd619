// STS Query API requests: parameters, validation before any I/O, and the
// form-encoded body (Version=2011-06-15).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace atpc::sts {

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

// What goes on the wire: the action name (for messages) and the body.
struct sts_request {
    std::string action;
    std::string body;  // application/x-www-form-urlencoded
};

// Validate and encode; throw atpc::error(fault::usage) naming the parameter.
sts_request build_request(const get_session_token_params& p);
sts_request build_request(const assume_role_params& p);

// Go's url.Values.Encode: keys sorted bytewise, A-Z a-z 0-9 - _ . ~ kept,
// space as '+', every other byte as %XX (upper-case hex).
// (sigv4::form_encode, which the signature tests pin byte for byte)
std::string form_encode(std::vector<std::pair<std::string, std::string>> fields);

}  // namespace atpc::sts
