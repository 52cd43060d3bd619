#include "tpm/sessions.hpp"

#include "tpmwire/client/sessions.hpp"
#include "tpmwire/sessions/name.hpp"
#include "tpmwire/sessions/policy_digest.hpp"

#include <fmt/format.h>

namespace atpc::tpm {

using namespace tpmwire;
namespace net = boost::asio;

namespace {

// Refuse to spend the last authorization attempt before a DA lockout.
net::awaitable<void> lockout_guard(client& tpm, progress& p) {
    p.at("reading the dictionary-attack counter");
    const GetCapability cap{TPM_CAP_TPM_PROPERTIES, TPM_PT_LOCKOUT_COUNTER, 3};
    auto rsp = co_await tpm.execute(cap);
    for (const auto& prop : rsp.capabilityData.tpmProperties) {
        if (prop.property == TPM_PT_LOCKOUT_COUNTER) p.lockout_counter = prop.value;
        if (prop.property == TPM_PT_MAX_AUTH_FAIL) p.lockout_max = prop.value;
        if (prop.property == TPM_PT_LOCKOUT_INTERVAL) p.lockout_interval = prop.value;
    }
    if (!p.lockout_counter || !p.lockout_max) co_return;
    const std::uint32_t left = *p.lockout_max > *p.lockout_counter ? *p.lockout_max - *p.lockout_counter : 0;
    if (left > 1) co_return;
    const std::string password = p.authorizing == entity::signing_key ? std::string("the key password")
                                                                      : "the password of " + describe(p.authorizing);
    throw atpc::error(
        fault::tpm,
        fmt::format("refusing to try {}: {} of {} authorization failures are already counted and one more would lock "
                    "this TPM's DA-protected keys{}; check the password, then wait for the counter to decrease or "
                    "clear it with tpm2_dictionarylockout -c",
                    password, *p.lockout_counter, *p.lockout_max,
                    p.lockout_interval ? fmt::format(" (one failure is forgiven every {} s)", *p.lockout_interval)
                                       : ""));
}

// Whether the lockout guard runs before an authorization. Today: a
// DA-protected signing key tried with a password. (Issue 13: every entity
// that is not noDA, password or not, parents included.)
bool guarded(entity what, const TPMT_PUBLIC* object, bytes_view auth) {
    return what == entity::signing_key && object && !(object->objectAttributes & TPMA_OBJECT_noDA) && !auth.empty();
}

// Every authorization passes here before its session starts: a wrong
// password is then reported as `what`'s, and the guard runs.
net::awaitable<void> begin_authorization(client& tpm, progress& p, entity what, const TPMT_PUBLIC* object,
                                         bytes_view auth) {
    p.authorizing = what;
    if (guarded(what, object, auth)) co_await lockout_guard(tpm, p);
}

// Whether a session is salted to the run's salt key. Today: when it
// encrypts a parameter (which needs a session key) or runs a policy.
// (Issue 13: whenever the entity has a password or a policy.)
bool salted(const session_use& use, TPM_SE type) {
    return use.salt && (use.attributes != 0 || type == TPM_SE_POLICY);
}

// A one-use session's parameters: salted as salted() says, bound to `bind`
// with a non-empty `bind_auth`; with neither it has no session key, so it
// encrypts nothing.
AuthSession::parameters parameters_for(const session_use& use, TPM_SE type, const tpm_key* bind = nullptr,
                                       bytes_view bind_auth = {}) {
    AuthSession::parameters params;
    params.type = type;
    params.attributes = use.attributes;  // continueSession clear
    if (salted(use, type)) {
        params.salt_handle = use.salt->handle;
        params.salt_public = use.salt->publicArea;
    }
    if (bind && !bind_auth.empty()) {
        params.bind_handle = bind->handle;
        params.bind_name = bind->name;
        params.bind_auth = to_bytes(bind_auth);
    }
    if (!params.salt_public && params.bind_name.empty()) params.attributes = 0;
    return params;
}

net::awaitable<std::unique_ptr<AuthSession>> bound_password_session(client& tpm, TPM_HANDLE entity_handle,
                                                                     const TPM2B_NAME& name, bytes_view auth) {
    if (auth.empty()) co_return nullptr;
    AuthSession::parameters params;
    params.bind_handle = entity_handle;
    params.bind_name = name;
    params.bind_auth = to_bytes(auth);
    params.symmetric = {TPM_ALG_NULL, 0, 0};
    params.attributes = 0;
    auto session = co_await start_session(tpm, params);
    session->set_auth_value(to_bytes(auth));
    co_return session;
}

// A policy session (`params`) satisfying the EK's PolicySecret(TPM_RH_ENDORSEMENT).
net::awaitable<std::unique_ptr<AuthSession>> endorsement_policy(client& tpm, const AuthSession::parameters& params,
                                                                bytes_view endorsement_auth) {
    auto policy = co_await start_session(tpm, params);
    auto auth = co_await password_session(tpm, TPM_RH_ENDORSEMENT, endorsement_auth);
    PolicySecret secret;
    secret.authHandle = AuthHandle(TPM_RH_ENDORSEMENT, {}, auth.get());
    secret.policySession = NamedHandle(policy->handle());
    co_await tpm.execute(secret);
    co_return policy;
}

// The branch a key duplicated to an EK parent by the original tool's
// tooling carries beside its own: PolicyOR(own, PolicyDuplicationSelect(EK)),
// either order. Runs the PolicyOR when `wanted` is such an OR.
net::awaitable<void> duplication_or(client& tpm, progress& p, AuthSession& session, const bytes& current,
                                    const bytes& wanted, const tpm_key& parent) {
    const bytes dup = policy_digest().duplication_select(parent.name, {}, false).digest();
    for (auto branches : {std::vector<bytes>{current, dup}, std::vector<bytes>{dup, current}}) {
        if (policy_digest().or_(branches).digest() != wanted) continue;
        p.at("PolicyOR with PolicyDuplicationSelect(endorsement key)");
        PolicyOR any;
        any.policySession = NamedHandle(session.handle());
        for (auto& b : branches) any.pHashList.digests.push_back(TPM2B_DIGEST(b));
        co_await tpm.execute(any);
        co_return;
    }
    // Otherwise the TPM will say the policy is not satisfied.
}

// Runs the key's policy in `session`: PolicyPCR (--pcrs) and/or
// PolicyAuthValue (a password, or a key without userWithAuth), then the
// PolicyOR of keys made for an EK parent.
net::awaitable<void> satisfy_key_policy(client& tpm, progress& p, const key_plan& plan, const tpm_key& key,
                                        AuthSession& session, const tpm_key* parent) {
    std::optional<bytes> current;  // the session's digest, when known offline
    if (!plan.pcrs.empty()) {
        p.at("PolicyPCR over sha256:" + fmt::format("{}", fmt::join(plan.pcrs, ",")));
        PolicyPCR pcr;
        pcr.policySession = NamedHandle(session.handle());
        pcr.pcrs = pcr_selection(TPM_ALG_SHA256, plan.pcrs);
        co_await tpm.execute(pcr);
    }
    if (!plan.key_auth.empty() || plan.pcrs.empty()) {
        p.at("PolicyAuthValue");
        co_await policy_auth_value(tpm, session);
        if (plan.pcrs.empty()) current = policy_digest().auth_value().digest();
    }
    const bytes& wanted = key.publicArea.authPolicy.buffer;
    if (!parent || !parent->endorsement || wanted.empty() || (current && *current == wanted)) co_return;
    if (!current) {
        p.at("reading the policy digest so far");
        current = co_await policy_get_digest(tpm, session);
        if (*current == wanted) co_return;
    }
    co_await duplication_or(tpm, p, session, *current, wanted, *parent);
}

net::awaitable<std::unique_ptr<AuthSession>> key_policy_session(client& tpm, progress& p, const tpm_key& key,
                                                                const key_plan& plan, const tpm_key* parent,
                                                                const session_use& use) {
    p.at("starting a policy session" + (use.salt ? " salted to " + hex_handle(use.salt->handle) : std::string()));
    const AuthSession::parameters params = parameters_for(use, TPM_SE_POLICY);
    auto session = co_await start_session(tpm, params);
    session->set_auth_value(plan.key_auth);
    co_await satisfy_key_policy(tpm, p, plan, key, *session, parent);
    co_return session;
}

// Salted to the run's salt key, else bound to the key (its password then
// gives the session key that encrypts the response).
net::awaitable<std::unique_ptr<AuthSession>> key_hmac_session(client& tpm, progress& p, const tpm_key& key,
                                                              const bytes& auth, const session_use& use) {
    p.at(use.salt ? "starting an HMAC session salted to " + hex_handle(use.salt->handle)
                  : "starting an HMAC session bound to the key");
    const AuthSession::parameters params = parameters_for(use, TPM_SE_HMAC, use.salt ? nullptr : &key, auth);
    auto session = co_await start_session(tpm, params);
    session->set_auth_value(auth);
    co_return session;
}

}  // namespace

net::awaitable<std::optional<salt_key>> choose_salt_key(client& tpm, progress& p, const salt_request& want) {
    std::optional<salt_key> out;
    if (!want.name) co_return out;
    tpm_key ek = co_await endorsement_key(tpm, p, want.endorsement_auth, want.name, want.refused);
    out = salt_key{std::move(ek), true};
    co_return out;
}

std::optional<salt_key> salt_or_parent(const std::optional<salt_key>& chosen, const tpm_key* parent) {
    if (chosen) return chosen;
    if (parent) return salt_key{*parent, false};
    return std::nullopt;
}

net::awaitable<std::unique_ptr<AuthSession>> authorize_hierarchy(client& tpm, progress& p, TPM_HANDLE hierarchy,
                                                                 bytes_view auth) {
    const entity what = hierarchy == TPM_RH_ENDORSEMENT ? entity::endorsement_hierarchy : entity::owner_hierarchy;
    co_await begin_authorization(tpm, p, what, nullptr, auth);
    co_return co_await password_session(tpm, hierarchy, auth);
}

net::awaitable<std::unique_ptr<AuthSession>> authorize_parent(client& tpm, progress& p, const tpm_key& parent,
                                                              const parent_auths& auths, const session_use& use) {
    if (parent.endorsement) {
        co_await begin_authorization(tpm, p, entity::endorsement_hierarchy, nullptr, auths.use);
        p.at("authorizing the endorsement key with PolicySecret(endorsement)");
        const AuthSession::parameters params = parameters_for(use, TPM_SE_POLICY);
        co_return co_await endorsement_policy(tpm, params, auths.use);
    }
    co_await begin_authorization(tpm, p, entity::parent_key, &parent.publicArea, auths.use);
    if (!salted(use, TPM_SE_HMAC)) co_return co_await password_session(tpm, parent, auths.use);
    p.at("starting a session salted to " + to_hex(use.salt->name.buffer));
    const AuthSession::parameters params = parameters_for(use, TPM_SE_HMAC);
    auto session = co_await start_session(tpm, params);
    session->set_auth_value(to_bytes(auths.use));
    co_return session;
}

net::awaitable<std::unique_ptr<AuthSession>> authorize_key(client& tpm, progress& p, const tpm_key& key,
                                                           const key_plan& plan, const tpm_key* parent,
                                                           const session_use& use) {
    co_await begin_authorization(tpm, p, entity::signing_key, &key.publicArea, plan.key_auth);
    const bool user_with_auth = key.publicArea.objectAttributes & TPMA_OBJECT_userWithAuth;
    if (!plan.pcrs.empty() || !user_with_auth) co_return co_await key_policy_session(tpm, p, key, plan, parent, use);
    if (!use.salt && plan.key_auth.empty()) co_return nullptr;
    co_return co_await key_hmac_session(tpm, p, key, plan.key_auth, use);
}

net::awaitable<std::unique_ptr<AuthSession>> password_session(client& tpm, TPM_HANDLE hierarchy, bytes_view auth) {
    const TPM2B_NAME name = handle_name(hierarchy);
    co_return co_await bound_password_session(tpm, hierarchy, name, auth);
}

net::awaitable<std::unique_ptr<AuthSession>> password_session(client& tpm, const tpm_key& object, bytes_view auth) {
    co_return co_await bound_password_session(tpm, object.handle, object.name, auth);
}

}  // namespace atpc::tpm
