// The credential_process contract: one JSON object on stdout on success;
// nothing on stdout and one line on stderr on failure.
#pragma once

#include "sts/credentials.hpp"
#include "tpmwire/bytes.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace atpc::output {

// {"Version":1,"AccessKeyId":…,"SecretAccessKey":…,"SessionToken":…,
//  "Expiration":"2026-11-27T23:20:04Z"[,"AccountId":…]} and a newline.
// Expiration is RFC 3339 in UTC with 'Z' (the Go SDK rejects +00:00 forms).
tpmwire::secret_string to_json(const sts::credentials& c);

// "2026-11-27T23:20:04Z", seconds truncated.
std::string rfc3339(std::chrono::system_clock::time_point t);

// Writes all of `data` to the file descriptor with write(2), so no stdio
// buffer keeps a copy of the secret. Returns false on failure.
bool write_all(int fd, std::string_view data);

// The one failure line: "aws-tpm-process-credential: <message>\n".
void print_error(std::string_view message);

// --debug: writes "aws-tpm-process-credential: debug: <line>" to stderr;
// an empty function when `enabled` is false (callers test it before
// formatting a line).
std::function<void(const std::string&)> debug_trace(bool enabled);

}  // namespace atpc::output
