#include "cli/values.hpp"

#include "cli/flags.hpp"

#include "base/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace atpc::cli {

namespace {

[[noreturn]] void expected(const std::string& what) { throw error(fault::usage, "expected " + what); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Go's time.ParseDuration for the units that make sense here.
std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view s) {
    if (s.empty()) return std::nullopt;
    if (s == "0") return std::chrono::milliseconds(0);
    double total_ms = 0;
    while (!s.empty()) {
        std::size_t i = 0;
        while (i < s.size() && (is_digit(s[i]) || s[i] == '.')) ++i;
        if (i == 0) return std::nullopt;
        double value = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + i, value);
        if (ec != std::errc() || end != s.data() + i) return std::nullopt;
        s.remove_prefix(i);
        std::size_t j = 0;
        while (j < s.size() && !(is_digit(s[j]) || s[j] == '.')) ++j;
        const std::string_view unit = s.substr(0, j);
        s.remove_prefix(j);
        double scale;
        if (unit == "ms") scale = 1;
        else if (unit == "s") scale = 1000;
        else if (unit == "m") scale = 60'000;
        else if (unit == "h") scale = 3'600'000;
        else return std::nullopt;
        total_ms += value * scale;
    }
    if (total_ms > 1e12) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(total_ms));
}

std::string describe_char(char c) {
    if (c == ' ') return "a space";
    if (std::isprint(static_cast<unsigned char>(c))) return fmt::format("'{}'", c);
    return fmt::format("byte 0x{:02x}", static_cast<unsigned char>(c));
}

}  // namespace

std::optional<bool> parse_go_bool(std::string_view s) {
    if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
    if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
    return std::nullopt;
}

std::optional<std::uint64_t> parse_go_uint(std::string_view s) {
    if (s.empty()) return std::nullopt;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s.remove_prefix(2);
    else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) base = 8, s.remove_prefix(2);
    else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) base = 2, s.remove_prefix(2);
    else if (s.size() > 1 && s[0] == '0') base = 8, s.remove_prefix(1);
    std::string digits;
    for (char c : s)
        if (c != '_') digits.push_back(c);  // Go allows '_' between digits with a base prefix
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return v;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
    const bool digits_only = !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
    if (!digits_only) return parse_go_duration(s);
    if (s.size() > 9) return std::nullopt;
    std::int64_t seconds = 0;
    std::from_chars(s.data(), s.data() + s.size(), seconds);
    return std::chrono::milliseconds(seconds * 1000);
}

std::optional<std::vector<unsigned>> parse_pcrs(std::string_view s) {
    std::vector<unsigned> out;
    while (true) {
        const auto comma = s.find(',');
        std::string_view item = s.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        unsigned v = 0;
        auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc() || end != item.data() + item.size() || v > 23) return std::nullopt;
        if (std::find(out.begin(), out.end(), v) != out.end()) return std::nullopt;
        out.push_back(v);
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

bool go_bool(std::string_view v) {
    if (auto b = parse_go_bool(v)) return *b;
    expected("true or false (also 1, 0, t, f)");
}

tpmwire::TPM_HANDLE handle(std::string_view v) {
    auto h = parse_go_uint(v);
    if (!h || *h > 0xFFFFFFFF) expected("a handle such as 0x81008003 (hex, decimal, or octal with a leading 0)");
    return static_cast<tpmwire::TPM_HANDLE>(*h);
}

std::uint32_t whole_number(std::string_view v, std::uint32_t max) {
    auto n = parse_go_uint(v);
    if (!n || *n > max) expected(fmt::format("a whole number from 0 to {}", max));
    return static_cast<std::uint32_t>(*n);
}

std::chrono::milliseconds positive_duration(std::string_view v) {
    auto d = parse_duration(v);
    if (!d || d->count() <= 0) expected("seconds or a duration such as 2s or 500ms");
    return *d;
}

std::chrono::seconds whole_seconds(std::string_view v) {
    auto d = parse_duration(v);
    if (!d || d->count() % 1000 != 0) expected("whole seconds such as 3600 or 1h");
    return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

std::vector<unsigned> pcr_list(std::string_view v) {
    auto p = parse_pcrs(v);
    if (!p) expected("distinct PCR numbers 0-23 such as 23 or 0,7,23");
    return *p;
}

tpmwire::bytes key_name(std::string_view v) {
    if (v.starts_with("0x")) v.remove_prefix(2);
    const bool sized = (v.size() == 68 && v.starts_with("000b")) || (v.size() == 100 && v.starts_with("000c"));
    const bool ok = sized && v.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
    if (!ok)
        expected("the hex name of a key: 000b and 64 hex digits (SHA-256), or 000c and 96 (SHA-384, an ECC P-384 "
                 "EK's)");
    return tpmwire::from_hex(std::string(v));
}

std::string access_key_id(std::string_view v) {
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    if (v.size() < 16 || v.size() > 128 || !std::all_of(v.begin(), v.end(), word))
        expected("16 to 128 letters and digits, such as AKIAIOSFODNN7EXAMPLE");
    return std::string(v);
}

std::string sts_text(std::string_view v, std::size_t min, std::size_t max, std::string_view extra) {
    const std::string allowed = fmt::format("{} to {} of A-Z a-z 0-9 _{}", min, max, extra);
    for (std::size_t i = 0; i < v.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(v[i]);
        if (!std::isalnum(c) && c != '_' && extra.find(v[i]) == std::string_view::npos)
            throw error(fault::usage, fmt::format("{} at position {} is not allowed ({})", describe_char(v[i]), i + 1, allowed));
    }
    if (v.size() < min || v.size() > max)
        throw error(fault::usage, fmt::format("{} character{}; expected {}", v.size(), v.size() == 1 ? "" : "s", allowed));
    return std::string(v);
}

std::string mfa_code(std::string_view v) {
    if (v.size() != 6 || !std::all_of(v.begin(), v.end(), is_digit)) expected("the 6 digits the MFA device shows");
    return std::string(v);
}

std::string non_empty(std::string_view v) {
    if (v.empty()) expected("a value, not an empty string");
    return std::string(v);
}

void require_in(handle_range r, tpmwire::TPM_HANDLE h, std::string_view flag) {
    if (h < r.first || h > r.last)
        usage_error(fmt::format("--{} 0x{:08x} is {} (0x{:08x} to 0x{:08x})", flag, h, r.refusal, r.first, r.last));
}

}  // namespace atpc::cli
