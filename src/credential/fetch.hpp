// The whole credential fetch, top to bottom:
//   read the key file → TPM: kDate → STS: sign and call → credentials.
#pragma once

#include "credential/settings.hpp"
#include "base/env.hpp"
#include "sts/credentials.hpp"
#include "tpm/key_plan.hpp"

namespace atpc::credential {

// The TPM plan from the options: reads and parses --credential-file, so a
// broken file fails before any TPM I/O. Throws atpc::error.
tpm::key_plan plan_from(const settings& o);

// Runs the fetch under o.deadline. Throws atpc::error with the one line to
// print. After a deadline it returns without waiting for a blocked name
// lookup or device close (those are left to the process exit).
sts::credentials fetch(const settings& o, const env_lookup& env, tpm::trace_fn trace);

}  // namespace atpc::credential
