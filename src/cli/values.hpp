// The values flags take, parsed once for every subcommand: Go's spellings
// for booleans and integers (the original tool's config lines use them),
// durations, PCR lists, key names, access key ids, STS's character sets.
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/constants.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atpc::cli {

// Go's strconv.ParseBool.
std::optional<bool> parse_go_bool(std::string_view s);
// Go's strconv.ParseUint(s, 0, 64): 0x.., 0o.., 0b.., 0.. (octal), decimal.
std::optional<std::uint64_t> parse_go_uint(std::string_view s);
// Seconds ("3600") or a Go duration ("1h", "90m", "2s", "500ms", "1h30m").
std::optional<std::chrono::milliseconds> parse_duration(std::string_view s);
// "23", "0,7,23", " 0, 7 ,23 ": distinct SHA-256 PCRs 0-23.
std::optional<std::vector<unsigned>> parse_pcrs(std::string_view s);

// For setters: each returns the value or throws atpc::error(fault::usage)
// saying what was expected; the parser adds the flag's name, and the value
// unless the flag is secret.
bool go_bool(std::string_view v);
tpmwire::TPM_HANDLE handle(std::string_view v);
// 0 to `max`, in Go's integer spellings.
std::uint32_t whole_number(std::string_view v, std::uint32_t max);
std::chrono::milliseconds positive_duration(std::string_view v);
std::chrono::seconds whole_seconds(std::string_view v);
std::vector<unsigned> pcr_list(std::string_view v);
// A key's name, with or without "0x": nameAlg SHA-256 (000b) and a 32-byte
// digest, or SHA-384 (000c) and a 48-byte one (an ECC P-384 EK's).
tpmwire::bytes key_name(std::string_view v);
// 16 to 128 of [A-Za-z0-9_].
std::string access_key_id(std::string_view v);
// STS's [\w<extra>]{min,max}: names the first character outside the set and
// its position before it speaks of the length.
std::string sts_text(std::string_view v, std::size_t min, std::size_t max, std::string_view extra);
// Six digits.
std::string mfa_code(std::string_view v);
std::string non_empty(std::string_view v);

// Handle ranges that cross-flag checks apply.
struct handle_range {
    tpmwire::TPM_HANDLE first;
    tpmwire::TPM_HANDLE last;
    std::string_view refusal;  // "--flag 0x.. is <refusal> (first to last)"
};
inline constexpr handle_range persistent_handles{0x81000000, 0x81FFFFFF, "not a persistent handle"};
// EvictControl with owner authorization may use this part; the rest of the
// persistent range belongs to the platform.
inline constexpr handle_range owner_persistent_handles{0x81000000, 0x817FFFFF, "outside the owner's persistent range"};
void require_in(handle_range r, tpmwire::TPM_HANDLE h, std::string_view flag);

}  // namespace atpc::cli
