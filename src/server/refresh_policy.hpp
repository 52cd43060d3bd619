// When to refresh: pure arithmetic on the wall clock (STS's expiration is a
// wall-clock time), so the tests drive it without waiting.
#pragma once

#include <chrono>

namespace atpc::server {

using wall_clock = std::chrono::system_clock;

// When to start the next refresh of credentials expiring at `expiration`:
// refresh_before ahead of it, earlier by a jitter (`unit_random` in [0, 1)
// scales it; never more than a quarter of the time left until then), and
// never sooner than min_refresh_spacing from `now`.
wall_clock::time_point next_refresh(wall_clock::time_point expiration, wall_clock::time_point now, double unit_random);

// The wait after the n-th failed refresh in a row (n >= 1): first_retry
// doubling up to max_retry, each scaled by [0.5, 1) from `unit_random`.
wall_clock::duration retry_delay(int failures, double unit_random);

// A number in [0, 1) from the system's random source.
double unit_random();

}  // namespace atpc::server
