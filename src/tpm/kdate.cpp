#include "tpm/kdate.hpp"

#include "tpm/failure.hpp"
#include "tpm/lock.hpp"
#include "tpm/parent.hpp"
#include "tpm/salt.hpp"
#include "tpm/sessions.hpp"

#include "base/error.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/marshal/rc.hpp"
#include "tpmwire/transports/open.hpp"

#include <fmt/format.h>

namespace atpc::tpm {

using namespace tpmwire;
namespace net = boost::asio;

namespace {

// A key file without emptyAuth says its key needs a password (the key file
// draft; OpenSSL's TPM engines and providers write it so): tried without
// one, it would count a dictionary-attack failure on every run, so it is
// refused before any TPM command. An explicit FALSE cannot be believed:
// tpm2_encodeobject before tpm2-tools 5.8 (Debian 12 has 5.4) writes FALSE
// for keys *without* a password (keyfile.hpp); the lockout guard bounds
// what such a file can cost.
void refuse_missing_password(const key_plan& plan) {
    if (!plan.key_file || !plan.key_auth.empty() || plan.key_file->emptyAuth) return;
    throw atpc::error(fault::config, "the key file " + plan.key_file_path +
                                         " says its key needs a password (it has no emptyAuth field) and none was "
                                         "given: set TPM_KEY_AUTH or --keyPass (trying without would count a "
                                         "dictionary-attack failure)");
}

// An HMAC-SHA256 key, or a one-line refusal naming the flag to check.
void require_hmac_key(const tpm_key& key, const key_plan& plan) {
    if (is_hmac_sha256_key(key.publicArea)) return;
    throw atpc::error(fault::tpm, "the key " +
                                      (plan.key_file ? "in " + plan.key_file_path
                                                     : "at " + hex_handle(plan.persistent_handle)) +
                                      " is not an HMAC-SHA256 signing key (KEYEDHASH with an HMAC scheme): check "
                                      "--persistentHandle or --credential-file");
}

// The key at --persistentHandle (read first: whether it has a policy decides
// the salt key).
net::awaitable<std::optional<tpm_key>> persistent_key(client& tpm, progress& p, const key_plan& plan) {
    std::optional<tpm_key> key;
    if (plan.key_file) co_return key;
    p.at("reading the key at persistent handle " + hex_handle(plan.persistent_handle));
    auto pub = co_await read_public_checked(tpm, plan.persistent_handle);
    key = tpm_key::of(plan.persistent_handle, std::move(pub), true);
    require_hmac_key(*key, plan);
    co_return key;
}

// The key file's key, loaded under its parent.
net::awaitable<tpm_key> file_key(client& tpm, progress& p, const key_plan& plan, const tpm_key& parent,
                                 const parent_auths& auths, const std::optional<salt_key>& salt) {
    const std::string what = "the key from " + plan.key_file_path;
    const tpm_key* salted_to = salt ? &salt->key : nullptr;
    tpm_key key = co_await load_key(tpm, p, parent, auths, salted_to, plan.key_file->pubkey, plan.key_file->privkey, what);
    require_hmac_key(key, plan);
    co_return key;
}

// The key file's parent (none in handle mode).
std::optional<parent_choice> parent_of(const key_plan& plan) {
    if (!plan.key_file) return std::nullopt;
    return key_file_parent(*plan.key_file, plan.ek_parent, plan.key_file_path);
}

net::awaitable<std::optional<tpm_key>> parent_key(client& tpm, progress& p, const std::optional<parent_choice>& choice,
                                                  const parent_auths& auths, const std::optional<salt_key>& salt) {
    std::optional<tpm_key> parent;
    if (!choice) co_return parent;
    const tpm_key* known = salt ? &salt->key : nullptr;
    parent = co_await load_parent(tpm, p, *choice, auths, known, known);
    co_return parent;
}

net::awaitable<kdate_result> compute_hmac(client& tpm, progress& p, const tpm_key& key,
                                       const std::unique_ptr<AuthSession>& session, const std::string& date) {
    const bool encrypted = session && (session->attributes() & TPMA_SESSION_encrypt);
    p.at("computing kDate with TPM2_HMAC" + std::string(encrypted ? " (response encrypted)" : ""));
    HMAC hmac;
    hmac.handle = AuthHandle(key.handle, key.name, session.get());
    hmac.buffer = TPM2B_MAX_BUFFER(to_bytes(date));
    hmac.hashAlg = TPM_ALG_SHA256;
    auto rsp = co_await tpm.execute(hmac);
    if (rsp.outHMAC.size() != 32) throw atpc::error(fault::tpm, "the TPM returned an HMAC of the wrong size");
    co_return kdate_result{std::move(rsp.outHMAC.buffer), encrypted};
}

// A password or policy is in play for the key, its parent or a hierarchy:
// every session is then salted to a pinned or named key.
bool needs_salt(const key_plan& plan, const std::optional<tpm_key>& handle_key) {
    const TPMT_PUBLIC& pub = handle_key ? handle_key->publicArea : plan.key_file->pubkey.publicArea;
    return !plan.key_auth.empty() || !plan.pcrs.empty() || !plan.parent_auth.empty() ||
           !(pub.objectAttributes & TPMA_OBJECT_userWithAuth);
}

// The salt key comes before anything is authorized, so a wrong name or a
// changed pin stops the run first. Without a password or policy (and no
// name) a key file's session is salted to its parent: that hides kDate from
// a passive listener on the bus (it does not authenticate the TPM).
net::awaitable<kdate_result> kdate_steps(client& tpm, progress& p, const key_plan& plan, const std::string& date) {
    refuse_missing_password(plan);
    const std::optional<parent_choice> choice = parent_of(plan);
    // Handle mode has no parent: --parentPass is then the owner password,
    // for the H-2 primary when it has to be made to salt to.
    const parent_auths auths = auths_for(choice ? choice->kind : parent_kind::h2, plan.parent_auth);
    const std::optional<tpm_key> handle_key = co_await persistent_key(tpm, p, plan);
    salt_request want;
    want.name = plan.salt_name;
    want.endorsement_auth = auths.endorsement;
    want.refused = "use this TPM";
    want.needed = needs_salt(plan, handle_key);
    want.address = plan.address.to_string();
    want.owner_auth = auths.owner;
    const auto chosen = co_await choose_salt_key(tpm, p, want);
    const auto parent = co_await parent_key(tpm, p, choice, auths, chosen);
    const tpm_key* key_parent = parent ? &*parent : nullptr;
    const auto salt = salt_or_parent(chosen, key_parent);
    tpm_key key;
    if (handle_key) key = *handle_key;
    else key = co_await file_key(tpm, p, plan, *parent, auths, salt);
    const session_use use{salt ? &salt->key : nullptr, TPMA_SESSION_encrypt};
    const auto session = co_await authorize_key(tpm, p, key, plan, key_parent, use);
    co_return co_await compute_hmac(tpm, p, key, session, date);
}

// The credential flow's own advice; explain() adds what every flow shares.
std::string kdate_hint(const tpmwire::error& e, const progress& p, const key_plan& plan) {
    const TPM_RC rc = base_rc(e.rc());
    if (rc == TPM_RC_HANDLE && e.command() == TPM_CC_ReadPublic && !plan.key_file)
        return "no key at persistent handle " + hex_handle(plan.persistent_handle) +
               ": check --persistentHandle (tpm2_getcap handles-persistent lists them)";
    if (rc == TPM_RC_AUTH_FAIL || rc == TPM_RC_BAD_AUTH)
        return wrong_password(p, p.authorizing == entity::signing_key ? "--keyPass / TPM_KEY_AUTH"
                                                                      : "--parentPass / TPM_PARENT_AUTH");
    if (rc == TPM_RC_POLICY_FAIL || rc == TPM_RC_PCR_CHANGED)
        return "PCR policy not satisfied: the PCR values differ from those the key was bound to, or --pcrs does not "
               "match the key's policy";
    if (rc == TPM_RC_INTEGRITY && e.command() == TPM_CC_Load)
        return "the key file was not made for this TPM or this parent";
    return {};
}

}  // namespace

net::awaitable<kdate_result> compute_kdate(client& tpm, const key_plan& plan, std::string date, trace_fn trace,
                                           std::function<net::awaitable<void>()> serialize_da) {
    progress p;
    p.trace = std::move(trace);
    p.lockout_reserve = plan.lockout_reserve;
    p.serialize_da = std::move(serialize_da);
    try {
        // scoped(): whatever happens, the TPM is left as we found it.
        co_return co_await tpm.scoped(kdate_steps(tpm, p, plan, date));
    } catch (const tpmwire::error& e) {
        throw explain(e, p, kdate_hint(e, p, plan));
    }
}

net::awaitable<kdate_result> kdate_from(const key_plan& plan, std::chrono::milliseconds timeout,
                                        std::chrono::steady_clock::time_point deadline, std::string date,
                                        trace_fn trace, std::function<void()> locked) {
    auto ex = co_await net::this_coro::executor;
    tpm_lock lock;
    if (tpm_lock::whole_run(plan.address)) lock = co_await tpm_lock::acquire(plan.address, deadline, trace);
    if (locked) locked();
    // With a resource manager, only the dictionary-attack attempts take turns.
    std::function<net::awaitable<void>()> serialize_da;
    if (!tpm_lock::whole_run(plan.address))
        serialize_da = [&lock, &plan, deadline, &trace]() -> net::awaitable<void> {
            lock = co_await tpm_lock::acquire(plan.address, deadline, trace);
        };
    client_options options;
    options.command_timeout = timeout;
    options.overall_deadline = deadline;
    client tpm(ex, make_transport(ex, plan.address), options);
    kdate_result result = co_await compute_kdate(tpm, plan, std::move(date), trace, std::move(serialize_da));
    result.commands = tpm.commands_sent();
    result.retries = tpm.retries();
    trace_done(trace, tpm);
    co_return result;
}

}  // namespace atpc::tpm
