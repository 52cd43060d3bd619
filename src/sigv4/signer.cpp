#include "sigv4/signer.hpp"

#include "base/error.hpp"
#include "sigv4/amz_date.hpp"
#include "sigv4/canonical.hpp"
#include "sigv4/digest.hpp"

#include <algorithm>

namespace atpc::sigv4 {

namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

bool all_of_set(std::string_view s, bool (*ok)(char)) { return !s.empty() && std::all_of(s.begin(), s.end(), ok); }

bool is_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_scope_char(char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; }
bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto low = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
               return low(x) == low(y);
           });
}

void check_key_size(tpmwire::bytes_view key, const char* which) {
    if (key.size() != sha256_size)
        throw error(fault::internal, std::string("the SigV4 ") + which + " is not 32 bytes long");
}

}  // namespace

std::string credential_scope(const scope& s) {
    check_date_stamp(s.date);
    if (!all_of_set(s.region, is_scope_char))
        throw error(fault::usage, "the AWS region is empty or has characters other than letters, digits, '.', '_', '-'");
    if (!all_of_set(s.service, is_scope_char))
        throw error(fault::usage, "the AWS service name is empty or has characters other than letters, digits, '.', '_', '-'");
    return s.date + '/' + s.region + '/' + s.service + "/aws4_request";
}

std::string string_to_sign(std::string_view amz_date, const scope& s, std::string_view canonical_request) {
    const std::string scope_text = credential_scope(s);
    if (date_stamp(amz_date) != s.date)
        throw error(fault::usage, "the X-Amz-Date day differs from the SigV4 scope date");
    std::string out(algorithm);
    out += '\n';
    out += amz_date;
    out += '\n';
    out += scope_text;
    out += '\n';
    out += sha256_hex(canonical_request);
    return out;
}

tpmwire::bytes signing_key(tpmwire::bytes_view kdate, const scope& s) {
    check_key_size(kdate, "date key (kDate)");
    credential_scope(s);  // validates region and service
    const tpmwire::bytes kregion = hmac_sha256(kdate, s.region);
    const tpmwire::bytes kservice = hmac_sha256(kregion, s.service);
    return hmac_sha256(kservice, "aws4_request");
}

std::string signature(tpmwire::bytes_view signing_key, std::string_view string_to_sign) {
    check_key_size(signing_key, "signing key");
    return tpmwire::to_hex(hmac_sha256(signing_key, string_to_sign));
}

std::string authorization(std::string_view access_key_id, const scope& s, std::string_view signed_headers,
                          std::string_view signature) {
    if (!all_of_set(access_key_id, is_alnum))
        throw error(fault::usage, "the AWS access key ID is empty or not made of letters and digits");
    if (signed_headers.empty()) throw error(fault::internal, "SigV4 signed headers list is empty");
    if (signature.size() != 2 * sha256_size || !all_of_set(signature, is_lower_hex))
        throw error(fault::internal, "SigV4 signature is not 64 lower-case hex digits");
    std::string out(algorithm);
    out += " Credential=";
    out += access_key_id;
    out += '/';
    out += credential_scope(s);
    out += ", SignedHeaders=";
    out += signed_headers;
    out += ", Signature=";
    out += signature;
    return out;
}

void sign(request& r, std::string_view access_key_id, tpmwire::bytes_view kdate, const scope& s,
          std::string_view amz_date) {
    check_amz_date(amz_date);
    bool has_date = false;
    for (const auto& h : r.headers) {
        if (iequals(h.name, "authorization"))
            throw error(fault::usage, "the request to sign already has an Authorization header");
        if (iequals(h.name, "x-amz-date")) {
            if (h.value != amz_date)
                throw error(fault::usage, "the request to sign has an X-Amz-Date header with another time");
            has_date = true;
        }
    }
    // On failure, leave r as it came in.
    const std::size_t original_count = r.headers.size();
    try {
        if (!has_date) r.headers.push_back({"X-Amz-Date", std::string(amz_date)});
        const std::string to_sign = string_to_sign(amz_date, s, canonical_request(r));
        const std::string sig = signature(signing_key(kdate, s), to_sign);
        r.headers.push_back({"Authorization", authorization(access_key_id, s, signed_headers(r), sig)});
    } catch (...) {
        r.headers.resize(original_count);
        throw;
    }
}

tpmwire::bytes software_kdate(std::string_view secret_access_key, std::string_view date) {
    check_date_stamp(date);
    tpmwire::bytes key;
    key.reserve(4 + secret_access_key.size());
    for (char c : std::string_view("AWS4")) key.push_back(static_cast<tpmwire::byte>(c));
    for (char c : secret_access_key) key.push_back(static_cast<tpmwire::byte>(c));
    return hmac_sha256(key, date);
}

}  // namespace atpc::sigv4
