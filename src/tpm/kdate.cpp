#include "tpm/kdate.hpp"

#include "tpm/failure.hpp"
#include "tpm/lock.hpp"
#include "tpm/parent.hpp"
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

// The signing key: loaded from the key file under its parent, or read at
// its persistent handle; either way an HMAC-SHA256 key.
net::awaitable<tpm_key> signing_key(client& tpm, progress& p, const key_plan& plan, const std::optional<tpm_key>& parent,
                                    const parent_auths& auths, const std::optional<salt_key>& salt) {
    tpm_key key;
    if (parent) {
        const std::string what = "the key from " + plan.key_file_path;
        const tpm_key* salted_to = salt ? &salt->key : nullptr;
        key = co_await load_key(tpm, p, *parent, auths, salted_to, plan.key_file->pubkey, plan.key_file->privkey, what);
    } else {
        p.at("reading the key at persistent handle " + hex_handle(plan.persistent_handle));
        auto pub = co_await read_public_checked(tpm, plan.persistent_handle);
        key = tpm_key::of(plan.persistent_handle, std::move(pub), true);
    }
    if (!is_hmac_sha256_key(key.publicArea))
        throw atpc::error(fault::tpm, "the key " +
                                          (plan.key_file ? "in " + plan.key_file_path
                                                         : "at " + hex_handle(plan.persistent_handle)) +
                                          " is not an HMAC-SHA256 signing key (KEYEDHASH with an HMAC scheme): check "
                                          "--persistentHandle or --credential-file");
    co_return key;
}

// The key file's parent (none in handle mode).
std::optional<parent_choice> parent_of(const key_plan& plan) {
    if (!plan.key_file) return std::nullopt;
    return key_file_parent(*plan.key_file, plan.ek_parent, plan.key_file_path);
}

net::awaitable<std::optional<tpm_key>> parent_key(client& tpm, progress& p, const std::optional<parent_choice>& choice,
                                                  const parent_auths& auths, const std::optional<salt_key>& named) {
    std::optional<tpm_key> parent;
    if (!choice) co_return parent;
    const tpm_key* known = named ? &named->key : nullptr;
    parent = co_await load_parent(tpm, p, *choice, auths, known);
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

// The salt key comes first, so a wrong --tpm-session-encrypt-with-name stops
// the run before anything is authorized. Without one, the session is salted
// to the key file's parent: that hides kDate from a passive listener on the
// bus (it does not authenticate the TPM).
net::awaitable<kdate_result> kdate_steps(client& tpm, progress& p, const key_plan& plan, const std::string& date) {
    const std::optional<parent_choice> choice = parent_of(plan);
    const parent_auths auths = choice ? auths_for(choice->kind, plan.parent_auth) : parent_auths{};
    const salt_request want{plan.salt_name, auths.endorsement, "use this TPM"};
    const auto named = co_await choose_salt_key(tpm, p, want);
    const auto parent = co_await parent_key(tpm, p, choice, auths, named);
    const tpm_key* key_parent = parent ? &*parent : nullptr;
    const auto salt = salt_or_parent(named, key_parent);
    const tpm_key key = co_await signing_key(tpm, p, plan, parent, auths, salt);
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

net::awaitable<kdate_result> compute_kdate(client& tpm, const key_plan& plan, std::string date, trace_fn trace) {
    progress p;
    p.trace = std::move(trace);
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
