// The call loop of an AWS Query service (STS here; IAM can reuse it with
// its own endpoint, actions and reply reader): sends a signed POST, retries
// the way the AWS SDKs' "standard" mode does (sts/retry.hpp), corrects the
// signing clock once when the service says it is off, and hands a 2xx body
// to a reply reader.
//
// Deadlines: every attempt gets min(now + attempt_timeout, deadline); the
// overall `deadline` (the run's --deadline) is never overrun: no backoff
// sleep crosses it. Errors are atpc::error with fault sts / network / tls /
// timeout / config; what() is one line naming the host, the step and what
// to check, never a secret.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "https/client.hpp"
#include "sts/form.hpp"
#include "sts/options.hpp"
#include "sts/signing.hpp"

namespace atpc::sts {

// Reads a 2xx reply body; throws reply_error when it cannot understand it
// (reported like a bad credentials reply). Must be a named object when passed
// (g++ 12 and temporaries in co_await, see tpmwire's client).
using reply_reader = std::function<void(std::string_view body, std::string_view content_type)>;

// The connection for a call's first attempt, opened ahead of it: resolving,
// connecting, the proxy CONNECT and the TLS handshake need nothing from the
// signer, so a caller runs them while the TPM computes kDate.
class early_connection {
public:
    early_connection() noexcept;  // none: the call opens its own
    // Builds the TLS context now, so a bad CA bundle is reported as the
    // configuration error it is (atpc::error(fault::config)) before any I/O.
    explicit early_connection(const call_options& options);
    early_connection(early_connection&&) noexcept;
    early_connection& operator=(early_connection&&) noexcept;
    ~early_connection();

    // Opens it under the options' attempt timeout and deadline. Never throws:
    // a failure, or a cancellation, is kept, and the call reports it as its
    // first attempt's (and retries it as such).
    boost::asio::awaitable<void> open();

    struct state;
    // For the call loop: what open() left (nullptr when there is none).
    std::unique_ptr<state> release() noexcept;

private:
    std::unique_ptr<state> s_;
};

// Runs on the executor of the calling coroutine. Arguments are taken by
// value, so the caller's objects may go away while the call runs. `service`
// names the service in messages ("STS") and must be a constant.
boost::asio::awaitable<void> call_service(std::string_view service, call_options options, query_request request,
                                          signer sign, reply_reader read, early_connection early = {});

}  // namespace atpc::sts
