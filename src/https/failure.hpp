// The https layer's error: an atpc::error (fault network, tls or timeout)
// whose one-line message names the peer and the step, plus what a caller
// needs to add its own context: which step failed, why, and whether another
// attempt may help. Messages are generic; callers add what to check.
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace atpc::https {

enum class step { resolve, connect, proxy_connect, handshake, send, receive };

enum class cause {
    timeout,         // the step did not complete by the deadline
    unknown_host,    // the name does not exist
    unreachable,     // lookup or connect failed otherwise
    proxy_refused,   // the proxy answered CONNECT with an error status
    closed,          // the peer closed the connection
    untrusted,       // the certificate's issuer is not in the trust store
    bad_certificate, // wrong host, expired, ...
    tls,             // another TLS failure
    not_http,        // the peer's reply is not HTTP, or too large
};

class failure : public error {
public:
    failure(fault kind, const std::string& message, https::step where, https::cause why, bool retryable)
        : error(kind, message), where_(where), why_(why), retryable_(retryable) {}
    https::step where() const noexcept { return where_; }
    https::cause why() const noexcept { return why_; }
    bool retryable() const noexcept { return retryable_; }

private:
    https::step where_;
    https::cause why_;
    bool retryable_;
};

}  // namespace atpc::https
