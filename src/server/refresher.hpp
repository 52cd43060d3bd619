// Keeps credential_state fresh in the background: one refresh at a time
// (the TPM is used once per refresh), refresh_before ahead of expiry, and
// after a failure, retries with backoff while the last good credentials
// keep being served (credential_state decides how long). Internal to
// server/ (Asio).
#pragma once

#include "credential/settings.hpp"
#include "server/credential_state.hpp"

#include "base/env.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <functional>
#include <string>

namespace atpc::server {

namespace net = boost::asio;

class refresher {
public:
    using log_fn = std::function<void(const std::string&)>;

    // `log` takes the lines an operator needs (failures, recoveries); `debug`
    // (may be empty) also the pipeline's steps and every refresh.
    refresher(credential_state& state, const credential::settings& settings, env_lookup env, log_fn log, log_fn debug);

    // Starts the loop; the first refresh is planned from the credentials
    // already installed.
    void start(net::any_io_executor ex);
    // Ends the wait or the refresh under way.
    void stop();
    bool running() const { return running_; }
    int refreshes() const { return refreshes_; }

private:
    net::awaitable<void> loop();
    net::awaitable<void> refresh_once();
    void succeeded(wall_clock::time_point now);
    void failed(const std::string& cause, wall_clock::time_point now);

    credential_state& state_;
    const credential::settings& settings_;
    env_lookup env_;
    log_fn log_;
    log_fn debug_;
    net::cancellation_signal cancel_;
    wall_clock::time_point next_{};
    int failures_ = 0;
    int refreshes_ = 0;
    bool running_ = false;
    bool stopping_ = false;
};

}  // namespace atpc::server
