// When serve refreshes, and what it hands out meanwhile: the arithmetic, on
// made-up clocks.
#include "output/process_output.hpp"
#include "server/credential_state.hpp"
#include "server/limits.hpp"
#include "server/refresh_policy.hpp"

#include <catch2/catch.hpp>

using namespace atpc::server;
using namespace std::chrono_literals;

namespace {

const wall_clock::time_point t0 = wall_clock::time_point{} + std::chrono::hours(24 * 365 * 56);

atpc::sts::credentials credentials_until(wall_clock::time_point expiration, std::string key = "ASIAEXAMPLE0000001") {
    atpc::sts::credentials c;
    c.access_key_id = std::move(key);
    c.secret_access_key = "secret/with\"quote";
    c.session_token = "token";
    c.expiration = expiration;
    return c;
}

}  // namespace

TEST_CASE("next_refresh: 20 minutes ahead of expiry, up to a minute earlier, never sooner than 2 s") {
    const auto expires = t0 + 1h;
    CHECK(next_refresh(expires, t0, 0.0) == t0 + 40min);
    CHECK(next_refresh(expires, t0, 0.999) > t0 + 39min);
    CHECK(next_refresh(expires, t0, 0.999) < t0 + 40min);
    // Little room left: the jitter is at most a quarter of it.
    CHECK(next_refresh(t0 + 20min + 8s, t0, 0.999) >= t0 + 6s);
    // Credentials already inside the margin: soon, but not in a hot loop.
    CHECK(next_refresh(t0 + 15min, t0, 0.5) == t0 + min_refresh_spacing);
    CHECK(next_refresh(t0 - 1h, t0, 0.5) == t0 + min_refresh_spacing);
}

TEST_CASE("retry_delay: doubling from 1 s up to 30 s, scaled by half to all of it") {
    CHECK(retry_delay(1, 0.0) == 500ms);
    CHECK(retry_delay(1, 0.999) < 1s);
    CHECK(retry_delay(2, 0.0) == 1s);
    CHECK(retry_delay(3, 0.0) == 2s);
    CHECK(retry_delay(6, 0.0) == 15s);
    CHECK(retry_delay(7, 0.999) < 30s);
    CHECK(retry_delay(1000, 0.0) == 15s);
    const double r = unit_random();
    CHECK((r >= 0.0 && r < 1.0));
}

TEST_CASE("credential_state: handed out while more than 10 minutes remain, never after") {
    credential_state s;
    CHECK(s.usable(t0) == nullptr);
    CHECK(s.unavailable_reason() == "no credentials have been obtained yet; a refresh is under way");

    s.install(credentials_until(t0 + 30min), t0);
    auto served = s.usable(t0 + 19min);
    REQUIRE(served);
    CHECK(std::string_view(served->container_body) ==
          R"({"AccessKeyId":"ASIAEXAMPLE0000001","SecretAccessKey":"secret/with\"quote","Token":"token","Expiration":")" +
              atpc::output::rfc3339(t0 + 30min) + "\"}");
    CHECK(s.usable(t0 + 20min) == nullptr);
    CHECK_THAT(s.unavailable_reason(), Catch::Contains("too soon to hand out (fewer than 10 minutes left)"));

    // A failed refresh does not take away what is still good, and is named once it is not.
    s.refresh_failed("STS: AccessDenied: not allowed");
    CHECK(s.usable(t0 + 19min) == served);
    CHECK_THAT(s.unavailable_reason(), Catch::EndsWith("; the last refresh failed: STS: AccessDenied: not allowed"));

    // A response being written keeps its set alive across a refresh.
    s.install(credentials_until(t0 + 90min, "ASIAEXAMPLE0000002"), t0 + 19min);
    CHECK(served->expiration == t0 + 30min);
    CHECK_THAT(std::string(s.usable(t0 + 19min)->imds_body), Catch::Contains("\"AccessKeyId\":\"ASIAEXAMPLE0000002\""));
    CHECK_THAT(s.unavailable_reason(), Catch::EndsWith("a refresh is under way"));
}
