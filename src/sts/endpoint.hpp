// Where STS requests go and which region signs them.
//
// URL precedence: the --sts-endpoint value, then AWS_ENDPOINT_URL_STS, then
// AWS_ENDPOINT_URL, then a URL computed from the region. Region precedence:
// the --aws-region value, then AWS_REGION, then AWS_DEFAULT_REGION.
// Computed URLs follow the AWS SDKs: regional https://sts.<region>.<suffix>
// (suffix by partition: amazonaws.com, amazonaws.com.cn, ...); the global
// https://sts.amazonaws.com (signed for us-east-1) when there is no region,
// for "aws-global", and for the legacy-global regions when
// AWS_STS_REGIONAL_ENDPOINTS=legacy; FIPS hosts when AWS_USE_FIPS_ENDPOINT=true.
// Overrides must be https: the client never talks to STS without verified TLS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/env.hpp"

namespace atpc::sts {

struct endpoint {
    std::string host;            // lower-case; IPv6 literal without brackets
    std::uint16_t port = 443;
    std::string path = "/";      // the request target
    std::string signing_region;  // SigV4 credential-scope region
    std::string source;          // what chose the URL, for messages ("AWS_ENDPOINT_URL_STS", "region us-east-1", ...)

    // Host header value: the host, with ":port" when the port is not 443.
    std::string host_header() const;
    // https://host[:port]/path
    std::string url() const;
};

struct endpoint_inputs {
    std::optional<std::string> endpoint_url;  // --sts-endpoint
    std::optional<std::string> region;        // --aws-region
};

// The signing region, or nullopt when none is configured. Throws
// atpc::error(usage for the flag, config for the environment) for a value
// that is not a region name.
std::optional<std::string> resolve_region(const endpoint_inputs& in, const env_lookup& env);

// Throws atpc::error (usage/config) naming the setting at fault.
endpoint resolve_endpoint(const endpoint_inputs& in, const env_lookup& env);

}  // namespace atpc::sts
