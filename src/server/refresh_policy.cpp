#include "server/refresh_policy.hpp"

#include "server/limits.hpp"

#include <algorithm>
#include <random>

namespace atpc::server {

wall_clock::time_point next_refresh(wall_clock::time_point expiration, wall_clock::time_point now, double unit_random) {
    const wall_clock::time_point due = expiration - refresh_before;
    const wall_clock::duration room = std::max(due - now, wall_clock::duration::zero());
    const auto jitter_cap = std::min<wall_clock::duration>(max_refresh_jitter, room / 4);
    const auto jitter = std::chrono::duration_cast<wall_clock::duration>(jitter_cap * unit_random);
    return std::max(due - jitter, now + min_refresh_spacing);
}

wall_clock::duration retry_delay(int failures, double unit_random) {
    wall_clock::duration delay = first_retry;
    for (int i = 1; i < failures && delay < max_retry; ++i) delay *= 2;
    delay = std::min<wall_clock::duration>(delay, max_retry);
    return std::chrono::duration_cast<wall_clock::duration>(delay * (0.5 + unit_random / 2));
}

double unit_random() {
    static std::mt19937_64 generator{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

}  // namespace atpc::server
