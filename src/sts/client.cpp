#include "sts/client.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <random>

#include "sts/errors.hpp"
#include "sts/time.hpp"
#include "sts/transport.hpp"
#include "base/version.hpp"

namespace atpc::sts {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

std::optional<milliseconds> parse_retry_after(const std::optional<std::string>& v) {
    if (!v || v->empty() || v->size() > 9) return std::nullopt;
    long long n = 0;
    for (char c : *v) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return milliseconds{n};
}

std::function<double()> default_random() {
    auto gen = std::make_shared<std::mt19937_64>(std::random_device{}());
    return [gen] { return std::uniform_real_distribution<double>(0.0, 1.0)(*gen); };
}

error with_suffix(const error& e, const std::string& suffix) { return error(e.kind(), e.what() + suffix); }

std::string ca_source_of(const trust_store& trust) {
    return trust.ca_bundle ? "the CA bundle " + *trust.ca_bundle + " (" + trust.ca_bundle_source + ")"
                           : "the system CA store (or pass --ca-bundle / AWS_CA_BUNDLE)";
}

std::string user_agent_of(const call_options& o) {
    return o.user_agent.empty() ? std::string("aws-tpm-process-credential/") + version() : o.user_agent;
}

}  // namespace

struct early_connection::state {
    explicit state(const call_options& o)
        : options(o), tls(std::make_shared<asio::ssl::context>(detail::make_tls_context(o.trust))) {}
    call_options options;
    std::shared_ptr<asio::ssl::context> tls;
    detail::connection_ptr connection;       // set when open() succeeded
    std::optional<detail::attempt_error> failure;  // set when it failed
};

early_connection::early_connection() noexcept = default;
early_connection::early_connection(const call_options& options) : s_(std::make_unique<state>(options)) {}
early_connection::early_connection(early_connection&&) noexcept = default;
early_connection& early_connection::operator=(early_connection&&) noexcept = default;
early_connection::~early_connection() = default;

asio::awaitable<void> early_connection::open() {
    if (!s_) co_return;
    state& st = *s_;  // stays put if *this is moved meanwhile
    const auto deadline = std::min(steady_clock::now() + st.options.attempt_timeout, st.options.deadline);
    const std::string user_agent = user_agent_of(st.options);
    const std::string ca_source = ca_source_of(st.options.trust);
    try {
        st.connection = co_await detail::open(*st.tls, st.options.target, st.options.proxy, user_agent, ca_source,
                                              deadline);
    } catch (const detail::attempt_error& e) {
        st.failure = e;
    } catch (const std::exception& e) {
        // Cancelled (the TPM part failed) or something unexpected: the call,
        // if there is one, simply opens a fresh connection.
        st.failure = detail::attempt_error(fault::network, std::string("the early connection failed: ") + e.what(),
                                           retry_class::transient);
    }
}

asio::awaitable<void> call(call_options options, sts_request request, signer sign, reply_reader read,
                           early_connection early) {
    options.user_agent = user_agent_of(options);
    if (!options.random) options.random = default_random();
    const std::string ca_source = ca_source_of(options.trust);
    // The first attempt may have its connection already (or its failure).
    std::unique_ptr<early_connection::state> ahead = std::move(early.s_);
    auto tls = ahead ? ahead->tls : std::make_shared<asio::ssl::context>(detail::make_tls_context(options.trust));
    const std::string host = options.target.host_header();

    milliseconds skew{0};  // server time minus local time, once STS told us
    bool skew_corrected = false;
    int attempts = 0;
    while (true) {
        const auto now = steady_clock::now();
        if (now >= options.deadline) {
            throw error(fault::timeout, "no time left to call STS " + request.action + " at " + host +
                                            "; allow more time with --timeout");
        }
        ++attempts;
        outgoing req = make_outgoing(options.target, request.body);
        sign(req, system_clock::now() + skew);

        std::optional<error> failure;
        retry_class retry = retry_class::none;
        std::optional<milliseconds> retry_after;
        try {
            // An early connection's wait for the TPM does not count against
            // the attempt: its request gets a fresh attempt timeout.
            const auto attempt_deadline = std::min(now + options.attempt_timeout, options.deadline);
            detail::connection_ptr connection;
            if (ahead) {
                auto taken = std::move(ahead);
                if (taken->failure) throw *taken->failure;
                connection = std::move(taken->connection);
            }
            if (!connection) {
                connection = co_await detail::open(*tls, options.target, options.proxy, options.user_agent, ca_source,
                                                   attempt_deadline);
            }
            auto reply = co_await detail::request(*connection, req, options.user_agent, attempt_deadline);
            const auto received = system_clock::now();
            if (reply.status / 100 == 2) {
                try {
                    read(reply.body, reply.content_type);
                    co_return;
                } catch (const reply_error& e) {
                    throw error(fault::sts, "the STS " + request.action + " reply from " + host +
                                                " could not be read: " + e.what() + "; check that " +
                                                options.target.url() + " is an STS endpoint");
                }
            }
            auto service = parse_service_error(reply.body, reply.content_type);
            retry = classify(reply.status, service);
            if (retry == retry_class::clock_skew) {
                retry = retry_class::none;
                auto server_time = reply.date ? parse_http_date(*reply.date) : std::nullopt;
                if (!skew_corrected && server_time) {
                    // One more attempt signed with the server's clock; it does
                    // not count against the attempt limit.
                    skew = std::chrono::duration_cast<milliseconds>(*server_time - received);
                    skew_corrected = true;
                    --attempts;
                    continue;
                }
            }
            failure = service_failure(request.action, host, reply.status, reply.reason, service);
            retry_after = parse_retry_after(reply.retry_after);
        } catch (const detail::attempt_error& e) {
            failure = error(e.kind(), e.what());
            retry = e.retry();
        }

        if (retry == retry_class::none) {
            throw with_suffix(*failure, attempts > 1 ? " (attempt " + std::to_string(attempts) + ")" : "");
        }
        if (attempts >= options.retry.max_attempts) {
            if (attempts == 1) throw *failure;
            throw with_suffix(*failure, " (gave up after " + std::to_string(attempts) + " attempts)");
        }
        const auto delay = backoff_delay(options.retry, retry, attempts, options.random(), retry_after);
        if (steady_clock::now() + delay >= options.deadline) {
            throw with_suffix(*failure, " (no time left to retry)");
        }
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(delay);
        co_await timer.async_wait(asio::use_awaitable);
    }
}

asio::awaitable<credentials> call(call_options options, sts_request request, signer sign, early_connection early) {
    std::optional<credentials> out;
    const reply_reader read = [&out](std::string_view body, std::string_view content_type) {
        out = parse_credentials(body, content_type);
    };
    co_await call(std::move(options), std::move(request), std::move(sign), read, std::move(early));
    co_return std::move(*out);
}

}  // namespace atpc::sts
