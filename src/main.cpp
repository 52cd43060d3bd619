// aws-tpm-process-credential: an AWS credential_process whose secret key
// lives in a TPM. See README.md.
#include "cli/flags.hpp"
#include "credential/fetch.hpp"
#include "error.hpp"
#include "output/process_output.hpp"
#include "provision/commands.hpp"
#include "sts/env.hpp"
#include "version.hpp"

#include "tpmwire/error.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <string_view>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

// Secrets live in this process's memory: keep them out of core dumps and
// out of reach of same-user ptrace.
void harden() {
    rlimit none{0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int fail(const std::string& message, int code) {
    atpc::output::print_error(message);
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    harden();
    const auto env = atpc::sts::process_environment();
    try {
        // Subcommands; anything else is the credential mode, unchanged.
        if (argc > 1 && std::string_view(argv[1]) == "import") return atpc::provision::import_main(argc - 1, argv + 1, env);
        if (argc > 1 && std::string_view(argv[1]) == "whoami") return atpc::provision::whoami_main(argc - 1, argv + 1, env);
        atpc::cli::options o = atpc::cli::parse(argc, argv, env);
        if (o.help) {
            atpc::output::write_all(1, atpc::cli::usage());
            return 0;
        }
        if (o.version) {
            atpc::output::write_all(1, fmt::format("aws-tpm-process-credential {} (commit {}, built {})\n",
                                                   atpc::version(), ATPC_COMMIT, ATPC_BUILD_DATE));
            return 0;
        }
        atpc::cli::validate(o);
        atpc::tpm::trace_fn trace = atpc::output::debug_trace(o.debug);
        if (!o.ignored.empty() && trace) trace("ignoring arguments after the flags, as Go's flag package does: " + o.ignored.front() + " ...");

        auto creds = atpc::credential::fetch(o, env, trace);
        auto json = atpc::output::to_json(creds);
        if (!atpc::output::write_all(1, json)) return fail("cannot write the credentials to standard output", 1);
        return 0;
    } catch (const atpc::error& e) {
        return fail(e.what(), e.kind() == atpc::fault::usage ? 2 : 1);
    } catch (const tpmwire::error& e) {
        return fail(e.what(), 1);
    } catch (const std::exception& e) {
        return fail(std::string("internal error: ") + e.what(), 1);
    }
}
