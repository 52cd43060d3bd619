#include "tpm/failure.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/marshal/rc.hpp"

#include <fmt/format.h>

namespace atpc::tpm {

using namespace tpmwire;

std::string hex_handle(TPM_HANDLE h) { return fmt::format("0x{:08x}", h); }

std::string describe(entity e) {
    switch (e) {
        case entity::owner_hierarchy:
            return "the owner hierarchy";
        case entity::endorsement_hierarchy:
            return "the endorsement hierarchy";
        case entity::parent_key:
            return "the parent key";
        case entity::signing_key:
            return "the key";
        case entity::none:
            break;
    }
    return "the TPM";
}

void progress::at(std::string s) {
    step = std::move(s);
    if (trace) trace("TPM: " + step);
}

std::string wrong_password(const progress& p, const std::string& flags) {
    if (p.authorizing == entity::signing_key || p.authorizing == entity::none) return "wrong password: check " + flags;
    return "wrong password for " + describe(p.authorizing) + ": check " + flags;
}

namespace {

std::string common_hint(const tpmwire::error& e) {
    const TPM_RC rc = base_rc(e.rc());
    if (rc == TPM_RC_LOCKOUT)
        return "the TPM is in dictionary-attack lockout after too many wrong passwords; it refuses DA-protected keys "
               "until the lockout interval passes or tpm2_dictionarylockout -c clears it";
    if (rc == TPM_RC_OBJECT_MEMORY || rc == TPM_RC_SESSION_MEMORY)
        return "the TPM is full of objects or sessions someone left loaded: tpm2_flushcontext -t / -l, or use "
               "/dev/tpmrm0";
    if (rc == TPM_RC_HIERARCHY) return "that hierarchy is disabled on this TPM";
    if (rc == TPM_RC_HANDLE && e.command() == TPM_CC_ReadPublic)
        return "no key at that handle (tpm2_getcap handles-persistent lists them)";
    return {};
}

// Counted only after the lockout guard read the counter: the failure just
// seen is one more.
std::string failures_counted(const tpmwire::error& e, const progress& p) {
    if (base_rc(e.rc()) != TPM_RC_AUTH_FAIL || !p.lockout_counter || !p.lockout_max) return {};
    return fmt::format("; {} of {} dictionary-attack failures now counted", *p.lockout_counter + 1, *p.lockout_max);
}

}  // namespace

atpc::error explain(const tpmwire::error& e, const progress& p, std::string flow_hint) {
    const std::string step = p.step.empty() ? "talking to the TPM" : p.step;
    if (e.kind() == errc::timeout) {
        // tpmwire names the deadline that fired; the flag that moves it is ours.
        const bool overall = std::string_view(e.what()).find("overall deadline") != std::string_view::npos;
        const std::string more = overall ? "; check the TPM, or allow the whole run more time with --deadline"
                                         : "; check the TPM, or allow each command more time with --timeout";
        return atpc::error(fault::timeout, "TPM: " + step + ": " + e.what() + more + p.irreversible);
    }
    if (e.kind() != errc::tpm) return atpc::error(fault::tpm, "TPM: " + step + ": " + e.what() + p.irreversible);
    const std::string hint = flow_hint.empty() ? common_hint(e) : std::move(flow_hint);
    std::string line = "TPM: " + step + " failed: " + e.what();
    if (!hint.empty()) line += "; " + hint;
    return atpc::error(fault::tpm, line + failures_counted(e, p) + p.irreversible);
}

void trace_done(const trace_fn& trace, const client& tpm) {
    if (!trace) return;
    trace(tpm.retries() ? fmt::format("TPM: done, {} commands ({} resent at the TPM's request)", tpm.commands_sent(),
                                      tpm.retries())
                        : fmt::format("TPM: done, {} commands", tpm.commands_sent()));
}

}  // namespace atpc::tpm
