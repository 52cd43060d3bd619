#include "tpm/import_trust.hpp"

#include "base/error.hpp"
#include "tpm/ek.hpp"

#include "tpmwire/client/client.hpp"

#include <fmt/format.h>

namespace atpc::tpm {

using namespace tpmwire;
namespace net = boost::asio;

namespace {

constexpr std::string_view pin_role = ek_pin_role;
constexpr std::string_view refused = "send the secret to this TPM";

[[noreturn]] void refuse_unverified() {
    throw atpc::error(fault::config,
                      "refusing to send the secret to a TPM key nothing has verified (an active attacker on "
                      "the TPM bus could answer with a key of its own): pass --ek-ca=<file> (the TPM manufacturer's "
                      "CA certificates; the EK certificate in the TPM's NV must chain to them), "
                      "--tpm-session-encrypt-with-name=<EK name> (as `aws-tpm-process-credential ek` prints it where "
                      "you trust the TPM), or --trust-tpm-on-first-use (accept this TPM's EK now and pin it for "
                      "later imports)");
}

[[noreturn]] void pin_changed(const files::pin_store& pins, const files::pin& pin, const std::string& now) {
    throw atpc::error(fault::tpm, fmt::format(
        "TPM: the endorsement key pinned for {} is not the one the TPM presents: pinned {} (name {}), now {}; "
        "refusing to {} (a cleared or replaced TPM, or something intercepting it); if the change is expected, verify "
        "the new key with --ek-ca or --tpm-session-encrypt-with-name, or {} and pass --trust-tpm-on-first-use",
        pin.address, pin.what, to_hex(pin.name), now, refused, pins.how_to_forget(pin.address, pin.role)));
}

// The EK where the pin says, refused unless its name is the pinned one.
net::awaitable<endorsement_key_found> pinned_ek(client& tpm, progress& p, bytes_view auth,
                                                const files::pin_store& pins, const files::pin& pin) {
    const std::string where = pin.what.substr(0, pin.what.find(' '));
    if (!ek_locatable(where))
        throw atpc::error(fault::config, "the pins file " + pins.file() + " names no handle or EK template for " +
                                             pin.address + ": " + pins.how_to_forget(pin.address, pin.role));
    auto ek = co_await ek_at(tpm, p, where, auth);
    if (!ek) pin_changed(pins, pin, "no key at " + where);
    if (ek->key.name.buffer != pin.name)
        pin_changed(pins, pin, fmt::format("{} (name {})", ek->what, to_hex(ek->key.name.buffer)));
    co_return std::move(*ek);
}

std::string first_use_line(const import_plan& plan, const endorsement_key_found& ek, const files::pin_store& pins) {
    return fmt::format("trusting the TPM at {} on first use (--trust-tpm-on-first-use): the secret goes salted to {}, "
                       "name {}; pinned in {} for later imports (compare the name with what "
                       "`aws-tpm-process-credential ek` prints where you trust the TPM)",
                       plan.address, ek.what, to_hex(ek.key.name.buffer), pins.file());
}

// The EK as the flags ask (not the pin), and why it is trusted.
net::awaitable<endorsement_key_found> asked_ek(client& tpm, progress& p, const import_plan& plan, bytes_view auth,
                                               trust_basis& basis) {
    if (plan.salt_name) {
        basis = trust_basis::name;
        co_return co_await named_ek(tpm, p, auth, *plan.salt_name, std::string(refused));
    }
    if (plan.ek_ca) {
        basis = trust_basis::certificate;
        co_return co_await certified_ek(tpm, p, auth, *plan.ek_ca, std::string(refused));
    }
    basis = trust_basis::first_use;
    co_return co_await first_ek(tpm, p, auth);
}

}  // namespace

trust_decision decide_trust(const import_plan& plan) {
    trust_decision out{files::pin_store::for_user(), std::nullopt};
    if (plan.salt_name || plan.ek_ca) return out;
    out.pin = out.pins.lookup(plan.address, pin_role);
    if (!out.pin && !plan.trust_on_first_use) refuse_unverified();
    return out;
}

net::awaitable<trusted_key> trusted_salt_key(client& tpm, progress& p, const import_plan& plan,
                                             const trust_decision& decided, bytes_view endorsement_auth,
                                             const std::function<void(const std::string&)>& trusting) {
    const files::pin_store& pins = decided.pins;
    trusted_key out;
    out.pins_file = pins.file();
    endorsement_key_found ek;
    if (decided.pin) {
        out.basis = trust_basis::pin;
        ek = co_await pinned_ek(tpm, p, endorsement_auth, pins, *decided.pin);
    } else {
        ek = co_await asked_ek(tpm, p, plan, endorsement_auth, out.basis);
        if (out.basis == trust_basis::first_use && trusting) trusting(first_use_line(plan, ek, pins));
        pins.record(files::pin{plan.address, std::string(pin_role), ek.key.name.buffer, ek.what});
        if (p.trace) p.trace("TPM: pinned " + ek.what + " (name " + to_hex(ek.key.name.buffer) + ") in " + pins.file());
    }
    out.key = std::move(ek.key);
    out.what = std::move(ek.what);
    co_return out;
}

}  // namespace atpc::tpm
