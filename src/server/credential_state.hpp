// The credentials being handed out, already rendered in each endpoint's
// JSON (zeroizing storage), and why there are none when there are none.
//
// A request takes a shared reference to the current set and answers from it;
// a refresh installs a new set without touching the one a response is still
// being written from. Single-threaded: the server's one io_context.
#pragma once

#include "server/refresh_policy.hpp"
#include "sts/credentials.hpp"

#include "tpmwire/bytes.hpp"

#include <memory>
#include <string>

namespace atpc::server {

struct served_credentials {
    tpmwire::secret_string container_body;  // the container provider's JSON
    tpmwire::secret_string imds_body;       // IMDS's JSON for the role
    wall_clock::time_point expiration;
};

class credential_state {
public:
    // Renders `c` and makes it the set handed out.
    void install(const sts::credentials& c, wall_clock::time_point now);
    // A refresh failed with `cause` (one line, no secret).
    void refresh_failed(std::string cause);

    // The set to hand out at `now`, or null: none yet, or fewer than
    // serve_until left (never expired or nearly expired credentials).
    std::shared_ptr<const served_credentials> usable(wall_clock::time_point now) const;
    // Why usable() is null: one line for the 503 body and the log.
    std::string unavailable_reason() const;

    bool has_credentials() const { return current_ != nullptr; }
    wall_clock::time_point expiration() const;

private:
    std::shared_ptr<const served_credentials> current_;
    std::string last_failure_;  // empty after a success
};

}  // namespace atpc::server
