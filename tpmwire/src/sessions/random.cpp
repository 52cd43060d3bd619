#include "tpmwire/sessions/random.hpp"

#include "tpmwire/error.hpp"

#include <openssl/rand.h>

#include <climits>

namespace tpmwire {

bytes random_bytes(std::size_t n) {
    bytes out(n);
    if (n == 0) return out;
    if (n > static_cast<std::size_t>(INT_MAX) || RAND_bytes(out.data(), static_cast<int>(n)) != 1)
        throw error(errc::crypto, "OpenSSL RAND_bytes failed: the system random generator is unavailable");
    return out;
}

}  // namespace tpmwire
