// Every subcommand's flag table, row by row: each row parses in every Go
// form and spelling, appears in its --help, agrees with README.md's flag
// tables, and a secret row's value never shows in an error (in process and
// on the program's stderr).
#include "base/error.hpp"
#include "commands/credential_flags.hpp"
#include "commands/ek/ek_options.hpp"
#include "commands/import/import_options.hpp"
#include "commands/serve/serve_options.hpp"
#include "commands/whoami/whoami_options.hpp"

#include "support/argv.hpp"
#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

using namespace atpc;
using test::argv_array;

namespace {

// The option structs the rows write into, and each subcommand's table.
struct tables {
    commands::credential_options credential;
    commands::import_options import;
    commands::whoami_options whoami;
    commands::serve_options serve;
    commands::ek_options ek;

    struct table {
        std::string command;  // as README's headings and the dispatch table name it
        cli::flag_table rows;
        std::string usage;
    };
    std::vector<table> all() {
        return {{"credential mode", commands::credential_process_rows(credential), commands::credential_process_usage()},
                {"import", commands::import_rows(import), commands::import_usage()},
                {"whoami", commands::whoami_rows(whoami), commands::whoami_usage()},
                {"serve", commands::serve_rows(serve), commands::serve_usage()},
                {"ek", commands::ek_rows(ek), commands::ek_usage()}};
    }
};

// A valid value per row name: a new row fails the test until it has one.
const std::map<std::string_view, std::string> samples{
    {"tpm-path", "127.0.0.1:2321"}, {"keyPass", "pw-key"}, {"parentPass", "pw-parent"}, {"pcrs", "0,7"},
    {"tpm-session-encrypt-with-name", "000b" + std::string(64, 'a')}, {"lockout-reserve", "1"}, {"timeout", "5s"},
    {"aws-access-key-id", "AKIAIOSFODNN7EXAMPLE"}, {"persistentHandle", "0x81000001"}, {"credential-file", "/k.pem"},
    {"aws-arn", "arn:aws:iam::123456789012:role/r"}, {"aws-session-name", "s1"}, {"duration", "1h"},
    {"external-id", "ext-1"}, {"source-identity", "me"}, {"serial-number", "arn:aws:iam::123456789012:mfa/u"},
    {"token-code", "123456"}, {"aws-region", "eu-west-1"}, {"sts-endpoint", "https://sts.example"},
    {"ca-bundle", "/ca.pem"}, {"deadline", "10s"}, {"out", "k.pem"}, {"ownerPass", "pw-owner"}, {"parent", "0x81000002"},
    {"listen", "127.0.0.1:8080"}, {"token-file", "/run/t.token"}, {"max-connections", "64"},
    {"ek-ca", "/ek-ca.pem"}, {"out-cert", "ek.pem"}, {"out-public", "ek.pub.pem"}};

std::vector<std::string> spellings(const cli::flag& row) {
    std::vector<std::string> out{std::string(row.name)};
    for (auto a : row.aliases) out.emplace_back(a);
    return out;
}

// The rows with setters that also record (row name, value).
cli::flag_table recording(cli::flag_table rows, std::vector<std::pair<std::string, std::string>>& seen) {
    for (auto& row : rows)
        row.set = [inner = row.set, name = std::string(row.name), &seen](std::string_view v) {
            seen.emplace_back(name, std::string(v));
            inner(v);
        };
    return rows;
}

// The forms of one spelling and the value each gives the setter.
std::vector<std::pair<std::vector<std::string>, std::string>> forms(const cli::flag& row, const std::string& spelling) {
    std::vector<std::pair<std::vector<std::string>, std::string>> out;
    for (std::string d : {"-", "--"}) {
        if (row.kind == cli::flag_kind::boolean) {
            out.push_back({{d + spelling}, "true"});
            out.push_back({{d + spelling + "=false"}, "false"});
            out.push_back({{d + spelling + "=true"}, "true"});
        } else {
            const std::string& v = samples.at(row.name);
            out.push_back({{d + spelling + "=" + v}, v});
            out.push_back({{d + spelling, v}, v});
        }
    }
    return out;
}

std::string squeezed(const std::string& s) {
    return std::regex_replace(s, std::regex("\\s+"), " ");
}

}  // namespace

TEST_CASE("every row of every table parses in each Go form, under each spelling") {
    tables t;
    for (const auto& table : t.all()) {
        for (const auto& row : table.rows) {
            INFO(table.command << ": --" << row.name);
            REQUIRE((row.kind == cli::flag_kind::boolean || samples.count(row.name)));
            for (const auto& spelling : spellings(row)) {
                for (const auto& [args, value] : forms(row, spelling)) {
                    INFO(args.front());
                    std::vector<std::pair<std::string, std::string>> seen;
                    argv_array a(args);
                    const cli::flag_table rows = recording(table.rows, seen);
                    const auto r = cli::parse_flags(a.argc(), a.argv(), rows, test::fixed_env());
                    CHECK(r.trailing == 0);
                    CHECK(seen == std::vector<std::pair<std::string, std::string>>{{std::string(row.name), value}});
                    if (row.kind == cli::flag_kind::value) CHECK(a.shows(value) != row.secret);  // a secret's is wiped
                }
            }
        }
    }
}

TEST_CASE("every row appears in its subcommand's --help with its spellings, default and variable") {
    tables t;
    for (const auto& table : t.all()) {
        const std::string help = squeezed(table.usage);
        for (const auto& row : table.rows) {
            INFO(table.command << ": --" << row.name);
            std::string left = " --" + std::string(row.name);
            for (auto a : row.aliases) left += std::string(", ") + (a.size() == 1 ? "-" : "--") + std::string(a);
            if (!row.placeholder.empty()) left += " <" + std::string(row.placeholder) + ">";
            CHECK_THAT(help, Catch::Contains(left + " " + squeezed(std::string(row.help))));
            if (!row.env.empty()) CHECK_THAT(help, Catch::Contains("environment: " + std::string(row.env)));
            if (!row.default_text.empty()) CHECK_THAT(help, Catch::Contains(std::string(row.default_text)));
        }
    }
}

TEST_CASE("a secret row's value never shows in an error, whatever the mistake") {
    const std::string v = "hunter2-SECRET";
    tables t;
    for (const auto& table : t.all()) {
        for (const auto& row : table.rows) {
            if (!row.secret) continue;
            for (const auto& s : spellings(row)) {
                std::string upper = s;
                for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                const std::vector<std::vector<std::string>> mistakes{
                    {"---" + s + "=" + v},          {"--" + s.substr(1) + "=" + v}, {"--" + upper + "=" + v},
                    {"--" + s + "=" + v, "--" + s}, {"-" + s, v, "--nosuchflag"},   {"--" + s + "=" + v, "--pcrs=99"},
                };
                for (const auto& args : mistakes) {
                    INFO(table.command << ": " << args.front());
                    argv_array a(args);
                    try {
                        cli::parse_flags(a.argc(), a.argv(), table.rows, test::fixed_env());
                        FAIL("accepted");
                    } catch (const error& e) {
                        CHECK(e.kind() == fault::usage);
                        CHECK_THAT(e.what(), !Catch::Contains(v));
                    }
                    CHECK_FALSE(a.shows(v));
                }
            }
        }
    }
}

namespace {

struct readme_row {
    std::vector<std::string> spellings;  // name, then aliases
    std::string default_cell;            // without backticks
};

// README's flag tables (| flag | default | meaning |), by the heading above each.
std::map<std::string, std::map<std::string, readme_row>> readme_tables() {
    std::ifstream in(std::string(ATPC_TEST_DATA_DIR) + "/../../README.md");
    REQUIRE(in);
    std::map<std::string, std::map<std::string, readme_row>> out;
    std::string line, heading;
    bool in_table = false;
    const std::regex code("`-{1,2}([^`]+)`");
    while (std::getline(in, line)) {
        if (line.starts_with("#")) heading = line;
        if (line == "| flag | default | meaning |") {
            in_table = true;
            std::getline(in, line);  // |---|---|---|
            continue;
        }
        if (!line.starts_with("|")) in_table = false;
        if (!in_table) continue;
        const auto second = line.find('|', 1), third = line.find('|', second + 1);
        const std::string flags = line.substr(1, second - 1);
        readme_row row;
        for (std::sregex_iterator m(flags.begin(), flags.end(), code), end; m != end; ++m) row.spellings.push_back((*m)[1]);
        row.default_cell = std::regex_replace(line.substr(second + 1, third - second - 1), std::regex("`"), "");
        row.default_cell = std::regex_replace(row.default_cell, std::regex("^ +| +$"), "");
        REQUIRE(!row.spellings.empty());
        out[heading][row.spellings.front()] = row;
    }
    return out;
}

void same(const readme_row& doc, const cli::flag& row) {
    INFO("--" << row.name);
    CHECK(doc.spellings == spellings(row));
    CHECK(doc.default_cell == cli::shown_default(row));
}

}  // namespace

TEST_CASE("README's flag tables list the rows: names, aliases and defaults") {
    auto doc = readme_tables();
    const auto& main = doc["### Flags"];
    tables t;
    auto all = t.all();
    const cli::flag_table& credential = all[0].rows;
    // The credential mode's table is README's "Flags" table, row for row.
    CHECK(main.size() == credential.size());
    for (const auto& row : credential) {
        REQUIRE(main.count(std::string(row.name)));
        same(main.at(std::string(row.name)), row);
    }
    // A subcommand's table documents its own rows; shared rows are the main table's.
    for (const auto& [command, heading] :
         {std::pair{1, "### `import` flags"}, std::pair{2, "### `whoami` flags"}, std::pair{3, "### `serve` flags"},
          std::pair{4, "### `ek` flags"}}) {
        const auto& own = doc[heading];
        INFO(heading);
        CHECK_FALSE(own.empty());
        for (const auto& documented : own) {
            // (clang 14 cannot capture a structured binding.)
            const std::string& name = documented.first;
            auto row = std::find_if(all[command].rows.begin(), all[command].rows.end(),
                                    [&](const cli::flag& r) { return r.name == name; });
            REQUIRE(row != all[command].rows.end());
            same(documented.second, *row);
        }
        for (const auto& row : all[command].rows) {
            if (own.count(std::string(row.name))) continue;
            REQUIRE(main.count(std::string(row.name)));
            same(main.at(std::string(row.name)), row);
        }
    }
}

TEST_CASE("the program's stderr never shows a secret flag's value, exit code 2", "[e2e]") {
    const std::string v = "hunter2-SECRET";
    const test::env_map env{{"TPM_KEY_AUTH", std::nullopt}, {"TPM_PARENT_AUTH", std::nullopt},
                            {"TPM_OWNER_AUTH", std::nullopt}, {"AWS_SECRET_ACCESS_KEY", std::nullopt}};
    // The arguments, and what the one line says instead of the value.
    const std::vector<std::pair<std::vector<std::string>, std::string>> runs{
        {{"--keyPas=" + v}, "-keyPas (did you mean --keyPass?)"},
        {{"---keyPass=" + v}, "bad flag syntax: ---keyPass (did you mean --keyPass?)"},
        {{"--keyPass=" + v, "--keyPass"}, "flag needs an argument: -keyPass"},
        {{"--keyPass", v, "--parentPass=" + v, "--assumeRole"}, "--aws-access-key-id is required"},
        {{"import", "--out=k.pem", "--keyPass", v, "leftover"}, "unexpected argument #4 after the flags (not shown"},
        {{"import", "--out=k.pem", "--ownerPas=" + v}, "(did you mean --ownerPass?)"},
        {{"import", "--out=k.pem", "--ownerPass=" + v, v}, "unexpected argument #3"},
        {{"whoami", "--parentpass=" + v, "--aws-access-key-id=AKIAIOSFODNN7EXAMPLE", v}, "unexpected argument #3"},
        {{"whoami", "--keyPass=" + v, "--via-st"}, "(did you mean --via-sts?)"},
    };
    for (auto [args, expected] : runs) {
        args.insert(args.begin(), ATPC_BINARY);
        auto r = test::run(args, env, std::chrono::seconds(30));
        INFO(args[1] << " ...: " << r.describe());
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK_THAT(r.err, Catch::StartsWith("aws-tpm-process-credential: ") && Catch::Contains(expected));
        CHECK_THAT(r.err, !Catch::Contains("hunter2"));
    }
}
