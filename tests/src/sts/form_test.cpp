// Request forms: validation before any I/O, and the encoding. Expected bodies
// were produced by Python's urllib.parse.urlencode (quote_plus), which
// escapes exactly as Go's url.Values.Encode does.
#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "sts/actions.hpp"

using namespace atpc::sts;

namespace {

atpc::fault fault_of(const auto& params) {
    try {
        build_request(params);
    } catch (const atpc::error& e) {
        return e.kind();
    }
    return atpc::fault::internal;  // "no error"
}

assume_role_params valid_role() {
    assume_role_params p;
    p.role_arn = "arn:aws:iam::123456789012:role/path/My-Role";
    p.role_session_name = "alice@example.com";
    return p;
}

}  // namespace

TEST_CASE("form: encoding matches url.Values.Encode", "[sts][form]") {
    CHECK(form_encode({{"k", std::string("a b~c*d'e!f(g)h/i:j\0\xff", 21)}}) ==
          "k=a+b~c%2Ad%27e%21f%28g%29h%2Fi%3Aj%00%FF");
    CHECK(form_encode({{"b", "2"}, {"a", "1"}, {"B", "0"}}) == "B=0&a=1&b=2");
    CHECK(form_encode({}) == "");
    CHECK(form_encode({{"empty", ""}}) == "empty=");
}

TEST_CASE("form: GetSessionToken", "[sts][form]") {
    auto r = build_request(get_session_token_params{3600, std::nullopt});
    CHECK(r.action == "GetSessionToken");
    CHECK(r.body == "Action=GetSessionToken&DurationSeconds=3600&Version=2011-06-15");

    auto m = build_request(get_session_token_params{900, mfa{"arn:aws:iam::123456789012:mfa/alice", "012345"}});
    CHECK(m.body ==
          "Action=GetSessionToken&DurationSeconds=900&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&"
          "TokenCode=012345&Version=2011-06-15");
    CHECK(build_request(get_session_token_params{129600, mfa{"GAHT12345678", "999999"}}).body.find("GAHT12345678") !=
          std::string::npos);

    using atpc::fault;
    CHECK(fault_of(get_session_token_params{899, std::nullopt}) == fault::usage);
    CHECK(fault_of(get_session_token_params{129601, std::nullopt}) == fault::usage);
    CHECK(fault_of(get_session_token_params{-1, std::nullopt}) == fault::usage);
    CHECK(fault_of(get_session_token_params{3600, mfa{"arn:aws:iam::123456789012:mfa/alice", "12345"}}) == fault::usage);
    CHECK(fault_of(get_session_token_params{3600, mfa{"arn:aws:iam::123456789012:mfa/alice", "1234567"}}) == fault::usage);
    CHECK(fault_of(get_session_token_params{3600, mfa{"arn:aws:iam::123456789012:mfa/alice", "12345a"}}) == fault::usage);
    CHECK(fault_of(get_session_token_params{3600, mfa{"short", "123456"}}) == fault::usage);
    CHECK(fault_of(get_session_token_params{3600, mfa{"has space in it", "123456"}}) == fault::usage);
    try {
        build_request(get_session_token_params{100, std::nullopt});
    } catch (const atpc::error& e) {
        CHECK_THAT(e.what(), Catch::Contains("DurationSeconds") && Catch::Contains("900-129600"));
    }
}

TEST_CASE("form: AssumeRole with every parameter", "[sts][form]") {
    auto p = valid_role();
    p.duration_seconds = 3600;
    p.external_id = "ext:id/with=chars";
    p.mfa_device = mfa{"arn:aws:iam::123456789012:mfa/alice", "123456"};
    p.source_identity = "alice";
    p.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";
    p.policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess"};
    p.tags = {{"Project Name", "x+y=z \xc3\xbc"}};
    auto r = build_request(p);
    CHECK(r.action == "AssumeRole");
    CHECK(r.body ==
          "Action=AssumeRole&DurationSeconds=3600&ExternalId=ext%3Aid%2Fwith%3Dchars&Policy=%7B%22Version%22%3A%"
          "222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%"
          "22Resource%22%3A%22%2A%22%7D%5D%7D&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%"
          "2FReadOnlyAccess&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpath%2FMy-Role&RoleSessionName=alice%"
          "40example.com&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&SourceIdentity=alice&Tags."
          "member.1.Key=Project+Name&Tags.member.1.Value=x%2By%3Dz+%C3%BC&TokenCode=123456&Version=2011-06-15");

    auto minimal = build_request(valid_role());
    CHECK(minimal.body ==
          "Action=AssumeRole&DurationSeconds=3600&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpath%2FMy-Role&"
          "RoleSessionName=alice%40example.com&Version=2011-06-15");
}

TEST_CASE("form: AssumeRole validation", "[sts][form]") {
    using atpc::fault;
    auto with = [](auto change) {
        auto p = valid_role();
        change(p);
        return fault_of(p);
    };
    CHECK(with([](auto&) {}) == fault::internal);  // the valid one passes
    CHECK(with([](auto& p) { p.duration_seconds = 43201; }) == fault::usage);
    CHECK(with([](auto& p) { p.duration_seconds = 43200; }) == fault::internal);
    CHECK(with([](auto& p) { p.duration_seconds = 899; }) == fault::usage);
    for (const char* arn : {"", "arn:aws:iam::123:role/x", "arn:aws:iam::123456789012:user/x",
                            "arn:aws:iam::123456789012:role/", "arn:aws:sts::123456789012:role/x",
                            "arn:aws:iam::123456789012:role/a b", "not-an-arn-at-all-but-long-enough"}) {
        INFO(arn);
        CHECK(with([&](auto& p) { p.role_arn = arn; }) == fault::usage);
    }
    CHECK(with([](auto& p) { p.role_arn = "arn:aws-cn:iam::123456789012:role/x"; }) == fault::internal);
    CHECK(with([](auto& p) { p.role_arn = "arn:aws-us-gov:iam::123456789012:role/a/b/c"; }) == fault::internal);
    CHECK(with([](auto& p) { p.role_session_name = "a"; }) == fault::usage);
    CHECK(with([](auto& p) { p.role_session_name = "ab"; }) == fault::internal);
    CHECK(with([](auto& p) { p.role_session_name = std::string(64, 'x'); }) == fault::internal);
    CHECK(with([](auto& p) { p.role_session_name = std::string(65, 'x'); }) == fault::usage);
    CHECK(with([](auto& p) { p.role_session_name = "has space"; }) == fault::usage);
    CHECK(with([](auto& p) { p.role_session_name = "colon:no"; }) == fault::usage);
    CHECK(with([](auto& p) { p.role_session_name = "gcp-0b8e-4f2a_x+y=z,a.b@c"; }) == fault::internal);
    CHECK(with([](auto& p) { p.external_id = "x"; }) == fault::usage);
    CHECK(with([](auto& p) { p.external_id = std::string(1225, 'x'); }) == fault::usage);
    CHECK(with([](auto& p) { p.external_id = "a:b/c"; }) == fault::internal);
    CHECK(with([](auto& p) { p.external_id = "a b"; }) == fault::usage);
    CHECK(with([](auto& p) { p.source_identity = "x"; }) == fault::usage);
    CHECK(with([](auto& p) { p.source_identity = "a/b"; }) == fault::usage);
    CHECK(with([](auto& p) { p.policy = ""; }) == fault::usage);
    CHECK(with([](auto& p) { p.policy = std::string(2049, ' '); }) == fault::usage);
    CHECK(with([](auto& p) { p.policy = std::string("{\x01}"); }) == fault::usage);
    CHECK(with([](auto& p) { p.policy_arns = std::vector<std::string>(11, "arn:aws:iam::aws:policy/X"); }) ==
          fault::usage);
    CHECK(with([](auto& p) { p.policy_arns = {"arn:aws:iam::123456789012:role/x"}; }) == fault::usage);
    CHECK(with([](auto& p) { p.tags = std::vector<session_tag>(51, session_tag{"k", "v"}); }) == fault::usage);
    CHECK(with([](auto& p) { p.tags = {{"", "v"}}; }) == fault::usage);
    CHECK(with([](auto& p) { p.tags = {{std::string(129, 'k'), "v"}}; }) == fault::usage);
    CHECK(with([](auto& p) { p.tags = {{"k", std::string(257, 'v')}}; }) == fault::usage);
    CHECK(with([](auto& p) { p.tags = {{"k", "a\nb"}}; }) == fault::usage);
    CHECK(with([](auto& p) { p.tags = {{"Key", "1"}, {"key", "2"}}; }) == fault::usage);
    CHECK(with([](auto& p) { p.tags = {{"k", ""}}; }) == fault::internal);
    CHECK(with([](auto& p) { p.mfa_device = mfa{"arn:aws:iam::123456789012:mfa/a", "000000"}; }) == fault::internal);
}

TEST_CASE("form: tags and policy ARNs are numbered from 1 and sorted bytewise", "[sts][form]") {
    auto p = valid_role();
    for (int i = 0; i < 10; ++i) p.policy_arns.push_back("arn:aws:iam::aws:policy/P" + std::to_string(i));
    auto body = build_request(p).body;
    // "PolicyArns.member.10" sorts before "PolicyArns.member.2", as in Go.
    auto ten = body.find("PolicyArns.member.10.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FP9");
    auto two = body.find("PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FP1");
    REQUIRE(ten != std::string::npos);
    REQUIRE(two != std::string::npos);
    CHECK(ten < two);
    CHECK(body.find("PolicyArns.member.0") == std::string::npos);
}
