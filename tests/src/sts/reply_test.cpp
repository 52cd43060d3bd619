// Reply parsing: the documented STS shapes in JSON and XML, the moto and
// awsJson error variants, and malformed input of every kind giving a clean
// reply_error (never a crash, never a byte of the body in the message).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "sts/reply.hpp"

using namespace atpc::sts;

namespace {

std::string data(const std::string& name) {
    std::ifstream in(std::string(ATPC_TEST_DATA_DIR) + "/sts/" + name, std::ios::binary);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string str(const tpmwire::secret_string& s) { return std::string(s.begin(), s.end()); }

long long epoch_s(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
long long epoch_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

const std::string gst_token =
    "AQoEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5TthT+FvwqnKwRcOIfrRh3c/"
    "LTo6UDdyJwOOvEVPvLXCrrrUtdnniCEXAMPLE/IvU1dYUg2RVAJBanLiHb4IgRmpRV3zrkuWJOgQs8IZZaIv2BXIa2R4OlgkBN9bkUDNCJiBeb/"
    "AXlzBBko7b15fjrBs2+cTQtpZ3CYWFXG8C5zqx37wnOE49mRl/+OtkIKGO7fAE";

// A reply_error whose message must not contain any secret-looking text.
std::string failure_of(std::string_view body, std::string_view type = "") {
    try {
        parse_credentials(body, type);
    } catch (const reply_error& e) {
        std::string what = e.what();
        CHECK(what.find("wJalr") == std::string::npos);
        CHECK(what.find("AQoE") == std::string::npos);
        return what;
    }
    FAIL("parsed: " << body);
    return {};
}

std::string json_creds(std::string_view creds_fields) {
    return R"({"GetSessionTokenResponse":{"GetSessionTokenResult":{"Credentials":{)" + std::string(creds_fields) +
           "}}}}";
}

const char* good_fields =
    R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY","SessionToken":"AQoEtoken","Expiration":1.514869445E9)";

}  // namespace

TEST_CASE("reply: GetSessionToken XML (documented example, pretty-printed)", "[sts][reply]") {
    auto c = parse_credentials(data("get_session_token.xml"), "text/xml");
    CHECK(c.access_key_id == "ASIAIOSFODNN7EXAMPLE");
    CHECK(str(c.secret_access_key) == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    CHECK(str(c.session_token) == gst_token);
    CHECK(epoch_ms(c.expiration) == 1310414129611);
    CHECK_FALSE(c.assumed_role_arn);
    CHECK_FALSE(c.account_id);
}

TEST_CASE("reply: AssumeRole XML and JSON agree", "[sts][reply]") {
    auto x = parse_credentials(data("assume_role.xml"), "text/xml");
    auto j = parse_credentials(data("assume_role.json"), "application/json");
    for (const auto* c : {&x, &j}) {
        CHECK(c->access_key_id == "ASIAIOSFODNN7EXAMPLE");
        CHECK(str(c->secret_access_key) == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
        CHECK(epoch_s(c->expiration) == 1573306481);
        REQUIRE(c->assumed_role_arn);
        CHECK(*c->assumed_role_arn == "arn:aws:sts::123456789012:assumed-role/demo/John");
        CHECK(c->assumed_role_id == std::optional<std::string>("ARO123EXAMPLE123:John"));
        CHECK(c->account_id == std::optional<std::string>("123456789012"));
    }
    CHECK(str(j.session_token) ==
          "AQoDYXdzEPT//////////wEXAMPLE+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
          "scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==");
}

TEST_CASE("reply: GetSessionToken JSON with scientific-notation Expiration", "[sts][reply]") {
    auto c = parse_credentials(data("get_session_token.json"), "application/json");
    CHECK(epoch_s(c.expiration) == 1514869445);
    CHECK(str(c.session_token) == gst_token);
    // ISO text in JSON is accepted too, and field order does not matter.
    auto iso = parse_credentials(
        json_creds(R"("Expiration":"2018-01-02T05:04:05.250Z","SessionToken":"t","SecretAccessKey":"s","AccessKeyId":"ASIAAAAAAAAAAAAAAAAA")"),
        "");
    CHECK(epoch_ms(iso.expiration) == 1514869445250);
    // JSON escapes, including a surrogate pair, are decoded by our unescaper.
    auto esc = parse_credentials(
        json_creds(R"("AccessKeyId":"ASIA\u0041AAAAAAAAAAAAAAA","SecretAccessKey":"a\/b\\c","SessionToken":"x\"y","Expiration":1e9)"),
        "");
    CHECK(esc.access_key_id == "ASIAAAAAAAAAAAAAAAAA");
    CHECK(str(esc.secret_access_key) == "a/b\\c");
    CHECK(str(esc.session_token) == "x\"y");
    CHECK(epoch_s(esc.expiration) == 1000000000);
}

TEST_CASE("reply: format is sniffed, Content-Type only breaks ties", "[sts][reply]") {
    CHECK_NOTHROW(parse_credentials(data("get_session_token.json"), "text/xml"));
    CHECK_NOTHROW(parse_credentials("\n  " + data("get_session_token.xml"), "application/json"));
    CHECK_THAT(failure_of(""), Catch::Contains("empty"));
    CHECK_THAT(failure_of("   ", "application/json"), Catch::Contains("malformed"));
    CHECK_THAT(failure_of("garbage wJalrXUtnFEMI AQoE"), Catch::Contains("neither JSON nor XML"));
}

TEST_CASE("reply: malformed JSON gives clean errors", "[sts][reply]") {
    std::string full = data("get_session_token.json");
    while (!full.empty() && full.back() == '\n') full.pop_back();
    // Every truncation of a valid reply fails cleanly.
    for (std::size_t n = 1; n < full.size(); n += 7) {
        INFO(n);
        failure_of(full.substr(0, n));
    }
    failure_of(full + "x");
    failure_of(full + "}");
    failure_of("{}");
    failure_of("[]");
    failure_of(R"({"GetSessionTokenResponse":[]})");
    failure_of(json_creds(good_fields).insert(1, R"("x":)"));  // broken structure
    failure_of(json_creds(R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"s","SessionToken":"t")"));
    CHECK_THAT(failure_of(json_creds(std::string(good_fields) + R"(,"SessionToken":"again")")),
               Catch::Contains("twice"));
    failure_of(json_creds(R"("AccessKeyId":"lowercase-key-id","SecretAccessKey":"s","SessionToken":"t","Expiration":1e9)"));
    failure_of(json_creds(R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"s p","SessionToken":"t","Expiration":1e9)"));
    failure_of(json_creds(R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"","SessionToken":"t","Expiration":1e9)"));
    failure_of(json_creds(R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"s","SessionToken":"t","Expiration":-1)"));
    failure_of(json_creds(R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"s","SessionToken":"t","Expiration":true)"));
    failure_of(json_creds(R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"s","SessionToken":"t","Expiration":"tomorrow")"));
    failure_of(json_creds(R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":7,"SessionToken":"t","Expiration":1e9)"));
    failure_of(json_creds(R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"\ud800","SessionToken":"t","Expiration":1e9)"));
    failure_of(json_creds(R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"\x","SessionToken":"t","Expiration":1e9)"));
    failure_of(json_creds(R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"s)" "\x01" R"(","SessionToken":"t","Expiration":1e9)"));
    failure_of(json_creds(R"("AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":")" + std::string(20000, 'a') +
                          R"(","SessionToken":"t","Expiration":1e9)"));
    // Deep nesting is refused, not a stack overflow.
    failure_of(std::string(5000, '[') + std::string(5000, ']'));
    failure_of(std::string("{\"a\":") + std::string(3000, '{'));
}

TEST_CASE("reply: malformed XML gives clean errors", "[sts][reply]") {
    const std::string full = data("assume_role.xml");
    for (std::size_t n = 1; n < full.size(); n += 11) {
        INFO(n);
        failure_of(full.substr(0, n));
    }
    failure_of(full + "<x/>");
    CHECK_THAT(failure_of(R"(<!DOCTYPE x [<!ENTITY a "wJalr">]><x>&a;</x>)"), Catch::Contains("DOCTYPE"));
    failure_of("<a><b></a></b>");
    failure_of("<GetSessionTokenResponse/>");
    CHECK_THAT(failure_of("<R><GetSessionTokenResult><Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>"
                          "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId></Credentials></GetSessionTokenResult></R>"),
               Catch::Contains("no AccessKeyId"));  // wrong root name: nothing found
    CHECK_THAT(failure_of("<XResponse><XResult><Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>"
                          "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId></Credentials></XResult></XResponse>"),
               Catch::Contains("twice"));
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "<a>";
    CHECK_THAT(failure_of(deep), Catch::Contains("deeply"));
    failure_of("<XResponse><XResult><Credentials><SessionToken>" + std::string(20000, 'a') +
               "</SessionToken></Credentials></XResult></XResponse>");
    failure_of(std::string("<a>\xff\xfe</a>"));
}

TEST_CASE("reply: error bodies in every shape", "[sts][reply]") {
    auto x = parse_service_error(data("error.xml"), "text/xml");
    REQUIRE(x);
    CHECK(x->code == "SignatureDoesNotMatch");
    CHECK(x->type == "Sender");
    CHECK(x->request_id == "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
    CHECK_THAT(x->message, Catch::StartsWith("The request signature we calculated"));

    auto moto = parse_service_error(data("error_moto.xml"), "application/xml");
    REQUIRE(moto);
    CHECK(moto->code == "InvalidClientTokenId");
    CHECK(moto->message == "The security token included in the request is invalid.");

    auto j = parse_service_error(data("error.json"), "application/json");
    REQUIRE(j);
    CHECK(j->code == "AccessDenied");
    CHECK(j->type == "Sender");
    CHECK(j->request_id == "4a5b6c7d-0000-1111-2222-333344445555");
    CHECK_THAT(j->message, Catch::Contains("sts:AssumeRole"));

    auto aj = parse_service_error(data("error_awsjson.json"), "application/x-amz-json-1.1");
    REQUIRE(aj);
    CHECK(aj->code == "ThrottlingException");
    CHECK(aj->message == "Rate exceeded");

    auto bare = parse_service_error("<Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>", "");
    REQUIRE(bare);
    CHECK(bare->code == "Throttling");

    for (const char* junk : {"", "<html><body>502 Bad Gateway</body></html>", "{}", "{\"Error\":5}", "not json",
                             "<ErrorResponse><Error><Code>X", "{\"Error\":{\"Code\":"}) {
        INFO(junk);
        CHECK_FALSE(parse_service_error(junk, "text/html"));
    }
}

TEST_CASE("reply: account id from ARNs", "[sts][reply]") {
    CHECK(account_from_arn("arn:aws:sts::123456789012:assumed-role/r/s") == std::optional<std::string>("123456789012"));
    CHECK(account_from_arn("arn:aws-cn:iam::210987654321:user/x") == std::optional<std::string>("210987654321"));
    CHECK_FALSE(account_from_arn("arn:aws:sts::12345:assumed-role/r/s"));
    CHECK_FALSE(account_from_arn("arn:aws:sts::123456789012"));
    CHECK_FALSE(account_from_arn("xrn:aws:sts::123456789012:x"));
    CHECK_FALSE(account_from_arn(""));
}
