// `serve`: a local HTTP server handing out the credentials the pipeline
// fetches (TPM kDate → STS), to the SDKs' container provider and, opt-in,
// as IMDSv2. The interface of server/ (no Asio here).
//
//   run(config, env, log, debug, ready)
//     listen → first fetch (fail fast) → token file → ready(what clients need)
//     → serve and refresh in the background until SIGTERM/SIGINT.
#pragma once

#include "credential/settings.hpp"
#include "server/limits.hpp"
#include "server/listen.hpp"

#include "base/env.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace atpc::server {

struct serve_config {
    credential::settings settings;
    listen_address listen{.address = "127.0.0.1", .port = 0, .loopback = true};
    bool imds = false;
    std::string token_file;  // empty: default_token_path()
    std::size_t max_connections = default_max_connections;
};

// What a client needs, once the server answers.
struct ready_info {
    std::string container_url;                 // AWS_CONTAINER_CREDENTIALS_FULL_URI
    std::string token_file;                    // AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
    std::optional<std::string> imds_endpoint;  // AWS_EC2_METADATA_SERVICE_ENDPOINT
};

using log_fn = std::function<void(const std::string&)>;

// Serves until SIGTERM or SIGINT, then lets requests being answered finish
// and returns (within a second). Throws atpc::error before `ready` when it
// cannot start (address in use, first fetch failed, token file). `log` takes
// operator lines (refresh failures); `debug` (may be empty) one line per
// request and the pipeline's steps.
void run(const serve_config& config, const env_lookup& env, const log_fn& log, const log_fn& debug,
         const std::function<void(const ready_info&)>& ready);

}  // namespace atpc::server
