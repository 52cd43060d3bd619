#include "tpmwire/keyfile/der.hpp"

#include <limits>

namespace tpmwire::der {

void fail(const std::string& what) { throw error(errc::keyfile, "key file: " + what); }

std::string tag_name(byte tag) {
    switch (tag) {
        case BOOLEAN: return "BOOLEAN";
        case INTEGER: return "INTEGER";
        case OCTET_STRING: return "OCTET STRING";
        case OBJECT_IDENTIFIER: return "OBJECT IDENTIFIER";
        case UTF8String: return "UTF8String";
        case SEQUENCE: return "SEQUENCE";
        default: break;
    }
    // Appended piece by piece: "[" + std::to_string(…) trips g++ 12's
    // -Wrestrict at -O3 (GCC bug 105329).
    if ((tag & 0xE0) == 0xA0 && (tag & 0x1F) != 0x1F) {
        std::string out = "[";
        out += std::to_string(tag & 0x1F);
        out += ']';
        return out;
    }
    static constexpr char hex[] = "0123456789abcdef";
    return std::string("tag 0x") + hex[tag >> 4] + hex[tag & 0xF];
}

// ---- reader -------------------------------------------------------------------

element reader::next(std::string_view what) {
    const std::string name(what);
    std::size_t left = in_.size() - pos_;
    if (left == 0) fail(name + " is missing (the data ends early)");
    if (left < 2) fail(name + " is truncated");
    byte tag = in_[pos_];
    // High-tag-number form (X.690 §8.1.2.4): no key file field needs it.
    if ((tag & 0x1F) == 0x1F) fail(name + ": multi-byte tags are not supported");
    byte first = in_[pos_ + 1];
    std::size_t header = 2;
    std::size_t length = 0;
    if (first < 0x80) {
        length = first;
    } else if (first == 0x80) {
        fail(name + " uses an indefinite length, which DER forbids");
    } else {
        std::size_t n = first & 0x7F;
        if (n > 4) fail(name + ": length of " + std::to_string(n) + " bytes is too large");
        if (left - 2 < n) fail(name + " is truncated in its length");
        if (in_[pos_ + 2] == 0) fail(name + ": length has a leading zero byte, which DER forbids");
        for (std::size_t i = 0; i < n; ++i) length = length << 8 | in_[pos_ + 2 + i];
        if (length < 0x80) fail(name + ": length " + std::to_string(length) + " should use the short form in DER");
        header += n;
    }
    if (length > left - header)
        fail(name + ": length " + std::to_string(length) + " but only " + std::to_string(left - header) +
             " bytes left");
    element e{tag, in_.subspan(pos_ + header, length)};
    pos_ += header + length;
    return e;
}

bytes_view reader::next(byte tag, std::string_view what) {
    if (!empty() && peek_tag() != tag)
        fail(std::string(what) + ": expected " + tag_name(tag) + " but found " + tag_name(peek_tag()));
    return next(what).content;
}

void reader::expect_end(std::string_view what) const {
    if (!empty())
        fail(std::to_string(in_.size() - pos_) + " bytes of trailing data after " + std::string(what));
}

// ---- content decoders -------------------------------------------------------------

bool decode_boolean(bytes_view c, std::string_view what) {
    if (c.size() != 1) fail(std::string(what) + ": BOOLEAN must be 1 byte, not " + std::to_string(c.size()));
    // DER says FF for TRUE, but tpm2-tools 5.4 writes 01: any non-zero is TRUE (X.690 §8.2.2).
    return c[0] != 0x00;
}

std::uint32_t decode_uint32(bytes_view c, std::string_view what) {
    const std::string name(what);
    if (c.empty()) fail(name + ": INTEGER has no content");
    if (c.size() > 1 && ((c[0] == 0x00 && c[1] < 0x80) || (c[0] == 0xFF && c[1] >= 0x80)))
        fail(name + ": INTEGER is not minimally encoded");
    bool negative = c[0] >= 0x80;
    if (!negative) {
        // A leading 00 only marks the value positive; at most 4 bytes remain.
        bytes_view v = c[0] == 0x00 && c.size() > 1 ? c.subspan(1) : c;
        if (v.size() > 4) fail(name + ": INTEGER does not fit 32 bits");
        std::uint32_t r = 0;
        for (byte b : v) r = r << 8 | b;
        return r;
    }
    if (c.size() > 4) fail(name + ": negative INTEGER does not fit 32 bits");
    // Sign-extend to 32 bits: the writer stored a uint32 as a signed int32.
    std::uint32_t r = 0xFFFFFFFFu;
    for (byte b : c) r = r << 8 | b;
    return r;
}

std::string decode_oid(bytes_view c, std::string_view what) {
    const std::string name(what);
    if (c.empty()) fail(name + ": OBJECT IDENTIFIER is empty");
    std::string out;
    std::uint64_t arc = 0;
    bool first = true;
    bool in_arc = false;
    for (byte b : c) {
        if (!in_arc && b == 0x80) fail(name + ": OBJECT IDENTIFIER arc has a leading 0x80 byte");
        if (arc > (std::numeric_limits<std::uint64_t>::max() >> 7)) fail(name + ": OBJECT IDENTIFIER arc is too large");
        arc = arc << 7 | (b & 0x7F);
        in_arc = (b & 0x80) != 0;
        if (in_arc) continue;
        if (first) {
            // X.690 §8.19.4: the first subidentifier packs the first two arcs.
            std::uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            out = std::to_string(top);
            out += '.';
            out += std::to_string(arc - top * 40);  // appended: see tag_name()
            first = false;
        } else {
            out += '.';
            out += std::to_string(arc);
        }
        arc = 0;
    }
    if (in_arc) fail(name + ": OBJECT IDENTIFIER ends in the middle of an arc");
    return out;
}

std::string decode_utf8(bytes_view c, std::string_view what) {
    std::size_t i = 0;
    while (i < c.size()) {
        byte b = c[i];
        if (b < 0x80) {
            ++i;
            continue;
        }
        // Continuation count and payload bits of the lead byte.
        std::size_t n = (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : 0;
        if (n == 0) fail(std::string(what) + " is not valid UTF-8");
        std::uint32_t cp = b & (0x3Fu >> n);
        if (c.size() - i - 1 < n) fail(std::string(what) + " is not valid UTF-8");
        for (std::size_t k = 1; k <= n; ++k) {
            if ((c[i + k] & 0xC0) != 0x80) fail(std::string(what) + " is not valid UTF-8");
            cp = cp << 6 | (c[i + k] & 0x3F);
        }
        static constexpr std::uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            fail(std::string(what) + " is not valid UTF-8");
        i += n + 1;
    }
    return std::string(c.begin(), c.end());
}

// ---- writers ----------------------------------------------------------------------

void write(bytes& out, byte tag, bytes_view content) {
    out.push_back(tag);
    std::size_t n = content.size();
    if (n < 0x80) {
        out.push_back(static_cast<byte>(n));
    } else {
        int len_bytes = 0;
        for (std::size_t t = n; t; t >>= 8) ++len_bytes;
        if (len_bytes > 4) throw error(errc::usage, "key file: element of " + std::to_string(n) + " bytes is too large");
        out.push_back(static_cast<byte>(0x80 | len_bytes));
        for (int i = len_bytes - 1; i >= 0; --i) out.push_back(static_cast<byte>(n >> (8 * i)));
    }
    out.insert(out.end(), content.begin(), content.end());
}

void write_boolean(bytes& out, bool v) {
    const byte b = v ? 0xFF : 0x00;
    write(out, BOOLEAN, bytes_view(&b, 1));
}

void write_uint32(bytes& out, std::uint32_t v) {
    byte buf[5] = {0, static_cast<byte>(v >> 24), static_cast<byte>(v >> 16), static_cast<byte>(v >> 8),
                   static_cast<byte>(v)};
    // Drop leading zero bytes while the next byte keeps the value positive.
    std::size_t start = 0;
    while (start < 4 && buf[start] == 0 && buf[start + 1] < 0x80) ++start;
    write(out, INTEGER, bytes_view(buf + start, 5 - start));
}

}  // namespace tpmwire::der
