// The endpoints' answers without a socket: the router on made-up requests
// and clocks.
#include "server/listen.hpp"
#include "server/limits.hpp"
#include "server/routes.hpp"
#include "output/process_output.hpp"

#include <catch2/catch.hpp>

using namespace atpc::server;
using namespace std::chrono_literals;

namespace {

const local_endpoint loopback{"127.0.0.1", 8080, true};
const std::string token(44, 'T');

struct fixture {
    credential_state creds;
    router routes;
    request_time now = request_time::now();

    explicit fixture(bool imds = true) : routes(creds, route_settings{tpmwire::secret_string(token), imds, "my-role"}) {
        atpc::sts::credentials c;
        c.access_key_id = "ASIAEXAMPLE0000001";
        c.secret_access_key = "the-secret";
        c.session_token = "the-token";
        c.expiration = now.wall + 1h;
        c.account_id = "123456789012";
        creds.install(c, now.wall);
    }
    response ask(request_view r) {
        if (r.host_headers == 0 && r.host.empty()) r.host = "127.0.0.1:8080", r.host_headers = 1;
        return routes.handle(r, loopback, now);
    }
    std::string body(const response& r) const { return r.body ? std::string(*r.body) : ""; }
};

request_view get(std::string_view path, std::optional<std::string_view> authorization = std::nullopt) {
    return request_view{.method = "GET", .target = path, .authorization = authorization};
}

}  // namespace

TEST_CASE("host_names: the address connected to, or localhost on loopback, with the port") {
    CHECK(host_names("127.0.0.1:8080", loopback));
    CHECK(host_names("localhost:8080", loopback));
    CHECK(host_names("LocalHost:8080", loopback));
    CHECK_FALSE(host_names("127.0.0.1:8081", loopback));
    CHECK_FALSE(host_names("127.0.0.1", loopback));  // port 80 implied
    CHECK_FALSE(host_names("127.0.0.1:", loopback));
    CHECK_FALSE(host_names("evil.example:8080", loopback));
    CHECK_FALSE(host_names("127.0.0.1.evil.example:8080", loopback));
    CHECK_FALSE(host_names("", loopback));
    const local_endpoint v6{"::1", 80, true};
    CHECK(host_names("[::1]", v6));
    CHECK(host_names("[::1]:80", v6));
    CHECK(host_names("localhost", v6));
    CHECK_FALSE(host_names("[::1]x", v6));
    CHECK_FALSE(host_names("[::1", v6));
    const local_endpoint bridge{"172.17.0.1", 8080, false};
    CHECK(host_names("172.17.0.1:8080", bridge));
    CHECK_FALSE(host_names("localhost:8080", bridge));  // only loopback answers to localhost
}

TEST_CASE("the container endpoint: the token, then the credentials or why there are none") {
    fixture f;
    auto ok = f.ask(get("/v1/credentials", token));
    CHECK(ok.status == 200);
    CHECK(f.body(ok) == R"({"AccessKeyId":"ASIAEXAMPLE0000001","SecretAccessKey":"the-secret","Token":"the-token",)"
                        R"("Expiration":")" + atpc::output::rfc3339(f.now.wall + 1h) + R"(","AccountId":"123456789012"})");
    CHECK(f.ask(get("/v1/credentials?x=1", token)).status == 200);
    CHECK(f.ask(get("/v1/credentials")).status == 401);
    CHECK(f.ask(get("/v1/credentials", std::string(43, 'T'))).status == 403);
    CHECK(f.ask(get("/v1/credentials", std::string(44, 'U'))).status == 403);
    CHECK(f.ask(get("/v1/credentials/", token)).status == 404);
    auto wrong = f.ask(request_view{.method = "POST", .target = "/v1/credentials", .authorization = token});
    CHECK(wrong.status == 405);
    CHECK(wrong.allow == "GET");
    CHECK(f.ask(request_view{.method = "GET", .target = "http://x/v1/credentials", .authorization = token}).status == 400);

    request_view two_hosts = get("/v1/credentials", token);
    two_hosts.host = "127.0.0.1:8080";
    two_hosts.host_headers = 2;
    CHECK(f.ask(two_hosts).status == 403);

    f.now.wall += 50min + 1s;  // 9 min 59 s left
    auto late = f.ask(get("/v1/credentials", token));
    CHECK(late.status == 503);
    CHECK_THAT(f.body(late), Catch::StartsWith(R"({"Code":"CredentialsUnavailable","Message":"the last credentials expire at )"));
    CHECK_THAT(f.body(late), !Catch::Contains("the-secret"));
}

TEST_CASE("IMDSv2 through the router: tokens, TTLs, expiry and the cap on live tokens") {
    fixture f;
    auto put = [&](std::optional<std::string_view> ttl, bool forwarded = false) {
        return f.ask(request_view{.method = "PUT", .target = "/latest/api/token", .imds_ttl = ttl, .forwarded = forwarded});
    };
    auto get_with = [&](std::string_view path, std::string_view t) {
        return f.ask(request_view{.method = "GET", .target = path, .imds_token = t});
    };
    CHECK(put("21600", true).status == 403);
    for (auto bad : {"0", "21601", "+5", " 5", "5 ", "0x10", ""}) CHECK(put(bad).status == 400);
    CHECK(put(std::nullopt).status == 400);
    auto issued = put("2");
    REQUIRE(issued.status == 200);
    CHECK(issued.token_ttl == 2);
    CHECK(issued.content_type == "text/plain");
    const std::string t = f.body(issued);
    CHECK(get_with("/latest/meta-data/iam/security-credentials", t).status == 200);
    CHECK(f.body(get_with("/latest/meta-data/iam/security-credentials/", t)) == "my-role");
    auto role = get_with("/latest/meta-data/iam/security-credentials/my-role", t);
    CHECK(role.status == 200);
    CHECK_THAT(f.body(role), Catch::StartsWith(R"({"Code":"Success","LastUpdated":")") &&
                                 Catch::Contains(R"("Type":"AWS-HMAC","AccessKeyId":"ASIAEXAMPLE0000001",)"));
    CHECK(get_with("/latest/meta-data/iam/security-credentials/other", t).status == 404);
    CHECK(get_with("/latest/meta-data/ami-id", t).status == 404);
    CHECK(f.ask(get("/latest/meta-data/iam/security-credentials/")).status == 401);
    CHECK(get_with("/latest/meta-data/iam/security-credentials/", token).status == 401);

    f.now.steady += 2s;
    CHECK(get_with("/latest/meta-data/iam/security-credentials/", t).status == 401);

    // The oldest live token goes when one more than the cap is issued.
    const std::string first = f.body(put("60"));
    for (std::size_t i = 0; i < max_imds_tokens; ++i) put("60");
    CHECK(get_with("/latest/meta-data/iam/security-credentials/", first).status == 401);

    fixture without(false);
    CHECK(without.ask(request_view{.method = "PUT", .target = "/latest/api/token", .imds_ttl = "60"}).status == 404);
}

TEST_CASE("parse_listen: one address and a port") {
    auto v4 = parse_listen("127.0.0.1:0");
    REQUIRE(v4);
    CHECK(v4->loopback);
    CHECK(v4->authority(8080) == "127.0.0.1:8080");
    CHECK(parse_listen("localhost:80")->address == "127.0.0.1");
    CHECK(parse_listen("127.0.0.2:80")->loopback);
    auto v6 = parse_listen("[0:0::1]:8080");
    REQUIRE(v6);
    CHECK(v6->address == "::1");
    CHECK(v6->loopback);
    CHECK(v6->authority(8080) == "[::1]:8080");
    CHECK_FALSE(parse_listen("172.17.0.1:8080")->loopback);
    CHECK(parse_listen("0.0.0.0:1")->wildcard);
    CHECK(parse_listen("[::]:1")->wildcard);
    for (auto bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "host.example:80", "[::1]80", ":80", "::1:80"})
        CHECK_FALSE(parse_listen(bad));
}
