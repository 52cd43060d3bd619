// Shared pieces of the STS call-loop integration tests: a recording signer,
// options pointing at a local test server, and a blocking runner.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "sts/actions.hpp"
#include "sts/client.hpp"
#include "support/env_fake.hpp"
#include "support/test_pki.hpp"

namespace test {

struct signing_log {
    std::mutex mu;
    std::vector<std::chrono::system_clock::time_point> times;
    std::vector<atpc::https::request> requests;  // as the signer saw them (before signing)
};

inline std::string amz_date(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

// Adds the two headers a SigV4 signer adds; the signature itself is fake.
inline atpc::sts::signer recording_signer(std::shared_ptr<signing_log> log) {
    return [log](atpc::https::request& o, std::chrono::system_clock::time_point now) {
        std::lock_guard lock(log->mu);
        log->times.push_back(now);
        log->requests.push_back(o);
        const auto date = amz_date(now);
        o.headers.emplace_back("X-Amz-Date", date);
        o.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + date.substr(0, 8) +
                                                    "/us-east-1/sts/aws4_request, "
                                                    "SignedHeaders=content-length;content-type;host;x-amz-date, "
                                                    "Signature=0000");
    };
}

inline atpc::sts::call_options options_for(std::uint16_t port, const std::string& host = "localhost") {
    atpc::sts::call_options o;
    o.target = atpc::sts::resolve_endpoint({"https://" + host + ":" + std::to_string(port), "us-east-1"}, fake_env({}));
    o.trust.ca_bundle = test_pki().ca_pem;
    o.trust.ca_bundle_source = "the test CA";
    o.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    o.attempt_timeout = std::chrono::seconds(10);
    o.retry.transient_base = std::chrono::milliseconds(10);
    o.retry.throttling_base = std::chrono::milliseconds(20);
    o.random = [] { return 0.5; };
    return o;
}

inline atpc::sts::credentials run_call(atpc::sts::call_options o, atpc::sts::query_request r, atpc::sts::signer s) {
    boost::asio::io_context ioc;
    auto fut = boost::asio::co_spawn(ioc, atpc::sts::call(std::move(o), std::move(r), std::move(s)),
                                     boost::asio::use_future);
    ioc.run();
    return fut.get();
}

inline std::string read_data(const std::string& name) {
    std::ifstream in(std::string(ATPC_TEST_DATA_DIR) + "/sts/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline atpc::sts::query_request gst_request() {
    return atpc::sts::build_request(atpc::sts::get_session_token_params{3600, std::nullopt});
}

}  // namespace test
