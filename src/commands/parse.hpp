// The start every subcommand shares: its flags, then --help.
#pragma once

#include "cli/groups.hpp"

#include <functional>
#include <string>

namespace atpc::commands {

// Parses the flags of a subcommand that takes nothing after them (rows write
// into the options `flags` belongs to). True when --help was given: its
// usage has then been printed and the subcommand returns 0.
bool parse_or_help(int argc, char** argv, const cli::flag_table& rows, const env_lookup& env,
                   const cli::common_flags& flags, const std::function<std::string()>& usage);

}  // namespace atpc::commands
