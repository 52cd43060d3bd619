#include "sts/retry.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "https/url.hpp"

namespace atpc::sts {
namespace {

using namespace std::string_view_literals;

// botocore ThrottledRetryableChecker's codes.
constexpr std::array throttling_codes = {
    "Throttling"sv,          "ThrottlingException"sv,   "ThrottledException"sv,
    "RequestThrottledException"sv, "TooManyRequestsException"sv, "ProvisionedThroughputExceededException"sv,
    "TransactionInProgressException"sv, "RequestLimitExceeded"sv, "BandwidthLimitExceeded"sv,
    "LimitExceededException"sv, "RequestThrottled"sv,   "SlowDown"sv,
    "EC2ThrottledException"sv,
};

// botocore TransientRetryableChecker's codes, plus STS's IDPCommunicationError.
constexpr std::array transient_codes = {"RequestTimeout"sv, "RequestTimeoutException"sv,
                                        "PriorRequestNotComplete"sv, "IDPCommunicationError"sv};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

bool is_clock_skew(const service_error& e) {
    if (e.code == "RequestExpired" || e.code == "RequestTimeTooSkewed" || e.code == "RequestInTheFuture") return true;
    if (e.code != "SignatureDoesNotMatch" && e.code != "InvalidSignatureException" && e.code != "AuthFailure") {
        return false;
    }
    const auto m = https::to_lower(e.message);
    // Not "date": SignatureDoesNotMatch messages may quote x-amz-date in the
    // canonical request without the time being the problem.
    for (auto word : {"signature expired"sv, "not yet current"sv, "expired"sv, "clock"sv, "skew"sv}) {
        if (m.find(word) != std::string::npos) return true;
    }
    return false;
}

retry_class classify(unsigned status, const std::optional<service_error>& e) {
    if (e) {
        if (is_clock_skew(*e)) return retry_class::clock_skew;
        if (contains(throttling_codes, e->code)) return retry_class::throttling;
        if (contains(transient_codes, e->code)) return retry_class::transient;
    }
    if (status == 429) return retry_class::throttling;
    if (status == 500 || status == 502 || status == 503 || status == 504) return retry_class::transient;
    return retry_class::none;
}

std::chrono::milliseconds backoff_delay(const retry_policy& p, retry_class kind, int attempts_done, double unit_random,
                                        std::optional<std::chrono::milliseconds> retry_after) {
    using ms = std::chrono::milliseconds;
    const ms base = kind == retry_class::throttling ? p.throttling_base : p.transient_base;
    // base * 2^(attempts_done - 1), capped; computed in double to avoid overflow.
    double ceiling = static_cast<double>(base.count());
    for (int i = 1; i < attempts_done && ceiling < static_cast<double>(p.cap.count()); ++i) ceiling *= 2;
    ceiling = std::min(ceiling, static_cast<double>(p.cap.count()));
    const double r = std::clamp(unit_random, 0.0, 1.0);
    ms t{static_cast<ms::rep>(r * ceiling)};
    if (retry_after && retry_after->count() >= 0) {
        t = std::max(t, std::min(*retry_after, t + p.max_retry_after_extra));
    }
    return t;
}

}  // namespace atpc::sts
