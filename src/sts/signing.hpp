// SigV4 for Query requests: signs each attempt with a kDate, computed by the
// TPM (make_signer) or in software from temporary credentials
// (make_temporary_signer). Any Query service: the SigV4 service name
// ("sts", "iam") is a parameter.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include <tpmwire/bytes.hpp>

#include "https/message.hpp"
#include "sts/credentials.hpp"

namespace atpc::sts {

// Adds X-Amz-Date and Authorization for time `now` (the local clock corrected
// by any skew the server reported). Called once per attempt, so a retry is
// signed afresh; it may throw (e.g. the TPM failed), which ends the call.
using signer = std::function<void(https::request& request, std::chrono::system_clock::time_point now)>;

struct signing_scope {
    std::string region;   // SigV4 credential-scope region
    std::string service;  // "sts", "iam"
};

// Adds X-Amz-Date and Authorization to `out` (every header it already has
// is signed), with kDate of `date` (YYYYMMDD) as the first signing key.
void sign_request(https::request& out, std::string_view access_key_id, tpmwire::bytes_view kdate,
                  const std::string& date, const signing_scope& scope, const std::string& amz_date);

// `kdate` (HMAC of `kdate_date`, YYYYMMDD) must outlive the signer. A retry
// that happens after UTC midnight is signed as of the last second of
// kDate's day: AWS accepts a request signed up to 15 minutes earlier, and
// the TPM is not asked again.
signer make_signer(std::string access_key_id, const tpmwire::bytes& kdate, std::string kdate_date,
                   signing_scope scope);

// Signs with temporary credentials (kDate in software, the session token as
// a signed X-Amz-Security-Token header). `c` must outlive the signer.
signer make_temporary_signer(const credentials& c, signing_scope scope);

}  // namespace atpc::sts
