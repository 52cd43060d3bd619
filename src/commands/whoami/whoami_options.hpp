// `whoami`'s flags: the credential flow's, and --via-sts.
#pragma once

#include "cli/groups.hpp"
#include "credential/settings.hpp"

namespace atpc::commands {

struct whoami_options : cli::common_flags {
    credential::settings settings;
    bool via_sts = false;
};

cli::flag_table whoami_rows(whoami_options& o);
std::string whoami_usage();

}  // namespace atpc::commands
