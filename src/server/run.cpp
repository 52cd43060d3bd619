#include "server/run.hpp"

#include "base/error.hpp"
#include "credential/fetch.hpp"
#include "output/process_output.hpp"
#include "runner/bounded_run.hpp"
#include "server/http_server.hpp"
#include "server/limits.hpp"
#include "server/refresher.hpp"
#include "server/secrets.hpp"
#include "server/token_file.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/resource.h>

#include <csignal>

namespace atpc::server {

namespace {

constexpr auto as_result = net::as_tuple(net::use_awaitable);

// IMDS's name for the role: the last part of --aws-arn.
std::string role_name(const credential::settings& s) {
    if (!s.assume_role || s.role_arn.empty()) return "aws-tpm-process-credential";
    return s.role_arn.substr(s.role_arn.rfind('/') + 1);
}

// Room for every connection the cap allows (the soft limit is often 1024).
void raise_descriptor_limit(std::size_t connections) {
    rlimit lim{};
    const rlim_t want = connections + 64;
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= want) return;
    lim.rlim_cur = std::min(want, lim.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &lim);
}

// The parts that live as long as the server, in the order they start.
struct server_parts {
    credential_state state;
    router routes;
    http_server http;
    refresher refresh;
    server_parts(net::io_context& io, const serve_config& c, const env_lookup& env, route_settings r,
                 const log_fn& log, const log_fn& debug)
        : routes(state, std::move(r)),
          http(io.get_executor(), tcp::endpoint(net::ip::make_address(c.listen.address), c.listen.port), routes,
               c.max_connections, debug),
          refresh(state, c.settings, env, log, debug) {}
};

// On SIGTERM/SIGINT: stop accepting, let requests being answered finish,
// and after shutdown_grace stop whatever is left.
net::awaitable<void> stop_on_signal(net::signal_set& signals, server_parts& p, net::io_context& io) {
    // Any completion ends the server: a signal, or the set's cancellation.
    co_await signals.async_wait(as_result);
    p.http.stop();
    p.refresh.stop();
    net::steady_timer tick(io);
    const auto give_up = std::chrono::steady_clock::now() + shutdown_grace;
    while ((p.http.open_connections() > 0 || p.refresh.running()) && std::chrono::steady_clock::now() < give_up) {
        tick.expires_after(std::chrono::milliseconds(5));
        co_await tick.async_wait(as_result);
    }
    io.stop();
}

ready_info describe(const serve_config& c, std::uint16_t port, const std::string& token_path) {
    const std::string base = "http://" + c.listen.authority(port);
    ready_info out{base + std::string(container_path), token_path, std::nullopt};
    if (c.imds) out.imds_endpoint = base + "/";
    return out;
}

}  // namespace

void run(const serve_config& c, const env_lookup& env, const log_fn& log, const log_fn& debug,
         const std::function<void(const ready_info&)>& ready) {
    std::signal(SIGPIPE, SIG_IGN);  // a closed stderr or socket is an error code, not the end
    raise_descriptor_limit(c.max_connections);
    auto io = std::make_unique<net::io_context>(1);
    // Installed now, so a SIGTERM during the first fetch ends the server as
    // soon as it starts (after the token file is written, it is removed).
    net::signal_set signals(*io, SIGTERM, SIGINT);
    route_settings routing{random_token(), c.imds, role_name(c.settings)};
    const tpmwire::secret_string token = routing.container_token;
    server_parts parts(*io, c, env, std::move(routing), log, debug);
    const std::uint16_t port = parts.http.listening_on().port();

    // Written before the first fetch, so a bad --token-file fails before the
    // TPM is used; removed again if the fetch fails.
    const token_file file(c.token_file.empty() ? default_token_path(env, port) : c.token_file, token);
    // Fail fast: no credentials, no server.
    parts.state.install(credential::fetch(c.settings, env, debug), wall_clock::now());
    if (!parts.state.usable(wall_clock::now()))
        throw error(fault::sts, "STS returned credentials that expire at " + output::rfc3339(parts.state.expiration()) +
                                    ", too soon to serve: check the system clock");
    ready(describe(c, port, file.path()));

    parts.refresh.start(io->get_executor());
    net::co_spawn(*io, parts.http.accept_loop(), net::detached);
    net::co_spawn(*io, parts.http.sweep_loop(), net::detached);
    net::co_spawn(*io, stop_on_signal(signals, parts, *io), net::detached);
    io->run();
    // Work left after the grace period (a connection, a refresh waiting on a
    // name lookup) stays with the io_context, never to run or be destroyed.
    if (parts.http.open_connections() > 0 || parts.refresh.running()) runner::abandon(std::move(io));
}

}  // namespace atpc::server
