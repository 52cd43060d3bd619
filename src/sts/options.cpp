#include "sts/options.hpp"

namespace atpc::sts {

https::trust_store resolve_trust(const std::optional<std::string>& ca_bundle_flag, const env_lookup& env) {
    if (ca_bundle_flag && !ca_bundle_flag->empty()) return https::resolve_trust(ca_bundle_flag, "--ca-bundle", env);
    return https::resolve_trust(env("AWS_CA_BUNDLE"), "AWS_CA_BUNDLE", env);
}

call_options resolve_call_options(const endpoint_inputs& in, const std::optional<std::string>& ca_bundle_flag,
                                  const env_lookup& env, std::chrono::steady_clock::time_point deadline) {
    call_options o;
    o.target = resolve_endpoint(in, env);
    o.proxy = https::proxy_for(env, o.target.host, o.target.port);
    o.trust = resolve_trust(ca_bundle_flag, env);
    o.deadline = deadline;
    return o;
}

}  // namespace atpc::sts
