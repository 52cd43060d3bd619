// Everything a Query call needs besides the request and the signer, resolved
// from flags and the environment before any I/O (so configuration mistakes
// are reported as such, not as network failures).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "base/env.hpp"
#include "https/client.hpp"
#include "https/proxy.hpp"
#include "https/trust.hpp"
#include "sts/endpoint.hpp"
#include "sts/retry.hpp"

namespace atpc::sts {

struct call_options {
    endpoint target;
    std::optional<https::proxy_settings> proxy;  // nullopt: connect directly
    https::trust_store trust;
    std::chrono::steady_clock::time_point deadline;  // the whole call, retries included (the run's --deadline)
    std::chrono::milliseconds attempt_timeout{10000};  // one attempt: connect, TLS, request and reply
    retry_policy retry{};
    std::string user_agent;          // empty: "aws-tpm-process-credential/<version>"
    std::function<double()> random;  // uniform [0, 1) for backoff jitter; empty: seeded from std::random_device
    https::trace_fn trace;           // --debug: one line per step; empty: none
};

// The CA bundle: the --ca-bundle value, else AWS_CA_BUNDLE, else the system
// store (as the AWS SDKs do).
https::trust_store resolve_trust(const std::optional<std::string>& ca_bundle_flag, const env_lookup& env);

// resolve_endpoint + https::proxy_for + resolve_trust. Throws atpc::error
// (usage/config) naming the flag or variable at fault.
call_options resolve_call_options(const endpoint_inputs& in, const std::optional<std::string>& ca_bundle_flag,
                                  const env_lookup& env, std::chrono::steady_clock::time_point deadline);

}  // namespace atpc::sts
