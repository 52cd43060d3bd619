// `aws-tpm-process-credential serve`: a local credential server for
// containers, daemons and every SDK. Flags → first fetch → the variables a
// client needs, on stdout → serve, refreshing in the background, until
// SIGTERM or SIGINT.
#include "commands/commands.hpp"
#include "commands/parse.hpp"
#include "commands/serve/serve_options.hpp"

#include "base/error.hpp"
#include "output/process_output.hpp"
#include "server/run.hpp"

namespace atpc::commands {

std::string serve_usage() {
    serve_options unused;
    return "Usage: aws-tpm-process-credential serve --aws-access-key-id=AKID [--imds] [flags]\n"
           "\n"
           "Fetches credentials as credential_process does, then serves them over HTTP to the AWS SDKs'\n"
           "container provider (and with --imds, as IMDSv2), refreshing them in the background with one\n"
           "TPM use per refresh. Prints the variables a client needs, one NAME=value per line:\n"
           "AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE and, with --imds,\n"
           "AWS_EC2_METADATA_SERVICE_ENDPOINT. Runs until SIGTERM or SIGINT.\n"
           "\n"
           "Flags (-flag and --flag, -flag=value and -flag value):\n" +
           cli::flag_help(serve_rows(unused));
}

int serve_main(int argc, char** argv, const env_lookup& env) {
    serve_options o;
    if (parse_or_help(argc, argv, serve_rows(o), env, o, serve_usage)) return 0;
    validate(o);
    const auto log = [](const std::string& line) { output::print_error(line); };
    server::run(o.config, env, log, output::debug_trace(o.debug), [](const server::ready_info& r) {
        std::string lines = "AWS_CONTAINER_CREDENTIALS_FULL_URI=" + r.container_url + "\n" +
                            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=" + r.token_file + "\n";
        if (r.imds_endpoint) lines += "AWS_EC2_METADATA_SERVICE_ENDPOINT=" + *r.imds_endpoint + "\n";
        if (!output::write_all(1, lines)) throw error(fault::config, "cannot write to standard output");
    });
    return 0;
}

}  // namespace atpc::commands
