#include "commands/serve/serve_options.hpp"

#include "commands/credential_flags.hpp"

#include "base/error.hpp"
#include "server/limits.hpp"

namespace atpc::commands {

namespace {

server::listen_address listen_value(std::string_view v) {
    auto a = server::parse_listen(v);
    if (!a) throw error(fault::usage, "expected ADDRESS:PORT such as 127.0.0.1:8080 or [::1]:8080 (port 0: any free one)");
    return *a;
}

std::size_t connections_value(std::string_view v) {
    auto n = cli::parse_go_uint(v);
    if (!n || *n < 1 || *n > 65536) throw error(fault::usage, "expected a number of connections from 1 to 65536");
    return static_cast<std::size_t>(*n);
}

}  // namespace

cli::flag_table serve_rows(serve_options& o) {
    auto& c = o.config;
    cli::flag_table own{
        {.name = "listen", .placeholder = "address:port",
         .help = "where to serve: a loopback address unless --listen-non-loopback; port 0 picks a free one",
         .default_text = "127.0.0.1:0", .set = [&c](std::string_view v) { c.listen = listen_value(v); }},
        {.name = "listen-non-loopback", .kind = cli::flag_kind::boolean,
         .help = "allow a --listen address that is not loopback, such as a container bridge's (anyone who can reach "
                 "it and has the token gets the credentials)",
         .set = cli::store(o.listen_non_loopback)},
        {.name = "imds", .kind = cli::flag_kind::boolean,
         .help = "also serve IMDSv2 (/latest/...) for SDKs without the container provider; loopback only, since any "
                 "local process may ask it without a token",
         .set = cli::store(c.imds)},
        {.name = "token-file", .placeholder = "file",
         .help = "where to write the container endpoint's token (mode 0600, replaced at each start, removed at exit)",
         .default_text = "under XDG_RUNTIME_DIR", .set = cli::store(c.token_file)},
        {.name = "max-connections", .placeholder = "n",
         .help = "open connections at most; at the cap a new one closes the least recently active",
         .default_text = "512", .set = [&c](std::string_view v) { c.max_connections = connections_value(v); }},
    };
    return cli::join({credential_rows(c.settings), own, cli::common_rows(o)});
}

void validate(const serve_options& o) {
    validate(o.config.settings);
    const server::listen_address& l = o.config.listen;
    if (l.wildcard)
        cli::usage_error("--listen " + l.address + " would serve every network of this host: name one address");
    if (!l.loopback && !o.listen_non_loopback)
        cli::usage_error("--listen " + l.address + " is not a loopback address: add --listen-non-loopback to serve it");
    if (!l.loopback && o.config.imds)
        cli::usage_error("--imds answers any process that reaches it, without a token: it needs a loopback --listen");
    if (o.config.settings.duration < server::refresh_before + server::serve_until)
        cli::usage_error("serve refreshes credentials 20 minutes before they expire: --duration must be at least 30m");
}

}  // namespace atpc::commands
