#include "tpm/entities.hpp"

#include "base/error.hpp"

#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/marshal/rc.hpp"
#include "tpmwire/sessions/name.hpp"

#include <fmt/format.h>

namespace atpc::tpm {

using namespace tpmwire;
namespace net = boost::asio;

std::string hex_handle(TPM_HANDLE h) { return fmt::format("0x{:08x}", h); }

atpc::error tpm_failure(const tpmwire::error& e, const std::string& where, std::string hint,
                        const std::string& suffix) {
    const std::string step = where.empty() ? "talking to the TPM" : where;
    if (e.kind() == errc::timeout) return atpc::error(fault::timeout, "TPM: " + step + ": " + e.what() + suffix);
    if (e.kind() != errc::tpm) return atpc::error(fault::tpm, "TPM: " + step + ": " + e.what() + suffix);
    const TPM_RC rc = base_rc(e.rc());
    if (hint.empty() && rc == TPM_RC_LOCKOUT)
        hint = "the TPM is in dictionary-attack lockout after too many wrong passwords; it refuses DA-protected keys "
               "until the lockout interval passes or tpm2_dictionarylockout -c clears it";
    else if (hint.empty() && (rc == TPM_RC_OBJECT_MEMORY || rc == TPM_RC_SESSION_MEMORY))
        hint = "the TPM is full of objects or sessions someone left loaded: tpm2_flushcontext -t / -l, or use "
               "/dev/tpmrm0";
    std::string line = "TPM: " + step + " failed: " + e.what();
    if (!hint.empty()) line += "; " + hint;
    return atpc::error(fault::tpm, line + suffix);
}

void trace_done(const trace_fn& trace, const client& tpm) {
    if (!trace) return;
    trace(tpm.retries() ? fmt::format("TPM: done, {} commands ({} resent at the TPM's request)", tpm.commands_sent(),
                                      tpm.retries())
                        : fmt::format("TPM: done, {} commands", tpm.commands_sent()));
}

net::awaitable<TPMT_PUBLIC> read_public_checked(client& tpm, TPM_HANDLE h) {
    const ReadPublic read{NamedHandle(h)};
    auto rsp = co_await tpm.execute(read);
    if (object_name(rsp.outPublic.publicArea) != rsp.name)
        throw atpc::error(fault::tpm, "the TPM reports a name for " + hex_handle(h) +
                                          " that does not match its public area: refusing to use it");
    co_return rsp.outPublic.publicArea;
}

net::awaitable<std::optional<TPMT_PUBLIC>> occupant(client& tpm, TPM_HANDLE h) {
    std::optional<TPMT_PUBLIC> out;
    try {
        out = co_await read_public_checked(tpm, h);
    } catch (const tpmwire::error& e) {
        if (e.kind() != errc::tpm || base_rc(e.rc()) != TPM_RC_HANDLE) throw;
    }
    co_return out;
}

net::awaitable<std::unique_ptr<AuthSession>> password_session(client& tpm, TPM_HANDLE entity, const TPM2B_NAME& name,
                                                               const bytes& auth) {
    if (auth.empty()) co_return nullptr;
    AuthSession::parameters params;
    params.bind_handle = entity;
    params.bind_name = name.empty() ? handle_name(entity) : name;
    params.bind_auth = auth;
    params.symmetric = {TPM_ALG_NULL, 0, 0};
    params.attributes = 0;  // one use; the TPM flushes it
    auto session = co_await start_session(tpm, params);
    session->set_auth_value(auth);
    co_return session;
}

net::awaitable<tpm_key> endorsement_key(client& tpm, const std::function<void(std::string)>& step,
                                        const bytes& endorsement_auth, const std::optional<bytes>& expected,
                                        const std::string& refused) {
    step("reading the endorsement key at " + hex_handle(ek_rsa_persistent_handle));
    auto persistent = co_await occupant(tpm, ek_rsa_persistent_handle);
    if (persistent &&
        (expected ? object_name(*persistent).buffer == *expected : matches_ek_rsa_template(*persistent)))
        co_return tpm_key{ek_rsa_persistent_handle, *persistent, true, true};
    step("creating the endorsement key (TCG template L-1)");
    const TPM2B_NAME by_handle;  // a named object: see client::execute on g++ 12
    auto auth = co_await password_session(tpm, TPM_RH_ENDORSEMENT, by_handle, endorsement_auth);
    CreatePrimary create;
    create.primaryHandle = AuthHandle(TPM_RH_ENDORSEMENT, {}, auth.get());
    create.inPublic.publicArea = ek_rsa_template();
    auto rsp = co_await tpm.execute(create);
    if (expected && object_name(rsp.outPublic.publicArea).buffer != *expected)
        throw atpc::error(fault::tpm, "the TPM's endorsement key has name " +
                                          to_hex(object_name(rsp.outPublic.publicArea).buffer) +
                                          ", not the one given by --tpm-session-encrypt-with-name: refusing to " +
                                          refused + " (wrong machine, or something is intercepting the TPM)");
    co_return tpm_key{rsp.objectHandle, rsp.outPublic.publicArea, true, false};
}

net::awaitable<tpm_key> create_h2_parent(client& tpm, const bytes& owner_auth) {
    const TPM2B_NAME by_handle;
    auto auth = co_await password_session(tpm, TPM_RH_OWNER, by_handle, owner_auth);
    CreatePrimary create;
    create.primaryHandle = AuthHandle(TPM_RH_OWNER, {}, auth.get());
    create.inPublic.publicArea = h2_ecc_primary_template();
    auto rsp = co_await tpm.execute(create);
    co_return tpm_key{rsp.objectHandle, rsp.outPublic.publicArea, false, false};
}

net::awaitable<std::unique_ptr<AuthSession>> endorsement_policy(client& tpm, AuthSession::parameters params,
                                                                const bytes& endorsement_auth) {
    params.type = TPM_SE_POLICY;
    auto policy = co_await start_session(tpm, params);
    const TPM2B_NAME by_handle;
    auto auth = co_await password_session(tpm, TPM_RH_ENDORSEMENT, by_handle, endorsement_auth);
    PolicySecret secret;
    secret.authHandle = AuthHandle(TPM_RH_ENDORSEMENT, {}, auth.get());
    secret.policySession = NamedHandle(policy->handle());
    co_await tpm.execute(secret);
    co_return policy;
}

}  // namespace atpc::tpm
