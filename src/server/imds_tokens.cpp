#include "server/imds_tokens.hpp"

#include "server/secrets.hpp"

#include <algorithm>

namespace atpc::server {

imds_tokens::imds_tokens(std::size_t max_live) : max_live_(std::max<std::size_t>(max_live, 1)) {}

tpmwire::secret_string imds_tokens::issue(std::chrono::seconds ttl, clock::time_point now) {
    std::erase_if(tokens_, [now](const entry& e) { return e.expires <= now; });
    if (tokens_.size() >= max_live_) {
        auto oldest = std::min_element(tokens_.begin(), tokens_.end(),
                                       [](const entry& a, const entry& b) { return a.issued < b.issued; });
        tokens_.erase(oldest);
    }
    tokens_.push_back(entry{random_token(), now + ttl, now});
    return tokens_.back().token;
}

bool imds_tokens::valid(std::string_view token, clock::time_point now) const {
    // Every entry is compared, so the time taken says nothing about which matched.
    bool found = false;
    for (const auto& e : tokens_) found |= same_secret(token, e.token) && e.expires > now;
    return found;
}

}  // namespace atpc::server
