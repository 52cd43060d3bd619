#include "sts/actions.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "base/error.hpp"
#include "https/url.hpp"

namespace atpc::sts {
namespace {

[[noreturn]] void invalid(const std::string& message) { throw error(fault::usage, message); }

bool is_word(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

// True when every byte is \w or one of `extra`.
bool only(std::string_view s, const char* extra) {
    return std::all_of(s.begin(), s.end(), [&](char c) { return is_word(c) || (c != '\0' && std::strchr(extra, c)); });
}

void check_chars(std::string_view name, std::string_view value, std::size_t min, std::size_t max, const char* extra,
                 const char* shown) {
    if (value.size() < min || value.size() > max || !only(value, extra)) {
        invalid(std::string(name) + " must be " + std::to_string(min) + "-" + std::to_string(max) +
                " characters of " + shown + " (got " + std::to_string(value.size()) + " characters)");
    }
}

void check_duration(std::string_view action, std::int64_t seconds, std::int64_t max) {
    if (seconds < 900 || seconds > max) {
        invalid(std::string("DurationSeconds ") + std::to_string(seconds) + " is out of range for " +
                std::string(action) + " (900-" + std::to_string(max) + " seconds); check --duration");
    }
}

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// arn:<partition>:iam::<account>:<kind>/<path and name>
bool is_iam_arn(std::string_view arn, std::string_view kind, bool allow_aws_account) {
    if (arn.size() < 20 || arn.size() > 2048 || arn.substr(0, 4) != "arn:") return false;
    arn.remove_prefix(4);
    auto colon = arn.find(':');
    if (colon == 0 || colon == std::string_view::npos) return false;
    auto partition = arn.substr(0, colon);
    if (!std::all_of(partition.begin(), partition.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; })) {
        return false;
    }
    arn.remove_prefix(colon + 1);
    if (arn.substr(0, 5) != "iam::") return false;
    arn.remove_prefix(5);
    colon = arn.find(':');
    if (colon == std::string_view::npos) return false;
    auto account = arn.substr(0, colon);
    if (!((account.size() == 12 && all_digits(account)) || (allow_aws_account && account == "aws"))) return false;
    arn.remove_prefix(colon + 1);
    if (arn.substr(0, kind.size()) != kind || arn.size() <= kind.size() || arn[kind.size()] != '/') return false;
    auto rest = arn.substr(kind.size() + 1);
    return !rest.empty() && rest.back() != '/' && only(rest, "+=,.@/-");
}

void add_mfa(std::vector<std::pair<std::string, std::string>>& f, const std::optional<mfa>& m) {
    if (!m) return;
    check_chars("SerialNumber (MFA device)", m->serial_number, 9, 256, "+=/:,.@-", "[A-Za-z0-9_+=/:,.@-]");
    if (m->token_code.size() != 6 || !all_digits(m->token_code)) invalid("TokenCode (MFA code) must be exactly 6 digits");
    f.emplace_back("SerialNumber", m->serial_number);
    f.emplace_back("TokenCode", m->token_code);
}

void check_policy(std::string_view policy) {
    if (policy.empty() || policy.size() > 2048) invalid("the session Policy must be 1-2048 characters");
    for (char c : policy) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') invalid("the session Policy contains control characters");
        if (u == 0x7f) invalid("the session Policy contains control characters");
    }
}

// Tag keys and values: letters, digits, spaces and _ . : / = + - @ (AWS's
// [\p{L}\p{Z}\p{N}_.:/=+\-@]); bytes >= 0x80 pass as UTF-8 letters.
bool is_tag_text(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x80 || is_word(c) || (c != '\0' && std::strchr(" .:/=+-@", c));
    });
}

void add_tags(std::vector<std::pair<std::string, std::string>>& f, const std::vector<session_tag>& tags) {
    if (tags.size() > 50) invalid("at most 50 session tags are allowed");
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < tags.size(); ++i) {
        const auto& t = tags[i];
        if (t.key.empty() || t.key.size() > 128 || !is_tag_text(t.key)) {
            invalid("session tag key #" + std::to_string(i + 1) +
                    " must be 1-128 characters of letters, digits, spaces and _.:/=+-@");
        }
        if (t.value.size() > 256 || !is_tag_text(t.value)) {
            invalid("session tag value #" + std::to_string(i + 1) +
                    " must be 0-256 characters of letters, digits, spaces and _.:/=+-@");
        }
        const std::string lower = https::to_lower(t.key);
        if (std::find(seen.begin(), seen.end(), lower) != seen.end()) {
            invalid("session tag key \"" + t.key + "\" appears twice (keys are case-insensitive)");
        }
        seen.push_back(lower);
        const std::string prefix = "Tags.member." + std::to_string(i + 1) + ".";
        f.emplace_back(prefix + "Key", t.key);
        f.emplace_back(prefix + "Value", t.value);
    }
}

}  // namespace

query_request build_request(const get_session_token_params& p) {
    check_duration("GetSessionToken", p.duration_seconds, 129600);
    std::vector<std::pair<std::string, std::string>> f{
        {"Action", "GetSessionToken"},
        {"DurationSeconds", std::to_string(p.duration_seconds)},
        {"Version", std::string(sts_api_version)},
    };
    add_mfa(f, p.mfa_device);
    return {"GetSessionToken", form_encode(std::move(f))};
}

query_request build_request(const assume_role_params& p) {
    if (!is_iam_arn(p.role_arn, "role", false)) {
        invalid("RoleArn \"" + p.role_arn + "\" is not a role ARN (arn:aws:iam::123456789012:role/name)");
    }
    check_chars("RoleSessionName", p.role_session_name, 2, 64, "+=,.@-", "[A-Za-z0-9_+=,.@-]");
    check_duration("AssumeRole", p.duration_seconds, 43200);
    std::vector<std::pair<std::string, std::string>> f{
        {"Action", "AssumeRole"},
        {"RoleArn", p.role_arn},
        {"RoleSessionName", p.role_session_name},
        {"DurationSeconds", std::to_string(p.duration_seconds)},
        {"Version", std::string(sts_api_version)},
    };
    if (p.external_id) {
        check_chars("ExternalId", *p.external_id, 2, 1224, "+=,.@:/-", "[A-Za-z0-9_+=,.@:/-]");
        f.emplace_back("ExternalId", *p.external_id);
    }
    add_mfa(f, p.mfa_device);
    if (p.source_identity) {
        check_chars("SourceIdentity", *p.source_identity, 2, 64, "+=,.@-", "[A-Za-z0-9_+=,.@-]");
        f.emplace_back("SourceIdentity", *p.source_identity);
    }
    if (p.policy) {
        check_policy(*p.policy);
        f.emplace_back("Policy", *p.policy);
    }
    if (p.policy_arns.size() > 10) invalid("at most 10 managed session policy ARNs are allowed");
    for (std::size_t i = 0; i < p.policy_arns.size(); ++i) {
        if (!is_iam_arn(p.policy_arns[i], "policy", true)) {
            invalid("policy ARN \"" + p.policy_arns[i] +
                    "\" is not an IAM policy ARN (arn:aws:iam::aws:policy/name or arn:aws:iam::123456789012:policy/name)");
        }
        f.emplace_back("PolicyArns.member." + std::to_string(i + 1) + ".arn", p.policy_arns[i]);
    }
    add_tags(f, p.tags);
    return {"AssumeRole", form_encode(std::move(f))};
}

}  // namespace atpc::sts
