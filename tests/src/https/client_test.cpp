// The HTTPS client against local peers (real TLS with the test CA): the
// request on the wire, deadlines naming the step that stalled, an outside
// cancellation, IPv6, and the CONNECT proxy step.
#include <catch2/catch.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include "harness.hpp"
#include "support/https/connect_proxy.hpp"
#include "support/https/https_server.hpp"
#include "support/tcp_sink.hpp"

using namespace std::chrono_literals;
using atpc::fault;
using std::chrono::steady_clock;

namespace {

atpc::https::failure expect_failure(atpc::https::client c, atpc::https::request r, steady_clock::duration limit,
                                    steady_clock::duration* took = nullptr) {
    const auto start = steady_clock::now();
    try {
        test::https_fetch(std::move(c), std::move(r), limit);
    } catch (const atpc::https::failure& e) {
        if (took) *took = steady_clock::now() - start;
        CHECK(std::string(e.what()).find('\n') == std::string::npos);
        return e;
    }
    FAIL("the exchange succeeded");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("client: the request goes out as given, and the reply comes back whole", "[https][client]") {
    test::https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({test::json_reply(201, R"({"ok":true})")});
    auto c = test::https_client(server.port());
    auto reply = test::https_fetch(c, test::https_post(c, "hello"));
    CHECK(reply.status == 201);
    CHECK(reply.header("content-type") == std::optional<std::string>("application/json"));
    CHECK(std::string(reply.body.begin(), reply.body.end()) == R"({"ok":true})");
    const auto r = server.requests().at(0);
    CHECK(r.method == "POST");
    CHECK(r.target == "/");
    CHECK(r.sni == "localhost");
    CHECK(r.body == "hello");
    CHECK(r.header("Host") == "localhost:" + std::to_string(server.port()));
    CHECK(r.header("Content-Length") == "5");
    CHECK(r.header("User-Agent") == "atpc-test");
    CHECK(r.headers.size() == 4);
}

TEST_CASE("client: a peer that accepts TCP but never answers TLS fails at the limit, naming the step",
          "[https][client][timeout]") {
    test::tcp_sink sink;
    auto c = test::https_client(sink.port());
    test::trace_log trace;
    c.trace = trace.hook();
    steady_clock::duration took{};
    const auto e = expect_failure(c, test::https_post(c, "x"), 1s, &took);
    CHECK(e.kind() == fault::timeout);
    CHECK(e.where() == atpc::https::step::handshake);
    CHECK(e.why() == atpc::https::cause::timeout);
    CHECK(std::string(e.what()) ==
          "TLS handshake with localhost:" + std::to_string(sink.port()) + " did not complete within 1 s");
    CHECK(took >= 900ms);
    CHECK(took < 1500ms);
    // --debug: the last step begun is the one that stalled.
    REQUIRE_FALSE(trace.lines.empty());
    CHECK(trace.lines.back() == "https: TLS handshake with localhost:" + std::to_string(sink.port()));
}

TEST_CASE("client: a slow reply fails at the deadline, naming the step", "[https][client][timeout]") {
    test::https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    test::scripted_reply slow = test::json_reply(200, "{}");
    slow.delay = 5s;
    server.script({slow});
    auto c = test::https_client(server.port());
    steady_clock::duration took{};
    const auto e = expect_failure(c, test::https_post(c, "x"), 1s, &took);
    CHECK(e.kind() == fault::timeout);
    CHECK_THAT(e.what(), Catch::Equals("reading the reply from localhost:" + std::to_string(server.port()) +
                                       " did not complete within 1 s"));
    CHECK(took >= 900ms);
    CHECK(took < 1500ms);
}

TEST_CASE("client: a connection cancelled from outside mid-handshake is a cancellation, not a timeout",
          "[https][client][timeout]") {
    test::tcp_sink sink;  // accepts, never answers: the handshake hangs
    const auto c = test::https_client(sink.port());
    boost::asio::io_context io;
    boost::asio::cancellation_signal cancel;
    std::exception_ptr failure;
    bool finished = false;
    auto opening = atpc::https::open(c, steady_clock::now() + 30s);
    boost::asio::co_spawn(io, std::move(opening),
                          boost::asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, auto) {
                              failure = e;
                              finished = true;
                          }));
    boost::asio::steady_timer later(io, 100ms);
    later.async_wait([&](boost::system::error_code) { cancel.emit(boost::asio::cancellation_type::terminal); });
    const auto start = steady_clock::now();
    io.run();
    CHECK(steady_clock::now() - start < 5s);
    REQUIRE(finished);
    REQUIRE(failure);
    try {
        std::rethrow_exception(failure);
    } catch (const atpc::error& e) {
        // Beast's expiry, cancelled too, must not be read as the deadline passing.
        INFO(e.what());
        CHECK(e.kind() != fault::timeout);
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == boost::asio::error::operation_aborted);
    }
}

TEST_CASE("client: IPv6 loopback peer", "[https][client]") {
    // ::1 is on every machine these tests run on: its absence is a failure.
    test::https_server server(test::test_pki().server_cert, test::test_pki().server_key, true);
    server.script({test::json_reply(200, "{}")});
    auto c = test::https_client(server.port(), "::1");
    CHECK(c.peer_name() == "[::1]:" + std::to_string(server.port()));
    CHECK(test::https_fetch(c, test::https_post(c, "x")).status == 200);
    CHECK(server.requests().at(0).header("Host") == "[::1]:" + std::to_string(server.port()));
    CHECK(server.requests().at(0).sni.empty());  // no SNI for IP literals (RFC 6066)
}

TEST_CASE("client: TLS failures name the peer and what verifies it", "[https][client][tls]") {
    test::https_server wrong(test::test_pki().wrong_host_cert, test::test_pki().wrong_host_key);
    auto c = test::https_client(wrong.port());
    auto e = expect_failure(c, test::https_post(c, "x"), 10s);
    CHECK(e.kind() == fault::tls);
    CHECK(e.why() == atpc::https::cause::bad_certificate);
    CHECK_FALSE(e.retryable());
    CHECK_THAT(e.what(), Catch::Contains("hostname mismatch") && Catch::Contains("another host"));

    test::https_server other(test::test_pki().other_ca_cert, test::test_pki().other_ca_key);
    auto o = test::https_client(other.port());
    e = expect_failure(o, test::https_post(o, "x"), 10s);
    CHECK(e.why() == atpc::https::cause::untrusted);
    CHECK_THAT(e.what(), Catch::Contains("not trusted by the CA bundle " + test::test_pki().ca_pem +
                                         " (from the test CA)"));
}

TEST_CASE("client: the CONNECT step through a proxy", "[https][client][proxy]") {
    test::https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({test::json_reply(200, "{}")});
    test::connect_proxy proxy;
    auto c = test::https_client(server.port());
    c.proxy = atpc::https::parse_proxy("127.0.0.1:" + std::to_string(proxy.port()), "HTTPS_PROXY");
    CHECK_THAT(c.peer_name(), Catch::EndsWith("(via proxy http://127.0.0.1:" + std::to_string(proxy.port()) + ")"));
    CHECK(test::https_fetch(c, test::https_post(c, "x")).status == 200);
    REQUIRE(proxy.seen().size() == 1);
    CHECK(proxy.seen()[0].target == "localhost:" + std::to_string(server.port()));
    CHECK(proxy.seen()[0].authorization.empty());

    test::connect_proxy refusing(std::nullopt, 403);
    c.proxy = atpc::https::parse_proxy("127.0.0.1:" + std::to_string(refusing.port()), "https_proxy");
    const auto e = expect_failure(c, test::https_post(c, "x"), 10s);
    CHECK(e.where() == atpc::https::step::proxy_connect);
    CHECK_THAT(e.what(), Catch::Contains("refused CONNECT") && Catch::Contains("HTTP 403") &&
                             Catch::Contains("https_proxy"));
}

TEST_CASE("client: durations in messages", "[https][client]") {
    using atpc::https::format_seconds;
    CHECK(format_seconds(std::chrono::seconds(5)) == "5 s");
    CHECK(format_seconds(std::chrono::milliseconds(999)) == "1 s");
    CHECK(format_seconds(std::chrono::milliseconds(2500)) == "2.5 s");
    CHECK(format_seconds(std::chrono::milliseconds(40)) == "0 s");
    CHECK(format_seconds(std::chrono::milliseconds(260)) == "0.3 s");
}

TEST_CASE("client: trust store and TLS context", "[https][tls]") {
    const auto env = test::fake_env({{"SSL_CERT_DIR", "/certs"}});
    auto t = atpc::https::resolve_trust(std::nullopt, "--flag", env);
    CHECK_FALSE(t.ca_bundle);
    CHECK(t.system_dir == "/certs");
    CHECK(t.describe() == "the system CA store");
    t = atpc::https::resolve_trust(std::string("/x.pem"), "--flag", env);
    CHECK(t.describe() == "the CA bundle /x.pem (from --flag)");

    atpc::https::trust_store missing;
    missing.ca_bundle = test::test_pki().dir + "/missing.pem";
    missing.ca_bundle_source = "the test";
    try {
        atpc::https::make_tls_context(missing);
        FAIL("accepted");
    } catch (const atpc::error& e) {
        CHECK(e.kind() == fault::config);
        CHECK_THAT(e.what(), Catch::Contains("missing.pem") && Catch::Contains("the test"));
    }
    atpc::https::trust_store not_pem = missing;
    not_pem.ca_bundle = test::test_pki().not_pem;
    CHECK_THROWS_AS(atpc::https::make_tls_context(not_pem), atpc::error);
}
