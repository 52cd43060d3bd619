// Which failures are retried and how long to wait: the AWS SDKs' "standard"
// retry mode (botocore retries/standard.py, STANDARD_RETRY_MODE_VERSION 2.1):
// at most 3 attempts; transient errors (HTTP 500/502/503/504, connection
// failures, RequestTimeout, PriorRequestNotComplete, IDPCommunicationError)
// wait rand * min(0.05 s * 2^(n-1), 20 s), throttling errors (Throttling,
// ThrottlingException, RequestLimitExceeded, TooManyRequestsException, ...,
// and HTTP 429) rand * min(1 s * 2^(n-1), 20 s); an x-amz-retry-after header
// (milliseconds) is honoured within [t, t + 5 s]. Authentication and
// validation errors are never retried. Clock-skew errors get one re-signed
// attempt with the server's time (handled by the client, not counted here).
#pragma once

#include <chrono>
#include <optional>

#include "sts/reply.hpp"

namespace atpc::sts {

enum class retry_class { none, transient, throttling, clock_skew };

struct retry_policy {
    int max_attempts = 3;
    std::chrono::milliseconds transient_base{50};
    std::chrono::milliseconds throttling_base{1000};
    std::chrono::milliseconds cap{20000};
    std::chrono::milliseconds max_retry_after_extra{5000};
};

// Classifies an HTTP reply that is not a success.
retry_class classify(unsigned status, const std::optional<service_error>& e);

// True for errors that mean "your clock is off": RequestExpired,
// RequestTimeTooSkewed, RequestInTheFuture, and signature errors whose
// message talks about expiry or time.
bool is_clock_skew(const service_error& e);

// Delay before the next attempt after `attempts_done` attempts (>= 1), with
// unit_random in [0, 1) for the full jitter.
std::chrono::milliseconds backoff_delay(const retry_policy& p, retry_class kind, int attempts_done, double unit_random,
                                        std::optional<std::chrono::milliseconds> retry_after = std::nullopt);

}  // namespace atpc::sts
