// The two time formats SigV4 uses: X-Amz-Date "YYYYMMDDTHHMMSSZ" and the
// scope date "YYYYMMDD", both UTC.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace atpc::sigv4 {

// "YYYYMMDDTHHMMSSZ" for tp (truncated to the second). Throws
// atpc::error(fault::usage) for a year outside 0000-9999.
std::string amz_date(std::chrono::system_clock::time_point tp);

// The "YYYYMMDD" prefix of a valid X-Amz-Date value. Take the scope date
// from the same X-Amz-Date as the request, or a request signed a moment
// before midnight UTC gets a scope AWS rejects.
std::string date_stamp(std::string_view amz_date);

// Throw atpc::error(fault::usage) unless s has the shape of the format
// (digits where digits go, month 01-12, day 01-31, hour < 24, ...).
void check_amz_date(std::string_view s);
void check_date_stamp(std::string_view s);

}  // namespace atpc::sigv4
