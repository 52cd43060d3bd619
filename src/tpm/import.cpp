// `import`: how the AWS secret gets into the TPM.
//
// Route chosen: TPM2_Create with TPM2B_SENSITIVE_CREATE.data = "AWS4"+secret
// (sensitiveDataOrigin clear, so the TPM takes our bytes as the HMAC key),
// authorized by a session that is salted to a TPM key and has the decrypt
// attribute. TPM2B_SENSITIVE_CREATE is Create's first parameter, so the
// secret and the key's password cross the bus AES-128-CFB encrypted under a
// key derived from the salt, which only the TPM holding the salt key's
// private part can recover. The key is created fixedTPM|fixedParent: it can
// never be duplicated out of this TPM (and TPM2_Certify can attest that).
//
// Not chosen: an outer-wrapped TPM2_Import (tpm2-tools' route: a duplicate
// blob whose seed is encrypted to the parent, KDFa "STORAGE"/"INTEGRITY").
// Its strength is that the blob can be made offline, for another machine's
// TPM, from the parent's public key alone. But TPM2_Import refuses objects
// with fixedTPM or fixedParent set (TPM_RC_ATTRIBUTES), so the key would be
// marked as duplicable, and it needs more code on our side (ECDH/OAEP seed,
// KDFa, symmetric and HMAC wrapping) for no gain on this machine: both
// routes keep the secret off the bus in clear and off the disk.
//
// Salt key (import_trust.hpp): an endorsement key verified before the
// first byte of the secret is sent — by --tpm-session-encrypt-with-name, by
// its certificate chaining to --ek-ca, by the pin an earlier verified import
// recorded — or accepted explicitly with --trust-tpm-on-first-use. Otherwise
// import is refused before any TPM command: salting to a key the TPM merely
// presents defeats a passive listener only, and an active one could answer
// with a key of its own and read the secret.
//
// Order, so that a failure anywhere leaves the TPM and the disk as found:
//   a way to trust the salt key? → check the persistent handle (occupied? --force?)
//   → trusted salt key → parent → PCR values
//   → Create → Load (name checked) → hooks.prepare (temporary key file)
//   → [EvictControl the old key: --force] → EvictControl → hooks.commit
//   (rename), undoing the EvictControl if it throws; transient objects and
//   sessions are flushed on every path by client::scoped().
#include "tpm/import.hpp"

#include "base/error.hpp"
#include "tpm/failure.hpp"
#include "tpm/import_trust.hpp"
#include "tpm/parent.hpp"
#include "tpm/salt.hpp"
#include "tpm/sessions.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/marshal/rc.hpp"
#include "tpmwire/sessions/name.hpp"
#include "tpmwire/sessions/policy_digest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace atpc::tpm {

using namespace tpmwire;
namespace net = boost::asio;

namespace {

// Where the key will live: refuse an occupied handle before creating
// anything. Returns the name of the HMAC key --force replaces.
net::awaitable<std::optional<TPM2B_NAME>> check_target(client& tpm, progress& p, const import_plan& plan) {
    std::optional<TPM2B_NAME> old_key;
    if (!plan.persistent_handle) co_return old_key;
    const TPM_HANDLE h = *plan.persistent_handle;
    p.at("checking persistent handle " + hex_handle(h));
    const auto pub = co_await occupant(tpm, h);
    if (!pub) co_return old_key;
    if (!plan.force)
        throw atpc::error(fault::tpm, "persistent handle " + hex_handle(h) + " already holds a key (name " +
                                          to_hex(object_name(*pub).buffer) +
                                          "): choose another --persistentHandle, or pass --force to replace it");
    // Only what import itself makes: never a storage key, an EK or sealed
    // data (a disk key sealed to PCRs, say).
    if (!is_hmac_sha256_key(*pub))
        throw atpc::error(fault::tpm, "persistent handle " + hex_handle(h) +
                                          " holds something other than an HMAC-SHA256 key (a storage, endorsement, "
                                          "sealed or asymmetric key), which --force never replaces: choose another "
                                          "--persistentHandle");
    old_key = object_name(*pub);
    co_return old_key;
}

// One TPM2_PCR_Read of the SHA-256 `missing` PCRs into `values`; returns the
// pcrUpdateCounter.
net::awaitable<std::uint32_t> read_pcr_round(client& tpm, const std::vector<unsigned>& missing,
                                             std::map<unsigned, bytes>& values) {
    PCR_Read read;
    read.pcrSelectionIn = pcr_selection(TPM_ALG_SHA256, missing);
    auto rsp = co_await tpm.execute(read);
    std::size_t next = 0;
    for (const auto& sel : rsp.pcrSelectionOut.pcrSelections) {
        for (unsigned i : selected_pcrs(sel)) {
            if (next >= rsp.pcrValues.digests.size())
                throw atpc::error(fault::tpm, "TPM2_PCR_Read returned fewer values than PCRs selected");
            const auto& v = rsp.pcrValues.digests[next++].buffer;
            if (sel.hash != TPM_ALG_SHA256 || v.size() != 32 ||
                std::find(missing.begin(), missing.end(), i) == missing.end())
                throw atpc::error(fault::tpm, "TPM2_PCR_Read returned a PCR that was not asked for");
            values[i] = v;
        }
    }
    if (next != rsp.pcrValues.digests.size())
        throw atpc::error(fault::tpm, "TPM2_PCR_Read returned more values than PCRs selected");
    if (next == 0)
        throw atpc::error(fault::tpm, "the TPM has no SHA-256 value for PCR " + std::to_string(missing.front()) +
                                          ": check --pcrs and that the SHA-256 bank is active (tpm2_getcap pcrs)");
    co_return rsp.pcrUpdateCounter;
}

// Current SHA-256 values of `pcrs`, ascending by index (PCR_Read answers at
// most 8 per call; a PCR changing between calls restarts the read).
net::awaitable<std::vector<bytes>> read_pcrs(client& tpm, progress& p, const std::vector<unsigned>& wanted) {
    std::vector<unsigned> pcrs = wanted;
    std::sort(pcrs.begin(), pcrs.end());
    p.at("reading SHA-256 PCRs " + fmt::format("{}", fmt::join(pcrs, ",")));
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::map<unsigned, bytes> values;
        std::optional<std::uint32_t> counter;
        bool changed = false;
        for (int round = 0; round < 4 && values.size() < pcrs.size() && !changed; ++round) {
            std::vector<unsigned> missing;
            for (unsigned i : pcrs)
                if (!values.count(i)) missing.push_back(i);
            const std::uint32_t now = co_await read_pcr_round(tpm, missing, values);
            changed = counter && *counter != now;
            counter = now;
        }
        if (changed) continue;
        if (values.size() != pcrs.size())
            throw atpc::error(fault::tpm, "the TPM did not return every PCR asked for: check --pcrs");
        std::vector<bytes> out;
        for (auto& [i, v] : values) out.push_back(std::move(v));
        co_return out;
    }
    throw atpc::error(fault::tpm, "the PCR values kept changing while they were read: try again");
}

// The key's public area. Its policy: PolicyPCR over the current values, then
// PolicyAuthValue with a password, the order the credential flow runs them.
net::awaitable<TPMT_PUBLIC> key_template(client& tpm, progress& p, const import_plan& plan) {
    bytes auth_policy;
    if (!plan.pcrs.empty()) {
        const auto values = co_await read_pcrs(tpm, p, plan.pcrs);
        policy_digest d;
        d.pcr(pcr_selection(TPM_ALG_SHA256, plan.pcrs), pcr_digest(TPM_ALG_SHA256, values));
        if (!plan.key_auth.empty()) d.auth_value();
        auth_policy = d.digest();
    }
    co_return hmac_key_template(key_attributes(!plan.key_auth.empty(), !plan.pcrs.empty()), auth_policy);
}

// What the report says about the parent and the salt key.
imported_key describe_parents(const parent_choice& choice, const tpm_key& parent, const trusted_key& salt) {
    imported_key out;
    out.parent_name = parent.name;
    out.salt_name = salt.key.name;
    out.salt_what = salt.what;
    out.salt_trust = salt.basis;
    out.pins_file = salt.pins_file;
    out.ek_persistent = parent.persistent;
    out.file_parent = key_file_parent_field(choice);
    return out;
}

// TPM2_Create: the secret and the password travel encrypted, in the first
// parameter of a decrypt session salted to `salt`.
net::awaitable<void> create_key(client& tpm, progress& p, const import_plan& plan, const tpm_key& parent,
                                const parent_auths& auths, const salt_key& salt, const TPMT_PUBLIC& wanted,
                                const bytes& hmac_key, imported_key& out) {
    const session_use use{&salt.key, TPMA_SESSION_decrypt};
    auto session = co_await authorize_parent(tpm, p, parent, auths, use);
    p.at("creating the HMAC key with TPM2_Create (secret encrypted on the bus)");
    Create create;
    create.parentHandle = AuthHandle(parent.handle, parent.name, session.get());
    create.inSensitive.sensitive.userAuth = TPM2B_AUTH(plan.key_auth);
    create.inSensitive.sensitive.data = TPM2B_SENSITIVE_DATA(hmac_key);
    create.inPublic.publicArea = wanted;
    auto rsp = co_await tpm.execute(create);
    TPMT_PUBLIC got = rsp.outPublic.publicArea;
    got.unique = TPM2B_DIGEST{};
    if (!(got == wanted))
        throw atpc::error(fault::tpm, "TPM2_Create returned a public area other than the one asked for: refusing it");
    out.pub = std::move(rsp.outPublic);
    out.priv = std::move(rsp.outPrivate);
    out.name = object_name(out.pub.publicArea);
}

// EvictControl; the owner password goes in a session salted to `salt`.
net::awaitable<void> evict(client& tpm, progress& p, const import_plan& plan, TPM_HANDLE object,
                           const TPM2B_NAME& name, TPM_HANDLE persistent, const tpm_key& salt) {
    auto auth = co_await authorize_hierarchy(tpm, p, TPM_RH_OWNER, plan.owner_auth, &salt);
    EvictControl ec;
    ec.auth = AuthHandle(TPM_RH_OWNER, {}, auth.get());
    ec.objectHandle = NamedHandle(object, name);
    ec.persistentHandle = persistent;
    co_await tpm.execute(ec);
}

// The persistent handle: the key --force replaces out first, then the new one in.
net::awaitable<void> persist(client& tpm, progress& p, const import_plan& plan,
                             const std::optional<TPM2B_NAME>& old_key, const tpm_key& loaded, const tpm_key& salt,
                             imported_key& out) {
    if (!plan.persistent_handle) co_return;
    const TPM_HANDLE h = *plan.persistent_handle;
    if (old_key) {
        p.at("evicting the key at " + hex_handle(h) + " (--force)");
        co_await evict(tpm, p, plan, h, *old_key, h, salt);
        out.replaced = true;
        p.irreversible = fmt::format(" (the key that was at {} has been evicted)", hex_handle(h));
    }
    p.at("making the key persistent at " + hex_handle(h));
    co_await evict(tpm, p, plan, loaded.handle, out.name, h, salt);
    out.persisted = true;
}

// The caller's commit; a failure there takes the new handle back out.
net::awaitable<void> commit(client& tpm, progress& p, const import_plan& plan, const import_hooks& hooks,
                            const tpm_key& salt, const imported_key& out) {
    std::exception_ptr failure;
    try {
        if (hooks.commit) hooks.commit();
    } catch (...) {
        failure = std::current_exception();
    }
    if (!failure) co_return;
    if (out.persisted) {
        const TPM_HANDLE h = *plan.persistent_handle;
        p.at("undoing the EvictControl at " + hex_handle(h));
        try {
            co_await evict(tpm, p, plan, h, out.name, h, salt);
        } catch (const std::exception&) {
            // Reported below: the original failure is what the user must see.
        }
    }
    std::rethrow_exception(failure);
}

net::awaitable<imported_key> import_steps(client& tpm, progress& p, const import_plan& plan, const bytes& hmac_key,
                                          const import_hooks& hooks) {
    const parent_choice choice{plan.parent, plan.parent_handle};
    const parent_auths auths = auths_for(choice.kind, plan.parent_auth);
    const trust_decision decided = decide_trust(plan);  // refused here, before any TPM command
    const auto old_key = co_await check_target(tpm, p, plan);
    const trusted_key trusted = co_await trusted_salt_key(tpm, p, plan, decided, auths.endorsement, hooks.trusting);
    const tpm_key* known = &trusted.key;
    const tpm_key parent = co_await load_parent(tpm, p, choice, auths, known, known);
    const salt_key salt{trusted.key, true, trusted.what};
    const TPMT_PUBLIC wanted = co_await key_template(tpm, p, plan);
    imported_key out = describe_parents(choice, parent, trusted);
    co_await create_key(tpm, p, plan, parent, auths, salt, wanted, hmac_key, out);
    const std::string what = "the new key";
    const tpm_key* salted_to = &salt.key;
    const tpm_key loaded = co_await load_key(tpm, p, parent, auths, salted_to, out.pub, out.priv, what);
    // A TPM without a resource manager has 3 object slots, and EvictControl
    // of a persistent key (--force, the undo below) needs one: the salt key,
    // the loaded key and that one leave no room for a transient parent.
    if (!parent.persistent && parent.handle != trusted.key.handle) co_await tpm.flush(parent.handle);
    if (hooks.prepare) hooks.prepare(out);  // the caller's temporary file
    co_await persist(tpm, p, plan, old_key, loaded, salt.key, out);
    co_await commit(tpm, p, plan, hooks, salt.key, out);
    co_return out;
}

// import's own advice; explain() adds what every flow shares.
std::string import_hint(const tpmwire::error& e, const progress& p) {
    const TPM_RC rc = base_rc(e.rc());
    if ((rc == TPM_RC_AUTH_FAIL || rc == TPM_RC_BAD_AUTH) && e.command() == TPM_CC_EvictControl)
        return "wrong owner password: check --ownerPass / TPM_OWNER_AUTH (or --parentPass with the H-2 parent)";
    if (rc == TPM_RC_AUTH_FAIL || rc == TPM_RC_BAD_AUTH)
        return wrong_password(p, "--parentPass / TPM_PARENT_AUTH");
    if (rc == TPM_RC_NV_SPACE)
        return "the TPM has no room for another persistent key: evict an unused one (tpm2_evictcontrol) or use --out";
    if (rc == TPM_RC_NV_DEFINED) return "the persistent handle is already in use";
    if (rc == TPM_RC_ATTRIBUTES) return "the parent cannot hold this key";
    return {};
}

}  // namespace

TPMA_OBJECT key_attributes(bool password, bool pcr_policy) {
    TPMA_OBJECT a = TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sign;
    if (!pcr_policy) a |= TPMA_OBJECT_userWithAuth;
    if (!password) a |= TPMA_OBJECT_noDA;
    return a;
}

net::awaitable<imported_key> import_key(client& tpm, const import_plan& plan, const bytes& hmac_key,
                                        const import_hooks& hooks, trace_fn trace) {
    if (hmac_key.empty() || hmac_key.size() > 128)
        throw atpc::error(fault::usage, "the HMAC key must be 1 to 128 bytes (\"AWS4\" and a 40-character secret is 44)");
    progress p;
    p.trace = std::move(trace);
    p.lockout_reserve = plan.lockout_reserve;
    try {
        co_return co_await tpm.scoped(import_steps(tpm, p, plan, hmac_key, hooks));
    } catch (const tpmwire::error& e) {
        throw explain(e, p, import_hint(e, p));
    }
}

}  // namespace atpc::tpm
