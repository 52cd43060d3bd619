#include "sts/query.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <random>

#include "base/version.hpp"
#include "https/trust.hpp"
#include "sts/errors.hpp"
#include "sts/reply.hpp"
#include "sts/time.hpp"

namespace atpc::sts {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

std::shared_ptr<asio::ssl::context> tls_context_for(const https::trust_store& trust) {
    try {
        return https::make_tls_context(trust);
    } catch (const error& e) {
        if (trust.ca_bundle || e.kind() != fault::config) throw;
        throw error(e.kind(), std::string(e.what()) + "; pass --ca-bundle or set AWS_CA_BUNDLE");
    }
}

https::client client_for(const call_options& o, std::shared_ptr<asio::ssl::context> tls) {
    https::client c;
    c.host = o.target.host;
    c.port = o.target.port;
    c.proxy = o.proxy;
    c.tls = std::move(tls);
    c.trust = o.trust.describe();
    c.user_agent = o.user_agent.empty() ? std::string("aws-tpm-process-credential/") + version() : o.user_agent;
    c.trace = o.trace;
    return c;
}

std::function<double()> default_random() {
    auto gen = std::make_shared<std::mt19937_64>(std::random_device{}());
    return [gen] { return std::uniform_real_distribution<double>(0.0, 1.0)(*gen); };
}

std::optional<milliseconds> parse_retry_after(const std::optional<std::string>& v) {
    if (!v || v->empty() || v->size() > 9) return std::nullopt;
    long long n = 0;
    for (char c : *v) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return milliseconds{n};
}

// The POST of a form body with the three headers SigV4 signs besides
// X-Amz-Date: Host, Content-Type and Content-Length.
https::request query_post(const endpoint& target, const std::string& body) {
    https::request r;
    r.method = "POST";
    r.target = target.path;
    r.headers = {
        {"Host", target.host_header()},
        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
        {"Content-Length", std::to_string(body.size())},
    };
    r.body = body;
    return r;
}

}  // namespace

struct early_connection::state {
    explicit state(const call_options& o)
        : client(client_for(o, tls_context_for(o.trust))), attempt_timeout(o.attempt_timeout), deadline(o.deadline) {}
    https::client client;
    milliseconds attempt_timeout;
    steady_clock::time_point deadline;
    https::connection_ptr connection;       // set when open() succeeded
    std::optional<https::failure> failure;  // set when it failed
};

early_connection::early_connection() noexcept = default;
early_connection::early_connection(const call_options& options) : s_(std::make_unique<state>(options)) {}
early_connection::early_connection(early_connection&&) noexcept = default;
early_connection& early_connection::operator=(early_connection&&) noexcept = default;
early_connection::~early_connection() = default;
std::unique_ptr<early_connection::state> early_connection::release() noexcept { return std::move(s_); }

asio::awaitable<void> early_connection::open() {
    if (!s_) co_return;
    state& st = *s_;  // stays put if *this is moved meanwhile
    const auto deadline = std::min(steady_clock::now() + st.attempt_timeout, st.deadline);
    try {
        st.connection = co_await https::open(st.client, deadline);
    } catch (const https::failure& e) {
        st.failure = e;
    } catch (const std::exception& e) {
        // Cancelled (the TPM part failed) or something unexpected: the call,
        // if there is one, simply opens a fresh connection.
        st.failure = https::failure(fault::network, std::string("the early connection failed: ") + e.what(),
                                    https::step::connect, https::cause::unreachable, true);
    }
}

namespace {

// One call's settings and what its attempts have learnt.
struct call_state {
    call_state(std::string_view service_name, call_options&& o, query_request&& r, signer&& s, reply_reader&& rd,
               early_connection&& early)
        : service(service_name), options(std::move(o)), request(std::move(r)), sign(std::move(s)), read(std::move(rd)),
          ahead(early.release()),
          client(ahead ? ahead->client : client_for(options, tls_context_for(options.trust))) {
        if (!options.random) options.random = default_random();
    }
    std::string service;
    call_options options;
    query_request request;
    signer sign;
    reply_reader read;
    std::unique_ptr<early_connection::state> ahead;  // the first attempt's connection, or its failure
    https::client client;
    milliseconds skew{0};  // server time minus local time, once the service told us
    bool skew_corrected = false;
    int attempts = 0;

    std::string host() const { return options.target.host_header(); }
    std::string what() const { return service + " " + request.action + " at " + host(); }
};

// How one attempt ended.
struct outcome {
    enum kind { done, resign, failed } what = failed;
    std::optional<error> failure;  // when failed
    retry_class retry = retry_class::none;
    std::optional<milliseconds> retry_after;
};

outcome ended(outcome::kind k) {
    outcome o;
    o.what = k;
    return o;
}

error with_suffix(const error& e, const std::string& suffix) { return error(e.kind(), e.what() + suffix); }

void check_time_left(const call_state& s) {
    if (steady_clock::now() >= s.options.deadline) {
        throw error(fault::timeout, "no time left within --deadline to call " + s.what());
    }
}

https::request signed_request(call_state& s) {
    https::request r = query_post(s.options.target, s.request.body);
    s.sign(r, system_clock::now() + s.skew);
    r.headers.emplace_back("Accept", "application/json");  // unsigned: real STS then answers JSON
    return r;
}

// Connects (or takes the early connection) and exchanges `req`. Throws
// https::failure.
asio::awaitable<https::reply> send(call_state& s, const https::request& req, steady_clock::time_point deadline) {
    https::connection_ptr conn;
    if (s.ahead) {
        const auto taken = std::move(s.ahead);
        if (taken->failure) throw *taken->failure;
        conn = std::move(taken->connection);
    }
    if (!conn) conn = co_await https::open(s.client, deadline);
    co_return co_await https::exchange(*conn, req, deadline);
}

}  // namespace

namespace {

// What to check, added to an https failure: the flag or setting that changes it.
std::string context(const call_state& s, const https::failure& e, steady_clock::time_point attempt_deadline) {
    using https::cause;
    const auto& o = s.options;
    switch (e.why()) {
    case cause::timeout:
        if (attempt_deadline >= o.deadline) return "; allow more time with --deadline";
        return " (the limit of one " + s.service + " attempt); check network access to " + s.host() +
               " (proxy, firewall)";
    case cause::unknown_host:
    case cause::unreachable:
        if (o.proxy && (e.where() == https::step::resolve || e.where() == https::step::connect)) {
            return "; check " + o.proxy->source;
        }
        return "; check the " + s.service + " endpoint (" + o.target.source + ")" +
               (e.where() == https::step::resolve ? " and DNS" : " and the network");
    case cause::untrusted:
        return o.trust.ca_bundle ? "" : "; pass --ca-bundle or set AWS_CA_BUNDLE if something intercepts TLS";
    case cause::not_http:
        return "; check that " + o.target.url() + " is an " + s.service + " endpoint";
    default:
        return "";
    }
}

outcome failed_attempt(const call_state& s, const https::failure& e, steady_clock::time_point attempt_deadline) {
    outcome o;
    // A peer that does not speak HTTP is the endpoint's fault, not the network's.
    const fault kind = e.why() == https::cause::not_http ? fault::sts : e.kind();
    o.failure = error(kind, e.what() + context(s, e, attempt_deadline));
    o.retry = e.retryable() ? retry_class::transient : retry_class::none;
    return o;
}

void read_reply(const call_state& s, const https::reply& reply, std::string_view content_type) {
    try {
        s.read(reply.body, content_type);
    } catch (const reply_error& e) {
        throw error(fault::sts, "the " + s.service + " " + s.request.action + " reply from " + s.host() +
                                    " could not be read: " + e.what() + "; check that " + s.options.target.url() +
                                    " is an " + s.service + " endpoint");
    }
}

// After a clock-skew error: one more attempt signed with the server's clock
// (its Date header), not counted against the attempt limit.
bool correct_clock(call_state& s, const https::reply& reply, system_clock::time_point received) {
    if (s.skew_corrected) return false;
    const auto date = reply.header("Date");
    const auto server_time = date ? parse_http_date(*date) : std::nullopt;
    if (!server_time) return false;
    s.skew = std::chrono::duration_cast<milliseconds>(*server_time - received);
    s.skew_corrected = true;
    --s.attempts;
    return true;
}

outcome judge_reply(call_state& s, const https::reply& reply, system_clock::time_point received) {
    const std::string content_type = reply.header("Content-Type").value_or("");
    if (reply.status / 100 == 2) {
        read_reply(s, reply, content_type);
        return ended(outcome::done);
    }
    const auto service = parse_service_error(reply.body, content_type);
    outcome o;
    o.retry = classify(reply.status, service);
    if (o.retry == retry_class::clock_skew) {
        if (correct_clock(s, reply, received)) return ended(outcome::resign);
        o.retry = retry_class::none;
    }
    o.failure = service_failure(s.service, s.request.action, s.host(), reply.status, reply.reason, service);
    o.retry_after = parse_retry_after(reply.header("x-amz-retry-after"));
    return o;
}

asio::awaitable<outcome> attempt(call_state& s) {
    const auto now = steady_clock::now();
    ++s.attempts;
    const https::request req = signed_request(s);
    // An early connection's wait for the TPM does not count against the
    // attempt: its request gets a fresh attempt timeout.
    const auto deadline = std::min(now + s.options.attempt_timeout, s.options.deadline);
    std::optional<outcome> failed;
    try {
        const https::reply reply = co_await send(s, req, deadline);
        co_return judge_reply(s, reply, system_clock::now());
    } catch (const https::failure& e) {
        failed = failed_attempt(s, e, deadline);
    }
    co_return std::move(*failed);
}

// Waits before the next attempt, or throws the final error when there is none.
asio::awaitable<void> wait_before_retry(const call_state& s, const outcome& o) {
    const int n = s.attempts;
    if (o.retry == retry_class::none) throw with_suffix(*o.failure, n > 1 ? " (attempt " + std::to_string(n) + ")" : "");
    if (n >= s.options.retry.max_attempts) {
        if (n == 1) throw *o.failure;
        throw with_suffix(*o.failure, " (gave up after " + std::to_string(n) + " attempts)");
    }
    const auto delay = backoff_delay(s.options.retry, o.retry, n, s.options.random(), o.retry_after);
    if (steady_clock::now() + delay >= s.options.deadline) {
        throw with_suffix(*o.failure, " (no time left within --deadline to retry)");
    }
    if (s.options.trace) s.options.trace("sts: attempt " + std::to_string(n) + " failed, retrying: " + o.failure->what());
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(delay);
    co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

asio::awaitable<void> call_service(std::string_view service, call_options options, query_request request,
                                   signer sign, reply_reader read, early_connection early) {
    call_state s(service, std::move(options), std::move(request), std::move(sign), std::move(read), std::move(early));
    while (true) {
        check_time_left(s);
        const outcome o = co_await attempt(s);
        if (o.what == outcome::done) co_return;
        if (o.what == outcome::resign) continue;
        co_await wait_before_retry(s, o);
    }
}

}  // namespace atpc::sts
