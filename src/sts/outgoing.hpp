// The request as the signer sees it. The client builds it for every attempt
// with exactly the headers SigV4 signs (Host, Content-Type, Content-Length),
// calls the signer, which appends X-Amz-Date and Authorization, and then
// sends those headers in order plus the unsigned Accept and User-Agent.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sts/endpoint.hpp"

namespace atpc::sts {

struct outgoing {
    std::string method;  // "POST"
    std::string host;    // Host header value (":port" when not 443)
    std::string path;    // request target, e.g. "/"
    std::vector<std::pair<std::string, std::string>> headers;  // name, value
    std::string body;    // form-encoded

    // Value of the first header named `name` (ASCII case-insensitive), or nullptr.
    const std::string* header(std::string_view name) const;
};

// Adds X-Amz-Date and Authorization for time `now` (the local clock corrected
// by any skew the server reported). Called once per attempt, so a retry is
// signed afresh; it may throw (e.g. the TPM failed), which ends the call.
using signer = std::function<void(outgoing& request, std::chrono::system_clock::time_point now)>;

// POST of a form body to the endpoint, with the three signed headers:
// Host, Content-Type (application/x-www-form-urlencoded; charset=utf-8) and
// Content-Length.
outgoing make_outgoing(const endpoint& target, std::string body);

}  // namespace atpc::sts
