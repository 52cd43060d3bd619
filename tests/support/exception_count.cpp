// Interposes the C++ runtime's __cxa_allocate_exception (the executable's
// definition wins over libstdc++'s), counts per thread, and forwards. Linked
// into a test only when it calls exceptions_created_on_this_thread().
#include "support/exception_count.hpp"

#include <dlfcn.h>

#include <cstddef>

namespace {
thread_local int created = 0;
}

extern "C" void* __cxa_allocate_exception(std::size_t size) noexcept {
    using fn = void* (*)(std::size_t) noexcept;
    static const fn real = reinterpret_cast<fn>(dlsym(RTLD_NEXT, "__cxa_allocate_exception"));
    ++created;
    return real(size);
}

namespace test {

int exceptions_created_on_this_thread() { return created; }

}  // namespace test
