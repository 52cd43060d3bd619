// The provisioning subcommands, dispatched from main() when argv[1] is
// "import" or "whoami". Each takes argv with argv[0] = the subcommand's name,
// prints its result on stdout and returns the exit code; errors are thrown
// as atpc::error (main prints the one line; exit 2 for usage, else 1).
#pragma once

#include "sts/env.hpp"

namespace atpc::provision {

int import_main(int argc, char** argv, const sts::env_lookup& env);
int whoami_main(int argc, char** argv, const sts::env_lookup& env);

}  // namespace atpc::provision
