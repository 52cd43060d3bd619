// Everything the STS call needs besides the request and the signer, resolved
// from flags and the environment before any I/O (so configuration mistakes
// are reported as such, not as network failures).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "sts/endpoint.hpp"
#include "base/env.hpp"
#include "sts/proxy.hpp"
#include "sts/retry.hpp"
#include "sts/trust.hpp"

namespace atpc::sts {

struct call_options {
    endpoint target;
    std::optional<proxy_settings> proxy;  // nullopt: connect directly
    trust_store trust;
    std::chrono::steady_clock::time_point deadline;  // the whole call, retries included
    std::chrono::milliseconds attempt_timeout{10000};
    retry_policy retry{};
    std::string user_agent;          // empty: "aws-tpm-process-credential/<version>"
    std::function<double()> random;  // uniform [0, 1) for backoff jitter; empty: seeded from std::random_device
};

// resolve_endpoint + proxy_for + resolve_trust. Throws atpc::error
// (usage/config) naming the flag or variable at fault.
call_options resolve_call_options(const endpoint_inputs& in, const std::optional<std::string>& ca_bundle_flag,
                                  const env_lookup& env, std::chrono::steady_clock::time_point deadline);

}  // namespace atpc::sts
