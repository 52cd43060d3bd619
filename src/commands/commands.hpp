// The subcommands, one file each under commands/<name>/, and the table
// main() dispatches on. Each entry point takes argv with argv[0] = the
// subcommand's name (the program's name for the credential mode), prints its
// result on stdout and returns the exit code; errors are thrown as
// atpc::error (main prints the one line; exit 2 for usage, else 1).
#pragma once

#include "base/env.hpp"

#include <span>
#include <string_view>

namespace atpc::commands {

int credential_process_main(int argc, char** argv, const env_lookup& env);
int import_main(int argc, char** argv, const env_lookup& env);
int whoami_main(int argc, char** argv, const env_lookup& env);
int serve_main(int argc, char** argv, const env_lookup& env);
int ek_main(int argc, char** argv, const env_lookup& env);

struct subcommand {
    std::string_view name;     // argv[1]
    std::string_view summary;  // one line for the program's --help
    int (*run)(int argc, char** argv, const env_lookup& env);
};

// The named subcommands. Anything else on the command line is the
// credential mode (credential_process_main), as in the original tool.
std::span<const subcommand> subcommands();

}  // namespace atpc::commands
