#include "sts/trust.hpp"

#include <openssl/x509.h>

namespace atpc::sts {

trust_store resolve_trust(const std::optional<std::string>& ca_bundle_flag, const env_lookup& env) {
    trust_store t;
    if (ca_bundle_flag && !ca_bundle_flag->empty()) {
        t.ca_bundle = ca_bundle_flag;
        t.ca_bundle_source = "--ca-bundle";
    } else if (auto v = env("AWS_CA_BUNDLE"); v && !v->empty()) {
        t.ca_bundle = v;
        t.ca_bundle_source = "AWS_CA_BUNDLE";
    }
    if (auto dir = env(X509_get_default_cert_dir_env()); dir && !dir->empty()) {
        t.system_dir = *dir;
    } else {
        t.system_dir = X509_get_default_cert_dir();
    }
    return t;
}

}  // namespace atpc::sts
