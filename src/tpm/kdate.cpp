#include "tpm/kdate.hpp"

#include "tpm/entities.hpp"
#include "tpm/tpm_lock.hpp"

#include "base/error.hpp"

#include "tpmwire/client/sessions.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/marshal/rc.hpp"
#include "tpmwire/sessions/name.hpp"
#include "tpmwire/sessions/policy_digest.hpp"
#include "tpmwire/transports/open.hpp"

#include <fmt/format.h>

namespace atpc::tpm {

using namespace tpmwire;
namespace net = boost::asio;

namespace {

// What the flow is doing, so a TPM error can say which step failed.
struct progress : step_tracker {
    std::optional<std::uint32_t> lockout_counter, lockout_max, lockout_interval;
};

struct loaded_key {
    TPM_HANDLE handle = 0;
    TPM2B_NAME name;
    TPMT_PUBLIC publicArea;
};

// The key's parent for a key file: the EK, a persistent key, or the H-2
// primary re-created under the owner hierarchy.
net::awaitable<tpm_key> load_parent(client& tpm, progress& p, const key_plan& plan, const std::optional<tpm_key>& ek) {
    const auto& file = *plan.key_file;
    if (plan.ek_parent) co_return *ek;
    if (handle_type(file.parent) == TPM_HT_PERSISTENT) {
        p.at("reading the parent key at " + hex_handle(file.parent));
        auto pub = co_await read_public_checked(tpm, file.parent);
        // A key file whose parent is a persistent EK (tpm2_import -C 0x81010001)
        // needs the EK's policy even without --useEKParent.
        co_return tpm_key{file.parent, pub, matches_ek_rsa_template(pub), true};
    }
    if (!parent_is_h2_primary(file.parent))
        throw atpc::error(fault::config, "key file " + plan.key_file_path + ": parent " + hex_handle(file.parent) +
                                             " is neither the owner hierarchy nor a persistent key");
    p.at("creating the H-2 ECC P-256 parent under the owner hierarchy");
    co_return co_await create_h2_parent(tpm, plan.parent_auth);
}

net::awaitable<loaded_key> load_key(client& tpm, progress& p, const key_plan& plan, const tpm_key& parent) {
    const auto& file = *plan.key_file;
    TPM2B_NAME parent_name = object_name(parent.publicArea);
    std::unique_ptr<AuthSession> auth;
    if (parent.endorsement) {
        p.at("authorizing the endorsement key with PolicySecret(endorsement)");
        AuthSession::parameters params;
        params.salt_handle = parent.handle;
        params.salt_public = parent.publicArea;
        params.attributes = 0;
        auth = co_await endorsement_policy(tpm, params, plan.parent_auth);
    } else if (parent.persistent) {
        auth = co_await password_session(tpm, parent.handle, parent_name, plan.parent_auth);
    }
    p.at("loading the key from " + plan.key_file_path);
    Load load;
    load.parentHandle = AuthHandle(parent.handle, parent_name, auth.get());
    load.inPrivate = file.privkey;
    load.inPublic = file.pubkey;
    auto rsp = co_await tpm.execute(load);
    loaded_key key{rsp.objectHandle, rsp.name, file.pubkey.publicArea};
    if (object_name(key.publicArea) != key.name)
        throw atpc::error(fault::tpm, "the TPM reports a different name for the key loaded from " +
                                          plan.key_file_path + " than its public area gives: refusing to use it");
    co_return key;
}

net::awaitable<loaded_key> read_persistent_key(client& tpm, progress& p, TPM_HANDLE handle) {
    p.at("reading the key at persistent handle " + hex_handle(handle));
    auto pub = co_await read_public_checked(tpm, handle);
    co_return loaded_key{handle, object_name(pub), pub};
}

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
    std::uint32_t left = *p.lockout_max > *p.lockout_counter ? *p.lockout_max - *p.lockout_counter : 0;
    if (left <= 1)
        throw atpc::error(
            fault::tpm,
            fmt::format("refusing to try the key password: {} of {} authorization failures are already counted and "
                        "one more would lock this TPM's DA-protected keys{}; check the password, then wait for the "
                        "counter to decrease or clear it with tpm2_dictionarylockout -c",
                        *p.lockout_counter, *p.lockout_max,
                        p.lockout_interval ? fmt::format(" (one failure is forgiven every {} s)", *p.lockout_interval)
                                           : ""));
}

// Runs the key's policy in `session`: PolicyPCR (--pcrs) and/or
// PolicyAuthValue (a password, or a key without userWithAuth). Keys
// duplicated to an EK parent by the original tool's tooling carry
// PolicyOR(that branch, PolicyDuplicationSelect(EK name)); when the key's
// authPolicy is such an OR, the matching PolicyOR is added.
net::awaitable<void> satisfy_key_policy(client& tpm, progress& p, const key_plan& plan, const loaded_key& key,
                                        AuthSession& session, const std::optional<tpm_key>& parent) {
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
    bytes dup = policy_digest().duplication_select(object_name(parent->publicArea), {}, false).digest();
    for (auto branches : {std::vector<bytes>{*current, dup}, std::vector<bytes>{dup, *current}}) {
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

net::awaitable<kdate_result> kdate_steps(client& tpm, progress& p, const key_plan& plan, const std::string& date) {
    // The salt key, when the user named one: the EK, verified by name.
    std::optional<tpm_key> salt;
    std::optional<tpm_key> ek;
    if (plan.salt_name || (plan.key_file && plan.ek_parent)) {
        auto step = [&p](std::string s) { p.at(std::move(s)); };
        ek = co_await endorsement_key(tpm, step, plan.parent_auth, plan.salt_name, "use this TPM");
        if (plan.salt_name) salt = ek;
    }

    loaded_key key;
    std::optional<tpm_key> parent;
    if (plan.key_file) {
        parent = co_await load_parent(tpm, p, plan, ek);
        // Without a named EK, salt to the parent we just used: this hides
        // kDate from a passive listener on the bus (it does not authenticate
        // the TPM).
        if (!salt) salt = parent;
        key = co_await load_key(tpm, p, plan, *parent);
    } else {
        key = co_await read_persistent_key(tpm, p, plan.persistent_handle);
    }
    if (!is_hmac_sha256_key(key.publicArea))
        throw atpc::error(fault::tpm, "the key " +
                                          (plan.key_file ? "in " + plan.key_file_path
                                                         : "at " + hex_handle(plan.persistent_handle)) +
                                          " is not an HMAC-SHA256 signing key (KEYEDHASH with an HMAC scheme): check "
                                          "--persistentHandle or --credential-file");

    bool da_protected = !(key.publicArea.objectAttributes & TPMA_OBJECT_noDA);
    if (!plan.key_auth.empty() && da_protected) co_await lockout_guard(tpm, p);

    // The session that authorizes the HMAC. It ends with the command
    // (continueSession clear), and encrypts the response when it has a key
    // (salted, or bound to the key's password).
    std::unique_ptr<AuthSession> session;
    AuthSession::parameters params;
    params.attributes = TPMA_SESSION_encrypt;
    if (salt) {
        params.salt_handle = salt->handle;
        params.salt_public = salt->publicArea;
    }
    // A policy session when the key asks for one: a PCR policy, or a key
    // that takes no plain password (userWithAuth clear).
    bool user_with_auth = key.publicArea.objectAttributes & TPMA_OBJECT_userWithAuth;
    if (!plan.pcrs.empty() || !user_with_auth) {
        p.at("starting a policy session" + std::string(salt ? " salted to the parent key" : ""));
        params.type = TPM_SE_POLICY;
        if (!salt) params.attributes = 0;  // nothing to derive an encryption key from
        session = co_await start_session(tpm, params);
        session->set_auth_value(plan.key_auth);
        co_await satisfy_key_policy(tpm, p, plan, key, *session, parent);
    } else if (salt || !plan.key_auth.empty()) {
        if (!salt) {
            params.bind_handle = key.handle;
            params.bind_name = key.name;
            params.bind_auth = plan.key_auth;
        }
        p.at(salt ? "starting an HMAC session salted to " + hex_handle(salt->handle)
                  : "starting an HMAC session bound to the key");
        session = co_await start_session(tpm, params);
        session->set_auth_value(plan.key_auth);
    }

    p.at("computing kDate with TPM2_HMAC" +
         std::string(session && (session->attributes() & TPMA_SESSION_encrypt) ? " (response encrypted)" : ""));
    HMAC hmac;
    hmac.handle = AuthHandle(key.handle, key.name, session.get());
    hmac.buffer = TPM2B_MAX_BUFFER(to_bytes(date));
    hmac.hashAlg = TPM_ALG_SHA256;
    auto rsp = co_await tpm.execute(hmac);
    if (rsp.outHMAC.size() != 32) throw atpc::error(fault::tpm, "the TPM returned an HMAC of the wrong size");
    bool encrypted = session && (session->attributes() & TPMA_SESSION_encrypt);
    co_return kdate_result{std::move(rsp.outHMAC.buffer), encrypted};
}

// One line for a TPM failure: the step, the TPM's code, and what to check.
atpc::error explain(const tpmwire::error& e, const progress& p, const key_plan& plan) {
    const TPM_RC rc = base_rc(e.rc());
    std::string hint;
    if (rc == TPM_RC_HANDLE && e.command() == TPM_CC_ReadPublic && !plan.key_file)
        hint = "no key at persistent handle " + hex_handle(plan.persistent_handle) +
               ": check --persistentHandle (tpm2_getcap handles-persistent lists them)";
    else if (rc == TPM_RC_AUTH_FAIL)
        hint = "wrong password: check --keyPass / TPM_KEY_AUTH (or --parentPass / TPM_PARENT_AUTH for the parent)" +
               (p.lockout_counter && p.lockout_max
                    ? fmt::format("; {} of {} dictionary-attack failures now counted", *p.lockout_counter + 1,
                                  *p.lockout_max)
                    : std::string());
    else if (rc == TPM_RC_BAD_AUTH)
        hint = "wrong password: check --keyPass / TPM_KEY_AUTH (or --parentPass / TPM_PARENT_AUTH for the parent)";
    else if (rc == TPM_RC_POLICY_FAIL || rc == TPM_RC_PCR_CHANGED)
        hint = "PCR policy not satisfied: the PCR values differ from those the key was bound to, or --pcrs does not "
               "match the key's policy";
    else if (rc == TPM_RC_INTEGRITY && e.command() == TPM_CC_Load)
        hint = "the key file was not made for this TPM or this parent";
    return tpm_failure(e, p.step, hint);
}

}  // namespace

net::awaitable<kdate_result> compute_kdate(client& tpm, const key_plan& plan, std::string date, trace_fn trace) {
    progress p;
    p.trace = std::move(trace);
    try {
        // scoped(): whatever happens, the TPM is left as we found it.
        co_return co_await tpm.scoped(kdate_steps(tpm, p, plan, date));
    } catch (const tpmwire::error& e) {
        throw explain(e, p, plan);
    }
}

net::awaitable<kdate_result> kdate_from(const key_plan& plan, std::chrono::milliseconds timeout,
                                        std::chrono::steady_clock::time_point deadline, std::string date,
                                        trace_fn trace, std::function<void()> locked) {
    auto ex = co_await net::this_coro::executor;
    auto lock = co_await tpm_lock::acquire(plan.address, deadline);
    if (locked) locked();
    client_options options;
    options.command_timeout = timeout;
    options.overall_deadline = deadline;
    client tpm(ex, make_transport(ex, plan.address), options);
    kdate_result result = co_await compute_kdate(tpm, plan, std::move(date), trace);
    result.commands = tpm.commands_sent();
    result.retries = tpm.retries();
    trace_done(trace, tpm);
    co_return result;
}

}  // namespace atpc::tpm
