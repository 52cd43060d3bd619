#include "cli/flags.hpp"
#include "cli/groups.hpp"

#include "base/error.hpp"
#include "cli/values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace atpc::cli {

namespace {

void wipe(char* p) {
    if (p) tpmwire::secure_zero(p, std::strlen(p));
}

void wipe_from(int first, int argc, char** argv) {
    for (int i = first; i < argc; ++i) wipe(argv[i]);
}

bool spelled(const flag& row, std::string_view name) {
    return row.name == name || std::find(row.aliases.begin(), row.aliases.end(), name) != row.aliases.end();
}

const flag* find(std::span<const flag> rows, std::string_view name) {
    for (const auto& row : rows)
        if (spelled(row, name)) return &row;
    return nullptr;
}

// Case and '-'/'_' folded: --assume-role, --KEYPASS.
std::string folded(std::string_view s) {
    std::string out;
    for (char c : s)
        if (c != '-' && c != '_') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// " (did you mean --X?)" for the closest spelling of the folded name: the
// same, or within one edit (three letters or more) or two (five or more).
// Shorter names are too close to everything to guess.
std::string did_you_mean(std::span<const flag> rows, std::string_view typed) {
    const std::string t = folded(typed);
    std::string_view best;
    std::size_t best_distance = t.size() < 3 ? 1 : t.size() < 5 ? 2 : 3;
    for (const auto& row : rows) {
        std::vector<std::string_view> spellings{row.name};
        spellings.insert(spellings.end(), row.aliases.begin(), row.aliases.end());
        for (std::string_view s : spellings) {
            const std::size_t d = edit_distance(t, folded(s));
            if (d < best_distance) best = s, best_distance = d;
        }
    }
    return best.empty() ? std::string() : fmt::format(" (did you mean --{}?)", best);
}

// Go's flag syntax errors. Only what precedes '=' is shown: the rest may be
// a secret under a misspelt name.
[[noreturn]] void unknown_flag(std::span<const flag> rows, std::string_view arg, std::string_view name) {
    if (name.empty() || name[0] == '-') {
        const std::string_view bare = name.substr(std::min(name.find_first_not_of('-'), name.size()));
        usage_error(fmt::format("bad flag syntax: {}{}", arg.substr(0, arg.find('=')), did_you_mean(rows, bare)));
    }
    usage_error(fmt::format("flag provided but not defined: -{}{}", name, did_you_mean(rows, name)));
}

void assign(const flag& row, std::string_view typed, std::string_view value) {
    try {
        row.set(value);
    } catch (const error& e) {
        const char* what = row.kind == flag_kind::boolean ? "boolean value" : "value";
        if (row.secret) usage_error(fmt::format("invalid {} for --{} (not shown): {}", what, typed, e.what()));
        usage_error(fmt::format("invalid {} {:?} for --{}: {}", what, value, typed, e.what()));
    }
}

// One flag at argv[i]; returns the index after it (and after its value).
int take_flag(std::span<const flag> rows, int argc, char** argv, int i, std::vector<bool>& given) {
    const std::string_view arg = argv[i];
    const std::size_t dashes = arg[1] == '-' ? 2 : 1;
    const std::string_view body = arg.substr(dashes);
    const std::size_t eq = body.find('=');
    const std::string_view name = body.substr(0, eq);
    const flag* row = name.empty() || name[0] == '-' ? nullptr : find(rows, name);
    if (!row) unknown_flag(rows, arg, name);
    char* value = nullptr;
    if (eq != std::string_view::npos) {
        value = argv[i] + dashes + eq + 1;
    } else if (row->kind == flag_kind::value) {
        if (i + 1 >= argc) usage_error(fmt::format("flag needs an argument: -{}", name));
        value = argv[++i];
    }
    assign(*row, name, value ? std::string_view(value) : std::string_view("true"));
    given[static_cast<std::size_t>(row - rows.data())] = value == nullptr || *value != '\0';
    if (row->secret) wipe(value);
    return i + 1;
}

// The flag wins when given and non-empty, as in the original tool.
void read_environment(std::span<const flag> rows, const std::vector<bool>& given, const env_lookup& env) {
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (rows[r].env.empty() || given[r]) continue;
        auto v = env(rows[r].env);
        if (!v) continue;
        // The lookup's copy is zeroed on every path (std::string: no zeroizing allocator).
        struct zero_on_exit {
            std::string& s;
            ~zero_on_exit() { tpmwire::secure_zero(s.data(), s.size()); }
        } zero{*v};
        try {
            rows[r].set(*v);
        } catch (const error& e) {
            usage_error(fmt::format("invalid {} (for --{}): {}", rows[r].env, rows[r].name, e.what()));
        }
    }
}

}  // namespace

void usage_error(const std::string& message) { throw error(fault::usage, message + " (see --help)"); }

setter store(std::string& field) {
    return [&field](std::string_view v) { field = v; };
}

setter store(std::optional<std::string>& field) {
    return [&field](std::string_view v) { field.emplace(v); };
}

setter store(bool& field) {
    return [&field](std::string_view v) { field = go_bool(v); };
}

setter store(tpmwire::secret_string& field) {
    return [&field](std::string_view v) { field.assign(v.data(), v.size()); };
}

flag_table common_rows(common_flags& f) {
    return {
        {.name = "debug", .kind = flag_kind::boolean, .help = "trace each step on stderr (secrets are never printed)",
         .set = store(f.debug)},
        {.name = "help", .aliases = {"h"}, .kind = flag_kind::boolean, .help = "print this help and exit",
         .set = store(f.help)},
    };
}

flag_table join(std::initializer_list<flag_table> groups) {
    flag_table out;
    for (const auto& g : groups) out.insert(out.end(), g.begin(), g.end());
    return out;
}

parse_result parse_flags(int argc, char** argv, std::span<const flag> rows, const env_lookup& env) {
    std::vector<bool> given(rows.size());
    int i = 1;
    try {
        while (i < argc) {
            const std::string_view arg = argv[i];
            if (arg.size() < 2 || arg[0] != '-') break;  // the first non-flag argument
            if (arg == "--") {
                ++i;
                break;
            }
            i = take_flag(rows, argc, argv, i, given);
        }
    } catch (const error&) {
        wipe_from(1, argc, argv);  // the message is made; nothing here is needed any more
        throw;
    }
    const parse_result result{argc - i, i < argc ? i : 0};
    wipe_from(i, argc, argv);
    read_environment(rows, given, env);
    return result;
}

void refuse_trailing(const parse_result& r, std::string_view hint) {
    if (r.trailing == 0) return;
    usage_error(fmt::format("unexpected argument #{} after the flags (not shown; booleans take the form "
                            "--flag=false{})",
                            r.first_trailing, hint));
}

std::string shown_default(const flag& row) {
    if (!row.env.empty()) return fmt::format("env {}", row.env);
    if (!row.default_text.empty()) return std::string(row.default_text);
    return row.kind == flag_kind::boolean ? "false" : "—";
}

std::string flag_help(std::span<const flag> rows) {
    constexpr std::size_t column = 37, width = 100;
    std::string out;
    for (const auto& row : rows) {
        std::string left = fmt::format("  --{}", row.name);
        for (auto a : row.aliases) left += fmt::format(", {}{}", a.size() == 1 ? "-" : "--", a);
        if (!row.placeholder.empty()) left += fmt::format(" <{}>", row.placeholder);
        std::string notes;
        if (row.default_text == "required") notes = "required";
        else if (!row.default_text.empty()) notes = fmt::format("default: {}", row.default_text);
        if (!row.env.empty()) notes += fmt::format("{}environment: {}", notes.empty() ? "" : "; ", row.env);
        const std::string text = notes.empty() ? std::string(row.help) : fmt::format("{} ({})", row.help, notes);
        // The help text wrapped in its column, Go's PrintDefaults style when the left side is long.
        std::string line = left.size() < column ? left + std::string(column - left.size(), ' ') : left;
        if (left.size() >= column) out += line + "\n", line = std::string(column, ' ');
        std::size_t at = 0;
        while (at < text.size()) {
            std::size_t end = std::min(text.size(), at + (width - column));
            const std::size_t space = end < text.size() ? text.rfind(' ', end) : std::string::npos;
            if (space != std::string::npos && space > at) end = space + 1;  // else a word longer than the column
            const std::string_view piece = std::string_view(text).substr(at, end - at);
            out += line + std::string(piece.substr(0, piece.find_last_not_of(' ') + 1)) + "\n";
            line = std::string(column, ' ');
            at = end;
        }
    }
    return out;
}

}  // namespace atpc::cli
