// Byte buffers used throughout tpmwire.
//
// Every buffer tpmwire allocates can hold a secret at some point (an auth
// value, a session key, an HMAC result, a marshalled command carrying a
// password), so all of them are wiped when their storage is released: the
// allocator zeroes memory before handing it back. This costs one memset per
// free on buffers of at most a few KiB, and removes a whole class of
// "forgot to wipe that copy" mistakes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tpmwire {

// Overwrites n bytes at p with zeros in a way the optimiser must keep.
void secure_zero(void* p, std::size_t n) noexcept;

template <class T>
struct zeroizing_allocator {
    using value_type = T;
    zeroizing_allocator() noexcept = default;
    template <class U>
    zeroizing_allocator(const zeroizing_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        secure_zero(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <class U>
    bool operator==(const zeroizing_allocator<U>&) const noexcept { return true; }
};

using byte = std::uint8_t;
// Owning byte buffer, wiped on release.
using bytes = std::vector<byte, zeroizing_allocator<byte>>;
// Owning text buffer for secrets (passwords, credentials), wiped on release.
// The allocator wipes heap storage; the destructor also wipes the string's
// own small-string buffer, which short strings use and no allocator sees.
class secret_string : public std::basic_string<char, std::char_traits<char>, zeroizing_allocator<char>> {
    using base = std::basic_string<char, std::char_traits<char>, zeroizing_allocator<char>>;

public:
    using base::base;
    using base::operator=;
    secret_string() = default;
    secret_string(const secret_string&) = default;
    secret_string(secret_string&& other) noexcept : base(std::move(other)) {}
    secret_string& operator=(const secret_string&) = default;
    secret_string& operator=(secret_string&& other) noexcept {
        base::operator=(std::move(other));
        return *this;
    }
    ~secret_string() { secure_zero(base::data(), base::capacity()); }
};
using bytes_view = std::span<const byte>;

inline bytes to_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }
inline bytes to_bytes(bytes_view s) { return bytes(s.begin(), s.end()); }
inline bytes_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const byte*>(s.data()), s.size()};
}

// Lower-case hex, and its inverse (throws tpmwire::error on bad input).
std::string to_hex(bytes_view b);
bytes from_hex(std::string_view hex);

// Constant-time comparison for MACs and names.
bool equal_constant_time(bytes_view a, bytes_view b) noexcept;

}  // namespace tpmwire
