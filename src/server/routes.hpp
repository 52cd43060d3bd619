// What the server answers, request by request: the Host check (DNS
// rebinding), the container endpoint and, when enabled, IMDSv2. Never waits:
// it answers from the credentials already fetched, or 503 saying why there
// are none. Bodies of refusals never contain a secret.
#pragma once

#include "server/credential_state.hpp"
#include "server/exchange.hpp"
#include "server/imds_tokens.hpp"

#include <string>
#include <string_view>

namespace atpc::server {

// The container endpoint's path (AWS_CONTAINER_CREDENTIALS_FULL_URI names it).
inline constexpr std::string_view container_path = "/v1/credentials";

struct route_settings {
    tpmwire::secret_string container_token;  // the Authorization header's value
    bool imds = false;
    std::string role_name;  // IMDS's name for the role
};

// Whether `host` (a Host header: name or address, optional ":port") names
// the address the connection arrived at, or localhost when that is loopback.
bool host_names(std::string_view host, const local_endpoint& local);

class router {
public:
    router(const credential_state& creds, route_settings s);
    response handle(const request_view& r, const local_endpoint& local, const request_time& now);

private:
    response route(const request_view& r, std::string_view path, const request_time& now);
    response container(const request_view& r, const request_time& now) const;
    response imds(const request_view& r, std::string_view path, const request_time& now);
    response imds_token(const request_view& r, const request_time& now);
    response credentials(const request_time& now, tpmwire::secret_string served_credentials::*body) const;

    const credential_state& creds_;
    route_settings settings_;
    imds_tokens tokens_;
};

}  // namespace atpc::server
