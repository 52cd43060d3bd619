// Which certificates the TLS client trusts: a PEM bundle the caller names
// (with where it was named, for messages), or the system store as OpenSSL's
// hashed directory (SSL_CERT_DIR, else OpenSSL's default, /usr/lib/ssl/certs
// -> /etc/ssl/certs on Debian). A hashed directory is read only when a
// certificate is looked up, instead of parsing a whole bundle on every run
// (bench/README.md). Verification itself can never be turned off.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "base/env.hpp"

namespace atpc::https {

struct trust_store {
    std::optional<std::string> ca_bundle;  // PEM file with the CAs to trust
    std::string ca_bundle_source;          // where it was named, e.g. a flag or a variable
    std::string system_dir;                // hashed directory(ies), ':'-separated

    // "the CA bundle X (from Y)" or "the system CA store": for messages.
    std::string describe() const;
};

// `ca_bundle` (named by `source`) when set and non-empty, else the system store.
trust_store resolve_trust(const std::optional<std::string>& ca_bundle, std::string source, const env_lookup& env);

// TLS client context: TLS >= 1.2, peer verification always on, trust from
// `trust`. Throws atpc::error(fault::config) when the CA bundle or directory
// cannot be used, before any I/O.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const trust_store& trust);

}  // namespace atpc::https
