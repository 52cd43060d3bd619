#include "tpm/parent.hpp"

#include "tpm/sessions.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/marshal/rc.hpp"
#include "tpmwire/sessions/name.hpp"

namespace atpc::tpm {

using namespace tpmwire;
namespace net = boost::asio;

namespace {

// A restricted decryption key: what TPM2_Create and TPM2_Load accept as a parent.
bool is_storage_key(const TPMT_PUBLIC& p) {
    constexpr TPMA_OBJECT need = TPMA_OBJECT_restricted | TPMA_OBJECT_decrypt;
    return (p.type == TPM_ALG_RSA || p.type == TPM_ALG_ECC) && (p.objectAttributes & need) == need &&
           !(p.objectAttributes & TPMA_OBJECT_sign);
}

net::awaitable<tpm_key> persistent_parent(client& tpm, progress& p, TPM_HANDLE h) {
    p.at("reading the parent key at " + hex_handle(h));
    auto pub = co_await read_public_checked(tpm, h);
    if (!is_storage_key(pub))
        throw atpc::error(fault::tpm, "the parent key at " + hex_handle(h) +
                                          " is not a storage key (a restricted decryption RSA or ECC key)");
    // A persistent EK (tpm2_import -C 0x81010001) needs the EK's policy
    // even without --useEKParent.
    co_return tpm_key::of(h, std::move(pub), true);
}

}  // namespace

net::awaitable<tpm_key> create_primary(client& tpm, progress& p, TPM_HANDLE hierarchy, const TPMT_PUBLIC& templ,
                                       bytes_view auth, const tpm_key* salt) {
    auto session = co_await authorize_hierarchy(tpm, p, hierarchy, auth, salt);
    CreatePrimary create;
    create.primaryHandle = AuthHandle(hierarchy, {}, session.get());
    create.inPublic.publicArea = templ;
    auto rsp = co_await tpm.execute(create);
    co_return tpm_key::of(rsp.objectHandle, std::move(rsp.outPublic.publicArea), false);
}

tpm_key tpm_key::of(TPM_HANDLE handle, TPMT_PUBLIC pub, bool persistent) {
    tpm_key k;
    k.handle = handle;
    k.name = object_name(pub);
    k.endorsement = matches_ek_rsa_template(pub);
    k.publicArea = std::move(pub);
    k.persistent = persistent;
    return k;
}

parent_choice key_file_parent(const tss2_private_key& file, bool ek_parent, const std::string& path) {
    if (ek_parent) return {parent_kind::ek, ek_rsa_persistent_handle};
    if (handle_type(file.parent) == TPM_HT_PERSISTENT) return {parent_kind::persistent, file.parent};
    if (parent_is_h2_primary(file.parent)) return {parent_kind::h2, TPM_RH_OWNER};
    throw atpc::error(fault::config, "key file " + path + ": parent " + hex_handle(file.parent) +
                                         " is neither the owner hierarchy nor a persistent key");
}

TPM_HANDLE key_file_parent_field(const parent_choice& c) {
    switch (c.kind) {
        case parent_kind::h2:
            return TPM_RH_OWNER;
        case parent_kind::ek:
            return ek_rsa_persistent_handle;
        case parent_kind::persistent:
            break;
    }
    return c.handle;
}

parent_auths auths_for(parent_kind kind, const bytes& parent_auth) {
    parent_auths a;
    if (kind == parent_kind::h2) a.owner = parent_auth;
    if (kind == parent_kind::ek) a.endorsement = parent_auth;
    if (kind != parent_kind::h2) a.use = parent_auth;
    return a;
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

net::awaitable<tpm_key> endorsement_key(client& tpm, progress& p, bytes_view endorsement_auth,
                                        const std::optional<bytes>& expected, const std::string& refused,
                                        const tpm_key* salt) {
    p.at("reading the endorsement key at " + hex_handle(ek_rsa_persistent_handle));
    auto persistent = co_await occupant(tpm, ek_rsa_persistent_handle);
    tpm_key ek;
    if (persistent &&
        (expected ? object_name(*persistent).buffer == *expected : matches_ek_rsa_template(*persistent))) {
        ek = tpm_key::of(ek_rsa_persistent_handle, std::move(*persistent), true);
    } else {
        p.at("creating the endorsement key (TCG template L-1)");
        const TPMT_PUBLIC templ = ek_rsa_template();
        ek = co_await create_primary(tpm, p, TPM_RH_ENDORSEMENT, templ, endorsement_auth, salt);
    }
    ek.endorsement = true;
    if (expected && ek.name.buffer != *expected)
        throw atpc::error(fault::tpm, "the TPM's endorsement key has name " + to_hex(ek.name.buffer) +
                                          ", not the one given by --tpm-session-encrypt-with-name: refusing to " +
                                          refused + " (wrong machine, or something is intercepting the TPM)");
    co_return ek;
}

net::awaitable<tpm_key> create_h2_parent(client& tpm, progress& p, bytes_view owner_auth, const tpm_key* salt) {
    p.at("creating the H-2 ECC P-256 parent under the owner hierarchy");
    const TPMT_PUBLIC templ = h2_ecc_primary_template();
    tpm_key key = co_await create_primary(tpm, p, TPM_RH_OWNER, templ, owner_auth, salt);
    key.h2_primary = true;
    co_return key;
}

net::awaitable<tpm_key> load_parent(client& tpm, progress& p, const parent_choice& c, const parent_auths& auths,
                                    const tpm_key* known, const tpm_key* salt) {
    switch (c.kind) {
        case parent_kind::ek: {
            if (known && known->endorsement) co_return *known;
            const std::optional<bytes> any_name;
            const std::string refused;  // unused: no name to refuse
            co_return co_await endorsement_key(tpm, p, auths.endorsement, any_name, refused, salt);
        }
        case parent_kind::persistent:
            co_return co_await persistent_parent(tpm, p, c.handle);
        case parent_kind::h2:
            break;
    }
    if (known && known->h2_primary) co_return *known;
    co_return co_await create_h2_parent(tpm, p, auths.owner, salt);
}

net::awaitable<tpm_key> load_key(client& tpm, progress& p, const tpm_key& parent, const parent_auths& auths,
                                 const tpm_key* salt, const TPM2B_PUBLIC& pub, const TPM2B_PRIVATE& priv,
                                 const std::string& what) {
    const session_use use{salt, 0};
    auto auth = co_await authorize_parent(tpm, p, parent, auths, use);
    p.at("loading " + what);
    Load load;
    load.parentHandle = AuthHandle(parent.handle, parent.name, auth.get());
    load.inPrivate = priv;
    load.inPublic = pub;
    auto rsp = co_await tpm.execute(load);
    tpm_key key = tpm_key::of(rsp.objectHandle, pub.publicArea, false);
    if (rsp.name != key.name)
        throw atpc::error(fault::tpm, "the TPM reports a different name for " + what +
                                          " than its public area gives: refusing to use it");
    co_return key;
}

}  // namespace atpc::tpm
