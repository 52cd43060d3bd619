// The one command-line parser, with Go's flag package rules so every
// `credential_process = ...` line written for the original tool works:
// -name and --name, -name=value and -name value, booleans as -name or
// -name=true|false; parsing stops at "--" or the first argument that is not
// a flag. A subcommand's flags are one table of rows, composed from shared
// groups (cli/credential_flags.hpp); --help is generated from the rows.
#pragma once

#include "base/env.hpp"

#include "tpmwire/bytes.hpp"

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atpc::cli {

enum class flag_kind : unsigned char {
    value,    // -name=v or -name v
    boolean,  // -name, -name=false; never takes the next argument
};

// Writes a field. Throws atpc::error(fault::usage, "expected ...") for a bad
// value; the parser adds the flag's name (the checks: cli/values.hpp).
using setter = std::function<void(std::string_view)>;

struct flag {
    std::string_view name{};
    std::vector<std::string_view> aliases{};  // other spellings, e.g. keypass, h
    flag_kind kind = flag_kind::value;
    std::string_view placeholder{}; // the value's name in --help: <placeholder>
    std::string_view help{};
    std::string_view default_text{};  // shown in --help and README; empty: none
    std::string_view env{};         // read when the flag is absent or empty
    bool secret = false;            // the value is wiped from argv and never shown
    setter set{};
};

using flag_table = std::vector<flag>;

// Rows of several groups, in order.
flag_table join(std::initializer_list<flag_table> groups);

struct parse_result {
    int trailing = 0;        // arguments after the flags: not used, and wiped
    int first_trailing = 0;  // argv index of the first of them (0: none)
};

// Parses argv[1..argc) against `rows`, then reads the environment fallbacks
// of rows not given (or given empty). Secret values and every argument after
// the flags are overwritten in argv, so /proc/<pid>/cmdline no longer shows
// them; after a usage error, all of argv[1..) is. Throws
// atpc::error(fault::usage) naming the flag, never quoting a secret value.
parse_result parse_flags(int argc, char** argv, std::span<const flag> rows, const env_lookup& env);

// For subcommands that take nothing after their flags: the refusal (the
// argument itself is not shown: it may be a secret typed in the wrong place).
void refuse_trailing(const parse_result& r, std::string_view hint = {});

// "  --name, --alias <placeholder>  help (default: ...; environment: ...)" lines.
std::string flag_help(std::span<const flag> rows);

// What a row shows as its default: "env VAR", the default text, "false" for
// a boolean without one, else "—". README's flag tables show the same.
std::string shown_default(const flag& row);

// Setters for plain fields: the value as given; a Go boolean (-name alone
// gives "true"); a secret, into its zeroizing string.
setter store(std::string& field);
setter store(std::optional<std::string>& field);
setter store(bool& field);
setter store(tpmwire::secret_string& field);

// Throws atpc::error(fault::usage, message + " (see --help)").
[[noreturn]] void usage_error(const std::string& message);

}  // namespace atpc::cli
