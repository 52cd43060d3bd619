// The command line, parsed as Go's flag package does, so every
// `credential_process = ...` line written for the original tool works:
// -name and --name, -name=value and -name value, booleans as -name or
// -name=true|false, parsing stops at the first non-flag argument or "--".
#pragma once

#include "cli/options.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace atpc::cli {

using env_lookup = std::function<std::optional<std::string>(std::string_view)>;

// Parses argv[1..argc) and the environment fallbacks (TPM_KEY_AUTH,
// TPM_PARENT_AUTH). Throws atpc::error(fault::usage) with one line naming the
// flag at fault. Arguments holding a password are overwritten in place once
// copied, so /proc/<pid>/cmdline no longer shows them.
options parse(int argc, char** argv, const env_lookup& env);

// Checks that need every flag (e.g. --aws-arn with --assumeRole).
void validate(const options& o);

// The usage text with every flag.
std::string usage();

// Go's strconv.ParseInt(s, 0, 64) for handles: 0x.., 0o.., 0b.., 0.. (octal), decimal.
std::optional<std::uint64_t> parse_go_uint(std::string_view s);
// Seconds ("3600") or a Go duration ("1h", "90m", "2s", "500ms", "1h30m").
std::optional<std::chrono::milliseconds> parse_duration(std::string_view s);
// "23", "0,7,23", " 0, 7 ,23 ".
std::optional<std::vector<unsigned>> parse_pcrs(std::string_view s);

}  // namespace atpc::cli
