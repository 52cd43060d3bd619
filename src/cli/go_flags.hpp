// A small table-driven parser with Go's flag package rules, for the
// subcommands (the credential mode has its own in cli/): -name and --name,
// -name=value and -name value, booleans as -name or -name=true|false.
// Unlike Go, arguments after the flags are refused, without echoing them:
// a user may have typed the secret there.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace atpc::cli {

enum class flag_kind { boolean, value, secret };

struct flag_spec {
    std::string_view name;
    flag_kind kind;
    std::string_view help;
};

using flag_handler = std::function<void(const flag_spec&, std::string_view value)>;

// Calls `on_flag` for each flag of argv[1..argc) in order (a boolean given
// without a value gets "true"). Values of secret flags are overwritten in
// argv afterwards, so /proc/<pid>/cmdline no longer shows them. Throws
// atpc::error(fault::usage) for an unknown flag, a missing value, or any
// argument after the flags (which is wiped too).
void parse_go_flags(int argc, char** argv, std::span<const flag_spec> specs, const flag_handler& on_flag);

// Go's strconv.ParseBool.
std::optional<bool> parse_go_bool(std::string_view s);

// "  --name   help" lines.
std::string flag_help(std::span<const flag_spec> specs);

[[noreturn]] void usage_error(const std::string& message);

}  // namespace atpc::cli
