// The credential_process JSON: every field, the escaping, the expiration's
// form, and that a JSON parser reads back exactly what went in.
#include "output/process_output.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <string>

using namespace atpc;
using namespace std::chrono_literals;

namespace {

sts::credentials sample() {
    sts::credentials c;
    c.access_key_id = "ASIAIOSFODNN7EXAMPLE";
    c.secret_access_key.assign("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    c.session_token.assign("FwoGZXIvYXdzEBYaDH+token/with=chars");
    c.expiration = std::chrono::sys_days{std::chrono::year{2026} / 11 / 27} + 23h + 20min + 4s + 900ms;
    return c;
}

std::string json(const sts::credentials& c) {
    auto s = output::to_json(c);
    return std::string(s.data(), s.size());
}

// Field `name` of `text` as a JSON parser reads it.
std::string field(const std::string& text, const char* name) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(text);
    std::string_view v = doc[name].get_string();
    return std::string(v);
}

}  // namespace

TEST_CASE("process output: every field, in the order and form the SDKs read") {
    auto c = sample();
    CHECK(json(c) == "{\"Version\":1,\"AccessKeyId\":\"ASIAIOSFODNN7EXAMPLE\","
                     "\"SecretAccessKey\":\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\","
                     "\"SessionToken\":\"FwoGZXIvYXdzEBYaDH+token/with=chars\","
                     "\"Expiration\":\"2026-11-27T23:20:04Z\"}\n");
    c.account_id = "123456789012";
    const std::string with_account = json(c);
    CHECK_THAT(with_account, Catch::EndsWith(",\"Expiration\":\"2026-11-27T23:20:04Z\",\"AccountId\":\"123456789012\"}\n"));
    CHECK(field(with_account, "AccountId") == "123456789012");
    simdjson::dom::parser parser;
    CHECK(int64_t(parser.parse(with_account)["Version"]) == 1);
}

TEST_CASE("process output: strings are escaped so any byte reads back unchanged") {
    auto c = sample();
    const std::string nasty = std::string("q\"b\\s/n\nr\rt\tz\x01\x1f\x7f") + "\xc3\xa9";  // é in UTF-8
    c.access_key_id = nasty;
    c.session_token.assign(nasty);
    const std::string text = json(c);
    CHECK_THAT(text, Catch::Contains(R"("AccessKeyId":"q\"b\\s/n\nr\rt\tz\u0001\u001f)"));
    CHECK(field(text, "AccessKeyId") == nasty);
    CHECK(field(text, "SessionToken") == nasty);
    CHECK(field(text, "SecretAccessKey") == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
}

TEST_CASE("process output: the expiration is RFC 3339 in UTC with Z, seconds truncated") {
    CHECK(output::rfc3339(std::chrono::system_clock::time_point{}) == "1970-01-01T00:00:00Z");
    CHECK(output::rfc3339(std::chrono::sys_days{std::chrono::year{2038} / 1 / 19} + 3h + 14min + 8s) ==
          "2038-01-19T03:14:08Z");
    CHECK(output::rfc3339(std::chrono::sys_days{std::chrono::year{2026} / 12 / 31} + 23h + 59min + 59s + 999ms) ==
          "2026-12-31T23:59:59Z");
}
