// Base64 (RFC 4648 §4) and PEM armour (RFC 7468) for key files.
//
// Reading is strict about the data and tolerant about the text around it:
// the armoured block may sit among other text, lines may end in CRLF and
// carry trailing blanks, but the base64 must be canonical (only the 64
// alphabet characters, padding only at the end, unused bits zero).
// Failures are tpmwire::error(errc::keyfile, "key file: ...").
#pragma once

#include "tpmwire/bytes.hpp"

#include <string>
#include <string_view>

namespace tpmwire::pem {

std::string base64_encode(bytes_view data);
// Whitespace (space, tab, CR, LF) between characters is skipped.
bytes base64_decode(std::string_view text);

// The bytes of the one block labelled `label` in `text`. Fails when there is
// no such block (naming the label found instead, if any), when it is not
// terminated, or when there are two.
bytes decode(std::string_view text, std::string_view label);
// "-----BEGIN label-----\n", base64 in 64-character lines, "-----END label-----\n".
std::string encode(bytes_view data, std::string_view label);

}  // namespace tpmwire::pem
