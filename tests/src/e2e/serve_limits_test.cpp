// What `serve` refuses, and what slow, idle or hostile clients cannot do to
// others: on the wire, with a plain client (support/http_client.hpp) that
// sends what SDKs never would.
#include "serve_fixtures.hpp"

#include <sys/stat.h>

#include <thread>

using namespace serve_test;
using namespace std::chrono_literals;

namespace {

// No refusal ever carries a secret: the token, or the served credentials.
void check_refusal(const test::http_reply& r, int status, const std::string& code, const std::string& token) {
    INFO(r.body);
    CHECK(r.status == status);
    CHECK(r.complete);
    CHECK_THAT(r.body, Catch::StartsWith("{\"Code\":\"" + code + "\""));
    CHECK_THAT(r.body, !Catch::Contains("lookalike-secret") && !Catch::Contains("lookalike-token") &&
                           !Catch::Contains(token) && !Catch::Contains("ASIA"));
}

}  // namespace

TEST_CASE("serve: the container endpoint refuses without the token or with a foreign Host", "[swtpm][serve][e2e]") {
    lookalike_world w;
    auto s = w.start();
    const std::string token = s.token(), host = s.host(), path = "/v1/credentials";
    auto get = [&](const std::string& host_header, const std::string& extra) {
        return test::http_once(s.port(), test::http_get(path, host_header, extra));
    };
    // The token: 256 random bits in base64, no newline, a file only the owner reads.
    CHECK(token.size() == 44);
    struct stat st {};
    REQUIRE(::stat(s.token_file().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_THAT(s.proc().out() + s.proc().err(), !Catch::Contains(token));

    CHECK(get(host, s.authorization()).status == 200);
    CHECK(get("localhost:" + std::to_string(s.port()), s.authorization()).status == 200);
    check_refusal(get(host, ""), 401, "Unauthorized", token);
    check_refusal(get(host, "Authorization: " + std::string(44, 'A') + "\r\n"), 403, "AccessDenied", token);
    check_refusal(get(host, "Authorization: " + token.substr(0, 43) + "\r\n"), 403, "AccessDenied", token);
    // DNS rebinding: a page served as evil.example that rebinds its name to 127.0.0.1.
    check_refusal(get("evil.example:" + std::to_string(s.port()), s.authorization()), 403, "InvalidHost", token);
    check_refusal(get("127.0.0.1:1", s.authorization()), 403, "InvalidHost", token);
    check_refusal(get("127.0.0.1", s.authorization()), 403, "InvalidHost", token);
    check_refusal(test::http_once(s.port(), "GET " + path + " HTTP/1.1\r\n" + s.authorization() + "\r\n"), 403,
                  "InvalidHost", token);
    check_refusal(get(host, s.authorization() + "Host: " + host + "\r\n"), 403, "InvalidHost", token);

    check_refusal(test::http_once(s.port(), "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + s.authorization() +
                                                "Content-Length: 2\r\n\r\nhi"),
                  413, "ContentTooLarge", token);
    auto posted = test::http_once(s.port(), "DELETE " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + s.authorization() + "\r\n");
    check_refusal(posted, 405, "MethodNotAllowed", token);
    CHECK(posted.headers["allow"] == "GET");
    check_refusal(test::http_once(s.port(), test::http_get("/latest/api/token", host)), 404, "NotFound", token);  // no --imds
    check_refusal(test::http_once(s.port(), test::http_get("/", host)), 404, "NotFound", token);
}

TEST_CASE("serve: oversized or malformed requests get 431 or 400, or the connection closes", "[swtpm][serve][e2e]") {
    lookalike_world w;
    auto s = w.start();
    const std::string filler = "X-Filler: " + std::string(9000, 'f') + "\r\n";
    auto big = test::http_once(s.port(), test::http_get("/v1/credentials", s.host(), s.authorization() + filler));
    CHECK((big.status == 431 || big.received == 0));
    CHECK_THAT(big.body, !Catch::Contains(s.token()));
    auto garbage = test::http_once(s.port(), "HELLO\r\n\r\n");
    CHECK((garbage.status == 400 || garbage.received == 0));
    // The server is unharmed.
    CHECK(credentials(s).status == 200);
}

TEST_CASE("serve: IMDSv2 tokens, TTLs, X-Forwarded-For and the role", "[swtpm][serve][e2e]") {
    lookalike_world w;
    auto s = w.start({"--imds"});
    CHECK(s.imds_endpoint() == "http://" + s.host() + "/");
    const std::string host = s.host();
    auto put = [&](const std::string& extra) {
        return test::http_once(s.port(), "PUT /latest/api/token HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n");
    };
    auto get = [&](const std::string& path, const std::string& imds_token) {
        return test::http_once(s.port(), test::http_get(path, host, "X-aws-ec2-metadata-token: " + imds_token + "\r\n"));
    };
    const std::string ttl = "X-aws-ec2-metadata-token-ttl-seconds: ";
    const std::string roles = "/latest/meta-data/iam/security-credentials/";

    check_refusal(put(ttl + "21600\r\nX-Forwarded-For: 203.0.113.9\r\n"), 403, "Forbidden", s.token());
    for (const std::string bad : {"0", "21601", "-1", "abc", "1.5", ""}) {
        INFO("TTL '" << bad << "'");
        check_refusal(put(ttl + bad + "\r\n"), 400, "BadRequest", s.token());
    }
    check_refusal(put(""), 400, "BadRequest", s.token());

    auto issued = put(ttl + "21600\r\n");
    REQUIRE(issued.status == 200);
    CHECK(issued.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600");
    const std::string imds_token = issued.body;
    CHECK(imds_token.size() == 44);
    auto listing = get(roles, imds_token);
    CHECK(listing.status == 200);
    CHECK(listing.body == "lookalike");
    auto creds = get(roles + "lookalike", imds_token);
    CHECK(creds.status == 200);
    CHECK_THAT(creds.body, Catch::Matches(R"(\{"Code":"Success","LastUpdated":"[^"]+Z","Type":"AWS-HMAC","AccessKeyId":"ASIALOOKALIKE0000001",)"
                                          R"("SecretAccessKey":"lookalike-secret-1","Token":"lookalike-token","Expiration":"[^"]+Z"\})"));
    check_refusal(get(roles + "other", imds_token), 404, "NotFound", s.token());

    check_refusal(test::http_once(s.port(), test::http_get(roles, host)), 401, "Unauthorized", s.token());
    check_refusal(get(roles + "lookalike", std::string(44, 'A')), 401, "Unauthorized", s.token());
    check_refusal(get(roles + "lookalike", s.token()), 401, "Unauthorized", s.token());  // the container token is not one
    check_refusal(get("/latest/api/token", imds_token), 405, "MethodNotAllowed", s.token());

    auto short_lived = put(ttl + "1\r\n");
    REQUIRE(short_lived.status == 200);
    CHECK(get(roles, short_lived.body).status == 200);
    std::this_thread::sleep_for(1200ms);
    check_refusal(get(roles, short_lived.body), 401, "Unauthorized", s.token());
    CHECK(get(roles, imds_token).status == 200);
}

TEST_CASE("serve: 300 idle connections do not keep a client waiting, and trickling or silent ones are dropped",
          "[swtpm][serve][e2e]") {
    lookalike_world w;
    // The default cap (512) holds them all; a cap of 64 closes the least
    // recently active to make room.
    for (const std::string cap : {"512", "64"}) {
        INFO("--max-connections=" << cap);
        auto s = w.start({"--max-connections=" + cap});
        std::vector<test::http_connection> idle;
        for (int i = 0; i < 300; ++i) idle.emplace_back(s.port());
        std::this_thread::sleep_for(200ms);  // all accepted
        test::http_connection client(s.port());
        auto r = client.exchange(test::http_get("/v1/credentials", s.host(), s.authorization()));
        CHECK(r.status == 200);
        CHECK(r.elapsed < 100ms);
        if (cap == "64") CHECK(idle.front().closed_by_peer(1s));
        s.proc().kill(SIGTERM);
        CHECK(s.proc().wait_for(2s));
    }

    auto s = w.start();
    test::http_connection silent(s.port());
    test::http_connection trickle(s.port());
    const std::string request = test::http_get("/v1/credentials", s.host(), s.authorization());
    // One byte every 200 ms would take minutes: dropped at the 5 s request deadline.
    const auto start = std::chrono::steady_clock::now();
    bool open = true;
    for (std::size_t i = 0; i < request.size() && open; ++i) {
        open = trickle.send(request.substr(i, 1)) && !trickle.closed_by_peer(200ms);
    }
    const auto dropped_after = std::chrono::steady_clock::now() - start;
    CHECK_FALSE(open);
    CHECK(dropped_after < 7s);
    // A connection that never sends anything: dropped at the 30 s idle deadline.
    CHECK(silent.closed_by_peer(30s));
}

TEST_CASE("serve: refusals at start, before any TPM use", "[swtpm][serve][e2e]") {
    lookalike_world w;
    auto run = [&](std::vector<std::string> extra, test::env_map env) {
        for (auto& [k, v] : w.env()) env.emplace(k, v);
        std::vector<std::string> argv{ATPC_BINARY, "serve"};
        for (auto& a : w.args(std::move(extra))) argv.push_back(a);
        return test::run(argv, env, 30s);
    };
    const std::vector<std::pair<std::vector<std::string>, std::string>> usage{
        {{"--listen=192.0.2.1:0"}, "--listen 192.0.2.1 is not a loopback address: add --listen-non-loopback"},
        {{"--listen=192.0.2.1:0", "--listen-non-loopback", "--imds"}, "--imds answers any process"},
        {{"--listen=0.0.0.0:8080", "--listen-non-loopback"}, "would serve every network of this host"},
        {{"--listen=[::]:8080", "--listen-non-loopback"}, "would serve every network of this host"},
        {{"--listen=127.0.0.1"}, "-listen: expected ADDRESS:PORT"},
        {{"--duration=20m"}, "--duration must be at least 30m"},
        {{"--max-connections=0"}, "expected a number of connections"},
    };
    for (const auto& [extra, expected] : usage) {
        auto r = run(extra, {});
        INFO(extra.front() << ": " << r.describe());
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        CHECK_THAT(r.err, Catch::Contains(expected));
    }
    auto no_dir = run({}, {{"XDG_RUNTIME_DIR", std::nullopt}});
    CHECK(no_dir.exit_code == 2);
    CHECK_THAT(no_dir.err, Catch::Contains("XDG_RUNTIME_DIR is not set: name the token's file with --token-file"));
    CHECK(w.sts.requests() == 0);

    // The first fetch fails: one line, exit 1, nothing on stdout, no token file left.
    w.sts.steer(1h, true);
    auto failed = run({}, {});
    CHECK(failed.exit_code == 1);
    CHECK(failed.out.empty());
    CHECK_THAT(failed.err, Catch::Contains("AccessDenied"));
    CHECK(std::filesystem::is_empty(w.tpm.runtime.path()));
}
