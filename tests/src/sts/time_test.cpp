// Time formats in STS replies. Expected epoch values computed with Python's
// datetime and email.utils (independent implementations).
#include <catch2/catch.hpp>

#include "sts/time.hpp"

using namespace atpc::sts;

namespace {
long long ms(const std::optional<sys_time>& t) {
    REQUIRE(t);
    return t->time_since_epoch().count();
}
}  // namespace

TEST_CASE("time: ISO 8601 with and without milliseconds and offsets", "[sts][time]") {
    CHECK(ms(parse_iso8601("2011-07-11T19:55:29.611Z")) == 1310414129611);
    CHECK(ms(parse_iso8601("2018-01-02T05:04:05Z")) == 1514869445000);
    CHECK(ms(parse_iso8601("2024-02-29T23:59:59.999Z")) == 1709251199999);
    CHECK(ms(parse_iso8601("1970-01-01T00:00:00Z")) == 0);
    CHECK(ms(parse_iso8601("9999-12-31T23:59:59Z")) == 253402300799000);
    CHECK(ms(parse_iso8601("2011-07-11T21:55:29.611+02:00")) == 1310414129611);
    CHECK(ms(parse_iso8601("2011-07-11T21:55:29.611+0200")) == 1310414129611);
    CHECK(ms(parse_iso8601("2011-07-11T17:55:29.611-02:00")) == 1310414129611);
    CHECK(ms(parse_iso8601("2011-07-11T19:55:29.6Z")) == 1310414129600);
    CHECK(ms(parse_iso8601("2011-07-11T19:55:29.611999999Z")) == 1310414129611);
    CHECK(ms(parse_iso8601("2011-07-11t19:55:29z")) == 1310414129000);
    for (const char* bad : {"", "2011-07-11", "2011-07-11T19:55:29", "2011-07-11T19:55:29.Z", "2011-02-30T00:00:00Z",
                            "2011-13-01T00:00:00Z", "2011-07-11T24:00:00Z", "2011-07-11T19:60:00Z",
                            "2011-07-11T19:55:29ZZ", "2011-07-11T19:55:29+2", "1969-12-31T23:59:59Z",
                            "2011-07-11T19:55:29.1234567890Z", "+011-07-11T19:55:29Z", "2011-07-11T19:55:29+24:00"}) {
        INFO(bad);
        CHECK_FALSE(parse_iso8601(bad));
    }
}

TEST_CASE("time: JSON epoch numbers, scientific notation exact", "[sts][time]") {
    CHECK(ms(parse_epoch_number("1.514869445E9")) == 1514869445000);
    CHECK(ms(parse_epoch_number("1514869445")) == 1514869445000);
    CHECK(ms(parse_epoch_number("1.514869445e+9")) == 1514869445000);
    CHECK(ms(parse_epoch_number("1514869445.5")) == 1514869445500);
    CHECK(ms(parse_epoch_number("1.5148694455E9")) == 1514869445500);
    CHECK(ms(parse_epoch_number("15148694455E-1")) == 1514869445500);
    CHECK(ms(parse_epoch_number("1.7e9 ")) == 1700000000000);
    CHECK(ms(parse_epoch_number("1514869445.0009")) == 1514869445000);  // truncated below 1 ms
    CHECK(ms(parse_epoch_number("0")) == 0);
    CHECK(ms(parse_epoch_number("0.0e0")) == 0);
    // A double would round 1.514869445123456789E9 differently; this is exact.
    CHECK(ms(parse_epoch_number("1.514869445123456789E9")) == 1514869445123);
    for (const char* bad : {"", "-1", "+1", "01", "1.", ".5", "1e", "1e+", "1x", "NaN", "Infinity", "1e99999",
                            "1e400", "2.6e11", "\"1\"", "1 2"}) {
        INFO(bad);
        CHECK_FALSE(parse_epoch_number(bad));
    }
}

TEST_CASE("time: HTTP Date", "[sts][time]") {
    CHECK(ms(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT")) == 784111777000);
    CHECK(ms(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT")) == 0);
    for (const char* bad : {"", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                            "Sun, 06 Nov 1994 08:49:37 UTC", "Xyz, 06 Nov 1994 08:49:37 GMT",
                            "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT"}) {
        INFO(bad);
        CHECK_FALSE(parse_http_date(bad));
    }
}
