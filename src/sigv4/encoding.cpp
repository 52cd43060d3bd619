#include "sigv4/encoding.hpp"

#include "base/error.hpp"
#include "base/percent.hpp"

#include <algorithm>

namespace atpc::sigv4 {

namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

void append_escaped(std::string& out, unsigned char c) {
    out += '%';
    out += hex_digits[c >> 4];
    out += hex_digits[c & 0x0F];
}

// Go's url.QueryEscape.
void append_form_escaped(std::string& out, std::string_view s) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c))
            out += ch;
        else if (c == ' ')
            out += '+';
        else
            append_escaped(out, c);
    }
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c) || (keep_slash && c == '/'))
            out += ch;
        else
            append_escaped(out, c);
    }
    return out;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    if (!atpc::percent_decode(s, out))
        throw error(fault::usage, "the query string to sign has a malformed %-escape; check how it was encoded");
    return out;
}

std::string form_encode(std::vector<std::pair<std::string, std::string>> fields) {
    std::stable_sort(fields.begin(), fields.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out;
    for (const auto& [key, value] : fields) {
        if (!out.empty()) out += '&';
        append_form_escaped(out, key);
        out += '=';
        append_form_escaped(out, value);
    }
    return out;
}

}  // namespace atpc::sigv4
