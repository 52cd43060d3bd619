#include "cli/go_flags.hpp"

#include "base/error.hpp"

#include <fmt/format.h>

#include <cstring>

namespace atpc::cli {

namespace {

void wipe(char* p) {
    if (p) std::memset(p, 0, std::strlen(p));
}

const flag_spec* find(std::span<const flag_spec> specs, std::string_view name) {
    for (const auto& f : specs)
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace

void usage_error(const std::string& message) { throw error(fault::usage, message + " (see --help)"); }

std::optional<bool> parse_go_bool(std::string_view s) {
    if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
    if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
    return std::nullopt;
}

void parse_go_flags(int argc, char** argv, std::span<const flag_spec> specs, const flag_handler& on_flag) {
    int i = 1;
    for (; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg.size() < 2 || arg[0] != '-') break;
        std::size_t dashes = arg[1] == '-' ? 2 : 1;
        std::string_view body = arg.substr(dashes);
        std::size_t eq = body.find('=');
        std::string_view name = body.substr(0, eq);
        if (name.empty() || name[0] == '-') usage_error("bad flag syntax in argument " + std::to_string(i));
        const flag_spec* f = find(specs, name);
        // Never echo what follows '=': it could be a secret under a misspelt name.
        if (!f) usage_error(fmt::format("flag provided but not defined: -{}", name));
        if (eq != std::string_view::npos) {
            on_flag(*f, body.substr(eq + 1));
            if (f->kind == flag_kind::secret) wipe(argv[i] + dashes + eq + 1);
        } else if (f->kind == flag_kind::boolean) {
            on_flag(*f, "true");
        } else {
            if (i + 1 >= argc) usage_error(fmt::format("flag needs an argument: -{}", name));
            on_flag(*f, argv[++i]);
            if (f->kind == flag_kind::secret) wipe(argv[i]);
        }
    }
    if (i < argc) {
        const int first = i;
        for (; i < argc; ++i) wipe(argv[i]);
        usage_error(fmt::format("unexpected argument #{} after the flags (not shown; booleans take the form "
                                "--flag=false; the secret is read from standard input or AWS_SECRET_ACCESS_KEY, "
                                "never from the command line)",
                                first));
    }
}

std::string flag_help(std::span<const flag_spec> specs) {
    std::string out;
    for (const auto& f : specs) out += fmt::format("  --{:<31} {}\n", f.name, f.help);
    return out;
}

}  // namespace atpc::cli
