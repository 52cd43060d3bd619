// The credential mode, what `credential_process = ...` runs: flags → plan →
// kDate from the TPM and the STS call under one deadline → the JSON on stdout.
#include "commands/commands.hpp"

#include "base/error.hpp"
#include "base/version.hpp"
#include "cli/flags.hpp"
#include "credential/fetch.hpp"
#include "output/process_output.hpp"

#include <fmt/format.h>

namespace atpc::commands {

int credential_process_main(int argc, char** argv, const env_lookup& env) {
    cli::options o = cli::parse(argc, argv, env);
    if (o.help) {
        output::write_all(1, cli::usage());
        return 0;
    }
    if (o.version) {
        output::write_all(1, fmt::format("aws-tpm-process-credential {} (commit {}, built {})\n", version(),
                                         version_commit(), version_build_date()));
        return 0;
    }
    cli::validate(o);
    tpm::trace_fn trace = output::debug_trace(o.debug);
    if (!o.ignored.empty() && trace)
        trace("ignoring arguments after the flags, as Go's flag package does: " + o.ignored.front() + " ...");

    auto creds = credential::fetch(o, env, trace);
    auto json = output::to_json(creds);
    if (!output::write_all(1, json)) throw error(fault::config, "cannot write the credentials to standard output");
    return 0;
}

}  // namespace atpc::commands
