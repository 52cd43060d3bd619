// Glue between the STS client and SigV4: signs each attempt with the kDate
// the TPM computed.
#pragma once

#include "sts/outgoing.hpp"

#include "tpmwire/bytes.hpp"

#include <string>
#include <string_view>

namespace atpc::sts {

// Adds X-Amz-Date and Authorization to `out` (every header it already has
// is signed), with kDate of `date` (YYYYMMDD) as the first signing key.
void sign_outgoing(outgoing& out, std::string_view access_key_id, tpmwire::bytes_view kdate,
                   const std::string& date, const std::string& region, const std::string& amz_date);

// `kdate` (HMAC of `kdate_date`, YYYYMMDD) must outlive the signer. A retry
// that happens after UTC midnight is signed as of the last second of
// kDate's day: AWS accepts a request signed up to 15 minutes earlier, and
// the TPM is not asked again.
signer make_signer(std::string access_key_id, const tpmwire::bytes& kdate, std::string kdate_date,
                        std::string region);

}  // namespace atpc::sts
