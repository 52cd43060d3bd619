#include "tpmwire/bytes.hpp"

#include "tpmwire/error.hpp"

#include <cstring>

namespace tpmwire {

void secure_zero(void* p, std::size_t n) noexcept {
    if (n == 0) return;
    std::memset(p, 0, n);
    // Tell the optimiser the zeroed memory is observed, so the memset stays.
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

std::string to_hex(bytes_view b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(b.size() * 2);
    for (byte v : b) {
        out.push_back(digits[v >> 4]);
        out.push_back(digits[v & 0xF]);
    }
    return out;
}

namespace {
int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

bytes from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) throw error(errc::usage, "hex string has an odd number of digits");
    bytes out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) throw error(errc::usage, "hex string contains a non-hex character");
        out.push_back(static_cast<byte>(hi << 4 | lo));
    }
    return out;
}

bool equal_constant_time(bytes_view a, bytes_view b) noexcept {
    if (a.size() != b.size()) return false;
    unsigned diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace tpmwire
