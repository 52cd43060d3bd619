#include "tpm/sessions.hpp"

#include "tpmwire/client/sessions.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/sessions/name.hpp"
#include "tpmwire/sessions/policy_digest.hpp"

#include <fmt/format.h>

namespace atpc::tpm {

using namespace tpmwire;
namespace net = boost::asio;

namespace {

// Refuse an authorization that could count a dictionary-attack failure
// when fewer than p.lockout_reserve + 1 tries are left: the reserve is for
// the TPM's other users (a disk unlocked with a PIN shares the counter).
// The counter is read once per run, with the per-TPM DA lock held first.
net::awaitable<void> lockout_guard(client& tpm, progress& p, bool without_password) {
    if (!p.lockout_max) {
        if (p.serialize_da) co_await p.serialize_da();
        p.at("reading the dictionary-attack counter");
        const GetCapability cap{TPM_CAP_TPM_PROPERTIES, TPM_PT_LOCKOUT_COUNTER, 3};
        auto rsp = co_await tpm.execute(cap);
        for (const auto& prop : rsp.capabilityData.tpmProperties) {
            if (prop.property == TPM_PT_LOCKOUT_COUNTER) p.lockout_counter = prop.value;
            if (prop.property == TPM_PT_MAX_AUTH_FAIL) p.lockout_max = prop.value;
            if (prop.property == TPM_PT_LOCKOUT_INTERVAL) p.lockout_interval = prop.value;
        }
    }
    if (!p.lockout_counter || !p.lockout_max) co_return;
    const std::uint32_t left = *p.lockout_max > *p.lockout_counter ? *p.lockout_max - *p.lockout_counter : 0;
    if (left > p.lockout_reserve) co_return;
    const bool key = p.authorizing == entity::signing_key;
    const std::string what = without_password ? (key ? "the key" : describe(p.authorizing)) + " without a password"
                                              : key ? std::string("the key password")
                                                    : "the password of " + describe(p.authorizing);
    throw atpc::error(
        fault::tpm,
        fmt::format("refusing to try {}: {} of {} authorization failures are already counted, and {} are kept for the "
                    "TPM's other users of dictionary-attack protection (--lockout-reserve){}; check {}, then wait for "
                    "the counter to decrease or clear it with tpm2_dictionarylockout -c",
                    what, *p.lockout_counter, *p.lockout_max, p.lockout_reserve,
                    p.lockout_interval ? fmt::format("; one failure is forgiven every {} s", *p.lockout_interval) : "",
                    key ? "--keyPass / TPM_KEY_AUTH" : "--parentPass / TPM_PARENT_AUTH"));
}

// Every authorization passes here before its session starts: a wrong
// password is then reported as `what`'s, and the lockout guard runs when a
// failure could count: `object` is not noDA and its authValue is checked
// (`auth_checked`: a password or HMAC session, or PolicyAuthValue; a policy
// without it never counts). Hierarchies (object null) are exempt: a wrong
// owner or endorsement password is TPM_RC_BAD_AUTH and not counted (swtpm;
// the reference implementation exempts every permanent handle but
// TPM_RH_LOCKOUT, which this program never authorizes).
net::awaitable<void> begin_authorization(client& tpm, progress& p, entity what, const TPMT_PUBLIC* object,
                                         bool auth_checked, bool without_password) {
    p.authorizing = what;
    if (object && !(object->objectAttributes & TPMA_OBJECT_noDA) && auth_checked)
        co_await lockout_guard(tpm, p, without_password);
}

// Whether a session is salted to the run's salt key: when it carries a
// secret (a password, which an unsalted session would expose to an offline
// dictionary attack), encrypts a parameter, or runs a policy.
bool salted(const session_use& use, TPM_SE type, bool secret) {
    return use.salt && (secret || use.attributes != 0 || type == TPM_SE_POLICY);
}

// A one-use session's parameters: salted as salted() says (`secret`: it
// will carry a non-empty password), bound to `bind` with a non-empty
// `bind_auth`; with neither it has no session key, so it encrypts nothing.
AuthSession::parameters parameters_for(const session_use& use, TPM_SE type, bool secret, const tpm_key* bind = nullptr,
                                       bytes_view bind_auth = {}) {
    AuthSession::parameters params;
    params.type = type;
    params.attributes = use.attributes;  // continueSession clear
    if (salted(use, type, secret)) {
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

// A session whose key comes from a salt encrypted to `salt` (or, before the
// run has a salt key, to a primary made for the moment in the null
// hierarchy, which needs no password), carrying the non-empty `auth`.
net::awaitable<std::unique_ptr<AuthSession>> salted_password_session(client& tpm, progress& p, bytes_view auth,
                                                                     const tpm_key* salt) {
    std::optional<TPM_HANDLE> ephemeral;
    AuthSession::parameters params;
    params.attributes = 0;
    if (salt) {
        params.salt_handle = salt->handle;
        params.salt_public = salt->publicArea;
    } else {
        const std::string step = p.step;
        p.at("creating a key in the null hierarchy to salt the password's session to");
        CreatePrimary create;
        create.primaryHandle = AuthHandle(TPM_RH_NULL);
        create.inPublic.publicArea = h2_ecc_primary_template();
        auto rsp = co_await tpm.execute(create);
        ephemeral = rsp.objectHandle;
        params.salt_handle = rsp.objectHandle;
        params.salt_public = std::move(rsp.outPublic.publicArea);
        p.at(step);
    }
    auto session = co_await start_session(tpm, params);
    if (ephemeral) co_await tpm.flush(*ephemeral);
    session->set_auth_value(to_bytes(auth));
    co_return session;
}

// A policy session (`params`) satisfying the EK's PolicySecret(TPM_RH_ENDORSEMENT).
net::awaitable<std::unique_ptr<AuthSession>> endorsement_policy(client& tpm, progress& p,
                                                                const AuthSession::parameters& params,
                                                                bytes_view endorsement_auth, const tpm_key* salt) {
    auto policy = co_await start_session(tpm, params);
    auto auth = co_await authorize_hierarchy(tpm, p, TPM_RH_ENDORSEMENT, endorsement_auth, salt);
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
    const AuthSession::parameters params = parameters_for(use, TPM_SE_POLICY, !plan.key_auth.empty());
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
    const AuthSession::parameters params =
        parameters_for(use, TPM_SE_HMAC, !auth.empty(), use.salt ? nullptr : &key, auth);
    auto session = co_await start_session(tpm, params);
    session->set_auth_value(auth);
    co_return session;
}

}  // namespace

net::awaitable<std::unique_ptr<AuthSession>> authorize_hierarchy(client& tpm, progress& p, TPM_HANDLE hierarchy,
                                                                 bytes_view auth, const tpm_key* salt) {
    const entity what = hierarchy == TPM_RH_ENDORSEMENT ? entity::endorsement_hierarchy : entity::owner_hierarchy;
    co_await begin_authorization(tpm, p, what, nullptr, true, auth.empty());
    if (auth.empty()) co_return nullptr;
    co_return co_await salted_password_session(tpm, p, auth, salt);
}

net::awaitable<std::unique_ptr<AuthSession>> authorize_parent(client& tpm, progress& p, const tpm_key& parent,
                                                              const parent_auths& auths, const session_use& use) {
    if (parent.endorsement) {
        p.at("authorizing the endorsement key with PolicySecret(endorsement)");
        const AuthSession::parameters params = parameters_for(use, TPM_SE_POLICY, false);
        co_return co_await endorsement_policy(tpm, p, params, auths.use, use.salt);
    }
    co_await begin_authorization(tpm, p, entity::parent_key, &parent.publicArea, true, auths.use.empty());
    const bool secret = !auths.use.empty();
    if (!salted(use, TPM_SE_HMAC, secret)) {
        // Without a salt key only the empty password, which needs no session.
        if (secret) co_return co_await salted_password_session(tpm, p, auths.use, nullptr);
        co_return nullptr;
    }
    p.at("starting a session salted to " + to_hex(use.salt->name.buffer));
    const AuthSession::parameters params = parameters_for(use, TPM_SE_HMAC, secret);
    auto session = co_await start_session(tpm, params);
    session->set_auth_value(to_bytes(auths.use));
    co_return session;
}

net::awaitable<std::unique_ptr<AuthSession>> authorize_key(client& tpm, progress& p, const tpm_key& key,
                                                           const key_plan& plan, const tpm_key* parent,
                                                           const session_use& use) {
    // A PCR policy without a password never checks the authValue.
    const bool auth_checked = !plan.key_auth.empty() || plan.pcrs.empty();
    co_await begin_authorization(tpm, p, entity::signing_key, &key.publicArea, auth_checked, plan.key_auth.empty());
    const bool user_with_auth = key.publicArea.objectAttributes & TPMA_OBJECT_userWithAuth;
    if (!plan.pcrs.empty() || !user_with_auth) co_return co_await key_policy_session(tpm, p, key, plan, parent, use);
    if (!use.salt && plan.key_auth.empty()) co_return nullptr;
    co_return co_await key_hmac_session(tpm, p, key, plan.key_auth, use);
}

}  // namespace atpc::tpm
