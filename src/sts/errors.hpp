// One-line errors for failures of a Query service (STS, IAM): what failed
// (service, action, host, HTTP status, error code and message) and what to
// check. Server-provided text is
// sanitized (printable ASCII, bounded length); bodies are never quoted.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "sts/reply.hpp"

namespace atpc::sts {

// Printable ASCII only (other bytes become '?', line breaks and tabs become
// spaces), at most max_chars, "..." marking a cut.
std::string sanitize(std::string_view text, std::size_t max_chars = 300);

// What to check for a given AWS error code; empty when there is no specific
// advice. `service` names the service in the advice ("STS").
std::string hint_for(std::string_view service, std::string_view code);

// The error for a non-2xx reply. `e` is the parsed body, or nullopt when the
// body was not a recognizable AWS error.
error service_failure(std::string_view service, std::string_view action, std::string_view host, unsigned status,
                      std::string_view reason, const std::optional<service_error>& e);

}  // namespace atpc::sts
