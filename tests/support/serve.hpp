// The program's `serve` as users run it: started with its flags, ready once
// it has printed the NAME=value lines a client needs.
//
//     test::serve_process s({"--tpm-path=...", "--aws-access-key-id=...", ...}, env);
//     auto r = test::http_once(s.port(), test::http_get("/v1/credentials", s.host(), s.authorization()));
#pragma once

#include "support/process.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace test {

class serve_process {
public:
    // Starts `ATPC_BINARY serve args...` and waits up to `timeout` for its
    // lines (with AWS_EC2_METADATA_SERVICE_ENDPOINT when args hold --imds).
    // Throws std::runtime_error with its stderr when it exits or stays silent.
    serve_process(std::vector<std::string> args, env_map env, std::chrono::milliseconds timeout = std::chrono::seconds(60));

    process& proc() { return *proc_; }
    std::uint16_t port() const { return port_; }
    std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
    const std::string& full_uri() const { return full_uri_; }
    const std::string& token_file() const { return token_file_; }
    const std::string& imds_endpoint() const { return imds_endpoint_; }
    // The token's file as it is now.
    std::string token() const;
    // "Authorization: <token>\r\n", for http_get's extra headers.
    std::string authorization() const { return "Authorization: " + token() + "\r\n"; }
    // The variables as printed (for SDK clients).
    env_map client_env() const;

private:
    std::unique_ptr<process> proc_;
    std::uint16_t port_ = 0;
    std::string full_uri_, token_file_, imds_endpoint_;
};

}  // namespace test
