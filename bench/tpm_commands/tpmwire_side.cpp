// tpmwire: each command through client::execute, the way the program issues
// it (marshal, session HMACs, deadline race, response checks), over
// tpmwire's own swtpm TCP transport kept open for the batch.
#include "tpm_commands/ops.hpp"

#include "common/clock.hpp"

#include "tpmwire/client/sessions.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/transports/open.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <stdexcept>

namespace bench {

namespace {

using namespace tpmwire;

template <class C>
net::awaitable<void> time_n(client& c, const C& cmd, int n, samples& out) {
    for (int i = 0; i < n; ++i) {
        auto t0 = now_ns();
        co_await c.execute(cmd);
        out.push_back(now_ns() - t0);
    }
}

net::awaitable<CreatePrimary::response> h2_primary(client& c) {
    CreatePrimary create;
    create.inPublic.publicArea = h2_ecc_primary_template();
    co_return co_await c.execute(create);
}

net::awaitable<void> hmac_on(client& c, TPM_HANDLE key, Session* auth, const setup& s, int n, samples& out) {
    const ReadPublic read{NamedHandle(key)};
    auto pub = co_await c.execute(read);
    const HMAC hmac{AuthHandle(key, pub.name, auth), TPM2B_MAX_BUFFER(to_bytes(s.data)), TPM_ALG_SHA256};
    co_await time_n(c, hmac, n, out);
}

net::awaitable<void> salted_sessions(client& c, TPM_HANDLE salt_key, const TPMT_PUBLIC& salt_public, int n,
                                     samples& out) {
    AuthSession::parameters params;
    params.salt_handle = salt_key;
    params.salt_public = salt_public;  // symmetric: AES-128-CFB, continueSession
    for (int i = 0; i < n; ++i) {
        auto t0 = now_ns();
        auto session = co_await start_session(c, params);
        out.push_back(now_ns() - t0);
        co_await c.flush(session->handle());
    }
}

net::awaitable<void> batch(client& c, const setup& s, op o, int n, samples& out) {
    switch (o) {
        case op::hmac_empty_pw:
            co_await hmac_on(c, s.plain_key, nullptr, s, n, out);
            break;
        case op::hmac_session: {
            // Unsalted, unbound, no parameter encryption: the HMAC session
            // proves knowledge of the password without sending it.
            AuthSession::parameters params;
            params.symmetric = {TPM_ALG_NULL, 0, 0};
            auto session = co_await start_session(c, params);
            session->set_auth_value(to_bytes(s.password));
            co_await hmac_on(c, s.password_key, session.get(), s, n, out);
            co_await c.flush(session->handle());
            break;
        }
        case op::hmac_clear_pw:
            throw std::logic_error("tpmwire never sends a password in clear");
        case op::create_primary: {
            CreatePrimary create;
            create.inPublic.publicArea = h2_ecc_primary_template();
            for (int i = 0; i < n; ++i) {
                auto t0 = now_ns();
                auto rsp = co_await c.execute(create);
                out.push_back(now_ns() - t0);
                co_await c.flush(rsp.objectHandle);
            }
            break;
        }
        case op::load: {
            auto parent = co_await h2_primary(c);
            Load load;
            load.parentHandle = AuthHandle(parent.objectHandle);
            Reader pub(s.key_public), priv(s.key_private);
            unmarshal(pub, load.inPublic);
            unmarshal(priv, load.inPrivate);
            for (int i = 0; i < n; ++i) {
                auto t0 = now_ns();
                auto rsp = co_await c.execute(load);
                out.push_back(now_ns() - t0);
                co_await c.flush(rsp.objectHandle);
            }
            co_await c.flush(parent.objectHandle);
            break;
        }
        case op::salted_session_ecc: {
            auto parent = co_await h2_primary(c);
            co_await salted_sessions(c, parent.objectHandle, parent.outPublic.publicArea, n, out);
            co_await c.flush(parent.objectHandle);
            break;
        }
        case op::salted_session_rsa: {
            const ReadPublic read{NamedHandle(s.ek)};
            auto ek = co_await c.execute(read);
            co_await salted_sessions(c, s.ek, ek.outPublic.publicArea, n, out);
            break;
        }
    }
}

}  // namespace

samples tpmwire_batch(const setup& s, op o, int n) {
    samples out;
    out.reserve(static_cast<std::size_t>(n));
    net::io_context io(1);
    client c(io.get_executor(), make_transport(io.get_executor(), parse_tpm_address(s.host + ":" + std::to_string(s.port))));
    std::exception_ptr failure;
    net::co_spawn(io, batch(c, s, o, n, out), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
    return out;
}

}  // namespace bench
