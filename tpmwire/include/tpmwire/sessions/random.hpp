// Random bytes for nonces, salts and seeds: the kernel's CSPRNG on Linux,
// OpenSSL's elsewhere.
#pragma once

#include "tpmwire/bytes.hpp"

#include <cstddef>

namespace tpmwire {

// n bytes from getrandom(2), or RAND_bytes where that is unavailable; throws
// errc::crypto if the generator fails (e.g. it could not be seeded) rather
// than return weak bytes.
bytes random_bytes(std::size_t n);

}  // namespace tpmwire
