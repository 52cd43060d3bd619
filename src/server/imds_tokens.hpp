// IMDSv2 session tokens: issued by PUT /latest/api/token for a TTL, required
// by every other IMDS request. At most max_imds_tokens live at once; issuing
// one more drops the oldest (a client whose token was dropped gets 401 and
// asks for a new one, as the SDKs do after any 401).
#pragma once

#include "tpmwire/bytes.hpp"

#include <chrono>
#include <cstddef>
#include <string_view>
#include <vector>

namespace atpc::server {

class imds_tokens {
public:
    using clock = std::chrono::steady_clock;

    explicit imds_tokens(std::size_t max_live);
    // A fresh token valid for `ttl` from `now`.
    tpmwire::secret_string issue(std::chrono::seconds ttl, clock::time_point now);
    // Issued, not expired at `now`, not dropped. Compared in constant time.
    bool valid(std::string_view token, clock::time_point now) const;
    std::size_t live() const { return tokens_.size(); }

private:
    struct entry {
        tpmwire::secret_string token;
        clock::time_point expires;
        clock::time_point issued;
    };
    std::size_t max_live_;
    std::vector<entry> tokens_;
};

}  // namespace atpc::server
