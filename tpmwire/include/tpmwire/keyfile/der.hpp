// The small part of ASN.1 DER (X.690 §10) that TSS2 PRIVATE KEY files use:
// single-byte tags, definite lengths, BOOLEAN, INTEGER, OCTET STRING,
// OBJECT IDENTIFIER, UTF8String, SEQUENCE and EXPLICIT context tags.
//
// The reader is strict: every length is checked against the bytes that are
// actually there, and anything DER forbids (indefinite or non-minimal
// lengths, multi-byte tags, non-minimal INTEGERs) is refused, except that a
// BOOLEAN TRUE need not be FF (see decode_boolean). It never
// recurses on its own: callers walk a fixed schema, so nesting depth is
// bounded by that schema, not by the input. Every failure is
// tpmwire::error(errc::keyfile, "key file: ...").
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace tpmwire::der {

// Universal tags (X.680 §8.4), as they appear on the wire.
inline constexpr byte BOOLEAN = 0x01;
inline constexpr byte INTEGER = 0x02;
inline constexpr byte OCTET_STRING = 0x04;
inline constexpr byte OBJECT_IDENTIFIER = 0x06;
inline constexpr byte UTF8String = 0x0C;
inline constexpr byte SEQUENCE = 0x30;  // constructed
// [n] EXPLICIT: context-specific class, constructed.
constexpr byte context(unsigned n) { return static_cast<byte>(0xA0 | n); }

// Throws tpmwire::error(errc::keyfile, "key file: " + what).
[[noreturn]] void fail(const std::string& what);

// A human name for a tag in error messages: "INTEGER", "[3]", "tag 0x45".
std::string tag_name(byte tag);

struct element {
    byte tag = 0;
    bytes_view content;
};

class reader {
public:
    explicit reader(bytes_view in) : in_(in) {}
    // A reader only borrows its input: refuse temporaries it would outlive.
    explicit reader(bytes&&) = delete;

    bool empty() const { return pos_ == in_.size(); }
    std::size_t position() const { return pos_; }
    // The tag of the next element; only valid when !empty().
    byte peek_tag() const { return in_[pos_]; }

    // The next element, whatever its tag. `what` names it in errors.
    element next(std::string_view what);
    // The next element's content, which must carry `tag`.
    bytes_view next(byte tag, std::string_view what);
    // A reader over the content of the next element, which must carry the
    // constructed tag `tag` (SEQUENCE or [n]).
    reader enter(byte tag, std::string_view what) { return reader(next(tag, what)); }
    // Fails when bytes are left over: "trailing data after <what>".
    void expect_end(std::string_view what) const;

private:
    bytes_view in_;
    std::size_t pos_ = 0;
};

// Content decoders. `what` names the field in errors.
// Any non-zero byte is TRUE: the one BER leniency, because tpm2-tools 5.4
// writes TRUE as 01. The writer always uses FF.
bool decode_boolean(bytes_view content, std::string_view what);
// An INTEGER that must fit 32 bits. Positive values up to 0xFFFFFFFF are
// taken as they are; negative values of at most 4 bytes are read as the
// 32-bit two's complement a writer meant (80 00 00 00 is 0x80000000), since
// writers in the wild encode TPM handles either way.
std::uint32_t decode_uint32(bytes_view content, std::string_view what);
// Dotted decimal ("2.23.133.10.1.3"); fails on a malformed encoding.
std::string decode_oid(bytes_view content, std::string_view what);
// Checks well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
std::string decode_utf8(bytes_view content, std::string_view what);

// Writers: each appends one complete element (tag, minimal length, content).
void write(bytes& out, byte tag, bytes_view content);
void write_boolean(bytes& out, bool v);
// Minimal positive INTEGER: 5 bytes (leading 00) when the top bit is set.
void write_uint32(bytes& out, std::uint32_t v);

}  // namespace tpmwire::der
