// The floor: the same command bytes tpmwire would send, written to a plain
// blocking socket and the response read back. Only the write and the read
// are timed. Commands whose bytes never change are marshalled once; a
// command under an HMAC session is marshalled (and its response verified,
// which rolls the nonces) outside the timed region.
//
// With `reconnect`, each timed command also opens and closes its own TCP
// connection, as tpm2-tss's swtpm TCTI does.
#include "tpm_commands/ops.hpp"

#include "common/clock.hpp"

#include "tpmwire/commands/command.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/sessions/auth_session.hpp"

#include <stdexcept>

namespace bench {

namespace {

using namespace tpmwire;

frame to_frame(const bytes& b) { return frame(b.begin(), b.end()); }

class wire {
public:
    wire(const setup& s, bool reconnect) : tpm_(s.host, s.port), reconnect_(reconnect) {}

    // One timed round trip.
    frame timed(const frame& cmd, samples& out) {
        auto t0 = now_ns();
        if (reconnect_) tpm_.connect();
        frame rsp = tpm_.transact(cmd);
        if (reconnect_) tpm_.close();
        out.push_back(now_ns() - t0);
        if (response_code(rsp) != 0) throw std::runtime_error("floor: the TPM refused a timed command");
        return rsp;
    }

    // Untimed: marshal, send, check and unmarshal with tpmwire.
    template <class C>
    typename C::response run(const C& cmd) {
        std::vector<Session*> sessions;
        frame command = to_frame(encode(cmd, sessions));
        frame rsp = tpm_.transact(command);
        if (reconnect_) tpm_.close();
        return decode(cmd, bytes(rsp.begin(), rsp.end()), sessions);
    }

    void flush(std::uint32_t handle) {
        tpm_.transact(flush_command(handle));
        if (reconnect_) tpm_.close();
    }

private:
    raw_tpm tpm_;
    bool reconnect_;
};

frame marshalled(const auto& cmd) {
    std::vector<Session*> sessions;
    return to_frame(encode(cmd, sessions));
}

CreatePrimary h2_create() {
    CreatePrimary create;
    create.inPublic.publicArea = h2_ecc_primary_template();
    return create;
}

void salted(wire& w, TPM_HANDLE key, const TPMT_PUBLIC& pub, int n, samples& out) {
    AuthSession::parameters params;
    params.salt_handle = key;
    params.salt_public = pub;
    auto prepared = AuthSession::prepare(params);
    frame cmd = marshalled(prepared.second);  // the TPM decrypts the same salt every time
    for (int i = 0; i < n; ++i) w.flush(response_handle(w.timed(cmd, out)));
}

}  // namespace

samples floor_batch(const setup& s, op o, int n, bool reconnect) {
    samples out;
    out.reserve(static_cast<std::size_t>(n));
    wire w(s, reconnect);
    const bytes data = to_bytes(s.data);
    switch (o) {
        case op::hmac_empty_pw: {
            const HMAC hmac{AuthHandle(s.plain_key), TPM2B_MAX_BUFFER(data), TPM_ALG_SHA256};
            frame cmd = marshalled(hmac);
            for (int i = 0; i < n; ++i) w.timed(cmd, out);
            break;
        }
        case op::hmac_clear_pw: {
            PasswordSession password = PasswordSession::cleartext_for_testing(to_bytes(s.password));
            const HMAC hmac{AuthHandle(s.password_key, {}, &password), TPM2B_MAX_BUFFER(data), TPM_ALG_SHA256};
            frame cmd = marshalled(hmac);
            for (int i = 0; i < n; ++i) w.timed(cmd, out);
            break;
        }
        case op::hmac_session: {
            const ReadPublic read{NamedHandle(s.password_key)};
            auto pub = w.run(read);
            AuthSession::parameters params;
            params.symmetric = {TPM_ALG_NULL, 0, 0};
            auto [session, start] = AuthSession::prepare(params);
            session->started(w.run(start));
            session->set_auth_value(to_bytes(s.password));
            const HMAC hmac{AuthHandle(s.password_key, pub.name, session.get()), TPM2B_MAX_BUFFER(data),
                            TPM_ALG_SHA256};
            for (int i = 0; i < n; ++i) {
                std::vector<Session*> sessions;
                frame cmd = to_frame(encode(hmac, sessions));
                frame rsp = w.timed(cmd, out);
                decode(hmac, bytes(rsp.begin(), rsp.end()), sessions);  // verifies, rolls nonceTPM
            }
            w.flush(session->handle());
            break;
        }
        case op::create_primary: {
            frame cmd = marshalled(h2_create());
            for (int i = 0; i < n; ++i) w.flush(response_handle(w.timed(cmd, out)));
            break;
        }
        case op::load: {
            auto parent = w.run(h2_create());
            Load load;
            load.parentHandle = AuthHandle(parent.objectHandle);
            Reader pub(s.key_public), priv(s.key_private);
            unmarshal(pub, load.inPublic);
            unmarshal(priv, load.inPrivate);
            frame cmd = marshalled(load);
            for (int i = 0; i < n; ++i) w.flush(response_handle(w.timed(cmd, out)));
            w.flush(parent.objectHandle);
            break;
        }
        case op::salted_session_ecc: {
            auto parent = w.run(h2_create());
            salted(w, parent.objectHandle, parent.outPublic.publicArea, n, out);
            w.flush(parent.objectHandle);
            break;
        }
        case op::salted_session_rsa: {
            const ReadPublic read{NamedHandle(s.ek)};
            auto ek = w.run(read);
            salted(w, s.ek, ek.outPublic.publicArea, n, out);
            break;
        }
    }
    return out;
}

}  // namespace bench
