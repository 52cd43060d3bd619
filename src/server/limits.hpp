// Every limit and deadline of the credential server, in one place.
#pragma once

#include <chrono>
#include <cstddef>

namespace atpc::server {

using namespace std::chrono_literals;

// What one connection may take. A request's head (request line and headers)
// fits in one packet for every SDK; nothing the server answers has a body.
inline constexpr std::size_t max_request_head = 8 * 1024;
// Waiting for the first byte of a request (a fresh or kept-alive
// connection): a client that sends nothing is dropped after this.
inline constexpr auto idle_timeout = 30s;
// From the first byte of a request to its last, so a client that trickles
// bytes is dropped too.
inline constexpr auto request_timeout = 5s;
inline constexpr auto write_timeout = 5s;
// How often connections are checked against those deadlines (a deadline may
// be overrun by up to this): one timer for the server, so a request costs
// no timer operation.
inline constexpr auto sweep_interval = 1s;
// At the cap, a new connection closes the least recently active one that is
// not being answered, so idle or slow clients cannot lock others out.
inline constexpr std::size_t default_max_connections = 512;

// On SIGTERM/SIGINT: requests being answered finish; whatever is still open
// after this is closed and the process exits.
inline constexpr auto shutdown_grace = 800ms;

// IMDSv2 session tokens.
inline constexpr int imds_min_ttl_seconds = 1;
inline constexpr int imds_max_ttl_seconds = 21600;
inline constexpr std::size_t max_imds_tokens = 128;

// Refresh. SDKs refresh container and IMDS credentials when fewer than
// 15 minutes remain (botocore) or 5 (JavaScript v3): hand out credentials
// with more than that, and refresh well before.
inline constexpr auto refresh_before = 20min;  // refresh when this little is left
inline constexpr auto max_refresh_jitter = 60s;  // earlier by up to this, so many servers spread out
inline constexpr auto serve_until = 10min;       // stop handing out (503) when this little is left
inline constexpr auto min_refresh_spacing = 2s;  // STS handing out short credentials must not make a hot loop
inline constexpr auto first_retry = 1s;          // after a failed refresh, doubling ...
inline constexpr auto max_retry = 30s;           // ... up to this
inline constexpr auto clock_recheck = 60s;       // a wall-clock jump is noticed within this

}  // namespace atpc::server
