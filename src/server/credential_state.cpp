#include "server/credential_state.hpp"

#include "output/process_output.hpp"
#include "output/served_output.hpp"
#include "server/limits.hpp"

namespace atpc::server {

void credential_state::install(const sts::credentials& c, wall_clock::time_point now) {
    auto next = std::make_shared<served_credentials>();
    next->container_body = output::container_json(c);
    next->imds_body = output::imds_json(c, now);
    next->expiration = c.expiration;
    current_ = std::move(next);
    last_failure_.clear();
}

void credential_state::refresh_failed(std::string cause) { last_failure_ = std::move(cause); }

std::shared_ptr<const served_credentials> credential_state::usable(wall_clock::time_point now) const {
    if (!current_ || current_->expiration - now <= serve_until) return nullptr;
    return current_;
}

std::string credential_state::unavailable_reason() const {
    std::string why = !current_ ? "no credentials have been obtained yet"
                                : "the last credentials expire at " + output::rfc3339(current_->expiration) +
                                      ", too soon to hand out (fewer than " +
                                      std::to_string(std::chrono::duration_cast<std::chrono::minutes>(serve_until).count()) +
                                      " minutes left)";
    if (!last_failure_.empty()) return why + "; the last refresh failed: " + last_failure_;
    return why + "; a refresh is under way";
}

wall_clock::time_point credential_state::expiration() const {
    return current_ ? current_->expiration : wall_clock::time_point{};
}

}  // namespace atpc::server
