// Task 1 of SigV4: the canonical request (the rules for every service but S3).
#pragma once

#include "sigv4/request.hpp"

#include <string>

namespace atpc::sigv4 {

// METHOD \n path \n query \n headers \n\n signed-headers \n hex(SHA-256(body)).
// The path is dot-segment and slash normalised, then percent-encoded once
// more (so an already-encoded path ends up encoded twice, as AWS requires for
// non-S3 services). Query parameters are decoded, re-encoded, and sorted by
// key then value. Header names are lower-cased, values trimmed with inner
// runs of spaces and tabs collapsed, repeated names joined with ',' in the
// order given. Throws atpc::error(fault::usage) for a request that cannot be
// signed (no Host header, a bad header name, a control byte in a value...).
std::string canonical_request(const request& r);

// The lower-cased header names, sorted, without repeats, joined with ';'.
std::string signed_headers(const request& r);

}  // namespace atpc::sigv4
