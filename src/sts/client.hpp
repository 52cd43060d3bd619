// The STS call: one coroutine that sends a signed request, retries the way
// the AWS SDKs' "standard" mode does, corrects the signing clock once when
// STS says it is off, and returns the parsed credentials.
//
// Deadlines: every attempt gets min(now + attempt_timeout, deadline); the
// overall `deadline` is never overrun (no backoff sleep crosses it).
// Errors are atpc::error with fault sts / network / tls / timeout / config;
// what() is one line naming the host, the step and what to check, never a
// secret.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "sts/endpoint.hpp"
#include "sts/form.hpp"
#include "sts/outgoing.hpp"
#include "sts/proxy.hpp"
#include "sts/reply.hpp"
#include "sts/retry.hpp"
#include "sts/trust.hpp"

namespace atpc::sts {

struct call_options {
    endpoint target;
    std::optional<proxy_settings> proxy;  // from proxy_for(env, target.host, target.port)
    trust_store trust;                    // from resolve_trust(...)
    std::chrono::steady_clock::time_point deadline;
    std::chrono::milliseconds attempt_timeout{10000};
    retry_policy retry{};
    std::string user_agent;          // empty: "aws-tpm-process-credential/<version>"
    std::function<double()> random;  // uniform [0, 1) for backoff jitter; empty: seeded from std::random_device
};

// Runs on the executor of the calling coroutine. Arguments are taken by value,
// so the caller's objects may go away while the call runs.
boost::asio::awaitable<credentials> call(call_options options, sts_request request, signer sign);

}  // namespace atpc::sts
