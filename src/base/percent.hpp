// The program's one percent-decoder (RFC 3986 %XX escapes, either case;
// '+' stays '+'), on top of tpmwire's hex decoder. Generic over the output
// string so a secret (a proxy password) can be decoded into wiped storage.
#pragma once

#include <string_view>

#include <tpmwire/bytes.hpp>
#include <tpmwire/error.hpp>

namespace atpc {

// Appends the decoded `s` to `out`; false on a truncated or non-hex escape
// (`out` then holds a partial result).
template <class String>
bool percent_decode(std::string_view s, String& out) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (s.size() - i < 3) return false;
        try {
            const tpmwire::bytes b = tpmwire::from_hex(s.substr(i + 1, 2));
            out += static_cast<char>(b[0]);
        } catch (const tpmwire::error&) {
            return false;
        }
        i += 2;
    }
    return true;
}

// True when every '%' in `s` starts a well-formed escape.
inline bool has_valid_escapes(std::string_view s) {
    struct counter {
        counter& operator+=(char) { return *this; }
    } sink;
    return percent_decode(s, sink);
}

}  // namespace atpc
