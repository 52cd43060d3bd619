// The credential mode, what `credential_process = ...` runs: flags → plan →
// kDate from the TPM and the STS call under one deadline → the JSON on stdout.
#include "commands/commands.hpp"
#include "commands/credential_flags.hpp"

#include "base/error.hpp"
#include "base/version.hpp"
#include "credential/fetch.hpp"
#include "output/process_output.hpp"

#include <fmt/format.h>

namespace atpc::commands {

std::string credential_process_usage() {
    credential_options unused;
    std::string out = "Usage: aws-tpm-process-credential --aws-access-key-id=AKID [flags]\n";
    for (const auto& sub : subcommands())
        out += fmt::format("       aws-tpm-process-credential {} [flags]   ({})\n", sub.name, sub.summary);
    out +=
        "\n"
        "Prints temporary AWS credentials for credential_process, signing the STS request with an\n"
        "HMAC key whose secret never leaves the TPM.\n"
        "\n"
        "Flags (-flag and --flag, -flag=value and -flag value; parsing stops at the first argument\n"
        "that is not a flag, and the rest is ignored, as in the original tool):\n" +
        cli::flag_help(credential_process_rows(unused)) +
        "\n"
        "Environment: TPM_KEY_AUTH, TPM_PARENT_AUTH (passwords), AWS_REGION, AWS_DEFAULT_REGION,\n"
        "AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, AWS_CA_BUNDLE, AWS_STS_REGIONAL_ENDPOINTS,\n"
        "AWS_USE_FIPS_ENDPOINT, HTTPS_PROXY, NO_PROXY.\n";
    return out;
}

int credential_process_main(int argc, char** argv, const env_lookup& env) {
    credential_options o;
    const cli::parse_result parsed = cli::parse_flags(argc, argv, credential_process_rows(o), env);
    if (o.help) {
        output::write_all(1, credential_process_usage());
        return 0;
    }
    if (o.version) {
        output::write_all(1, fmt::format("aws-tpm-process-credential {} (commit {}, built {})\n", version(),
                                         version_commit(), version_build_date()));
        return 0;
    }
    validate(o.settings);
    tpm::trace_fn trace = output::debug_trace(o.debug);
    // Never shown: a password typed after a bare `false` would be among them.
    if (parsed.trailing > 0 && trace)
        trace(fmt::format("ignoring {} argument(s) after the flags, as Go's flag package does", parsed.trailing));

    auto creds = credential::fetch(o.settings, env, trace);
    auto json = output::to_json(creds);
    if (!output::write_all(1, json)) throw error(fault::config, "cannot write the credentials to standard output");
    return 0;
}

}  // namespace atpc::commands
