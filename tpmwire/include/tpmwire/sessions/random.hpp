// Random bytes for nonces, salts and seeds, from OpenSSL's CSPRNG.
#pragma once

#include "tpmwire/bytes.hpp"

#include <cstddef>

namespace tpmwire {

// n bytes from RAND_bytes; throws errc::crypto if the generator fails
// (e.g. it could not be seeded) rather than return weak bytes.
bytes random_bytes(std::size_t n);

}  // namespace tpmwire
