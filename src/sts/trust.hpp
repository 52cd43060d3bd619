// Which certificates the TLS client trusts. A custom bundle (--ca-bundle,
// else AWS_CA_BUNDLE) replaces the system store, as in the AWS SDKs.
// Otherwise the system store is used as OpenSSL's hashed directory
// (SSL_CERT_DIR, else OpenSSL's default, /usr/lib/ssl/certs ->
// /etc/ssl/certs on Debian): certificates are read only when looked up,
// instead of parsing the whole bundle on every run (~24 ms).
// Verification itself can never be turned off.
#pragma once

#include <optional>
#include <string>

#include "base/env.hpp"

namespace atpc::sts {

struct trust_store {
    std::optional<std::string> ca_bundle;  // PEM file with the CAs to trust
    std::string ca_bundle_source;          // "--ca-bundle" or "AWS_CA_BUNDLE"
    std::string system_dir;                // hashed directory(ies), ':'-separated
};

trust_store resolve_trust(const std::optional<std::string>& ca_bundle_flag, const env_lookup& env);

}  // namespace atpc::sts
