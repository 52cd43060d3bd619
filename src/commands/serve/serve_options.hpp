// `serve`'s flags: the credential flow's, and where and how to serve.
#pragma once

#include "cli/groups.hpp"
#include "server/run.hpp"

namespace atpc::commands {

struct serve_options : cli::common_flags {
    server::serve_config config;
    bool listen_non_loopback = false;
};

cli::flag_table serve_rows(serve_options& o);
std::string serve_usage();

// The checks that need several flags: loopback unless stated, IMDS on
// loopback only, credentials that outlive the refresh margin.
void validate(const serve_options& o);

}  // namespace atpc::commands
