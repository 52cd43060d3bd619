#include "sts/errors.hpp"

#include <algorithm>

namespace atpc::sts {

std::string sanitize(std::string_view text, std::size_t max_chars) {
    std::string out;
    out.reserve(std::min(text.size(), max_chars));
    for (char c : text) {
        if (out.size() >= max_chars) {
            out.resize(max_chars >= 3 ? max_chars - 3 : 0);
            out += "...";
            break;
        }
        auto u = static_cast<unsigned char>(c);
        if (c == '\n' || c == '\r' || c == '\t') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else if (u >= 0x20 && u < 0x7f) {
            out += c;
        } else {
            out += '?';
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::string hint_for(std::string_view service, std::string_view code) {
    if (code == "SignatureDoesNotMatch") return "the secret in the TPM does not match the access key id, or the clock is off";
    if (code == "InvalidClientTokenId") return "the access key id is wrong or inactive";
    if (code == "ExpiredToken" || code == "ExpiredTokenException") {
        return "the signing credentials have expired; use the long-term access key that matches the TPM key";
    }
    if (code == "AccessDenied" || code == "AccessDeniedException") {
        return "check the role's trust policy and the caller's permissions";
    }
    if (code == "RegionDisabledException") return "activate " + std::string(service) + " in that region or use another region";
    if (code == "RequestExpired" || code == "RequestTimeTooSkewed" || code == "RequestInTheFuture") {
        return "check the system clock (NTP)";
    }
    if (code == "IncompleteSignature" || code == "MissingAuthenticationToken" || code == "InvalidSignatureException") {
        return "the request was not signed as " + std::string(service) + " expects; check the access key id and region";
    }
    if (code == "MalformedPolicyDocument" || code == "PackedPolicyTooLarge") {
        return "check the session policy and session tags";
    }
    if (code == "ValidationError" || code == "InvalidParameterValue" || code == "MissingParameter") {
        return "check the role ARN, session name, duration and MFA values";
    }
    if (code == "InvalidAction" || code == "InvalidQueryParameter" || code == "MalformedQueryString") {
        return "check that the endpoint is an " + std::string(service) + " endpoint";
    }
    return {};
}

error service_failure(std::string_view service, std::string_view action, std::string_view host, unsigned status,
                      std::string_view reason, const std::optional<service_error>& e) {
    const std::string svc(service);
    std::string msg = svc + " " + std::string(action) + " at " + std::string(host) + " failed: HTTP " +
                      std::to_string(status);
    if (!e) {
        if (!reason.empty()) msg += " " + sanitize(reason, 60);
        msg += " with a body that is not an " + svc + " error; ";
        msg += status >= 500 ? svc + " or a proxy had a server error, try again later"
                             : "check the " + svc + " endpoint URL";
        return error(fault::sts, msg);
    }
    const std::string code = sanitize(e->code, 64);
    if (!code.empty()) msg += " " + code;
    if (!e->message.empty()) msg += ": " + sanitize(e->message);
    if (!e->request_id.empty()) msg += " (request id " + sanitize(e->request_id, 64) + ")";
    if (const auto hint = hint_for(service, e->code); !hint.empty()) {
        msg += "; " + hint;
    } else if (status >= 500) {
        msg += "; " + svc + " had a server error, try again later";
    } else if (status == 429) {
        msg += "; " + svc + " is throttling requests, try again later";
    } else {
        msg += "; see the " + svc + " " + std::string(action) + " documentation for this error code";
    }
    return error(fault::sts, msg);
}

}  // namespace atpc::sts
