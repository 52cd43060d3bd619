#include "sts/endpoint.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "base/error.hpp"
#include "https/url.hpp"

namespace atpc::sts {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view global_host = "sts.amazonaws.com";
constexpr std::string_view global_region = "us-east-1";

// Regions whose "legacy" STS endpoint is the global one (botocore's
// LEGACY_GLOBAL_STS_REGIONS, the same list the endpoint rule sets carry).
constexpr std::array legacy_global_regions = {
    "ap-northeast-1"sv, "ap-south-1"sv, "ap-southeast-1"sv, "ap-southeast-2"sv, "aws-global"sv, "ca-central-1"sv,
    "eu-central-1"sv,   "eu-north-1"sv, "eu-west-1"sv,      "eu-west-2"sv,      "eu-west-3"sv,  "sa-east-1"sv,
    "us-east-1"sv,      "us-east-2"sv,  "us-west-1"sv,      "us-west-2"sv,
};

// STS FIPS hosts published in the SDKs' endpoints.json: sts-fips.<region>
// in the commercial US regions; GovCloud's regular hosts are FIPS already.
constexpr std::array fips_regions = {"us-east-1"sv, "us-east-2"sv, "us-west-1"sv, "us-west-2"sv};
constexpr std::array govcloud_regions = {"us-gov-east-1"sv, "us-gov-west-1"sv};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// DNS suffix of the partition a region belongs to (botocore endpoints.json
// regionRegex); unknown prefixes default to the commercial partition, as the
// SDKs do.
std::string_view partition_suffix(std::string_view region) {
    if (starts_with(region, "cn-")) return "amazonaws.com.cn";
    if (starts_with(region, "us-isob-")) return "sc2s.sgov.gov";
    if (starts_with(region, "us-isof-")) return "csp.hci.ic.gov";
    if (starts_with(region, "us-iso-")) return "c2s.ic.gov";
    if (starts_with(region, "eu-isoe-")) return "cloud.adc-e.uk";
    if (starts_with(region, "eusc-")) return "amazonaws.eu";
    return "amazonaws.com";
}

bool is_region_name(std::string_view r) {
    if (r.empty() || r.size() > 63 || !(r.front() >= 'a' && r.front() <= 'z') || r.back() == '-') return false;
    return std::all_of(r.begin(), r.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// Parses a boolean setting the way the SDKs do: "true"/"false", any case.
bool env_bool(const env_lookup& env, std::string_view name) {
    auto v = env(name);
    if (!v) return false;
    auto l = https::to_lower(*v);
    if (l == "true") return true;
    if (l == "false") return false;
    throw error(fault::config, std::string(name) + " must be \"true\" or \"false\", not \"" + *v + "\"");
}

bool legacy_sts_endpoints(const env_lookup& env) {
    auto v = env("AWS_STS_REGIONAL_ENDPOINTS");
    if (!v) return false;
    auto l = https::to_lower(*v);
    if (l == "legacy") return true;
    if (l == "regional") return false;
    throw error(fault::config, "AWS_STS_REGIONAL_ENDPOINTS must be \"regional\" or \"legacy\", not \"" + *v + "\"");
}

endpoint from_override(const std::string& url, std::string_view source, std::optional<std::string> region,
                       fault kind) {
    // An endpoint URL never needs credentials in it; refuse them, and never
    // echo a URL that might carry one.
    const bool echo = url.find('@') == std::string::npos;
    auto u = https::parse_url(url, source, echo, kind);
    if (u.userinfo) {
        throw error(kind, std::string(source) + " must not contain a user name or password");
    }
    if (u.scheme != "https") {
        throw error(kind, std::string(source) + " \"" + url + "\" must use https (TLS is always verified; " +
                                       "\"" + u.scheme + "\" is not supported)");
    }
    endpoint e;
    e.host = u.host;
    e.port = u.port.value_or(443);
    e.path = u.path.empty() ? "/" : u.path;
    e.signing_region = region.value_or(std::string(global_region));
    e.source = std::string(source);
    return e;
}

endpoint computed(std::optional<std::string> region, const env_lookup& env) {
    bool fips = env_bool(env, "AWS_USE_FIPS_ENDPOINT");
    // Deprecated pseudo-regions "us-east-1-fips" / "fips-us-east-1" mean the
    // FIPS endpoint of the real region, signed for that region (botocore).
    if (region && region->size() > 5) {
        if (region->compare(region->size() - 5, 5, "-fips") == 0) {
            region->resize(region->size() - 5);
            fips = true;
        } else if (region->compare(0, 5, "fips-") == 0) {
            region->erase(0, 5);
            fips = true;
        }
    }
    const bool legacy = legacy_sts_endpoints(env);
    endpoint e;
    if (!region || *region == "aws-global") {
        if (fips) {
            throw error(fault::config,
                        "AWS_USE_FIPS_ENDPOINT=true needs a region (--aws-region or AWS_REGION); the global STS "
                        "endpoint has no FIPS variant");
        }
        e.host = std::string(global_host);
        e.signing_region = std::string(global_region);
        e.source = region ? "region aws-global" : "no region configured (global endpoint)";
        return e;
    }
    const std::string& r = *region;
    e.signing_region = r;
    e.source = "region " + r;
    if (fips) {
        if (contains(fips_regions, r)) {
            e.host = "sts-fips." + r + ".amazonaws.com";
        } else if (contains(govcloud_regions, r)) {
            e.host = "sts." + r + ".amazonaws.com";
        } else {
            throw error(fault::config, "no FIPS STS endpoint is known for region " + r +
                                           " (only us-east-1, us-east-2, us-west-1, us-west-2, us-gov-east-1, "
                                           "us-gov-west-1); unset AWS_USE_FIPS_ENDPOINT or pass --sts-endpoint");
        }
        e.source += " (FIPS)";
        return e;
    }
    if (legacy && contains(legacy_global_regions, r)) {
        e.host = std::string(global_host);
        e.signing_region = std::string(global_region);
        e.source += " (AWS_STS_REGIONAL_ENDPOINTS=legacy)";
        return e;
    }
    e.host = "sts." + r + "." + std::string(partition_suffix(r));
    return e;
}

}  // namespace

std::string endpoint::host_header() const { return https::https_authority(host, port); }

std::string endpoint::url() const { return "https://" + host_header() + path; }

std::optional<std::string> resolve_region(const endpoint_inputs& in, const env_lookup& env) {
    if (in.region && !in.region->empty()) {
        if (!is_region_name(*in.region)) {
            throw error(fault::usage, "--aws-region \"" + *in.region + "\" is not a region name (e.g. us-east-1)");
        }
        return in.region;
    }
    for (auto name : {"AWS_REGION"sv, "AWS_DEFAULT_REGION"sv}) {
        if (auto v = env(name); v && !v->empty()) {
            if (!is_region_name(*v)) {
                throw error(fault::config,
                            std::string(name) + " \"" + *v + "\" is not a region name (e.g. us-east-1)");
            }
            return v;
        }
    }
    return std::nullopt;
}

endpoint resolve_endpoint(const endpoint_inputs& in, const env_lookup& env) {
    auto region = resolve_region(in, env);
    if (in.endpoint_url && !in.endpoint_url->empty()) return from_override(*in.endpoint_url, "--sts-endpoint", region, fault::usage);
    for (auto name : {"AWS_ENDPOINT_URL_STS"sv, "AWS_ENDPOINT_URL"sv}) {
        if (auto v = env(name); v && !v->empty()) return from_override(*v, name, region, fault::config);
    }
    return computed(region, env);
}

}  // namespace atpc::sts
