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
// Salt key: the parent itself, just created or read. That defeats a passive
// listener on the bus, but an active one could answer with a public key of
// its own (trust on first use), so its name is printed for the user to
// compare; with --tpm-session-encrypt-with-name the endorsement key is used
// instead, verified by the name we compute from its public area, as the
// credential flow does.
//
// Order, so that a failure anywhere leaves the TPM and the disk as found:
//   check the persistent handle (occupied? --force?) → parent → PCR values
//   → Create → Load (name checked) → hooks.prepare (temporary key file)
//   → [EvictControl the old key: --force] → EvictControl → hooks.commit
//   (rename), undoing the EvictControl if it throws; transient objects and
//   sessions are flushed on every path by client::scoped().
#include "tpm/import.hpp"

#include "base/error.hpp"
#include "tpm/entities.hpp"

#include "tpmwire/client/sessions.hpp"
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

// g++ 12 destroys some temporaries inside a co_await expression twice
// (seen here with `cond ? auth : bytes{}`): arguments are named objects.
const bytes no_auth;
const TPM2B_NAME no_name;

struct progress : step_tracker {
    bool evicted_old = false;
    TPM_HANDLE handle = 0;
};

// A restricted decryption key: what TPM2_Create accepts as a parent.
bool is_storage_key(const TPMT_PUBLIC& p) {
    constexpr TPMA_OBJECT need = TPMA_OBJECT_restricted | TPMA_OBJECT_decrypt;
    return (p.type == TPM_ALG_RSA || p.type == TPM_ALG_ECC) && (p.objectAttributes & need) == need &&
           !(p.objectAttributes & TPMA_OBJECT_sign);
}

net::awaitable<tpm_key> parent_key(client& tpm, progress& p, const import_plan& plan, const std::optional<tpm_key>& ek) {
    switch (plan.parent) {
        case parent_kind::ek:
            co_return *ek;
        case parent_kind::persistent: {
            p.at("reading the parent key at " + hex_handle(plan.parent_handle));
            auto pub = co_await read_public_checked(tpm, plan.parent_handle);
            if (!is_storage_key(pub))
                throw atpc::error(fault::tpm, "the key at --parent " + hex_handle(plan.parent_handle) +
                                                  " is not a storage key (restricted decryption RSA or ECC key)");
            co_return tpm_key{plan.parent_handle, pub, matches_ek_rsa_template(pub), true};
        }
        case parent_kind::h2:
            break;
    }
    p.at("creating the H-2 ECC P-256 parent under the owner hierarchy");
    co_return co_await create_h2_parent(tpm, plan.parent_auth);
}

// A session that authorizes the parent for one command (the TPM flushes it
// after), salted to `salt` when given and then also encrypting the
// command's first parameter when `attributes` asks for decrypt.
net::awaitable<std::unique_ptr<AuthSession>> parent_session(client& tpm, progress& p, const import_plan& plan,
                                                            const tpm_key& parent, const tpm_key* salt,
                                                            TPMA_SESSION attributes) {
    AuthSession::parameters params;
    params.attributes = attributes;
    if (salt) {
        params.salt_handle = salt->handle;
        params.salt_public = salt->publicArea;
    }
    if (parent.endorsement) {
        p.at("authorizing the endorsement key with PolicySecret(endorsement)");
        co_return co_await endorsement_policy(tpm, params, plan.parent_auth);
    }
    if (!salt) {
        const TPM2B_NAME name = object_name(parent.publicArea);
        const bytes& auth = parent.persistent ? plan.parent_auth : no_auth;
        co_return co_await password_session(tpm, parent.handle, name, auth);
    }
    p.at("starting a session salted to " + to_hex(object_name(salt->publicArea).buffer));
    auto session = co_await start_session(tpm, params);
    // The H-2 primary's own authValue is empty (parent_auth is the owner's).
    if (parent.persistent) session->set_auth_value(plan.parent_auth);
    co_return session;
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
            PCR_Read read;
            read.pcrSelectionIn = pcr_selection(TPM_ALG_SHA256, missing);
            auto rsp = co_await tpm.execute(read);
            if (counter && *counter != rsp.pcrUpdateCounter) changed = true;
            counter = rsp.pcrUpdateCounter;
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

net::awaitable<void> evict(client& tpm, const import_plan& plan, TPM_HANDLE object, const TPM2B_NAME& name,
                           TPM_HANDLE persistent) {
    auto auth = co_await password_session(tpm, TPM_RH_OWNER, no_name, plan.owner_auth);
    EvictControl ec;
    ec.auth = AuthHandle(TPM_RH_OWNER, {}, auth.get());
    ec.objectHandle = NamedHandle(object, name);
    ec.persistentHandle = persistent;
    co_await tpm.execute(ec);
}

net::awaitable<imported_key> import_steps(client& tpm, progress& p, const import_plan& plan, const bytes& hmac_key,
                                          const import_hooks& hooks) {
    imported_key out;

    // 1. Where it will live: refuse an occupied handle before creating anything.
    std::optional<TPM2B_NAME> old_key;
    if (plan.persistent_handle) {
        const TPM_HANDLE h = *plan.persistent_handle;
        p.at("checking persistent handle " + hex_handle(h));
        if (auto pub = co_await occupant(tpm, h)) {
            if (!plan.force)
                throw atpc::error(fault::tpm, "persistent handle " + hex_handle(h) + " already holds a key (name " +
                                                  to_hex(object_name(*pub).buffer) +
                                                  "): choose another --persistentHandle, or pass --force to replace it");
            // Only what import itself makes: never a storage key, an EK or
            // sealed data (a disk key sealed to PCRs, say).
            if (!is_hmac_sha256_key(*pub))
                throw atpc::error(fault::tpm, "persistent handle " + hex_handle(h) +
                                                  " holds something other than an HMAC-SHA256 key (a storage, "
                                                  "endorsement, sealed or asymmetric key), which --force never "
                                                  "replaces: choose another --persistentHandle");
            old_key = object_name(*pub);
        }
    }

    // 2. Parent and salt key.
    std::optional<tpm_key> ek;
    if (plan.salt_name || plan.parent == parent_kind::ek) {
        const bytes& endorsement_auth = plan.parent == parent_kind::ek ? plan.parent_auth : no_auth;
        auto step = [&p](std::string s) { p.at(std::move(s)); };
        ek = co_await endorsement_key(tpm, step, endorsement_auth, plan.salt_name, "send the secret to this TPM");
    }
    tpm_key parent = co_await parent_key(tpm, p, plan, ek);
    const tpm_key& salt = plan.salt_name ? *ek : parent;
    out.parent_name = object_name(parent.publicArea);
    out.salt_name = object_name(salt.publicArea);
    out.salt_verified = plan.salt_name.has_value();
    out.ek_persistent = parent.persistent;
    out.file_parent = plan.parent == parent_kind::h2   ? TPM_RH_OWNER
                      : plan.parent == parent_kind::ek ? ek_rsa_persistent_handle
                                                       : plan.parent_handle;

    // 3. The key's policy: PolicyPCR over the current values, then
    // PolicyAuthValue with a password, the order the credential flow runs them.
    bytes auth_policy;
    if (!plan.pcrs.empty()) {
        auto values = co_await read_pcrs(tpm, p, plan.pcrs);
        policy_digest d;
        d.pcr(pcr_selection(TPM_ALG_SHA256, plan.pcrs), pcr_digest(TPM_ALG_SHA256, values));
        if (!plan.key_auth.empty()) d.auth_value();
        auth_policy = d.digest();
    }
    const TPMT_PUBLIC wanted =
        hmac_key_template(key_attributes(!plan.key_auth.empty(), !plan.pcrs.empty()), auth_policy);

    // 4. Create: the secret and the password travel encrypted (decrypt session).
    {
        auto session = co_await parent_session(tpm, p, plan, parent, &salt, TPMA_SESSION_decrypt);
        p.at("creating the HMAC key with TPM2_Create (secret encrypted on the bus)");
        Create create;
        create.parentHandle = AuthHandle(parent.handle, out.parent_name, session.get());
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

    // 5. Load, and check the TPM agrees on the name.
    TPM_HANDLE loaded = 0;
    {
        auto session = co_await parent_session(tpm, p, plan, parent, parent.endorsement ? &salt : nullptr, 0);
        p.at("loading the new key");
        Load load;
        load.parentHandle = AuthHandle(parent.handle, out.parent_name, session.get());
        load.inPrivate = out.priv;
        load.inPublic = out.pub;
        auto rsp = co_await tpm.execute(load);
        if (rsp.name != out.name)
            throw atpc::error(fault::tpm, "the TPM reports a different name for the loaded key than its public area gives");
        loaded = rsp.objectHandle;
    }

    // 6. The caller's temporary file, then the persistent handle.
    if (hooks.prepare) hooks.prepare(out);
    if (plan.persistent_handle) {
        const TPM_HANDLE h = *plan.persistent_handle;
        p.handle = h;
        if (old_key) {
            p.at("evicting the key at " + hex_handle(h) + " (--force)");
            co_await evict(tpm, plan, h, *old_key, h);
            p.evicted_old = out.replaced = true;
        }
        p.at("making the key persistent at " + hex_handle(h));
        co_await evict(tpm, plan, loaded, out.name, h);
        out.persisted = true;
    }

    // 7. The caller's commit; a failure there takes the new handle back out.
    std::exception_ptr failure;
    try {
        if (hooks.commit) hooks.commit();
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure && out.persisted) {
        p.at("undoing the EvictControl at " + hex_handle(*plan.persistent_handle));
        try {
            co_await evict(tpm, plan, *plan.persistent_handle, out.name, *plan.persistent_handle);
        } catch (const std::exception&) {
            // Reported below: the original failure is what the user must see.
        }
    }
    if (failure) std::rethrow_exception(failure);
    co_return out;
}

atpc::error explain(const tpmwire::error& e, const progress& p) {
    const TPM_RC rc = base_rc(e.rc());
    std::string hint;
    if (rc == TPM_RC_HANDLE && e.command() == TPM_CC_ReadPublic)
        hint = "no key at that handle (tpm2_getcap handles-persistent lists them)";
    else if (rc == TPM_RC_AUTH_FAIL || rc == TPM_RC_BAD_AUTH)
        hint = e.command() == TPM_CC_EvictControl
                   ? "wrong owner password: check --ownerPass / TPM_OWNER_AUTH (or --parentPass with the H-2 parent)"
                   : "wrong password: check --parentPass / TPM_PARENT_AUTH (owner hierarchy for the H-2 parent, "
                     "endorsement hierarchy for --useEKParent, the key's own for --parent)";
    else if (rc == TPM_RC_HIERARCHY)
        hint = "that hierarchy is disabled on this TPM";
    else if (rc == TPM_RC_NV_SPACE)
        hint = "the TPM has no room for another persistent key: evict an unused one (tpm2_evictcontrol) or use --out";
    else if (rc == TPM_RC_NV_DEFINED)
        hint = "the persistent handle is already in use";
    else if (rc == TPM_RC_ATTRIBUTES)
        hint = "the parent cannot hold this key";
    const std::string lost =
        p.evicted_old ? fmt::format(" (the key that was at {} has been evicted)", hex_handle(p.handle)) : "";
    return tpm_failure(e, p.step, hint, lost);
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
    try {
        co_return co_await tpm.scoped(import_steps(tpm, p, plan, hmac_key, hooks));
    } catch (const tpmwire::error& e) {
        throw explain(e, p);
    }
}

}  // namespace atpc::tpm
