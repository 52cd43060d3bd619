#include "tpm/ek.hpp"

#include "base/error.hpp"

#include "tpmwire/client/nv.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/marshal/rc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace atpc::tpm {

using namespace tpmwire;
namespace net = boost::asio;

namespace {

constexpr ek_slot slots[] = {
    {"ECC P-256", ek_ecc_persistent_handle, ek_ecc_certificate_index, "L-2"},
    {"ECC P-384", ek_ecc_p384_persistent_handle, ek_ecc_p384_certificate_index, ""},
    {"RSA", ek_rsa_persistent_handle, ek_rsa_certificate_index, "L-1"},
};

// An EK certificate is a few hundred bytes to 2 KiB; anything much larger
// in an EK certificate index is not one.
constexpr std::uint16_t max_certificate_size = 16 * 1024;

// Whether `pub` is an EK of `slot`'s kind (any of its templates).
bool of_kind(const ek_slot& slot, const TPMT_PUBLIC& pub) {
    if (slot.persistent == ek_rsa_persistent_handle) return matches_ek_rsa_template(pub);
    if (!ek_ecc_template_name(pub)) return false;
    const TPM_ECC_CURVE curve = std::get<TPMS_ECC_PARMS>(pub.parameters).curveID;
    return curve == (slot.persistent == ek_ecc_p384_persistent_handle ? TPM_ECC_NIST_P384 : TPM_ECC_NIST_P256);
}

TPMT_PUBLIC template_of(const ek_slot& slot) {
    return slot.persistent == ek_rsa_persistent_handle ? ek_rsa_template() : ek_ecc_template();
}

// The EK made from the slot's template now (a transient primary).
net::awaitable<endorsement_key_found> made(client& tpm, progress& p, const ek_slot& slot, bytes_view auth) {
    p.at(fmt::format("creating the {} endorsement key (TCG template {})", slot.label, slot.template_name));
    const TPMT_PUBLIC templ = template_of(slot);
    tpm_key key = co_await create_primary(tpm, p, TPM_RH_ENDORSEMENT, templ, auth, nullptr);
    endorsement_key_found out;
    out.slot = &slot;
    out.key = std::move(key);
    out.what = fmt::format("{} {} endorsement key (made from its TCG template, not persistent)", slot.template_name,
                           slot.label);
    co_return out;
}

bool has_handle(const std::vector<TPM_HANDLE>& all, TPM_HANDLE h) {
    return std::find(all.begin(), all.end(), h) != all.end();
}

// The NV public area of the slot's certificate index; nullopt when the
// index is not defined.
net::awaitable<std::optional<TPMS_NV_PUBLIC>> certificate_index(client& tpm, const ek_slot& slot) {
    std::optional<TPMS_NV_PUBLIC> out;
    try {
        out = co_await nv_read_public(tpm, slot.certificate);
    } catch (const tpmwire::error& e) {
        if (e.kind() != errc::tpm || base_rc(e.rc()) != TPM_RC_HANDLE) throw;
    }
    co_return out;
}

std::string listed(const std::vector<std::string>& names) { return fmt::format("{}", fmt::join(names, "; ")); }

}  // namespace

std::span<const ek_slot> ek_slots() { return slots; }
const ek_slot& rsa_ek_slot() { return slots[2]; }

std::string describe_ek(TPM_HANDLE h, const TPMT_PUBLIC& pub) {
    if (const char* t = ek_ecc_template_name(pub)) return fmt::format("{} ECC endorsement key (TCG template {})", hex_handle(h), t);
    if (matches_ek_rsa_template(pub)) return hex_handle(h) + " RSA endorsement key (TCG template L-1)";
    return {};
}

net::awaitable<std::optional<endorsement_key_found>> present_ek(client& tpm, progress& p, const ek_slot& slot,
                                                                bytes_view endorsement_auth, bool create) {
    std::optional<endorsement_key_found> out;
    p.at(fmt::format("reading the {} endorsement key at {}", slot.label, hex_handle(slot.persistent)));
    auto pub = co_await occupant(tpm, slot.persistent);
    if (pub && of_kind(slot, *pub)) {
        endorsement_key_found found;
        found.slot = &slot;
        found.what = describe_ek(slot.persistent, *pub);
        found.key = tpm_key::of(slot.persistent, std::move(*pub), true);
        out = std::move(found);
        co_return out;
    }
    if (!create || slot.template_name.empty()) co_return out;
    out = co_await made(tpm, p, slot, endorsement_auth);
    co_return out;
}

net::awaitable<std::optional<ekcert::certificate>> read_ek_certificate(client& tpm, progress& p, const ek_slot& slot,
                                                                       std::optional<std::uint16_t>& nv_buffer) {
    std::optional<ekcert::certificate> out;
    const std::string where = "NV index " + hex_handle(slot.certificate);
    p.at(fmt::format("looking for the {} endorsement key certificate at {}", slot.label, where));
    const auto pub = co_await certificate_index(tpm, slot);
    if (!pub || !(pub->attributes & TPMA_NV_WRITTEN)) co_return out;
    if (nv_index_type(pub->attributes) != TPM_NT_ORDINARY || pub->dataSize == 0 || pub->dataSize > max_certificate_size)
        throw atpc::error(fault::tpm, fmt::format("{} is not an ordinary index of 1 to {} bytes, so it holds no EK "
                                                  "certificate: check it with tpm2_nvreadpublic",
                                                  where, max_certificate_size));
    if (!nv_buffer) nv_buffer = co_await nv_buffer_max(tpm);
    p.at(fmt::format("reading the {} endorsement key certificate at {} ({} bytes)", slot.label, where, pub->dataSize));
    const bytes der = co_await nv_read(tpm, *pub, *nv_buffer);
    out = ekcert::certificate::from_der(der, fmt::format("the {} EK certificate in {}", slot.label, where));
    co_return out;
}

net::awaitable<endorsement_key_found> named_ek(client& tpm, progress& p, bytes_view endorsement_auth, const bytes& name,
                                               const std::string& refused) {
    std::vector<std::string> seen;
    for (const ek_slot& slot : ek_slots()) {
        auto found = co_await present_ek(tpm, p, slot, endorsement_auth, false);
        if (!found) continue;
        if (found->key.name.buffer == name) co_return std::move(*found);
        seen.push_back(fmt::format("{} {}", found->what, to_hex(found->key.name.buffer)));
    }
    // Kinds with no persistent EK: made from their template, one at a time.
    for (const ek_slot& slot : ek_slots()) {
        if (slot.template_name.empty()) continue;
        if (std::any_of(seen.begin(), seen.end(), [&](const std::string& s) { return s.starts_with(hex_handle(slot.persistent)); }))
            continue;
        auto fresh = co_await made(tpm, p, slot, endorsement_auth);
        if (fresh.key.name.buffer == name) co_return fresh;
        co_await tpm.flush(fresh.key.handle);
        seen.push_back(fmt::format("{} {}", fresh.what, to_hex(fresh.key.name.buffer)));
    }
    throw atpc::error(fault::tpm, fmt::format("the TPM's endorsement keys ({}) are not the one given by "
                                              "--tpm-session-encrypt-with-name ({}): refusing to {} (wrong machine, or "
                                              "something is intercepting the TPM)",
                                              listed(seen), to_hex(name), refused));
}

net::awaitable<endorsement_key_found> certified_ek(client& tpm, progress& p, bytes_view endorsement_auth,
                                                   const ekcert::ca_bundle& cas, const std::string& refused) {
    std::optional<std::uint16_t> nv_buffer;
    std::vector<std::string> failed;
    for (const ek_slot& slot : ek_slots()) {
        const auto cert = co_await read_ek_certificate(tpm, p, slot, nv_buffer);
        if (!cert) continue;
        if (std::string why = ekcert::verify(*cert, cas); !why.empty()) {
            failed.push_back(fmt::format("{} (NV {}): {}", slot.label, hex_handle(slot.certificate), why));
            continue;
        }
        auto ek = co_await present_ek(tpm, p, slot, endorsement_auth, true);
        if (!ek) {
            failed.push_back(fmt::format("{}: no such EK at {}", slot.label, hex_handle(slot.persistent)));
            continue;
        }
        if (!ekcert::same_key(*cert, ek->key.publicArea))
            throw atpc::error(fault::tpm, fmt::format(
                "{} verifies against --ek-ca {}, but the endorsement key the TPM presents ({}, name {}) has another "
                "key: refusing to {} (something is intercepting the TPM, or the certificate is not this TPM's)",
                cert->what(), cas.path(), ek->what, to_hex(ek->key.name.buffer), refused));
        co_return std::move(*ek);
    }
    if (failed.empty())
        throw atpc::error(fault::tpm, fmt::format(
            "the TPM has no EK certificate in NV ({}, {}, {}): refusing to {}; verify its EK with "
            "--tpm-session-encrypt-with-name, or accept it with --trust-tpm-on-first-use",
            hex_handle(ek_slots()[0].certificate), hex_handle(ek_slots()[1].certificate),
            hex_handle(ek_slots()[2].certificate), refused));
    throw atpc::error(fault::tpm, fmt::format("no EK certificate of this TPM verifies against --ek-ca {}: {}; refusing "
                                              "to {} (check that the file holds the TPM manufacturer's CA and "
                                              "intermediate certificates)",
                                              cas.path(), listed(failed), refused));
}

net::awaitable<endorsement_key_found> first_ek(client& tpm, progress& p, bytes_view endorsement_auth) {
    p.at("looking for a persistent endorsement key");
    const GetCapability list{TPM_CAP_HANDLES, 0x81010000, 64};
    auto rsp = co_await tpm.execute(list);
    for (const ek_slot& slot : ek_slots()) {
        if (!has_handle(rsp.capabilityData.handles, slot.persistent)) continue;
        auto found = co_await present_ek(tpm, p, slot, endorsement_auth, false);
        if (found) co_return std::move(*found);
    }
    co_return co_await made(tpm, p, rsa_ek_slot(), endorsement_auth);
}

bool ek_locatable(std::string_view where) {
    if (where.size() == 10 && where.starts_with("0x81"))
        return std::all_of(where.begin() + 2, where.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
    return std::any_of(std::begin(slots), std::end(slots),
                       [&](const ek_slot& s) { return !s.template_name.empty() && s.template_name == where; });
}

net::awaitable<std::optional<endorsement_key_found>> ek_at(client& tpm, progress& p, std::string_view where,
                                                           bytes_view endorsement_auth) {
    std::optional<endorsement_key_found> out;
    if (!ek_locatable(where))
        throw atpc::error(fault::config, fmt::format("'{}' is neither a persistent handle nor an EK template", where));
    for (const ek_slot& slot : ek_slots()) {
        if (slot.template_name != where) continue;
        out = co_await made(tpm, p, slot, endorsement_auth);
        co_return out;
    }
    const auto h = static_cast<TPM_HANDLE>(std::stoul(std::string(where), nullptr, 16));
    p.at("reading the pinned key at " + hex_handle(h));
    auto pub = co_await occupant(tpm, h);
    if (!pub) co_return out;
    endorsement_key_found found;
    for (const ek_slot& slot : ek_slots())
        if (slot.persistent == h) found.slot = &slot;
    found.what = describe_ek(h, *pub);
    if (found.what.empty()) found.what = hex_handle(h) + " a key of no endorsement key template";
    found.key = tpm_key::of(h, std::move(*pub), true);
    out = std::move(found);
    co_return out;
}

}  // namespace atpc::tpm
