// The credentials as `serve` hands them out: the SDKs' container provider
// and EC2's instance metadata each read their own JSON shape.
#pragma once

#include "sts/credentials.hpp"
#include "tpmwire/bytes.hpp"

#include <chrono>
#include <string_view>

namespace atpc::output {

// {"AccessKeyId","SecretAccessKey","Token","Expiration"[,"AccountId"]}.
tpmwire::secret_string container_json(const sts::credentials& c);

// {"Code":"Success","LastUpdated","Type":"AWS-HMAC","AccessKeyId",
//  "SecretAccessKey","Token","Expiration"}.
tpmwire::secret_string imds_json(const sts::credentials& c, std::chrono::system_clock::time_point last_updated);

// {"Code":code,"Message":message}: a refusal or why there are no credentials.
tpmwire::secret_string error_json(std::string_view code, std::string_view message);

}  // namespace atpc::output
