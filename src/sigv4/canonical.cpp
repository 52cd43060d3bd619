#include "sigv4/canonical.hpp"

#include "base/error.hpp"
#include "sigv4/digest.hpp"
#include "sigv4/encoding.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

namespace atpc::sigv4 {

namespace {

[[noreturn]] void refuse(const std::string& what) {
    throw error(fault::usage, "cannot sign the request: " + what);
}

// RFC 9110 token characters (method and header names).
bool is_tchar(char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

// A control byte in a path or query would let one request smuggle another.
bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7F;
    });
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Trim, and collapse each run of spaces/tabs to one space. Field values may
// hold HTAB, visible ASCII and obs-text only (RFC 9110 section 5.5).
std::string trim_all(std::string_view value) {
    std::string out;
    bool pending_space = false;
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == ' ' || c == '\t') {
            pending_space = !out.empty();
            continue;
        }
        if (c < 0x20 || c == 0x7F) refuse("a header value contains a control character");
        if (pending_space) out += ' ';
        pending_space = false;
        out += ch;
    }
    return out;
}

std::string canonical_path(std::string_view path) {
    if (path.empty()) return "/";
    if (path.front() != '/') refuse("the path must start with '/'");
    if (has_control(path)) refuse("the path contains a control character");
    // Drop empty and "." segments, let ".." remove the one before it (never
    // above the root); keep a trailing slash if anything is left.
    std::vector<std::string_view> segments;
    std::size_t start = 1;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view seg = path.substr(start, end - start);
        if (seg == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!seg.empty() && seg != ".") {
            segments.push_back(seg);
        }
        start = end + 1;
    }
    std::string out = "/";
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (i) out += '/';
        out += segments[i];
    }
    if (!segments.empty() && path.back() == '/') out += '/';
    return uri_encode(out, /*keep_slash=*/true);
}

std::string canonical_query(std::string_view query) {
    if (has_control(query)) refuse("the query string contains a control character");
    std::vector<std::pair<std::string, std::string>> params;
    std::size_t start = 0;
    while (start <= query.size()) {
        std::size_t end = query.find('&', start);
        if (end == std::string_view::npos) end = query.size();
        const std::string_view param = query.substr(start, end - start);
        if (!param.empty()) {
            const std::size_t eq = param.find('=');
            const std::string_view key = param.substr(0, eq);
            const std::string_view value = eq == std::string_view::npos ? "" : param.substr(eq + 1);
            params.emplace_back(uri_encode(percent_decode(key)), uri_encode(percent_decode(value)));
        }
        start = end + 1;
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (const auto& [key, value] : params) {
        if (!out.empty()) out += '&';
        out += key;
        out += '=';
        out += value;
    }
    return out;
}

struct canonical_header {
    std::string name;
    std::string value;
};

// Sorted by name, one entry per name, values of repeated names joined with ','.
std::vector<canonical_header> canonical_headers(const request& r) {
    std::vector<canonical_header> all;
    all.reserve(r.headers.size());
    for (const auto& h : r.headers) {
        if (!is_token(h.name)) refuse("a header name is empty or not an HTTP token");
        all.push_back({lower(h.name), trim_all(h.value)});
    }
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    std::vector<canonical_header> merged;
    for (auto& h : all) {
        if (!merged.empty() && merged.back().name == h.name) {
            merged.back().value += ',';
            merged.back().value += h.value;
        } else {
            merged.push_back(std::move(h));
        }
    }
    const bool has_host = std::any_of(merged.begin(), merged.end(), [](const auto& h) { return h.name == "host"; });
    if (!has_host) refuse("it has no Host header");
    return merged;
}

std::string join_names(const std::vector<canonical_header>& headers) {
    std::string out;
    for (const auto& h : headers) {
        if (!out.empty()) out += ';';
        out += h.name;
    }
    return out;
}

}  // namespace

std::string signed_headers(const request& r) { return join_names(canonical_headers(r)); }

std::string canonical_request(const request& r) {
    if (!is_token(r.method)) refuse("the method is empty or not an HTTP token");
    const auto headers = canonical_headers(r);
    std::string out = r.method;
    out += '\n';
    out += canonical_path(r.path);
    out += '\n';
    out += canonical_query(r.query);
    out += '\n';
    for (const auto& h : headers) {
        out += h.name;
        out += ':';
        out += h.value;
        out += '\n';
    }
    out += '\n';
    out += join_names(headers);
    out += '\n';
    out += sha256_hex(r.body);
    return out;
}

}  // namespace atpc::sigv4
