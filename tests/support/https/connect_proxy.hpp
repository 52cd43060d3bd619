// A minimal HTTP CONNECT proxy for the tests: optional Basic authentication,
// records each CONNECT target and Proxy-Authorization value, then tunnels
// bytes both ways. Runs on its own thread on 127.0.0.1 at a free port.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace test {

class connect_proxy {
public:
    // expected_authorization: the exact Proxy-Authorization value required
    // ("Basic ..."); nullopt accepts any request. status_override answers
    // every CONNECT with that status instead of tunnelling.
    explicit connect_proxy(std::optional<std::string> expected_authorization = std::nullopt,
                           std::optional<unsigned> status_override = std::nullopt);
    ~connect_proxy();
    connect_proxy(const connect_proxy&) = delete;
    connect_proxy& operator=(const connect_proxy&) = delete;

    std::uint16_t port() const;
    struct seen_connect {
        std::string target;
        std::string authorization;  // "" when absent
    };
    std::vector<seen_connect> seen() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace test
