#include "tpmwire/keyfile/pem.hpp"

#include "tpmwire/keyfile/der.hpp"

#include <array>

namespace tpmwire::pem {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<signed char, 256> make_table() {
    std::array<signed char, 256> t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    return t;
}
constexpr auto table = make_table();

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string describe(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x21 && u < 0x7F) return std::string("'") + c + "'";
    static constexpr char hex[] = "0123456789abcdef";
    return std::string("byte 0x") + hex[u >> 4] + hex[u & 0xF];
}

// True when text[pos] starts a line.
bool at_line_start(std::string_view text, std::size_t pos) { return pos == 0 || text[pos - 1] == '\n'; }

// Index just past the end of the line containing pos, after checking that
// only blanks follow `from` on it.
std::size_t rest_of_line_blank(std::string_view text, std::size_t from, std::string_view what) {
    std::size_t i = from;
    while (i < text.size() && text[i] != '\n') {
        if (!is_space(text[i])) der::fail(std::string(what) + " line has extra text after it");
        ++i;
    }
    return i < text.size() ? i + 1 : i;
}

constexpr std::string_view begin_mark = "-----BEGIN ";
constexpr std::string_view end_mark = "-----END ";
constexpr std::string_view dashes = "-----";

// Position of the next "-----BEGIN " that starts a line, at or after from.
std::size_t find_begin(std::string_view text, std::size_t from) {
    for (std::size_t p = text.find(begin_mark, from); p != std::string_view::npos; p = text.find(begin_mark, p + 1))
        if (at_line_start(text, p)) return p;
    return std::string_view::npos;
}

// The label of the BEGIN line at p, or nothing if the line is malformed.
std::string_view label_at(std::string_view text, std::size_t p) {
    std::size_t start = p + begin_mark.size();
    std::size_t close = text.find(dashes, start);
    std::size_t eol = text.find('\n', start);
    if (close == std::string_view::npos || close > eol) return {};
    return text.substr(start, close - start);
}

}  // namespace

std::string base64_encode(bytes_view data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        std::uint32_t v = std::uint32_t(data[i]) << 16 | std::uint32_t(data[i + 1]) << 8 | data[i + 2];
        for (int s = 18; s >= 0; s -= 6) out.push_back(alphabet[(v >> s) & 0x3F]);
    }
    std::size_t rest = data.size() - i;
    if (rest) {
        std::uint32_t v = std::uint32_t(data[i]) << 16 | (rest == 2 ? std::uint32_t(data[i + 1]) << 8 : 0);
        out.push_back(alphabet[(v >> 18) & 0x3F]);
        out.push_back(alphabet[(v >> 12) & 0x3F]);
        out.push_back(rest == 2 ? alphabet[(v >> 6) & 0x3F] : '=');
        out.push_back('=');
    }
    return out;
}

bytes base64_decode(std::string_view text) {
    bytes out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t acc = 0;
    int have = 0;         // data characters in the current group of 4
    int padding = 0;      // '=' in the current group
    bool closed = false;  // a padded group ended the data
    for (char c : text) {
        if (is_space(c)) continue;
        if (closed) der::fail("base64 has data after its '=' padding");
        if (c == '=') {
            // Padding may only fill the last one or two places of a group.
            if (have < 2) der::fail("base64 padding '=' is misplaced");
            if (have + ++padding < 4) continue;
            // Bits beyond the last whole byte must be zero (canonical form).
            if ((have == 3 && (acc & 0x3)) || (have == 2 && (acc & 0xF)))
                der::fail("base64 is not canonical (non-zero padding bits)");
            if (have == 3) {
                out.push_back(static_cast<byte>(acc >> 10));
                out.push_back(static_cast<byte>(acc >> 2));
            } else {
                out.push_back(static_cast<byte>(acc >> 4));
            }
            closed = true;
            continue;
        }
        if (padding) der::fail("base64 has data after its '=' padding");
        signed char v = table[static_cast<unsigned char>(c)];
        if (v < 0) der::fail("PEM body has " + describe(c) + ", which is not base64");
        acc = acc << 6 | static_cast<std::uint32_t>(v);
        if (++have == 4) {
            out.push_back(static_cast<byte>(acc >> 16));
            out.push_back(static_cast<byte>(acc >> 8));
            out.push_back(static_cast<byte>(acc));
            acc = 0;
            have = 0;
        }
    }
    secure_zero(&acc, sizeof acc);
    if (!closed && (have != 0 || padding != 0)) der::fail("base64 is truncated (length is not a multiple of 4)");
    return out;
}

bytes decode(std::string_view text, std::string_view label) {
    const std::string want = std::string(begin_mark) + std::string(label) + std::string(dashes);
    std::size_t begin = std::string_view::npos;
    std::string_view other;
    for (std::size_t p = find_begin(text, 0); p != std::string_view::npos; p = find_begin(text, p + 1)) {
        std::string_view l = label_at(text, p);
        if (l == label) {
            begin = p;
            break;
        }
        if (other.empty()) other = l;
    }
    if (begin == std::string_view::npos) {
        if (!other.empty())
            der::fail("PEM label is \"" + std::string(other) + "\", expected \"" + std::string(label) + "\"");
        der::fail("no \"" + want + "\" line found");
    }
    std::size_t body = rest_of_line_blank(text, begin + want.size(), "BEGIN");

    const std::string end_line = std::string(end_mark) + std::string(label) + std::string(dashes);
    std::size_t end = text.find(end_line, body);
    while (end != std::string_view::npos && !at_line_start(text, end)) end = text.find(end_line, end + 1);
    if (end == std::string_view::npos) der::fail("\"" + want + "\" has no matching \"" + end_line + "\" line");
    std::size_t after = rest_of_line_blank(text, end + end_line.size(), "END");
    for (std::size_t p = find_begin(text, after); p != std::string_view::npos; p = find_begin(text, p + 1))
        if (label_at(text, p) == label) der::fail("more than one " + std::string(label) + " block");

    std::string_view b64 = text.substr(body, end - body);
    if (b64.find(':') != std::string_view::npos)
        der::fail("PEM headers (such as Proc-Type for encrypted PEM) are not supported");
    return base64_decode(b64);
}

std::string encode(bytes_view data, std::string_view label) {
    std::string b64 = base64_encode(data);
    std::string out = std::string(begin_mark) + std::string(label) + std::string(dashes) + "\n";
    for (std::size_t i = 0; i < b64.size(); i += 64) {
        out.append(b64, i, 64);
        out.push_back('\n');
    }
    out += std::string(end_mark) + std::string(label) + std::string(dashes) + "\n";
    return out;
}

}  // namespace tpmwire::pem
