#include "sts/time.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace atpc::sts {
namespace {

using namespace std::chrono;

// Latest accepted instant: 9999-12-31T23:59:59.999Z.
constexpr std::int64_t max_ms = 253402300799999;

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

std::optional<sys_time> make_time(int y, int mo, int d, int h, int mi, int s, int ms, int offset_minutes) {
    if (y < 1970 || y > 9999 || h > 23 || mi > 59 || s > 60) return std::nullopt;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    if (s == 60) s = 59;  // a leap second is read as the second before it
    auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms} - minutes{offset_minutes};
    auto count = time_point_cast<milliseconds>(t).time_since_epoch().count();
    if (count < 0 || count > max_ms) return std::nullopt;
    return sys_time{milliseconds{count}};
}

}  // namespace

std::optional<sys_time> parse_iso8601(std::string_view t) {
    int y, mo, d, h, mi, s;
    if (!digits(t, 0, 4, y) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' ||
        !digits(t, 8, 2, d) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !digits(t, 11, 2, h) ||
        t[13] != ':' || !digits(t, 14, 2, mi) || t[16] != ':' || !digits(t, 17, 2, s)) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    int ms = 0;
    if (pos < t.size() && t[pos] == '.') {
        ++pos;
        std::size_t n = 0;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
            if (n < 3) ms = ms * 10 + (t[pos] - '0');
            ++n;
            ++pos;
        }
        if (n == 0 || n > 9) return std::nullopt;
        for (std::size_t i = n; i < 3; ++i) ms *= 10;
    }
    int offset = 0;
    if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
        ++pos;
    } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
        const int sign = t[pos] == '-' ? -1 : 1;
        int oh, om;
        if (!digits(t, pos + 1, 2, oh)) return std::nullopt;
        std::size_t mpos = pos + 3;
        if (mpos < t.size() && t[mpos] == ':') ++mpos;
        if (!digits(t, mpos, 2, om) || oh > 23 || om > 59) return std::nullopt;
        offset = sign * (oh * 60 + om);
        pos = mpos + 2;
    } else {
        return std::nullopt;  // a time without a zone is ambiguous
    }
    if (pos != t.size()) return std::nullopt;
    return make_time(y, mo, d, h, mi, s, ms, offset);
}

std::optional<sys_time> parse_epoch_number(std::string_view t) {
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r')) {
        t.remove_suffix(1);
    }
    // JSON grammar: (0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, no sign: the
    // epoch of a credential's expiry is never negative.
    std::size_t pos = 0;
    std::string mantissa;
    auto take_digits = [&](std::string* into) {
        std::size_t start = pos;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
            if (into) *into += t[pos];
            ++pos;
        }
        return pos - start;
    };
    const std::size_t int_start = pos;
    const std::size_t int_len = take_digits(&mantissa);
    if (int_len == 0 || (int_len > 1 && t[int_start] == '0')) return std::nullopt;
    std::size_t frac_len = 0;
    if (pos < t.size() && t[pos] == '.') {
        ++pos;
        frac_len = take_digits(&mantissa);
        if (frac_len == 0) return std::nullopt;
    }
    long exponent = 0;
    if (pos < t.size() && (t[pos] == 'e' || t[pos] == 'E')) {
        ++pos;
        int sign = 1;
        if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) sign = t[pos++] == '-' ? -1 : 1;
        std::string exp_digits;
        if (take_digits(&exp_digits) == 0 || exp_digits.size() > 4) return std::nullopt;
        exponent = sign * std::stol(exp_digits);
    }
    if (pos != t.size() || mantissa.size() > 400) return std::nullopt;
    // value_ms = mantissa * 10^(exponent - frac_len + 3), truncated.
    const long shift = exponent - static_cast<long>(frac_len) + 3;
    std::string ms_digits = mantissa;
    if (shift >= 0) {
        if (shift > 40) return std::nullopt;
        ms_digits.append(static_cast<std::size_t>(shift), '0');
    } else {
        const auto drop = static_cast<std::size_t>(-shift);
        ms_digits = drop >= ms_digits.size() ? "0" : ms_digits.substr(0, ms_digits.size() - drop);
    }
    auto first = ms_digits.find_first_not_of('0');
    if (first == std::string::npos) return sys_time{};
    ms_digits.erase(0, first);
    if (ms_digits.size() > 15) return std::nullopt;
    const std::int64_t ms = std::stoll(ms_digits);
    if (ms > max_ms) return std::nullopt;
    return sys_time{milliseconds{ms}};
}

std::optional<sys_time> parse_http_date(std::string_view t) {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    static constexpr std::array<std::string_view, 7> days = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (t.size() != 29 || t.substr(3, 2) != ", " || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' || t[19] != ':' ||
        t[22] != ':' || t.substr(25) != " GMT") {
        return std::nullopt;
    }
    bool day_ok = false;
    for (auto n : days) day_ok = day_ok || t.substr(0, 3) == n;
    int mo = 0;
    for (std::size_t i = 0; i < months.size(); ++i) {
        if (t.substr(8, 3) == months[i]) mo = static_cast<int>(i) + 1;
    }
    int d, y, h, mi, s;
    if (!day_ok || mo == 0 || !digits(t, 5, 2, d) || !digits(t, 12, 4, y) || !digits(t, 17, 2, h) ||
        !digits(t, 20, 2, mi) || !digits(t, 23, 2, s)) {
        return std::nullopt;
    }
    return make_time(y, mo, d, h, mi, s, 0, 0);
}

}  // namespace atpc::sts
