// Error mapping (one line, sanitized, with the hint) and the retry policy.
#include <catch2/catch.hpp>

#include "sts/errors.hpp"
#include "sts/retry.hpp"

using namespace atpc::sts;
using std::chrono::milliseconds;

TEST_CASE("errors: sanitize", "[sts][errors]") {
    CHECK(sanitize("plain text") == "plain text");
    CHECK(sanitize("a\r\nb\tc") == "a b c");
    CHECK(sanitize("caf\xc3\xa9\x1b[31m") == "caf???[31m");
    CHECK(sanitize(std::string(1000, 'x')).size() == 300);
    CHECK_THAT(sanitize(std::string(1000, 'x')), Catch::EndsWith("..."));
    CHECK(sanitize(std::string(300, 'x')) == std::string(300, 'x'));
    CHECK(sanitize("trailing \n\n") == "trailing");
}

TEST_CASE("errors: mapping carries code, message and hint on one line", "[sts][errors]") {
    auto one_line = [](const atpc::error& e) {
        std::string w = e.what();
        CHECK(w.find('\n') == std::string::npos);
        CHECK(e.kind() == atpc::fault::sts);
        return w;
    };
    service_error sig{"SignatureDoesNotMatch", "The request signature we calculated does not match\n", "Sender", "rid-1"};
    auto w = one_line(service_failure("STS", "GetSessionToken", "sts.us-east-1.amazonaws.com", 403, "Forbidden", sig));
    CHECK_THAT(w, Catch::Contains("GetSessionToken") && Catch::Contains("sts.us-east-1.amazonaws.com") &&
                      Catch::Contains("HTTP 403") && Catch::Contains("SignatureDoesNotMatch") &&
                      Catch::Contains("rid-1") &&
                      Catch::Contains("the secret in the TPM does not match the access key id, or the clock is off"));

    CHECK_THAT(one_line(service_failure("STS", "GetSessionToken", "h", 403, "", service_error{"InvalidClientTokenId", "m", "", ""})),
               Catch::Contains("the access key id is wrong or inactive"));
    CHECK_THAT(one_line(service_failure("STS", "AssumeRole", "h", 403, "", service_error{"AccessDenied", "m", "", ""})),
               Catch::Contains("check the role's trust policy and the caller's permissions"));
    CHECK_THAT(one_line(service_failure("STS", "AssumeRole", "h", 403, "", service_error{"RegionDisabledException", "m", "", ""})),
               Catch::Contains("activate STS in that region or use another region"));
    CHECK_THAT(one_line(service_failure("STS", "AssumeRole", "h", 400, "", service_error{"ExpiredToken", "m", "", ""})),
               Catch::Contains("expired"));
    CHECK_THAT(one_line(service_failure("STS", "AssumeRole", "h", 400, "", service_error{"Weird", "m", "", ""})),
               Catch::Contains("Weird") && Catch::Contains("documentation"));
    CHECK_THAT(one_line(service_failure("STS", "AssumeRole", "h", 503, "Service Unavailable", std::nullopt)),
               Catch::Contains("HTTP 503") && Catch::Contains("not an STS error"));
    // Hostile server text is bounded and printable.
    auto hostile = one_line(service_failure("STS", "AssumeRole", "h", 400, "",
                                            service_error{"C\x1b", std::string(5000, 'm') + "\n", "", ""}));
    CHECK(hostile.size() < 600);
    CHECK(hostile.find('\x1b') == std::string::npos);
}

TEST_CASE("retry: classification", "[sts][retry]") {
    auto err = [](const char* code, const char* msg = "m") { return std::optional<service_error>({code, msg, "", ""}); };
    CHECK(classify(400, err("Throttling")) == retry_class::throttling);
    CHECK(classify(400, err("ThrottlingException")) == retry_class::throttling);
    CHECK(classify(400, err("RequestLimitExceeded")) == retry_class::throttling);
    CHECK(classify(400, err("TooManyRequestsException")) == retry_class::throttling);
    CHECK(classify(429, std::nullopt) == retry_class::throttling);
    CHECK(classify(400, err("IDPCommunicationError")) == retry_class::transient);
    CHECK(classify(400, err("RequestTimeout")) == retry_class::transient);
    for (unsigned s : {500u, 502u, 503u, 504u}) CHECK(classify(s, std::nullopt) == retry_class::transient);
    CHECK(classify(501, std::nullopt) == retry_class::none);
    CHECK(classify(403, err("SignatureDoesNotMatch")) == retry_class::none);
    CHECK(classify(403, err("InvalidClientTokenId")) == retry_class::none);
    CHECK(classify(403, err("AccessDenied")) == retry_class::none);
    CHECK(classify(400, err("ValidationError")) == retry_class::none);
    CHECK(classify(400, err("RequestExpired")) == retry_class::clock_skew);
    CHECK(classify(403, err("SignatureDoesNotMatch", "Signature expired: 20240101T000000Z is now earlier than ...")) ==
          retry_class::clock_skew);
    CHECK(classify(403, err("SignatureDoesNotMatch", "Signature not yet current: ...")) == retry_class::clock_skew);
    CHECK(classify(403, err("SignatureDoesNotMatch",
                            "The Canonical String for this request should have been 'x-amz-date:...'")) ==
          retry_class::none);
}

TEST_CASE("retry: backoff is capped full jitter", "[sts][retry]") {
    retry_policy p;
    CHECK(backoff_delay(p, retry_class::transient, 1, 0.0) == milliseconds(0));
    CHECK(backoff_delay(p, retry_class::transient, 1, 0.5) == milliseconds(25));
    CHECK(backoff_delay(p, retry_class::transient, 2, 0.5) == milliseconds(50));
    CHECK(backoff_delay(p, retry_class::transient, 3, 0.999) == milliseconds(199));
    CHECK(backoff_delay(p, retry_class::throttling, 1, 0.5) == milliseconds(500));
    CHECK(backoff_delay(p, retry_class::throttling, 2, 0.5) == milliseconds(1000));
    CHECK(backoff_delay(p, retry_class::throttling, 10, 0.999) == milliseconds(19980));
    CHECK(backoff_delay(p, retry_class::throttling, 1000, 1.0) == milliseconds(20000));
    CHECK(backoff_delay(p, retry_class::transient, 1000, 1.0) == milliseconds(20000));
    // x-amz-retry-after is honoured, but at most 5 s beyond the computed delay.
    CHECK(backoff_delay(p, retry_class::transient, 1, 0.0, milliseconds(300)) == milliseconds(300));
    CHECK(backoff_delay(p, retry_class::transient, 1, 0.0, milliseconds(60000)) == milliseconds(5000));
    CHECK(backoff_delay(p, retry_class::throttling, 1, 0.5, milliseconds(10)) == milliseconds(500));
}
