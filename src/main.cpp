// aws-tpm-process-credential: an AWS credential_process whose secret key
// lives in a TPM. See README.md.
#include "base/env.hpp"
#include "base/error.hpp"
#include "commands/commands.hpp"
#include "output/process_output.hpp"

#include "tpmwire/error.hpp"

#include <string>
#include <string_view>
#include <sys/prctl.h>
#include <sys/resource.h>

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

int dispatch(int argc, char** argv, const atpc::env_lookup& env) {
    if (argc > 1)
        for (const auto& sub : atpc::commands::subcommands())
            if (std::string_view(argv[1]) == sub.name) return sub.run(argc - 1, argv + 1, env);
    return atpc::commands::credential_process_main(argc, argv, env);
}

}  // namespace

int main(int argc, char** argv) {
    harden();
    try {
        return dispatch(argc, argv, atpc::process_environment());
    } catch (const atpc::error& e) {
        return fail(e.what(), e.kind() == atpc::fault::usage ? 2 : 1);
    } catch (const tpmwire::error& e) {
        return fail(e.what(), 1);
    } catch (const std::exception& e) {
        return fail(std::string("internal error: ") + e.what(), 1);
    }
}
