// A deliberately plain HTTP/1.1 client on blocking loopback sockets, for
// tests that need what real SDKs never do: wrong Host headers, oversized
// headers, idle or trickling connections, and checking a reply byte for byte
// (complete, or nothing at all).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace test {

struct http_reply {
    int status = 0;                              // 0: no status line arrived
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    bool complete = false;     // head and Content-Length bytes of body all arrived
    std::size_t received = 0;  // bytes, head included
    std::chrono::microseconds elapsed{0};
};

// "GET /path HTTP/1.1\r\nHost: host\r\n<extra>\r\n": `extra` holds whole
// header lines, each ending in \r\n.
std::string http_get(const std::string& path, const std::string& host, const std::string& extra = "");

class http_connection {
public:
    // Connects to 127.0.0.1:port. Throws std::runtime_error.
    explicit http_connection(std::uint16_t port);
    ~http_connection();
    http_connection(http_connection&& other) noexcept;
    http_connection(const http_connection&) = delete;
    http_connection& operator=(const http_connection&) = delete;

    // Sends `raw` and reads one reply (until its Content-Length is in, the
    // peer closes, or `timeout`).
    http_reply exchange(const std::string& raw, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Sends bytes without reading; false when the peer has closed.
    bool send(const std::string& raw);
    // True when the peer closes the connection within `timeout`.
    bool closed_by_peer(std::chrono::milliseconds timeout);

private:
    int fd_ = -1;
    std::string pending_;  // bytes read past the last reply
};

// One request on a fresh connection.
http_reply http_once(std::uint16_t port, const std::string& raw,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace test
