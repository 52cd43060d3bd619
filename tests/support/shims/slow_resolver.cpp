// LD_PRELOAD shim for tests: getaddrinfo(3) sleeps ATPC_TEST_RESOLVER_DELAY_MS
// milliseconds before answering, like a resolver whose DNS server never
// replies. Proves that a run's deadline holds while a lookup blocks.
#include <dlfcn.h>
#include <netdb.h>

#include <chrono>
#include <cstdlib>
#include <thread>

extern "C" int getaddrinfo(const char* node, const char* service, const struct addrinfo* hints,
                           struct addrinfo** res) {
    using real_fn = int (*)(const char*, const char*, const struct addrinfo*, struct addrinfo**);
    static const auto real = reinterpret_cast<real_fn>(dlsym(RTLD_NEXT, "getaddrinfo"));
    if (const char* ms = std::getenv("ATPC_TEST_RESOLVER_DELAY_MS"))
        std::this_thread::sleep_for(std::chrono::milliseconds(std::atol(ms)));
    return real(node, service, hints, res);
}
