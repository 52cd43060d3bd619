// The whole credential fetch, top to bottom:
//   read the key file → TPM: kDate → STS: sign and call → credentials.
#pragma once

#include "credential/settings.hpp"
#include "base/env.hpp"
#include "sts/credentials.hpp"
#include "tpm/key_plan.hpp"

#include <boost/asio/awaitable.hpp>

namespace atpc::credential {

// The TPM plan from the options: reads and parses --credential-file, so a
// broken file fails before any TPM I/O. Throws atpc::error.
tpm::key_plan plan_from(const settings& o);

// The pipeline on the calling coroutine's executor, under its own deadline
// (o.deadline from the call; fault::timeout naming the stage it stopped in).
// Parameters are copies, so the caller's may go away while it runs. Throws
// atpc::error with the one line to print. Nothing else is shared between
// calls: each one reads the key file, uses the TPM once and calls STS.
boost::asio::awaitable<sts::credentials> fetch_async(settings o, env_lookup env, tpm::trace_fn trace);

// fetch_async run to completion on its own io_context. After a deadline it
// returns without waiting for a blocked name lookup or device close (those
// are left to the process exit).
sts::credentials fetch(const settings& o, const env_lookup& env, tpm::trace_fn trace);

}  // namespace atpc::credential
