// GetCallerIdentity: the request and the reply in both formats, read by the
// same field reader as credentials and errors.
#include <catch2/catch.hpp>

#include "sts/identity.hpp"
#include "sts/reply.hpp"

TEST_CASE("identity: GetCallerIdentity replies in XML (moto, STS default) and JSON (Accept: application/json)", "[sts][identity]") {
    using atpc::sts::parse_caller_identity;
    CHECK(atpc::sts::get_caller_identity_request().body == "Action=GetCallerIdentity&Version=2011-06-15");
    const std::string xml =
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
        "  <GetCallerIdentityResult>\n"
        "    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>\n"
        "    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>\n"
        "    <Account>123456789012</Account>\n"
        "  </GetCallerIdentityResult>\n"
        "  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>\n"
        "</GetCallerIdentityResponse>";
    auto x = parse_caller_identity(xml, "text/xml");
    CHECK(x.account == "123456789012");
    CHECK(x.arn == "arn:aws:iam::123456789012:user/Alice");
    CHECK(x.user_id == "AIDACKCEVSQ6C2EXAMPLE");

    const std::string json =
        R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":"123456789012",)"
        R"("Arn":"arn:aws:sts::123456789012:assumed-role\/r\/s","UserId":"AROAEXAMPLE:s"},)"
        R"("ResponseMetadata":{"RequestId":"x"}}})";
    auto j = parse_caller_identity(json, "application/json");
    CHECK(j.arn == "arn:aws:sts::123456789012:assumed-role/r/s");
    CHECK(j.user_id == "AROAEXAMPLE:s");

    using atpc::sts::reply_error;
    auto fails = [&](const std::string& body, const std::string& why) {
        INFO(body);
        CHECK_THROWS_MATCHES(parse_caller_identity(body, ""), reply_error, Catch::Message(why));
    };
    fails("", "the reply body is empty");
    fails("HTTP/1.1", "the reply body is neither JSON nor XML");
    fails(R"({"GetCallerIdentityResponse":{}})", "the reply has no Account");
    fails(R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":"123456789012","Arn":"arn:aws:iam::123456789012:user/A"}}})",
          "the reply has no UserId");
    fails(R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":"12345678901","Arn":"arn:aws:iam::12345678901:user/A","UserId":"U"}}})",
          "the reply's Account is not 12 digits");
    fails(R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":"123456789012","Arn":"arn:aws:iam::999999999999:user/A","UserId":"U"}}})",
          "the reply's Arn and Account name different accounts");
    fails(R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":123456789012}}})",
          "the reply's Account is not a string");
    fails(R"({"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":"123456789012","Account":"123456789012"}}})",
          "the reply has Account twice");
    fails("<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>x</Arn>", "the XML reply is malformed (no element found at line 1)");
    fails("<!DOCTYPE x [<!ENTITY a \"b\">]><GetCallerIdentityResponse/>", "the XML reply has a DOCTYPE, which AWS never sends");
    fails("<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/A</Arn>"
          "<UserId>U V</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
          "the reply's UserId is empty or not printable ASCII");
}
