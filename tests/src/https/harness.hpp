// Drives the HTTPS client against the test peers (support/https/): a client
// for a local server trusting the test CA, and a blocking open + exchange.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "https/client.hpp"
#include "https/trust.hpp"
#include "https/url.hpp"
#include "support/env_fake.hpp"
#include "support/test_pki.hpp"

namespace test {

inline atpc::https::client https_client(std::uint16_t port, const std::string& host = "localhost") {
    atpc::https::trust_store trust;
    trust.ca_bundle = test_pki().ca_pem;
    trust.ca_bundle_source = "the test CA";
    atpc::https::client c;
    c.host = host;
    c.port = port;
    c.tls = atpc::https::make_tls_context(trust);
    c.trust = trust.describe();
    c.user_agent = "atpc-test";
    return c;
}

inline atpc::https::request https_post(const atpc::https::client& c, std::string body) {
    atpc::https::request r;
    r.target = "/";
    r.headers = {{"Host", atpc::https::join_host_port(c.host, c.port)}, {"Content-Type", "text/plain"}};
    r.body = std::move(body);
    return r;
}

// open + exchange on a fresh io_context; throws what they throw.
inline atpc::https::reply https_fetch(atpc::https::client c, atpc::https::request r,
                                      std::chrono::steady_clock::duration limit = std::chrono::seconds(10)) {
    boost::asio::io_context io;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    auto body = [](atpc::https::client c, atpc::https::request r,
                   std::chrono::steady_clock::time_point deadline) -> boost::asio::awaitable<atpc::https::reply> {
        auto conn = co_await atpc::https::open(c, deadline);
        co_return co_await atpc::https::exchange(*conn, r, deadline);
    };
    auto fut = boost::asio::co_spawn(io, body(std::move(c), std::move(r), deadline), boost::asio::use_future);
    io.run();
    return fut.get();
}

// Collects --debug lines (the client's trace hook).
struct trace_log {
    std::mutex mu;
    std::vector<std::string> lines;
    atpc::https::trace_fn hook() {
        return [this](const std::string& line) {
            std::lock_guard lock(mu);
            lines.push_back(line);
        };
    }
};

}  // namespace test
