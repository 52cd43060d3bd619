#include "sigv4/encoding.hpp"

#include "base/error.hpp"

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

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
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
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        const int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
        const int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
        if (lo < 0)
            throw error(fault::usage,
                        "the query string to sign has a malformed %-escape; check how it was encoded");
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
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
