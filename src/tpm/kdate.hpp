// kDate = HMAC("AWS4" + secret, YYYYMMDD), computed by the TPM.
//
// The TPM commands per mode (README, "Security model", checked by
// tests/src/tpm/kdate_modes_test.cpp; the salt key pinned):
//   handle, no password, noDA      ReadPublic, HMAC                               2
//   handle, no password, DA key    ReadPublic, GetCapability (lockout guard), HMAC 3
//   handle, password               ReadPublic, ReadPublic (salt EK), GetCapability,
//                                  StartAuthSession (salted), HMAC                 5
//   handle, PCR policy             ReadPublic, ReadPublic (salt EK),
//                                  StartAuthSession (salted), PolicyPCR, HMAC      5
//   key file (H-2 parent)          CreatePrimary, Load, [GetCapability],
//                                  StartAuthSession (salted to the parent), HMAC,
//                                  FlushContext x2                                 6-7
//   with the H-2 primary as salt key, CreatePrimary and FlushContext replace the
//   EK's ReadPublic; the first run adds a GetCapability (the EK lookup);
//   --tpm-session-encrypt-with-name adds ReadPublic of the EK (and CreatePrimary
//   of the EK when it is not persistent).
// Sessions end with continueSession clear, so the TPM flushes them itself;
// everything else created is flushed on every path.
#pragma once

#include "tpm/key_plan.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <functional>

namespace tpmwire {
class client;
}

namespace atpc::tpm {

struct kdate_result {
    tpmwire::bytes kdate;
    // The HMAC response was encrypted on the bus (salted or bound session).
    bool encrypted = false;
    // Filled by kdate_from(): commands sent, and how many of those were resent
    // because the TPM asked.
    std::size_t commands = 0;
    std::size_t retries = 0;
};

// Runs the TPM part and flushes what it created, whatever happens. Throws
// atpc::error(fault::tpm) with one line saying what failed and what to check.
// `serialize_da`, if set, is awaited once before the lockout guard reads the
// dictionary-attack counter (kdate_from takes the per-TPM lock there).
boost::asio::awaitable<kdate_result> compute_kdate(tpmwire::client& tpm, const key_plan& plan, std::string date,
                                                   trace_fn trace,
                                                   std::function<boost::asio::awaitable<void>()> serialize_da = {});

// The whole TPM part as the credential flow and whoami run it: the per-TPM
// lock (lock.hpp: the whole run without a resource manager, else from the
// lockout guard on), a client with `timeout` per command and nothing past
// `deadline`, then compute_kdate. `locked` runs once the TPM is ours to use.
boost::asio::awaitable<kdate_result> kdate_from(const key_plan& plan, std::chrono::milliseconds timeout,
                                                std::chrono::steady_clock::time_point deadline, std::string date,
                                                trace_fn trace, std::function<void()> locked = {});

}  // namespace atpc::tpm
