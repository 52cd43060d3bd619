// The STS call loop against a local fault-injecting HTTPS server (real TLS with
// a test CA made by the openssl CLI): success in both formats, exact request
// shape, deadlines, retries, clock-skew correction, broken replies, and TLS
// refusals.
#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include "client_harness.hpp"
#include "https/proxy.hpp"
#include "support/exception_count.hpp"
#include "support/https/connect_proxy.hpp"
#include "support/https/https_server.hpp"
#include "support/tcp_sink.hpp"

using namespace std::chrono_literals;
using atpc::fault;
using std::chrono::steady_clock;
using std::chrono::system_clock;
using test::https_server;
using test::scripted_reply;

namespace {

struct failure {
    fault kind;
    std::string what;
    steady_clock::duration took;
};

failure expect_failure(atpc::sts::call_options o, atpc::sts::signer s,
                       atpc::sts::query_request r = test::gst_request()) {
    const auto start = steady_clock::now();
    try {
        test::run_call(std::move(o), std::move(r), std::move(s));
    } catch (const atpc::error& e) {
        INFO(e.what());
        CHECK(std::string(e.what()).find('\n') == std::string::npos);
        return {e.kind(), e.what(), steady_clock::now() - start};
    }
    FAIL("the call succeeded");
    return {};
}

https_server& default_server() {
    static https_server s(test::test_pki().server_cert, test::test_pki().server_key);
    return s;
}

scripted_reply xml_error(unsigned status, const std::string& code, const std::string& message) {
    return test::xml_reply(status, "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" +
                                       message + "</Message></Error><RequestId>rid</RequestId></ErrorResponse>");
}

std::string str(const tpmwire::secret_string& s) { return std::string(s.begin(), s.end()); }

}  // namespace

TEST_CASE("client: JSON success and the exact request on the wire", "[sts][client]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({test::json_reply(200, test::read_data("get_session_token.json"))});
    auto log = std::make_shared<test::signing_log>();
    const auto before = system_clock::now();
    auto c = test::run_call(test::options_for(server.port()), test::gst_request(), test::recording_signer(log));

    CHECK(c.access_key_id == "ASIAIOSFODNN7EXAMPLE");
    CHECK(str(c.secret_access_key) == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    CHECK(std::chrono::duration_cast<std::chrono::seconds>(c.expiration.time_since_epoch()).count() == 1514869445);

    REQUIRE(log->times.size() == 1);
    CHECK(log->times[0] >= before - 1s);
    CHECK(log->times[0] <= system_clock::now());
    // The signer saw exactly the three headers it signs besides X-Amz-Date.
    const auto& seen = log->requests.at(0);
    REQUIRE(seen.headers.size() == 3);
    CHECK(seen.headers[0].first == "Host");
    CHECK(seen.headers[1].first == "Content-Type");
    CHECK(seen.headers[2].first == "Content-Length");

    auto reqs = server.requests();
    REQUIRE(reqs.size() == 1);
    const auto& r = reqs[0];
    CHECK(r.method == "POST");
    CHECK(r.target == "/");
    CHECK(r.sni == "localhost");
    CHECK(r.body == "Action=GetSessionToken&DurationSeconds=3600&Version=2011-06-15");
    CHECK(r.header("Host") == "localhost:" + std::to_string(server.port()));
    CHECK(r.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8");
    CHECK(r.header("Content-Length") == std::to_string(r.body.size()));
    CHECK(r.header("X-Amz-Date") == test::amz_date(log->times[0]));
    CHECK_THAT(r.header("Authorization"), Catch::StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    CHECK(r.header("Accept") == "application/json");
    CHECK_THAT(r.header("User-Agent"), Catch::StartsWith("aws-tpm-process-credential/"));
    CHECK(r.headers.size() == 7);  // nothing else is sent
    for (const char* h : {"Host", "Content-Type", "Content-Length", "X-Amz-Date", "Authorization"}) {
        CHECK(r.count(h) == 1);
    }
}

TEST_CASE("client: a successful call creates no exception (deadlines are Beast's expiry, not a throw)", "[sts][client]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({test::json_reply(200, test::read_data("get_session_token.json")),
                   test::json_reply(200, test::read_data("get_session_token.json"))});
    auto sign = [] { return test::recording_signer(std::make_shared<test::signing_log>()); };
    test::run_call(test::options_for(server.port()), test::gst_request(), sign());  // lazy state built once

    const int before = test::exceptions_created_on_this_thread();
    auto c = test::run_call(test::options_for(server.port()), test::gst_request(), sign());
    CHECK(c.access_key_id == "ASIAIOSFODNN7EXAMPLE");
    // Every step runs under a deadline that is cancelled when the step ends;
    // a throw per step would walk the unwinder on every fetch.
    CHECK(test::exceptions_created_on_this_thread() - before == 0);
}

TEST_CASE("client: XML success (AssumeRole) on a path prefix", "[sts][client]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({test::xml_reply(200, test::read_data("assume_role.xml"))});
    auto o = test::options_for(server.port());
    o.target.path = "/sts/";
    atpc::sts::assume_role_params p;
    p.role_arn = "arn:aws:iam::123456789012:role/demo";
    p.role_session_name = "John";
    auto c = test::run_call(o, atpc::sts::build_request(p), test::recording_signer(std::make_shared<test::signing_log>()));
    CHECK(c.assumed_role_arn == std::optional<std::string>("arn:aws:sts::123456789012:assumed-role/demo/John"));
    CHECK(c.account_id == std::optional<std::string>("123456789012"));
    CHECK(server.requests().at(0).target == "/sts/");
    CHECK_THAT(server.requests().at(0).body, Catch::Contains("Action=AssumeRole"));
}

TEST_CASE("client: a slow reply fails at the deadline, naming the step", "[sts][client][timeout]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    scripted_reply slow = test::json_reply(200, test::read_data("get_session_token.json"));
    slow.delay = 5s;
    server.script({slow});
    auto o = test::options_for(server.port());
    o.deadline = steady_clock::now() + 1s;
    auto f = expect_failure(o, test::recording_signer(std::make_shared<test::signing_log>()));
    CHECK(f.kind == fault::timeout);
    CHECK_THAT(f.what, Catch::StartsWith("reading the reply from localhost:" + std::to_string(server.port()) +
                                         " did not complete within 1 s; allow more time with --deadline") &&
                           !Catch::Contains("--timeout"));
    CHECK(f.took >= 900ms);
    CHECK(f.took < 1500ms);
    CHECK(server.requests().size() == 1);
}

TEST_CASE("client: a per-attempt timeout is retried within the overall deadline", "[sts][client][timeout]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    scripted_reply slow = test::json_reply(200, test::read_data("get_session_token.json"));
    slow.delay = 3s;
    server.script({slow, test::json_reply(200, test::read_data("get_session_token.json"))});
    auto o = test::options_for(server.port());
    o.attempt_timeout = 400ms;
    o.deadline = steady_clock::now() + 5s;
    auto log = std::make_shared<test::signing_log>();
    const auto start = steady_clock::now();
    auto c = test::run_call(o, test::gst_request(), test::recording_signer(log));
    CHECK(c.access_key_id == "ASIAIOSFODNN7EXAMPLE");
    CHECK(steady_clock::now() - start < 2s);
    CHECK(log->times.size() == 2);
}

TEST_CASE("client: 503 then success is retried and re-signed", "[sts][client][retry]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({xml_error(503, "ServiceUnavailable", "try later"),
                   test::json_reply(200, test::read_data("get_session_token.json"))});
    auto log = std::make_shared<test::signing_log>();
    auto c = test::run_call(test::options_for(server.port()), test::gst_request(), test::recording_signer(log));
    CHECK(c.access_key_id == "ASIAIOSFODNN7EXAMPLE");
    REQUIRE(log->times.size() == 2);
    CHECK(log->times[1] > log->times[0]);  // a fresh time for the retry
    CHECK(server.requests().size() == 2);
    CHECK(server.connections() == 2);
}

TEST_CASE("client: Throttling then success", "[sts][client][retry]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({xml_error(400, "Throttling", "Rate exceeded"),
                   test::json_reply(200, test::read_data("get_session_token.json"))});
    auto log = std::make_shared<test::signing_log>();
    CHECK_NOTHROW(test::run_call(test::options_for(server.port()), test::gst_request(), test::recording_signer(log)));
    CHECK(log->times.size() == 2);
}

TEST_CASE("client: retries stop after 3 attempts", "[sts][client][retry]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({test::json_reply(500, R"({"Error":{"Code":"InternalFailure","Message":"boom"}})")});
    auto f = expect_failure(test::options_for(server.port()),
                            test::recording_signer(std::make_shared<test::signing_log>()));
    CHECK(f.kind == fault::sts);
    CHECK_THAT(f.what, Catch::Contains("HTTP 500") && Catch::Contains("InternalFailure") &&
                           Catch::Contains("gave up after 3 attempts"));
    CHECK(server.requests().size() == 3);
}

TEST_CASE("client: authentication errors are never retried", "[sts][client][retry]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({xml_error(403, "SignatureDoesNotMatch",
                             "The request signature we calculated does not match the signature you provided.")});
    auto f = expect_failure(test::options_for(server.port()),
                            test::recording_signer(std::make_shared<test::signing_log>()));
    CHECK(f.kind == fault::sts);
    CHECK_THAT(f.what, Catch::Contains("SignatureDoesNotMatch") &&
                           Catch::Contains("the secret in the TPM does not match the access key id, or the clock is off"));
    CHECK(server.requests().size() == 1);
}

TEST_CASE("client: RequestExpired with the server's Date corrects the clock once", "[sts][client][skew]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    // The server's clock runs one hour ahead; it refuses requests signed more
    // than 5 minutes away from it.
    const auto server_offset = 1h;
    server.handler([&](const test::recorded_request& r) {
        const auto server_now = system_clock::now() + server_offset;
        const auto signed_at = r.header("X-Amz-Date");
        const auto low = test::amz_date(server_now - 5min);
        const auto high = test::amz_date(server_now + 5min);
        if (signed_at < low || signed_at > high) {
            auto e = xml_error(400, "RequestExpired", "Request has expired.");
            e.date = test::http_date(server_now);
            return e;
        }
        return test::json_reply(200, test::read_data("get_session_token.json"));
    });
    auto log = std::make_shared<test::signing_log>();
    CHECK_NOTHROW(test::run_call(test::options_for(server.port()), test::gst_request(), test::recording_signer(log)));
    REQUIRE(log->times.size() == 2);
    const auto corrected = log->times[1] - system_clock::now();
    CHECK(corrected > server_offset - 5s);
    CHECK(corrected < server_offset + 5s);

    // With no Date header there is nothing to correct with: a clean error.
    https_server plain(test::test_pki().server_cert, test::test_pki().server_key);
    auto expired = xml_error(400, "RequestExpired", "Request has expired.");
    expired.date = "not a date";
    plain.script({expired});
    auto f = expect_failure(test::options_for(plain.port()),
                            test::recording_signer(std::make_shared<test::signing_log>()));
    CHECK_THAT(f.what, Catch::Contains("RequestExpired") && Catch::Contains("clock"));
    CHECK(plain.requests().size() == 1);
}

TEST_CASE("client: truncated, garbage and oversized replies", "[sts][client][broken]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    auto opts = test::options_for(server.port());
    auto signer = test::recording_signer(std::make_shared<test::signing_log>());

    SECTION("connection closed in the middle of the body: retried, then a clean error") {
        auto cut = test::json_reply(200, test::read_data("get_session_token.json"));
        cut.cut_after = 200;
        server.script({cut});
        auto f = expect_failure(opts, signer);
        CHECK(f.kind == fault::network);
        CHECK_THAT(f.what, Catch::Contains("closed before the full reply arrived") &&
                               Catch::Contains("gave up after 3 attempts"));
        CHECK(server.requests().size() == 3);
    }
    SECTION("a complete reply whose JSON is cut short") {
        std::string body = test::read_data("get_session_token.json");
        server.script({test::json_reply(200, body.substr(0, body.size() / 2))});
        auto f = expect_failure(opts, signer);
        CHECK(f.kind == fault::sts);
        CHECK_THAT(f.what, Catch::Contains("could not be read"));
        CHECK(f.what.find("wJalr") == std::string::npos);
        CHECK(server.requests().size() == 1);
    }
    SECTION("garbage body with 200") {
        server.script({test::json_reply(200, "Hello, I am not STS")});
        auto f = expect_failure(opts, signer);
        CHECK(f.kind == fault::sts);
        CHECK_THAT(f.what, Catch::Contains("neither JSON nor XML") && Catch::Contains("is an STS endpoint"));
    }
    SECTION("bytes that are not HTTP") {
        scripted_reply raw;
        raw.raw = "SSH-2.0-OpenSSH_9.2\r\n\r\n";
        server.script({raw});
        auto f = expect_failure(opts, signer);
        CHECK(f.kind == fault::sts);
        CHECK_THAT(f.what, Catch::Contains("malformed HTTP reply"));
        CHECK(server.requests().size() == 1);
    }
    SECTION("error status with an HTML body") {
        auto html = test::xml_reply(502, "<html><body>Bad Gateway</body></html>");
        html.headers = {{"Content-Type", "text/html"}};
        server.script({html, html, html});
        auto f = expect_failure(opts, signer);
        CHECK_THAT(f.what, Catch::Contains("HTTP 502") && Catch::Contains("not an STS error"));
        CHECK(server.requests().size() == 3);
    }
    SECTION("a body over 1 MiB") {
        server.script({test::json_reply(200, std::string(1100 * 1024, ' '))});
        auto f = expect_failure(opts, signer);
        CHECK_THAT(f.what, Catch::Contains("larger than 1 MiB"));
    }
}

TEST_CASE("client: TLS refusals", "[sts][client][tls]") {
    auto signer = test::recording_signer(std::make_shared<test::signing_log>());
    SECTION("certificate for another host name") {
        https_server wrong(test::test_pki().wrong_host_cert, test::test_pki().wrong_host_key);
        wrong.script({test::json_reply(200, test::read_data("get_session_token.json"))});
        auto f = expect_failure(test::options_for(wrong.port()), signer);
        CHECK(f.kind == fault::tls);
        CHECK_THAT(f.what, Catch::Contains("localhost:" + std::to_string(wrong.port())) &&
                               Catch::Contains("hostname mismatch") && Catch::Contains("another host"));
        CHECK(wrong.requests().empty());
        CHECK(wrong.connections() == 1);  // not retried
    }
    SECTION("IP address endpoint checks the IP SAN") {
        https_server wrong(test::test_pki().wrong_host_cert, test::test_pki().wrong_host_key);
        auto f = expect_failure(test::options_for(wrong.port(), "127.0.0.1"), signer);
        CHECK(f.kind == fault::tls);
        CHECK_THAT(f.what, Catch::Contains("127.0.0.1") && Catch::Contains("IP address mismatch"));

        https_server good(test::test_pki().server_cert, test::test_pki().server_key);
        good.script({test::json_reply(200, test::read_data("get_session_token.json"))});
        CHECK_NOTHROW(test::run_call(test::options_for(good.port(), "127.0.0.1"), test::gst_request(), signer));
        CHECK(good.requests().at(0).sni.empty());  // no SNI for IP literals (RFC 6066)
    }
    SECTION("certificate from an unknown CA") {
        https_server other(test::test_pki().other_ca_cert, test::test_pki().other_ca_key);
        auto f = expect_failure(test::options_for(other.port()), signer);
        CHECK(f.kind == fault::tls);
        CHECK_THAT(f.what, Catch::Contains("localhost") && Catch::Contains("not trusted") &&
                               Catch::Contains("the test CA"));
        CHECK(other.requests().empty());
    }
    SECTION("the system store does not trust the test CA") {
        https_server s(test::test_pki().server_cert, test::test_pki().server_key);
        auto o = test::options_for(s.port());
        o.trust = atpc::sts::resolve_trust(std::nullopt, test::fake_env({}));
        auto f = expect_failure(o, signer);
        CHECK(f.kind == fault::tls);
        CHECK_THAT(f.what, Catch::Contains("not trusted") && Catch::Contains("system CA store"));
    }
    SECTION("a missing CA bundle is a configuration error before any connection") {
        https_server s(test::test_pki().server_cert, test::test_pki().server_key);
        auto o = test::options_for(s.port());
        o.trust.ca_bundle = test::test_pki().dir + "/missing.pem";
        auto f = expect_failure(o, signer);
        CHECK(f.kind == fault::config);
        CHECK_THAT(f.what, Catch::Contains("missing.pem"));
        CHECK(s.connections() == 0);
    }
    SECTION("a CA bundle that is not PEM") {
        auto o = test::options_for(1);
        o.trust.ca_bundle = test::test_pki().not_pem;
        auto f = expect_failure(o, signer);
        CHECK(f.kind == fault::config);
    }
}

TEST_CASE("client: network failures", "[sts][client][network]") {
    auto signer = test::recording_signer(std::make_shared<test::signing_log>());
    SECTION("connection refused is retried, then reported") {
        const auto port = [] {
            https_server s(test::test_pki().server_cert, test::test_pki().server_key);
            return s.port();
        }();  // closed again: nothing listens there now
        auto f = expect_failure(test::options_for(port), signer);
        CHECK(f.kind == fault::network);
        CHECK_THAT(f.what, Catch::Contains("could not connect") && Catch::Contains("gave up after 3 attempts"));
    }
    SECTION("an unknown host name is not retried") {
        auto o = test::options_for(443, "no-such-host.invalid");
        auto f = expect_failure(o, signer);
        CHECK(f.kind == fault::network);
        CHECK_THAT(f.what, Catch::Contains("could not resolve no-such-host.invalid"));
        CHECK_THAT(f.what, !Catch::Contains("attempts"));
    }
    SECTION("a deadline already past fails at once") {
        auto o = test::options_for(default_server().port());
        o.deadline = steady_clock::now() - 1s;
        auto f = expect_failure(o, signer);
        CHECK(f.kind == fault::timeout);
        CHECK(f.took < 200ms);
    }
    SECTION("a signer failure ends the call without a connection") {
        https_server s(test::test_pki().server_cert, test::test_pki().server_key);
        auto failing = [](atpc::https::request&, system_clock::time_point) {
            throw atpc::error(fault::tpm, "the TPM said no");
        };
        auto f = expect_failure(test::options_for(s.port()), failing);
        CHECK(f.kind == fault::tpm);
        CHECK(s.connections() == 0);
    }
}

TEST_CASE("client: IPv6 loopback endpoint", "[sts][client]") {
    // ::1 is on every machine these tests run on: its absence is a failure.
    auto server = std::make_unique<https_server>(test::test_pki().server_cert, test::test_pki().server_key, true);
    server->script({test::json_reply(200, test::read_data("get_session_token.json"))});
    auto o = test::options_for(server->port(), "[::1]");
    CHECK(o.target.host == "::1");
    auto c = test::run_call(o, test::gst_request(), test::recording_signer(std::make_shared<test::signing_log>()));
    CHECK(c.access_key_id == "ASIAIOSFODNN7EXAMPLE");
    CHECK(server->requests().at(0).header("Host") == "[::1]:" + std::to_string(server->port()));
}

TEST_CASE("client: CONNECT proxy with Basic authentication", "[sts][client][proxy]") {
    https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({test::json_reply(200, test::read_data("get_session_token.json"))});
    // Expected header computed independently of the client's code.
    unsigned char b64[64] = {};
    const std::string userpass = "alice:p@ss word";
    EVP_EncodeBlock(b64, reinterpret_cast<const unsigned char*>(userpass.data()), static_cast<int>(userpass.size()));
    const std::string expected = "Basic " + std::string(reinterpret_cast<char*>(b64));
    test::connect_proxy proxy(expected);
    auto signer = test::recording_signer(std::make_shared<test::signing_log>());

    SECTION("right credentials: tunnelled") {
        auto o = test::options_for(server.port());
        o.proxy = atpc::https::parse_proxy("http://alice:p%40ss%20word@127.0.0.1:" + std::to_string(proxy.port()),
                                         "HTTPS_PROXY");
        auto c = test::run_call(o, test::gst_request(), signer);
        CHECK(c.access_key_id == "ASIAIOSFODNN7EXAMPLE");
        auto seen = proxy.seen();
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].target == "localhost:" + std::to_string(server.port()));
        CHECK(seen[0].authorization == expected);
        CHECK(server.requests().size() == 1);
    }
    SECTION("wrong password: 407, reported without the password, not retried") {
        auto o = test::options_for(server.port());
        o.proxy = atpc::https::parse_proxy("http://alice:Wr0ngPass@127.0.0.1:" + std::to_string(proxy.port()),
                                         "HTTPS_PROXY");
        auto f = expect_failure(o, signer);
        CHECK(f.kind == fault::network);
        CHECK_THAT(f.what, Catch::Contains("407") && Catch::Contains("rejected the user name or password") &&
                               Catch::Contains("HTTPS_PROXY") && !Catch::Contains("Wr0ngPass"));
        CHECK(proxy.seen().size() == 1);
        CHECK(server.requests().empty());
    }
    SECTION("no credentials for a proxy that wants them") {
        auto o = test::options_for(server.port());
        o.proxy = atpc::https::parse_proxy("127.0.0.1:" + std::to_string(proxy.port()), "https_proxy");
        auto f = expect_failure(o, signer);
        CHECK_THAT(f.what, Catch::Contains("requires a user name and password"));
    }
}

TEST_CASE("client: proxy that cannot reach STS", "[sts][client][proxy]") {
    test::connect_proxy proxy(std::nullopt, 502);
    auto o = test::options_for(443, "sts.example");
    o.proxy = atpc::https::parse_proxy("http://127.0.0.1:" + std::to_string(proxy.port()), "HTTPS_PROXY");
    auto f = expect_failure(o, test::recording_signer(std::make_shared<test::signing_log>()));
    CHECK_THAT(f.what, Catch::Contains("502") && Catch::Contains("gave up after 3 attempts"));
    CHECK(proxy.seen().size() == 3);
}

TEST_CASE("client: a stalled TLS handshake names the step and the attempt limit, never --timeout",
          "[sts][client][timeout]") {
    test::tcp_sink sink;  // accepts TCP, never answers TLS
    const std::string who = "localhost:" + std::to_string(sink.port());
    auto o = test::options_for(sink.port());
    o.attempt_timeout = 300ms;
    o.deadline = steady_clock::now() + 10s;
    auto f = expect_failure(o, test::recording_signer(std::make_shared<test::signing_log>()));
    CHECK(f.kind == fault::timeout);
    CHECK(f.what == "TLS handshake with " + who + " did not complete within 0.3 s (the limit of one STS attempt); " +
                        "check network access to " + who + " (proxy, firewall) (gave up after 3 attempts)");
    CHECK(sink.connections().size() == 3);
    CHECK(f.took < 3s);

    // When the run's deadline is what cut the attempt short, the message says so.
    o.attempt_timeout = 10s;
    o.deadline = steady_clock::now() + 500ms;
    f = expect_failure(o, test::recording_signer(std::make_shared<test::signing_log>()));
    CHECK(f.kind == fault::timeout);
    CHECK_THAT(f.what, Catch::StartsWith("TLS handshake with " + who + " did not complete within 0.5 s; allow more time "
                                         "with --deadline (no time left within --deadline to retry)") &&
                           !Catch::Contains("--timeout"));
}
