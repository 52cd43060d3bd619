// One request and its response as the endpoints see them, without Asio or
// Beast: views of the parsed request, a response whose body is either owned
// or shared with the credentials it was rendered from.
#pragma once

#include "server/refresh_policy.hpp"

#include "tpmwire/bytes.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace atpc::server {

// The address a connection arrived at (for a wildcard --listen, the one the
// client chose), which the Host header must name.
struct local_endpoint {
    std::string address;  // "127.0.0.1", "::1"
    std::uint16_t port = 0;
    bool loopback = false;
};

// (Every member has an initializer: designated initializers may omit any.)
struct request_view {
    std::string_view method = {};  // "GET"
    std::string_view target = {};  // "/v1/credentials"
    std::string_view host = {};    // the Host header
    std::size_t host_headers = 0;
    std::optional<std::string_view> authorization = {};
    std::optional<std::string_view> imds_token = {};  // X-aws-ec2-metadata-token
    std::optional<std::string_view> imds_ttl = {};    // X-aws-ec2-metadata-token-ttl-seconds
    bool forwarded = false;                           // X-Forwarded-For present
};

struct response {
    unsigned status = 200;
    std::string_view content_type = "application/json";
    std::shared_ptr<const tpmwire::secret_string> body;  // may alias the served credentials
    std::optional<int> token_ttl;                        // X-aws-ec2-metadata-token-ttl-seconds
    std::string_view allow;                              // Allow, with 405
    bool close = false;                                  // close the connection after it
};

// Both clocks at the time a request is answered: the wall clock for the
// credentials' expiration, the steady clock for IMDS token lifetimes.
struct request_time {
    wall_clock::time_point wall;
    std::chrono::steady_clock::time_point steady;
    static request_time now() { return {wall_clock::now(), std::chrono::steady_clock::now()}; }
};

// A refusal or an unavailability: `status` with {"Code":code,"Message":message}.
response refusal(unsigned status, std::string_view code, std::string_view message);

// "200 OK", "503 Service Unavailable"; "500 Internal Server Error" for others.
std::string_view status_line(unsigned status);

// The response's head: status line and headers, ending in the empty line.
// Appended to `out`; it never contains a secret.
void append_head(std::string& out, const response& r);

}  // namespace atpc::server
