#include "sigv4/amz_date.hpp"

#include "base/error.hpp"

#include <cstdio>

namespace atpc::sigv4 {

namespace {

// The number in s[pos, pos+n) if all of it is digits, else -1.
int digits(std::string_view s, std::size_t pos, std::size_t n) {
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool valid_date_stamp(std::string_view s) {
    if (s.size() != 8 || digits(s, 0, 4) < 0) return false;
    const int month = digits(s, 4, 2), day = digits(s, 6, 2);
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

}  // namespace

void check_date_stamp(std::string_view s) {
    if (!valid_date_stamp(s)) throw error(fault::usage, "the SigV4 scope date is not of the form YYYYMMDD");
}

void check_amz_date(std::string_view s) {
    const bool ok = s.size() == 16 && valid_date_stamp(s.substr(0, 8)) && s[8] == 'T' && s[15] == 'Z' &&
                    digits(s, 9, 2) >= 0 && digits(s, 9, 2) < 24 && digits(s, 11, 2) >= 0 &&
                    digits(s, 11, 2) < 60 && digits(s, 13, 2) >= 0 && digits(s, 13, 2) <= 60;
    if (!ok) throw error(fault::usage, "the X-Amz-Date value is not of the form YYYYMMDDTHHMMSSZ");
}

std::string date_stamp(std::string_view amz_date) {
    check_amz_date(amz_date);
    return std::string(amz_date.substr(0, 8));
}

std::string amz_date(std::chrono::system_clock::time_point tp) {
    using namespace std::chrono;
    const auto secs = floor<seconds>(tp);
    const auto day = floor<days>(secs);
    const year_month_day ymd{day};
    const hh_mm_ss hms{secs - day};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999) throw error(fault::usage, "the signing time is outside the years 0000-9999");
    char buf[32];  // 17 needed; room for what -Wformat-truncation cannot rule out
    std::snprintf(buf, sizeof buf, "%04d%02u%02u" "T%02d%02d%02dZ", year, static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    return buf;
}

}  // namespace atpc::sigv4
