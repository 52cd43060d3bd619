#include "server/routes.hpp"

#include "server/limits.hpp"
#include "server/secrets.hpp"

#include <charconv>

namespace atpc::server {

namespace {

constexpr std::string_view token_path = "/latest/api/token";
constexpr std::string_view roles_path = "/latest/meta-data/iam/security-credentials/";

response text(tpmwire::secret_string body) {
    response r;
    r.content_type = "text/plain";
    r.body = std::make_shared<const tpmwire::secret_string>(std::move(body));
    return r;
}

response wrong_method(std::string_view allowed) {
    response r = refusal(405, "MethodNotAllowed", "this path only answers " + std::string(allowed));
    r.allow = allowed;
    return r;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

// A TTL header's value: digits only, within IMDS's range.
std::optional<int> parse_ttl(std::string_view v) {
    int ttl = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), ttl);
    if (ec != std::errc() || end != v.data() + v.size() || v.empty() || v.front() == '-') return std::nullopt;
    if (ttl < imds_min_ttl_seconds || ttl > imds_max_ttl_seconds) return std::nullopt;
    return ttl;
}

}  // namespace

bool host_names(std::string_view host, const local_endpoint& local) {
    std::string_view name = host, port;
    if (host.starts_with('[')) {
        const auto close = host.find(']');
        if (close == std::string_view::npos) return false;
        name = host.substr(1, close - 1);
        port = host.substr(close + 1);
        if (!port.empty() && !port.starts_with(':')) return false;
    } else if (const auto colon = host.find(':'); colon != std::string_view::npos) {
        name = host.substr(0, colon);
        port = host.substr(colon);
    }
    if (port.empty() ? local.port != 80 : port.substr(1) != std::to_string(local.port)) return false;
    return iequals(name, local.address) || (local.loopback && iequals(name, "localhost"));
}

router::router(const credential_state& creds, route_settings s)
    : creds_(creds), settings_(std::move(s)), tokens_(max_imds_tokens) {}

response router::handle(const request_view& r, const local_endpoint& local, const request_time& now) {
    // Before anything else: a page in a browser that rebinds its own name to
    // this address sends its own name as Host, and learns nothing here.
    if (r.host_headers != 1 || !host_names(r.host, local))
        return refusal(403, "InvalidHost", "the Host header must name this server's address (or localhost)");
    if (!r.target.starts_with('/')) return refusal(400, "BadRequest", "the request target must be a path");
    const std::string_view path = r.target.substr(0, r.target.find('?'));
    return route(r, path, now);
}

response router::route(const request_view& r, std::string_view path, const request_time& now) {
    if (path == container_path) return container(r, now);
    if (settings_.imds && path.starts_with("/latest/")) return imds(r, path, now);
    return refusal(404, "NotFound", "no such path on this server");
}

response router::container(const request_view& r, const request_time& now) const {
    if (r.method != "GET") return wrong_method("GET");
    if (!r.authorization)
        return refusal(401, "Unauthorized",
                       "no Authorization header: send the token in the file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names");
    if (!same_secret(*r.authorization, settings_.container_token))
        return refusal(403, "AccessDenied", "the Authorization header does not hold this server's token");
    return credentials(now, &served_credentials::container_body);
}

response router::imds(const request_view& r, std::string_view path, const request_time& now) {
    if (path == token_path) return imds_token(r, now);
    if (!r.imds_token || !tokens_.valid(*r.imds_token, now.steady))
        return refusal(401, "Unauthorized", "no valid IMDSv2 token: PUT /latest/api/token first");
    if (r.method != "GET") return wrong_method("GET");
    if (path == roles_path || path == roles_path.substr(0, roles_path.size() - 1))
        return text(tpmwire::secret_string(settings_.role_name));
    if (path.starts_with(roles_path) && path.substr(roles_path.size()) == settings_.role_name)
        return credentials(now, &served_credentials::imds_body);
    return refusal(404, "NotFound", "no such path in this server's instance metadata");
}

response router::imds_token(const request_view& r, const request_time& now) {
    if (r.method != "PUT") return wrong_method("PUT");
    // As EC2 does: a token request that went through a proxy is refused.
    if (r.forwarded) return refusal(403, "Forbidden", "token requests carrying X-Forwarded-For are refused");
    const std::optional<int> ttl = r.imds_ttl ? parse_ttl(*r.imds_ttl) : std::nullopt;
    if (!ttl) return refusal(400, "BadRequest", "X-aws-ec2-metadata-token-ttl-seconds must be 1 to 21600");
    response out = text(tokens_.issue(std::chrono::seconds(*ttl), now.steady));
    out.token_ttl = *ttl;
    return out;
}

response router::credentials(const request_time& now, tpmwire::secret_string served_credentials::*body) const {
    auto served = creds_.usable(now.wall);
    if (!served) return refusal(503, "CredentialsUnavailable", creds_.unavailable_reason());
    response r;
    r.body = std::shared_ptr<const tpmwire::secret_string>(served, &((*served).*body));
    return r;
}

}  // namespace atpc::server
