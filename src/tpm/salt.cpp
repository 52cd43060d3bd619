#include "tpm/salt.hpp"

#include "base/error.hpp"
#include "files/pins.hpp"
#include "tpm/ek.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/keyfile/templates.hpp"
#include "tpmwire/sessions/name.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace atpc::tpm {

using namespace tpmwire;
namespace net = boost::asio;

namespace {

constexpr std::string_view pin_role = "salt";
constexpr std::string_view h2_what = "H-2 ECC P-256 primary under the owner hierarchy";

// The H-2 primary, made with the owner password (--parentPass).
net::awaitable<salt_key> h2_salt(client& tpm, progress& p, const salt_request& want) {
    salt_key out;
    out.key = co_await create_h2_parent(tpm, p, want.owner_auth, nullptr);
    out.what = std::string(h2_what);
    co_return out;
}

// First use: a persistent EK (one GetCapability lists them), else the H-2 primary.
net::awaitable<salt_key> discover(client& tpm, progress& p, const salt_request& want) {
    p.at("looking for a persistent endorsement key to salt the sessions to");
    const GetCapability list{TPM_CAP_HANDLES, 0x81010000, 64};
    auto rsp = co_await tpm.execute(list);
    const auto& present = rsp.capabilityData.handles;
    for (const ek_slot& slot : ek_slots()) {
        if (std::find(present.begin(), present.end(), slot.persistent) == present.end()) continue;
        auto ek = co_await present_ek(tpm, p, slot, want.endorsement_auth, false);
        if (!ek) continue;  // not an EK template: not trusted to be one
        salt_key out{std::move(ek->key), false, std::move(ek->what)};
        co_return out;
    }
    co_return co_await h2_salt(tpm, p, want);
}

[[noreturn]] void changed(const files::pin_store& pins, const files::pin& pin, const std::string& now) {
    throw atpc::error(fault::tpm,
                      fmt::format("TPM: the key that salts the sessions for {} is not the one pinned: pinned {} (name "
                                  "{}), now {}; refusing to send anything secret to this TPM (a cleared or replaced "
                                  "TPM, or something intercepting it); if the change is expected, {} to pin the new key",
                                  pin.address, pin.what, to_hex(pin.name), now, pins.how_to_forget(pin.address, pin.role)));
}

// The key where the pin says it is ("0x8101…", an EK template, or "H-2"), checked against the pin.
net::awaitable<salt_key> pinned(client& tpm, progress& p, const salt_request& want, const files::pin_store& pins,
                                const files::pin& pin) {
    const std::string where = pin.what.substr(0, pin.what.find(' '));
    salt_key out;
    if (where == "H-2") {
        out = co_await h2_salt(tpm, p, want);
    } else if (ek_locatable(where)) {
        auto ek = co_await ek_at(tpm, p, where, want.endorsement_auth);
        if (!ek) changed(pins, pin, "no key at " + where);
        out = salt_key{std::move(ek->key), true, std::move(ek->what)};
    } else {
        throw atpc::error(fault::config, "the pins file " + pins.file() + " names no handle, EK template or H-2 for " +
                                             pin.address + ": " + pins.how_to_forget(pin.address, pin.role));
    }
    if (out.key.name.buffer != pin.name) changed(pins, pin, fmt::format("{} (name {})", out.what, to_hex(out.key.name.buffer)));
    out.verified = true;
    co_return out;
}

net::awaitable<salt_key> named(client& tpm, progress& p, const salt_request& want) {
    auto ek = co_await named_ek(tpm, p, want.endorsement_auth, *want.name, want.refused);
    salt_key out{std::move(ek.key), true, "the endorsement key named by --tpm-session-encrypt-with-name"};
    co_return out;
}

// The EK an import verified (or was told to trust) for this TPM, where the
// credential flow has pinned nothing yet: trusted already. Only a persistent
// one: an EK made from its template on every run costs a hardware TPM seconds.
std::optional<files::pin> verified_ek(const files::pin_store& pins, const std::string& address) {
    auto pin = pins.lookup(address, ek_pin_role);
    if (pin && !pin->what.starts_with("0x81")) pin.reset();
    return pin;
}

void record(const files::pin_store& pins, progress& p, const salt_request& want, const salt_key& key) {
    pins.record(files::pin{want.address, std::string(pin_role), key.key.name.buffer, key.what});
    if (p.trace) p.trace("TPM: pinned " + key.what + " (name " + to_hex(key.key.name.buffer) + ") in " + pins.file());
}

}  // namespace

net::awaitable<std::optional<salt_key>> choose_salt_key(client& tpm, progress& p, const salt_request& want) {
    std::optional<salt_key> out;
    if (want.name) {
        out = co_await named(tpm, p, want);
        co_return out;
    }
    if (!want.needed) co_return out;
    const files::pin_store pins = files::pin_store::for_user();
    auto pin = pins.lookup(want.address, pin_role);
    const bool adopted = !pin && (pin = verified_ek(pins, want.address)).has_value();
    if (pin) {
        out = co_await pinned(tpm, p, want, pins, *pin);
        if (adopted) record(pins, p, want, *out);
        co_return out;
    }
    out = co_await discover(tpm, p, want);
    record(pins, p, want, *out);
    co_return out;
}

std::optional<salt_key> salt_or_parent(const std::optional<salt_key>& chosen, const tpm_key* parent) {
    if (chosen) return chosen;
    if (parent) return salt_key{*parent, false, "the parent"};
    return std::nullopt;
}

}  // namespace atpc::tpm
