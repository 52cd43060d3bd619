// The one flag parser (cli/flags.hpp) on a table of its own: Go's flag
// syntax, what it wipes from argv, its messages, and the generated help.
// The subcommands' own tables: tests/src/commands/*flags*_test.cpp.
#include "base/error.hpp"
#include "cli/groups.hpp"

#include "support/argv.hpp"

#include <catch2/catch.hpp>

using namespace atpc;
using namespace atpc::cli;
using test::argv_array;

namespace {

struct fields : common_flags {
    std::string path;
    bool on = false;
    tpmwire::secret_string pass;
    std::vector<unsigned> pcrs;
};

flag_table table(fields& f) {
    flag_table own{
        {.name = "path", .aliases = {"p"}, .placeholder = "path", .help = "a path", .default_text = "/x",
         .set = store(f.path)},
        {.name = "switchOn", .kind = flag_kind::boolean, .help = "a switch", .set = store(f.on)},
        {.name = "password", .aliases = {"passwd"}, .placeholder = "password", .help = "a password",
         .env = "TEST_PASSWORD", .secret = true, .set = store(f.pass)},
        {.name = "pcrs", .placeholder = "list", .help = "PCRs", .set = [&f](std::string_view v) { f.pcrs = pcr_list(v); }},
    };
    return join({own, common_rows(f)});
}

struct outcome {
    fields f;
    parse_result r;
};

outcome parse(argv_array& a, std::map<std::string, std::string> env = {}) {
    outcome o;
    o.r = parse_flags(a.argc(), a.argv(), table(o.f), test::fixed_env(std::move(env)));
    return o;
}

outcome parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    argv_array a(std::move(args));
    return parse(a, std::move(env));
}

// The usage error's message; the argv array is left for inspection.
std::string refusal(argv_array& a) {
    try {
        parse(a);
    } catch (const error& e) {
        CHECK(e.kind() == fault::usage);
        CHECK_THAT(e.what(), Catch::EndsWith(" (see --help)"));
        return e.what();
    }
    return "(accepted)";
}

std::string refusal(std::vector<std::string> args) {
    argv_array a(std::move(args));
    return refusal(a);
}

}  // namespace

TEST_CASE("Go syntax: one or two dashes, = or a separate value, booleans alone or with =") {
    for (const char* dashes : {"-", "--"}) {
        const std::string d = dashes;
        auto o = parse({d + "path=/a", d + "switchOn", d + "pcrs", "0,7"});
        CHECK(o.f.path == "/a");
        CHECK(o.f.on);
        CHECK(o.f.pcrs == std::vector<unsigned>{0, 7});
        CHECK(o.r.trailing == 0);
        CHECK(parse({d + "p", "/b"}).f.path == "/b");  // an alias
        CHECK_FALSE(parse({d + "switchOn", d + "switchOn=false"}).f.on);  // the last one wins
    }
    // A value may start with a dash or be empty; a boolean never takes the next argument.
    CHECK(parse({"--path", "--switchOn"}).f.path == "--switchOn");
    CHECK(parse({"--path="}).f.path.empty());
    CHECK(parse({"--switchOn=1"}).f.on);
    CHECK_FALSE(parse({"--switchOn=F"}).f.on);
}

TEST_CASE("parsing stops at -- or the first non-flag, and what follows is counted and wiped") {
    argv_array a({"--switchOn", "false", "--path=/a", "--password=hunter2"});
    auto o = parse(a);
    CHECK(o.f.on);
    CHECK(o.f.path.empty());
    CHECK(o.f.pass.empty());
    CHECK(o.r.trailing == 3);
    CHECK(o.r.first_trailing == 2);
    CHECK(a.at(1) == "--switchOn");
    for (std::size_t i = 2; i <= 4; ++i) CHECK(a.wiped(i));
    CHECK_FALSE(a.shows("hunter2"));

    argv_array b({"--path=/a", "--", "--path=/b"});
    auto p = parse(b);
    CHECK(p.f.path == "/a");
    CHECK(p.r.trailing == 1);
    CHECK(p.r.first_trailing == 3);
    CHECK(b.wiped(3));
    CHECK(parse({"-", "--path=/b"}).r.trailing == 2);  // a lone dash is not a flag
    CHECK(parse({"--path=/a", "--"}).r.trailing == 0);
}

TEST_CASE("a secret's value is wiped from argv, whichever spelling and form, also when given twice") {
    argv_array a({"--password=hunter2", "-passwd", "swordfish", "--path=/keep"});
    auto o = parse(a);
    CHECK(o.f.pass == "swordfish");
    CHECK(a.at(1) == "--password=");  // the value's bytes are now zeros
    CHECK(a.wiped(3));
    CHECK(a.at(4) == "--path=/keep");
    CHECK_FALSE(a.shows("hunter2"));
    CHECK_FALSE(a.shows("swordfish"));
}

TEST_CASE("environment fallbacks: the flag wins when given non-empty") {
    CHECK(parse({}, {{"TEST_PASSWORD", "env"}}).f.pass == "env");
    CHECK(parse({"--password=flag"}, {{"TEST_PASSWORD", "env"}}).f.pass == "flag");
    CHECK(parse({"--password="}, {{"TEST_PASSWORD", "env"}}).f.pass == "env");
    CHECK(parse({"--password=flag", "--password="}, {{"TEST_PASSWORD", "env"}}).f.pass == "env");
    CHECK(parse({}).f.pass.empty());
}

TEST_CASE("usage errors name the flag and what was expected") {
    CHECK(refusal({"--nosuchflag"}) == "flag provided but not defined: -nosuchflag (see --help)");
    CHECK(refusal({"--path"}) == "flag needs an argument: -path (see --help)");
    CHECK(refusal({"---path=/a"}) == "bad flag syntax: ---path (did you mean --path?) (see --help)");
    CHECK(refusal({"-=x"}) == "bad flag syntax: - (see --help)");
    CHECK(refusal({"--pcrs=24"}) ==
          "invalid value \"24\" for --pcrs: expected distinct PCR numbers 0-23 such as 23 or 0,7,23 (see --help)");
    CHECK(refusal({"--switchOn=maybe"}) ==
          "invalid boolean value \"maybe\" for --switchOn: expected true or false (also 1, 0, t, f) (see --help)");
    // A value is quoted on one line, whatever it holds.
    CHECK_THAT(refusal({"--pcrs=1\n2"}), Catch::StartsWith("invalid value \"1\\n2\" for --pcrs"));
}

TEST_CASE("a mistyped flag gets the closest spelling: case, dashes, up to two edits, aliases") {
    CHECK_THAT(refusal({"--PATH=/a"}), Catch::Contains("-PATH (did you mean --path?)"));
    CHECK_THAT(refusal({"--switch-on"}), Catch::Contains("(did you mean --switchOn?)"));
    CHECK_THAT(refusal({"--switchOm"}), Catch::Contains("(did you mean --switchOn?)"));
    CHECK_THAT(refusal({"--pasword=x"}), Catch::Contains("(did you mean --password?)"));
    CHECK_THAT(refusal({"--paswd=x"}), Catch::Contains("(did you mean --passwd?)"));
    CHECK_THAT(refusal({"--hlp"}), Catch::Contains("(did you mean --help?)"));
    // Nothing close enough, and no guesses for very short names.
    CHECK_THAT(refusal({"--nosuchflag"}), !Catch::Contains("did you mean"));
    CHECK_THAT(refusal({"--x"}), !Catch::Contains("did you mean"));
    CHECK_THAT(refusal({"--pq"}), !Catch::Contains("did you mean"));
}

TEST_CASE("a secret value is never shown in an error, whatever the mistake, and argv is wiped") {
    const std::vector<std::vector<std::string>> mistakes{
        {"---password=hunter2"},
        {"--pasword=hunter2"},
        {"--Password=hunter2"},
        {"--password=hunter2", "--password"},
        {"--passwd", "hunter2", "--nosuchflag"},
        {"--password=hunter2", "--pcrs=99"},
        {"--pcrs=99", "--password=hunter2"},
        {"--password", "hunter2", "-=hunter2"},
    };
    for (const auto& args : mistakes) {
        argv_array a(args);
        const std::string message = refusal(a);
        INFO(message);
        CHECK(message != "(accepted)");
        CHECK_THAT(message, !Catch::Contains("hunter2"));
        for (std::size_t i = 1; i < a.storage.size(); ++i) CHECK(a.wiped(i));
    }
}

TEST_CASE("subcommands that take no arguments after their flags refuse them without showing them") {
    argv_array a({"--path=/a", "secret-typed-here"});
    auto o = parse(a);
    CHECK(a.wiped(2));
    CHECK_THROWS_WITH(refuse_trailing(o.r, "; a hint"),
                      "unexpected argument #2 after the flags (not shown; booleans take the form --flag=false; "
                      "a hint) (see --help)");
    CHECK_NOTHROW(refuse_trailing(parse({"--path=/a"}).r));
}

TEST_CASE("help: every spelling, the placeholder, default and environment, wrapped at 100 columns") {
    fields f;
    const std::string help = flag_help(table(f));
    CHECK_THAT(help, Catch::Contains("  --path, -p <path>                  a path (default: /x)\n"));
    CHECK_THAT(help, Catch::Contains("  --switchOn                         a switch\n"));
    CHECK_THAT(help, Catch::Contains("  --password, --passwd <password>    a password (environment: TEST_PASSWORD)\n"));
    CHECK_THAT(help, Catch::Contains("  --help, -h                         print this help and exit\n"));

    flag_table long_rows{{.name = "a-rather-long-flag-name-indeed", .placeholder = "value",
                          .help = std::string_view("one two three four five six seven eight nine ten eleven twelve "
                                                   "thirteen fourteen fifteen sixteen seventeen"),
                          .set = [](std::string_view) {}}};
    const std::string wrapped = flag_help(long_rows);
    CHECK(wrapped ==
          "  --a-rather-long-flag-name-indeed <value>\n"
          "                                     one two three four five six seven eight nine ten eleven twelve\n"
          "                                     thirteen fourteen fifteen sixteen seventeen\n");
    const std::map<std::string_view, std::string> defaults{
        {"path", "/x"}, {"switchOn", "false"}, {"password", "env TEST_PASSWORD"}, {"pcrs", "—"}, {"debug", "false"},
        {"help", "false"}};
    for (const auto& row : table(f)) CHECK(shown_default(row) == defaults.at(row.name));
}

TEST_CASE("values as Go reads them: integers, booleans, durations, PCR lists") {
    CHECK(parse_go_uint("2164293635") == 0x81008003u);
    CHECK(parse_go_uint("0x81008003") == 0x81008003u);
    CHECK(parse_go_uint("0X81010002") == 0x81010002u);
    CHECK(parse_go_uint("020100100003") == 0x81008003u);  // a leading 0 is octal
    CHECK(parse_go_uint("0o20100100003") == 0x81008003u);
    CHECK(parse_go_uint("0b101") == 5u);
    CHECK(parse_go_uint("0x8100_8003") == 0x81008003u);
    CHECK(parse_go_uint("0") == 0u);
    for (const char* bad : {"", "0x", "08", "0xzz", "-1", "1e3", "99999999999999999999"}) CHECK_FALSE(parse_go_uint(bad));
    CHECK(handle("0x81008003") == 0x81008003u);
    CHECK_THROWS_WITH(handle("0x100000000"), Catch::StartsWith("expected a handle"));

    CHECK(parse_duration("3600") == std::chrono::seconds(3600));
    CHECK(parse_duration("1h30m") == std::chrono::minutes(90));
    CHECK(parse_duration("500ms") == std::chrono::milliseconds(500));
    CHECK(parse_duration("1.5s") == std::chrono::milliseconds(1500));
    for (const char* bad : {"", "1d", "s", "1000000000", "-1s"}) CHECK_FALSE(parse_duration(bad));
    CHECK_THROWS(whole_seconds("1.5s"));
    CHECK_THROWS(positive_duration("0"));

    CHECK(parse_pcrs(" 0, 7 ,23") == std::vector<unsigned>{0, 7, 23});
    for (const char* bad : {"", "24", "1,,2", "7,7", "a"}) CHECK_FALSE(parse_pcrs(bad));
}

TEST_CASE("values of AWS and the TPM: the offending character and its position come first") {
    CHECK(sts_text("ok-name@x", 2, 64, "+=,.@-") == "ok-name@x");
    CHECK_THROWS_WITH(sts_text("bad name", 2, 64, "+=,.@-"),
                      "a space at position 4 is not allowed (2 to 64 of A-Z a-z 0-9 _+=,.@-)");
    CHECK_THROWS_WITH(sts_text("a/b", 2, 64, "+=,.@-"), Catch::StartsWith("'/' at position 2 is not allowed"));
    CHECK_THROWS_WITH(sts_text("x\x01", 2, 64, "+=,.@-"), Catch::StartsWith("byte 0x01 at position 2"));
    CHECK_THROWS_WITH(sts_text("x", 2, 64, "+=,.@-"), Catch::StartsWith("1 character; expected 2 to 64"));
    CHECK_THROWS_WITH(sts_text(std::string(65, 'x'), 2, 64, "+=,.@-"), Catch::StartsWith("65 characters"));
    CHECK(mfa_code("123456") == "123456");
    CHECK_THROWS(mfa_code("12345a"));
    CHECK(access_key_id("AKIAIOSFODNN7EXAMPLE") == "AKIAIOSFODNN7EXAMPLE");
    CHECK_THROWS_WITH(access_key_id("AKIA-IOSFODNN7EXAMPLE"), Catch::Contains("16 to 128"));
    CHECK(key_name("0x000b" + std::string(64, 'A')).size() == 34);
    CHECK(key_name("000c" + std::string(96, 'a')).size() == 50);  // swtpm's P-384 EK: SHA-384 nameAlg
    CHECK_THROWS(key_name("000c" + std::string(64, 'a')));
    CHECK_THROWS(key_name("000b" + std::string(96, 'a')));
    CHECK_NOTHROW(require_in(owner_persistent_handles, 0x817FFFFF, "h"));
    CHECK_THROWS_WITH(require_in(owner_persistent_handles, 0x81800000, "h"),
                      "--h 0x81800000 is outside the owner's persistent range (0x81000000 to 0x817fffff) (see --help)");
}
