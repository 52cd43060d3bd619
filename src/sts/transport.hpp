// One HTTPS exchange with STS (internal to src/sts; includes Asio), in two
// phases: open (resolve, connect through an HTTP CONNECT proxy when
// configured, TLS handshake with verification) and request (write the
// request, read the reply). Each phase runs under a deadline enforced here
// and nowhere else: a timer raced against it closes the socket when it fires
// and the error names the step that was running. The phases are separate so
// a connection can be opened before the request is signed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <tpmwire/bytes.hpp>

#include "base/error.hpp"
#include "sts/endpoint.hpp"
#include "sts/outgoing.hpp"
#include "sts/proxy.hpp"
#include "sts/retry.hpp"
#include "sts/trust.hpp"

namespace atpc::sts::detail {

inline constexpr std::size_t max_reply_body = 1024 * 1024;
inline constexpr std::size_t max_reply_header = 16 * 1024;

struct http_reply {
    unsigned status = 0;
    std::string reason;
    std::string content_type;
    std::optional<std::string> date;         // Date header
    std::optional<std::string> retry_after;  // x-amz-retry-after (milliseconds)
    tpmwire::secret_string body;
};

// A failed exchange: the one-line error, and whether another attempt may help.
class attempt_error : public error {
public:
    attempt_error(fault kind, const std::string& message, retry_class retry) : error(kind, message), retry_(retry) {}
    retry_class retry() const noexcept { return retry_; }

private:
    retry_class retry_;
};

// TLS client context: TLS >= 1.2, peer verification always on, trust from
// `trust`. Throws atpc::error(fault::config) when the CA bundle or directory
// cannot be used.
boost::asio::ssl::context make_tls_context(const trust_store& trust);

// An open, verified TLS connection to STS (directly or through the proxy).
struct connection;
struct connection_deleter {
    void operator()(connection* c) const noexcept;
};
using connection_ptr = std::unique_ptr<connection, connection_deleter>;

// Opens a connection. Throws attempt_error. `ctx` must outlive the
// connection; the other references only the call.
boost::asio::awaitable<connection_ptr> open(boost::asio::ssl::context& ctx, const endpoint& target,
                                            const std::optional<proxy_settings>& proxy, const std::string& user_agent,
                                            const std::string& ca_source, std::chrono::steady_clock::time_point deadline);

// Sends one request on `c` and reads the reply, then closes the connection.
// Throws attempt_error.
boost::asio::awaitable<http_reply> request(connection& c, const outgoing& request, const std::string& user_agent,
                                           std::chrono::steady_clock::time_point deadline);

// "5 s", "2.5 s": rounded to tenths of a second.
std::string format_seconds(std::chrono::steady_clock::duration d);

}  // namespace atpc::sts::detail
