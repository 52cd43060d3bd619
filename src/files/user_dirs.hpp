// The program's per-user directories, and the check that a file or
// directory is the user's own: what another user can write, they can plant
// (a pin, a lock file that never frees).
#pragma once

#include "base/env.hpp"

#include <string>

struct stat;

namespace atpc::files {

// $XDG_STATE_HOME/aws-tpm-process-credential, else the same under
// $HOME/.local/state (else the home directory from the password database).
std::string state_directory(const env_lookup& env);

// Why `st` is not private to the effective user (another owner, or
// writable by group or others), or empty when it is.
std::string not_private(const struct stat& st);

// Creates `dir` (missing parents too, 0700) unless it exists, then checks
// that it is a directory of the effective user that nobody else can write.
// Returns why not, or empty on success.
std::string make_private_directory(const std::string& dir);

}  // namespace atpc::files
