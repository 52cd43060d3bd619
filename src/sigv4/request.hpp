// The parts of an HTTP request that AWS Signature Version 4 covers, and the
// credential scope a signature is bound to.
#pragma once

#include <string>
#include <vector>

namespace atpc::sigv4 {

struct header {
    std::string name;   // any case; compared case-insensitively
    std::string value;  // as sent; trimmed and space-collapsed only for signing
};

struct request {
    std::string method;   // "GET", "POST", ...
    std::string path;     // as sent on the wire, starting with '/' ("" means "/")
    std::string query;    // raw query string as sent, without the '?'
    std::vector<header> headers;  // every header here is signed; must include Host
    std::string body;
};

struct scope {
    std::string date;     // YYYYMMDD (UTC), the date part of X-Amz-Date
    std::string region;   // e.g. "us-east-1"
    std::string service;  // e.g. "sts"
};

}  // namespace atpc::sigv4
