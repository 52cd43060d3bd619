// `serve` refreshing in the background, against the STS look-alike
// (serve_fixtures.hpp), which hands out credentials expiring minutes away so
// that the refresh margins are crossed in seconds, and fails on demand.
#include "serve_fixtures.hpp"

#include <thread>

using namespace serve_test;
using namespace std::chrono_literals;

namespace {

using clock_type = std::chrono::steady_clock;

// Polls the container endpoint until its reply satisfies `done` (or `limit`).
template <class Done>
test::http_reply poll_until(test::serve_process& s, std::chrono::milliseconds limit, Done done) {
    const auto give_up = clock_type::now() + limit;
    test::http_reply r = credentials(s);
    while (!done(r) && clock_type::now() < give_up) {
        std::this_thread::sleep_for(100ms);
        r = credentials(s);
    }
    return r;
}

// Waits until the server's stderr says `text`.
bool wait_for_text(test::serve_process& s, const std::string& text, std::chrono::milliseconds limit) {
    const auto give_up = clock_type::now() + limit;
    while (s.proc().err().find(text) == std::string::npos) {
        if (clock_type::now() > give_up) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

// A 200 reply is always whole: key, secret, token and a future expiration.
void check_whole(const test::http_reply& r) {
    INFO(r.body);
    CHECK(r.complete);
    CHECK_THAT(r.body, Catch::Matches(R"(\{"AccessKeyId":"ASIALOOKALIKE\d{7}","SecretAccessKey":"lookalike-secret-\d+",)"
                                      R"("Token":"lookalike-token","Expiration":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ","AccountId":"123456789012"\})"));
}

}  // namespace

TEST_CASE("serve: a background refresh hands clients the new key, one TPM use per fetch", "[swtpm][serve][e2e]") {
    lookalike_world w;
    w.sts.steer(20min + 4s, false);  // due for refresh within 4 s
    auto s = w.start();
    auto first = credentials(s);
    REQUIRE(first.status == 200);
    check_whole(first);
    CHECK_THAT(first.body, Catch::Contains(lookalike_sts::key(1)));

    w.sts.steer(1h, false);
    auto next = poll_until(s, 15s, [](const test::http_reply& r) { return r.body.find(lookalike_sts::key(2)) != std::string::npos; });
    CHECK(next.status == 200);
    CHECK_THAT(next.body, Catch::Contains(lookalike_sts::key(2)));
    check_whole(next);

    s.proc().kill(SIGTERM);
    REQUIRE(s.proc().wait_for(3s));
    const std::string err = s.proc().err();
    INFO(err);
    CHECK(count_of(err, "refresh: fetching new credentials") == 1);
    CHECK(count_of(err, "TPM: computing kDate") == 2);  // the first fetch and the refresh
    CHECK(w.sts.requests() == 2);
    w.tpm.sw.check_no_leaks();
}

TEST_CASE("serve: after failed refreshes the last key is served until its last 10 minutes, then 503, then the next key",
          "[swtpm][serve][e2e]") {
    lookalike_world w;
    w.sts.steer(10min + 6s, false);  // servable for 6 s, due for refresh at once
    auto s = w.start();
    w.sts.steer(1h, true);
    const auto started = clock_type::now();
    auto first = credentials(s);
    REQUIRE(first.status == 200);
    check_whole(first);

    // The old key until its last 10 minutes, never anything else with 200.
    std::vector<test::http_reply> seen;
    auto unavailable = poll_until(s, 15s, [&](const test::http_reply& r) {
        seen.push_back(r);
        return r.status != 200;
    });
    const auto switched = clock_type::now() - started;
    for (const auto& r : seen)
        if (r.status == 200) CHECK_THAT(r.body, Catch::Contains(lookalike_sts::key(1)));
    REQUIRE(unavailable.status == 503);
    CHECK(switched > 3s);   // it served the old key well past the first failed refresh (about 2 s in)
    CHECK(switched < 9s);
    CHECK_THAT(unavailable.body, Catch::StartsWith("{\"Code\":\"CredentialsUnavailable\",\"Message\":\"the last credentials expire at "));
    CHECK_THAT(unavailable.body, Catch::Contains("AccessDenied") && !Catch::Contains("lookalike-secret"));
    // Stays so while STS fails, and the refreshes go on meanwhile.
    REQUIRE(wait_for_text(s, "refresh failed (no credentials to serve (503)", 30s));
    CHECK(credentials(s).status == 503);

    // STS back: the retry (backing off, 30 s at most) brings a new key.
    w.sts.steer(1h, false);
    auto back = poll_until(s, 40s, [](const test::http_reply& r) { return r.status == 200; });
    REQUIRE(back.status == 200);
    check_whole(back);
    CHECK_THAT(back.body, !Catch::Contains(lookalike_sts::key(1)));

    s.proc().kill(SIGTERM);
    REQUIRE(s.proc().wait_for(3s));
    const std::string err = s.proc().err();
    INFO(err);
    CHECK_THAT(err, Catch::Contains("refresh failed (serving the last credentials until "));
    CHECK_THAT(err, Catch::Contains("failed attempts)"));
    // Every fetch used the TPM once, failed ones included.
    CHECK(count_of(err, "TPM: computing kDate") == 1 + count_of(err, "refresh: fetching new credentials"));
    w.tpm.sw.check_no_leaks();
}

TEST_CASE("serve: a TPM frozen during a refresh delays no request", "[swtpm][serve][e2e]") {
    lookalike_world w;
    w.sts.steer(20min + 2s, false);
    auto s = w.start({"--timeout=1500ms"});
    w.tpm.sw.pause();
    test::http_connection c(s.port());
    const std::string request = test::http_get("/v1/credentials", s.host(), s.authorization());
    std::chrono::microseconds slowest{0};
    int answered = 0;
    for (const auto until = clock_type::now() + 6s; clock_type::now() < until; ++answered) {
        auto r = c.exchange(request);
        REQUIRE(r.status == 200);
        CHECK_THAT(r.body, Catch::Contains(lookalike_sts::key(1)));
        slowest = std::max(slowest, r.elapsed);
        std::this_thread::sleep_for(2ms);
    }
    // The refresh waited for the TPM meanwhile (and gave up at --timeout).
    CHECK_THAT(s.proc().err(), Catch::Contains("refresh failed") && Catch::Contains("1500 ms"));
    w.tpm.sw.resume();
    INFO(answered << " requests, the slowest took " << slowest.count() << " us");
    // A request that waited for the refresh would take the whole --timeout
    // (1.5 s); the margin below that is for a loaded CI machine (ASan, -j).
    CHECK(slowest < 500ms);

    auto next = poll_until(s, 20s, [](const test::http_reply& r) { return r.body.find(lookalike_sts::key(2)) != std::string::npos; });
    CHECK_THAT(next.body, Catch::Contains(lookalike_sts::key(2)));
}

TEST_CASE("serve: SIGTERM under load exits 0 within 1 s and breaks no reply", "[swtpm][serve][e2e]") {
    lookalike_world w;
    auto s = w.start();
    const std::string request = test::http_get("/v1/credentials", s.host(), s.authorization());
    std::atomic<int> whole{0}, broken{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int i = 0; i < 8; ++i)
        clients.emplace_back([&] {
            while (!stop) {
                std::optional<test::http_connection> c;
                try {
                    c.emplace(s.port());
                } catch (const std::exception&) {
                    return;  // no longer accepting: the server is going
                }
                for (;;) {
                    auto r = c->exchange(request, 3s);
                    if (r.complete && r.status == 200) ++whole;
                    else if (r.received > 0) ++broken;  // part of a reply: what must never happen
                    if (!r.complete || r.headers.count("connection") || stop) break;
                }
            }
        });
    std::this_thread::sleep_for(500ms);
    const auto signalled = clock_type::now();
    s.proc().kill(SIGTERM);
    auto status = s.proc().wait_for(3s);
    const auto took = clock_type::now() - signalled;
    stop = true;
    for (auto& t : clients) t.join();
    REQUIRE(status);
    CHECK(status->exit_code == 0);
    CHECK(took < 1s);
    CHECK(broken == 0);
    CHECK(whole > 100);
    INFO(s.proc().err());
    CHECK_FALSE(std::filesystem::exists(s.token_file()));  // removed at exit
}
