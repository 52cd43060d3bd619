#include "commands/parse.hpp"

#include "output/process_output.hpp"

namespace atpc::commands {

bool parse_or_help(int argc, char** argv, const cli::flag_table& rows, const env_lookup& env,
                   const cli::common_flags& flags, const std::function<std::string()>& usage) {
    cli::refuse_trailing(cli::parse_flags(argc, argv, rows, env));
    if (!flags.help) return false;
    output::write_all(1, usage());
    return true;
}

}  // namespace atpc::commands
