// Tasks 2-4 of SigV4: string to sign, signing key, signature, Authorization.
//
// The key chain is split: kDate = HMAC("AWS4" + secret, date) is computed
// elsewhere (inside the TPM, which holds the secret); this code only sees
// kDate and derives kRegion, kService and kSigning from it. Every key is a
// zeroizing tpmwire::bytes.
#pragma once

#include "sigv4/request.hpp"

#include "tpmwire/bytes.hpp"

#include <string>
#include <string_view>

namespace atpc::sigv4 {

// "YYYYMMDD/region/service/aws4_request". Throws atpc::error(fault::usage)
// for a malformed date or a region/service outside [A-Za-z0-9._-].
std::string credential_scope(const scope& s);

// "AWS4-HMAC-SHA256\n" amz_date "\n" scope "\n" hex(SHA-256(canonical_request)).
// amz_date must be YYYYMMDDTHHMMSSZ on the scope's date.
std::string string_to_sign(std::string_view amz_date, const scope& s, std::string_view canonical_request);

// kSigning from a 32-byte kDate (atpc::error(fault::internal) for another size).
tpmwire::bytes signing_key(tpmwire::bytes_view kdate, const scope& s);

// Lower-case hex of HMAC-SHA256(kSigning, string_to_sign).
std::string signature(tpmwire::bytes_view signing_key, std::string_view string_to_sign);

// "AWS4-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=<..>, Signature=<..>".
std::string authorization(std::string_view access_key_id, const scope& s, std::string_view signed_headers,
                          std::string_view signature);

// Signs r in place: adds X-Amz-Date (unless r already carries that exact
// value) and then Authorization, covering every header r has. Throws
// atpc::error(fault::usage) if r already has an Authorization header, an
// X-Amz-Date with another value, or amz_date is not on s.date.
void sign(request& r, std::string_view access_key_id, tpmwire::bytes_view kdate, const scope& s,
          std::string_view amz_date);

// kDate = HMAC("AWS4" + secret, date) computed in software: for a secret
// already in memory (whoami --via-sts signs with the temporary credentials
// STS returned), tests and benchmarks. The long-term secret's kDate is
// always computed in the TPM.
tpmwire::bytes software_kdate(std::string_view secret_access_key, std::string_view date);

}  // namespace atpc::sigv4
