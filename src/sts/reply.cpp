#include "sts/reply.hpp"

#include <algorithm>
#include <array>

#include "sts/time.hpp"

namespace atpc::sts {
namespace {

enum credential_field { access_key_id, secret_access_key, session_token, expiration, arn, role_id };

constexpr std::array<field_spec, 6> credential_fields = {{
    {"AccessKeyId", "*Response/*Result/Credentials/AccessKeyId"},
    {"SecretAccessKey", "*Response/*Result/Credentials/SecretAccessKey"},
    {"SessionToken", "*Response/*Result/Credentials/SessionToken"},
    {"Expiration", "*Response/*Result/Credentials/Expiration", true, true},
    {"Arn", "*Response/*Result/AssumedRoleUser/Arn"},
    {"AssumedRoleId", "*Response/*Result/AssumedRoleUser/AssumedRoleId"},
}};

enum error_field { code, message, type, request_id, aws_json_type };

// Query XML (<ErrorResponse><Error>, moto's <Errors><Error>, a bare <Error>),
// Query JSON ({"Error":{...},"RequestId"}) and awsJson ({"__type","message"}).
constexpr std::array<field_spec, 5> error_fields = {{
    {"Code", "**/Error/Code|**/Error/code|code|Code", false},
    {"Message", "**/Error/Message|**/Error/message|message|Message", false},
    {"Type", "**/Error/Type|**/Error/type", false},
    {"RequestId", "**/RequestId|**/RequestID|**/requestId", false},
    {"__type", "__type", false},
}};

std::string plain(const field_value& v) { return std::string(v.text.data(), v.text.size()); }

void check_keys(const std::vector<field_value>& f) {
    for (int i : {access_key_id, secret_access_key, session_token, expiration}) {
        if (!f[static_cast<std::size_t>(i)].found) {
            throw reply_error("the reply has no " + std::string(credential_fields[static_cast<std::size_t>(i)].name));
        }
    }
    const auto& id = f[access_key_id].text;
    if (id.size() < 16 || id.size() > 128 ||
        !std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); })) {
        throw reply_error("the reply's AccessKeyId is not 16-128 characters of A-Z and 0-9");
    }
    if (f[secret_access_key].text.empty() || !printable_no_space(f[secret_access_key].text)) {
        throw reply_error("the reply's SecretAccessKey is empty or not printable ASCII");
    }
    if (f[session_token].text.empty() || !printable_no_space(f[session_token].text)) {
        throw reply_error("the reply's SessionToken is empty or not printable ASCII");
    }
}

void take_role(credentials& c, std::vector<field_value>& f) {
    if (f[arn].found) {
        if (f[arn].text.size() > 2048 || !printable_no_space(f[arn].text)) {
            throw reply_error("the reply's Arn is malformed");
        }
        c.assumed_role_arn = plain(f[arn]);
        c.account_id = account_from_arn(*c.assumed_role_arn);
    }
    if (f[role_id].found) {
        if (f[role_id].text.size() > 256 || !printable_no_space(f[role_id].text)) {
            throw reply_error("the reply's AssumedRoleId is malformed");
        }
        c.assumed_role_id = plain(f[role_id]);
    }
}

}  // namespace

bool printable_no_space(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::optional<std::string> account_from_arn(std::string_view arn) {
    // arn:partition:service:region:account:resource
    std::size_t pos = 0;
    for (int i = 0; i < 4; ++i) {
        pos = arn.find(':', pos);
        if (pos == std::string_view::npos) return std::nullopt;
        ++pos;
    }
    const auto end = arn.find(':', pos);
    if (end == std::string_view::npos || arn.substr(0, 4) != "arn:") return std::nullopt;
    const auto account = arn.substr(pos, end - pos);
    if (account.size() != 12 || !std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return std::string(account);
}

credentials parse_credentials(std::string_view body, std::string_view content_type) {
    auto f = read_fields(body, content_type, credential_fields);
    check_keys(f);
    const auto& exp = f[expiration];
    const auto when = exp.number ? parse_epoch_number(exp.text) : parse_iso8601(exp.text);
    if (!when) throw reply_error("the reply's Expiration is not a valid time");
    credentials c;
    c.access_key_id = plain(f[access_key_id]);
    c.secret_access_key = std::move(f[secret_access_key].text);
    c.session_token = std::move(f[session_token].text);
    c.expiration = std::chrono::time_point_cast<std::chrono::system_clock::duration>(*when);
    take_role(c, f);
    return c;
}

std::optional<service_error> parse_service_error(std::string_view body, std::string_view content_type) {
    try {
        const auto f = read_fields(body, content_type, error_fields);
        if (!f[code].found && !f[message].found && !f[type].found && !f[aws_json_type].found) return std::nullopt;
        service_error e{plain(f[code]), plain(f[message]), plain(f[type]), plain(f[request_id])};
        if (f[aws_json_type].found) {
            // awsJson: "namespace#Code" or just "Code".
            e.code = plain(f[aws_json_type]);
            if (const auto hash = e.code.rfind('#'); hash != std::string::npos) e.code.erase(0, hash + 1);
        }
        return e;
    } catch (const reply_error&) {
        return std::nullopt;
    }
}

}  // namespace atpc::sts
