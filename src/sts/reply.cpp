#include <algorithm>

#include "sts/reply.hpp"
#include "sts/reply_internal.hpp"
#include "sts/time.hpp"
#include "sts/url.hpp"

namespace atpc::sts {
namespace {

enum class format { json, xml, unknown };

format sniff(std::string_view body, std::string_view content_type) {
    for (char c : body) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c == '{') return format::json;
        if (c == '<') return format::xml;
        return format::unknown;
    }
    // Empty or blank body: only the declared type is left to go on.
    auto ct = to_lower(content_type);
    if (ct.find("json") != std::string::npos) return format::json;
    if (ct.find("xml") != std::string::npos) return format::xml;
    return format::unknown;
}

bool printable_no_space(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

std::optional<std::string> account_from_arn(std::string_view arn) {
    // arn:partition:service:region:account:resource
    std::size_t pos = 0;
    for (int i = 0; i < 4; ++i) {
        pos = arn.find(':', pos);
        if (pos == std::string_view::npos) return std::nullopt;
        ++pos;
    }
    auto end = arn.find(':', pos);
    if (end == std::string_view::npos || arn.substr(0, 4) != "arn:") return std::nullopt;
    auto account = arn.substr(pos, end - pos);
    if (account.size() != 12 || !std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return std::string(account);
}

namespace detail {

credentials finish(raw_credentials raw) {
    if (!raw.access_key_id) throw reply_error("the reply has no AccessKeyId");
    if (!raw.secret_access_key) throw reply_error("the reply has no SecretAccessKey");
    if (!raw.session_token) throw reply_error("the reply has no SessionToken");
    if (!raw.expiration) throw reply_error("the reply has no Expiration");
    const auto& id = *raw.access_key_id;
    if (id.size() < 16 || id.size() > 128 ||
        !std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); })) {
        throw reply_error("the reply's AccessKeyId is not 16-128 characters of A-Z and 0-9");
    }
    if (raw.secret_access_key->empty() || !printable_no_space(*raw.secret_access_key)) {
        throw reply_error("the reply's SecretAccessKey is empty or not printable ASCII");
    }
    if (raw.session_token->empty() || !printable_no_space(*raw.session_token)) {
        throw reply_error("the reply's SessionToken is empty or not printable ASCII");
    }
    auto when = raw.expiration_is_number ? parse_epoch_number(*raw.expiration) : parse_iso8601(*raw.expiration);
    if (!when) throw reply_error("the reply's Expiration is not a valid time");

    credentials c;
    c.access_key_id = std::move(*raw.access_key_id);
    c.secret_access_key = std::move(*raw.secret_access_key);
    c.session_token = std::move(*raw.session_token);
    c.expiration = std::chrono::time_point_cast<std::chrono::system_clock::duration>(*when);
    if (raw.arn) {
        if (raw.arn->size() > 2048 || !printable_no_space(*raw.arn)) throw reply_error("the reply's Arn is malformed");
        c.account_id = account_from_arn(*raw.arn);
        c.assumed_role_arn = std::move(raw.arn);
    }
    if (raw.role_id) {
        if (raw.role_id->size() > 256 || !printable_no_space(*raw.role_id)) {
            throw reply_error("the reply's AssumedRoleId is malformed");
        }
        c.assumed_role_id = std::move(raw.role_id);
    }
    return c;
}

}  // namespace detail

credentials parse_credentials(std::string_view body, std::string_view content_type) {
    switch (sniff(body, content_type)) {
    case format::json: return detail::parse_json_credentials(body);
    case format::xml: return detail::parse_xml_credentials(body);
    case format::unknown: break;
    }
    throw reply_error(body.empty() ? "the reply body is empty" : "the reply body is neither JSON nor XML");
}

std::optional<service_error> parse_service_error(std::string_view body, std::string_view content_type) {
    switch (sniff(body, content_type)) {
    case format::json: return detail::parse_json_error(body);
    case format::xml: return detail::parse_xml_error(body);
    case format::unknown: break;
    }
    return std::nullopt;
}

}  // namespace atpc::sts
