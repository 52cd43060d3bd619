// The credential flow's flags, shared by the subcommands that fetch
// credentials (the credential mode, whoami, a future serve). The rows write
// straight into credential::settings.
#pragma once

#include "cli/groups.hpp"
#include "credential/settings.hpp"

namespace atpc::commands {

struct credential_options : cli::common_flags {
    credential::settings settings;
    bool version = false;
};

// The TPM group, the key (access key id, handle or file), STS (role, region,
// endpoint, MFA, duration) and the run's deadline.
cli::flag_table credential_rows(credential::settings& s);
// The credential mode's table: credential_rows, version, debug, help.
cli::flag_table credential_process_rows(credential_options& o);

// The credential mode's --help, listing the subcommands too.
std::string credential_process_usage();

// Checks that need several flags (e.g. --aws-arn with --assumeRole).
void validate(const credential::settings& s);

}  // namespace atpc::commands
