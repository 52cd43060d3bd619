// A small fault-injecting HTTPS server for the STS client tests: listens on
// 127.0.0.1 (or ::1) at a free port, serves one request per connection on
// its own thread, records every request, and answers from a script or a
// handler: any status, headers and body, a delay before answering, a reply
// cut off after N bytes, or raw bytes that are not HTTP at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace test {

struct recorded_request {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;  // in arrival order
    std::string body;
    std::chrono::system_clock::time_point received;
    std::string sni;  // TLS server name the client asked for ("" when none)

    // First value of a header (case-insensitive), or "" when absent.
    std::string header(std::string_view name) const;
    std::size_t count(std::string_view name) const;
};

struct scripted_reply {
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Length and Date
    std::string body;
    std::optional<std::string> date;          // Date header; now when unset
    std::chrono::milliseconds delay{0};       // wait before answering
    std::optional<std::size_t> cut_after;     // close after this many bytes of the reply
    std::optional<std::string> raw;           // send these bytes instead of an HTTP reply
};

class https_server {
public:
    // cert/key: PEM files. ipv6 binds ::1 instead of 127.0.0.1.
    https_server(const std::string& cert_pem, const std::string& key_pem, bool ipv6 = false);
    ~https_server();
    https_server(const https_server&) = delete;
    https_server& operator=(const https_server&) = delete;

    std::uint16_t port() const;
    // Replies in order; the last one repeats once the script runs out.
    void script(std::vector<scripted_reply> replies);
    void handler(std::function<scripted_reply(const recorded_request&)> fn);
    std::vector<recorded_request> requests() const;
    int connections() const;  // accepted TCP connections (including failed handshakes)

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// Reply helpers.
scripted_reply json_reply(unsigned status, std::string body);
scripted_reply xml_reply(unsigned status, std::string body);
std::string http_date(std::chrono::system_clock::time_point t);

}  // namespace test
