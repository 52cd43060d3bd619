#include "tpmwire/marshal/marshal.hpp"

#include <string>

namespace tpmwire {

namespace {
[[noreturn]] void fail(std::string message) { throw error(errc::marshal, message); }
}  // namespace

void Writer::sized(bytes_view b, std::size_t max, std::string_view what) {
    if (b.size() > max)
        fail(std::string(what) + ": " + std::to_string(b.size()) + " bytes, at most " +
             std::to_string(max) + " allowed");
    u16(static_cast<std::uint16_t>(b.size()));
    raw(b);
}

void Writer::close_sized(std::size_t mark, std::string_view what) {
    std::size_t n = buf().size() - mark;
    if (n > 0xFFFF) fail(std::string(what) + ": structure of " + std::to_string(n) + " bytes is too large");
    buf()[mark - 2] = static_cast<byte>(n >> 8);
    buf()[mark - 1] = static_cast<byte>(n);
}

void Reader::need(std::size_t n, std::string_view what) const {
    if (n > remaining())
        fail(std::string(what) + ": needs " + std::to_string(n) + " bytes but only " +
             std::to_string(remaining()) + " left");
}

std::uint8_t Reader::u8(std::string_view what) {
    need(1, what);
    return in_[pos_++];
}

std::uint16_t Reader::u16(std::string_view what) {
    need(2, what);
    std::uint16_t v = static_cast<std::uint16_t>(in_[pos_] << 8 | in_[pos_ + 1]);
    pos_ += 2;
    return v;
}

std::uint32_t Reader::u32(std::string_view what) {
    need(4, what);
    std::uint32_t v = static_cast<std::uint32_t>(in_[pos_]) << 24 | static_cast<std::uint32_t>(in_[pos_ + 1]) << 16 |
                      static_cast<std::uint32_t>(in_[pos_ + 2]) << 8 | static_cast<std::uint32_t>(in_[pos_ + 3]);
    pos_ += 4;
    return v;
}

std::uint64_t Reader::u64(std::string_view what) {
    std::uint64_t hi = u32(what);
    return hi << 32 | u32(what);
}

bytes_view Reader::raw(std::size_t n, std::string_view what) {
    need(n, what);
    bytes_view v = in_.subspan(pos_, n);
    pos_ += n;
    return v;
}

bytes_view Reader::sized(std::size_t max, std::string_view what) {
    std::uint16_t n = u16(what);
    if (n > max)
        fail(std::string(what) + ": size " + std::to_string(n) + " exceeds the maximum " + std::to_string(max));
    if (n > remaining())
        fail(std::string(what) + ": size " + std::to_string(n) + " but only " + std::to_string(remaining()) +
             " bytes left");
    return raw(n, what);
}

Reader Reader::sized_struct(std::string_view what) {
    std::uint16_t n = u16(what);
    if (n > remaining())
        fail(std::string(what) + ": size " + std::to_string(n) + " but only " + std::to_string(remaining()) +
             " bytes left");
    return Reader(raw(n, what));
}

void Reader::expect_end(std::string_view what) const {
    if (remaining() != 0)
        fail(std::string(what) + ": " + std::to_string(remaining()) + " unexpected trailing bytes");
}

}  // namespace tpmwire
