// Bearer tokens: the container endpoint's and IMDS's session tokens.
#pragma once

#include "tpmwire/bytes.hpp"

#include <string_view>

namespace atpc::server {

// 256 random bits in base64 (44 characters, safe in a header and in a file
// the SDKs read whole: no newline). Throws atpc::error without randomness.
tpmwire::secret_string random_token();

// Equal contents, in time independent of where they differ (a length
// mismatch returns at once: tokens have a fixed, public length).
bool same_secret(std::string_view a, std::string_view b) noexcept;

}  // namespace atpc::server
