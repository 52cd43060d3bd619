#include "commands/commands.hpp"

namespace atpc::commands {

std::span<const subcommand> subcommands() {
    static constexpr subcommand table[] = {
        {"import", "put a secret into the TPM; see import --help", import_main},
        {"whoami", "check that a TPM key and its access key id match; see whoami --help", whoami_main},
        {"ek", "print the TPM's endorsement key names and check their certificates; see ek --help", ek_main},
        {"serve", "serve credentials to containers, daemons and SDKs over local HTTP; see serve --help", serve_main},
    };
    return table;
}

}  // namespace atpc::commands
