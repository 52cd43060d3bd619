// What a TPM flow (kDate, import) reports: the step it is at (its --debug
// trace, and the step a failure names), what it is authorizing, the lockout
// counters it read, and the one line a TPM failure becomes.
#pragma once

#include "base/error.hpp"
#include "tpm/key_plan.hpp"

#include "tpmwire/error.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace tpmwire {
class client;
}

namespace atpc::tpm {

// The entity the next authorized command authorizes: a wrong password is
// that entity's, and the lockout guard protects it.
enum class entity {
    none,
    owner_hierarchy,
    endorsement_hierarchy,
    parent_key,
    signing_key,
};

// "the owner hierarchy", "the parent key", ...
std::string describe(entity e);

// One flow's progress through the TPM: every step is named before it runs.
struct progress {
    std::string step;
    trace_fn trace;
    entity authorizing = entity::none;
    // TPM_PT_LOCKOUT_COUNTER, TPM_PT_MAX_AUTH_FAIL and TPM_PT_LOCKOUT_INTERVAL,
    // once the lockout guard has read them.
    std::optional<std::uint32_t> lockout_counter, lockout_max, lockout_interval;
    // Tries the guard leaves for the TPM's other users (--lockout-reserve).
    std::uint32_t lockout_reserve = 2;
    // Awaited once before the guard reads the counter: takes the per-TPM
    // lock (lock.hpp) so that runs try passwords one at a time.
    std::function<boost::asio::awaitable<void>()> serialize_da;
    // What the run changed that a later failure does not undo, appended to
    // that failure's message: " (the key that was at 0x… has been evicted)".
    std::string irreversible;

    void at(std::string s);
};

// "wrong password for the owner hierarchy: check <flags>" (the signing key
// is "wrong password: check <flags>").
std::string wrong_password(const progress& p, const std::string& flags);

// One line for a failed TPM step: "TPM: <step> failed: <what>; <hint>".
// `flow_hint` is the flow's own advice for this failure (or empty); the
// advice every flow shares (lockout, a TPM full of objects, a disabled
// hierarchy, a free handle, more time) is used when it has none, and a
// TPM_RC_AUTH_FAIL after the lockout guard says how many failures now
// count. A timeout stays fault::timeout.
atpc::error explain(const tpmwire::error& e, const progress& p, std::string flow_hint);

// --debug: "TPM: done, N commands" (and how many the TPM asked to resend).
void trace_done(const trace_fn& trace, const tpmwire::client& tpm);

}  // namespace atpc::tpm
