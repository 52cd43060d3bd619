// SHA-256 and HMAC-SHA256 for SigV4 (tpmwire's OpenSSL wrappers), with
// OpenSSL failures reported as atpc::error(fault::internal).
#pragma once

#include "tpmwire/bytes.hpp"

#include <string>
#include <string_view>

namespace atpc::sigv4 {

inline constexpr std::size_t sha256_size = 32;

// Lower-case hex of SHA-256(data).
std::string sha256_hex(std::string_view data);

// HMAC-SHA256(key, data), in a zeroizing buffer.
tpmwire::bytes hmac_sha256(tpmwire::bytes_view key, std::string_view data);

}  // namespace atpc::sigv4
