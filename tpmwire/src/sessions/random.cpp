#include "tpmwire/sessions/random.hpp"

#include "tpmwire/error.hpp"

#include <openssl/rand.h>

#include <cerrno>
#include <climits>

#if defined(__linux__)
#include <sys/random.h>
#endif

namespace tpmwire {

namespace {

// The kernel's generator (getrandom(2), blocking only until it is seeded at
// boot): cheaper than OpenSSL's DRBG, which re-keys its AES context on every
// call (bench/README.md). Every session command needs a fresh nonceCaller.
bool from_kernel(byte* p, std::size_t n) {
#if defined(__linux__)
    while (n > 0) {
        ssize_t got = ::getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return false;  // ENOSYS (a seccomp filter, an old kernel): use OpenSSL
        }
        p += got;
        n -= static_cast<std::size_t>(got);
    }
    return true;
#else
    (void)p;
    (void)n;
    return false;
#endif
}

}  // namespace

bytes random_bytes(std::size_t n) {
    bytes out(n);
    if (n == 0 || from_kernel(out.data(), n)) return out;
    if (n > static_cast<std::size_t>(INT_MAX) || RAND_bytes(out.data(), static_cast<int>(n)) != 1)
        throw error(errc::crypto, "OpenSSL RAND_bytes failed: the system random generator is unavailable");
    return out;
}

}  // namespace tpmwire
