// Big-endian writer and bounds-checked reader: the two primitives every TPM
// structure is built from (Part 1 §18, "canonical form" is big-endian).
//
// Reader never reads past its span. Each failure throws tpmwire::error
// (errc::marshal) naming the field that did not fit, e.g.
//   "TPM2B_NAME name: size 70 but only 12 bytes left".
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tpmwire {

class Writer {
public:
    // One allocation up front instead of a vector growing (and, with the
    // zeroizing allocator, wiping) its way up from one byte.
    Writer() { own_.reserve(256); }
    explicit Writer(bytes& out) : out_(&out) {}

    void u8(std::uint8_t v) { buf().push_back(v); }
    void u16(std::uint16_t v) {
        buf().push_back(static_cast<byte>(v >> 8));
        buf().push_back(static_cast<byte>(v));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }
    void u64(std::uint64_t v) {
        u32(static_cast<std::uint32_t>(v >> 32));
        u32(static_cast<std::uint32_t>(v));
    }
    void raw(bytes_view b) { buf().insert(buf().end(), b.begin(), b.end()); }

    // A TPM2B: 16-bit size then the bytes. `what` names the field for errors.
    void sized(bytes_view b, std::size_t max, std::string_view what);

    // For TPM2B wrappers of structures (TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE):
    // reserve the size, write the structure, then close() fills the size in.
    std::size_t open_sized() {
        u16(0);
        return buf().size();
    }
    void close_sized(std::size_t mark, std::string_view what);

    std::size_t size() const { return out_ ? out_->size() : own_.size(); }
    bytes& buffer() { return buf(); }
    bytes take() { return std::move(buf()); }

private:
    bytes& buf() { return out_ ? *out_ : own_; }
    bytes own_;
    bytes* out_ = nullptr;
};

class Reader {
public:
    explicit Reader(bytes_view in) : in_(in) {}
    // A Reader views its input: reading a temporary buffer would read freed memory.
    explicit Reader(bytes&&) = delete;

    std::uint8_t u8(std::string_view what);
    std::uint16_t u16(std::string_view what);
    std::uint32_t u32(std::string_view what);
    std::uint64_t u64(std::string_view what);
    bytes_view raw(std::size_t n, std::string_view what);
    // A TPM2B: 16-bit size (at most max) then that many bytes.
    bytes_view sized(std::size_t max, std::string_view what);
    // The inside of a TPM2B that wraps a structure: a sub-reader over exactly
    // the declared size. The caller must consume it completely (expect_end).
    Reader sized_struct(std::string_view what);

    std::size_t remaining() const { return in_.size() - pos_; }
    std::size_t position() const { return pos_; }
    bool empty() const { return remaining() == 0; }
    // Fails if any bytes were not consumed: a structure whose size field
    // claims more than its contents is as malformed as one that claims less.
    void expect_end(std::string_view what) const;

private:
    void need(std::size_t n, std::string_view what) const;
    bytes_view in_;
    std::size_t pos_ = 0;
};

}  // namespace tpmwire
