// The credential mode's flags (commands/credential_flags.hpp): every
// `credential_process = ...` line of the original tool parses unchanged, and
// bad input is refused before any I/O, naming the flag.
#include "base/error.hpp"
#include "commands/commands.hpp"
#include "commands/credential_flags.hpp"

#include "support/argv.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstring>
#include <map>

using namespace atpc;
using test::argv_array;

namespace {

struct parsed {
    commands::credential_options o;
    cli::parse_result r;
};

parsed parse_all(argv_array& a, std::map<std::string, std::string> env = {}) {
    parsed p;
    p.r = cli::parse_flags(a.argc(), a.argv(), commands::credential_process_rows(p.o), test::fixed_env(std::move(env)));
    return p;
}

credential::settings parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    argv_array a(std::move(args));
    return parse_all(a, std::move(env)).o.settings;
}

std::string usage_error(std::vector<std::string> args) {
    try {
        auto o = parse(std::move(args));
        commands::validate(o);
    } catch (const error& e) {
        CHECK(e.kind() == fault::usage);
        return e.what();
    }
    return "";
}

const std::string akid = "--aws-access-key-id=AKIAIOSFODNN7EXAMPLE";

}  // namespace

TEST_CASE("the original tool's config lines parse unchanged") {
    // README of salrashid123/aws-tpm-process-credential, handle mode.
    auto o = parse({"--aws-access-key-id=AKIAUH3H6EGKERNFQLHJ", "--persistentHandle=0x81008003",
                    "--duration=3600", "--aws-region=us-east-1", "--aws-arn", "arn:aws:iam::291738886548:role/gcpsts",
                    "--assumeRole=false", "--tpm-path=127.0.0.1:2321"});
    CHECK(o.access_key_id == "AKIAUH3H6EGKERNFQLHJ");
    CHECK(o.persistent_handle == 0x81008003);
    CHECK(o.duration == std::chrono::seconds(3600));
    CHECK(o.region == "us-east-1");
    CHECK(o.role_arn == "arn:aws:iam::291738886548:role/gcpsts");
    CHECK_FALSE(o.assume_role);
    CHECK(o.tpm_path == "127.0.0.1:2321");
    commands::validate(o);

    // Single dashes and space-separated values, as Go allows.
    auto p = parse({"-aws-access-key-id", "AKIAUH3H6EGKERNFQLHJ", "-credential-file", "/x/private.pem", "-assumeRole",
                    "-aws-arn=arn:aws:iam::1:role/r", "-timeout", "5"});
    CHECK(p.credential_file == "/x/private.pem");
    CHECK(p.assume_role);
    CHECK(p.timeout == std::chrono::seconds(5));
}

TEST_CASE("booleans, handles, durations and PCR lists as Go reads them") {
    CHECK(parse({"--assumeRole=true"}).assume_role);
    CHECK(parse({"--assumeRole=1"}).assume_role);
    CHECK_FALSE(parse({"--assumeRole=F"}).assume_role);
    CHECK(parse({"--useEKParent"}).use_ek_parent);
    CHECK(parse({"--persistentHandle=2164293635"}).persistent_handle == 0x81008003);
    CHECK(parse({"--persistentHandle=0X81010002"}).persistent_handle == 0x81010002);
    CHECK(parse({"--persistentHandle=020100100003"}).persistent_handle == 0x81008003);  // octal, as README says
    CHECK(parse({"--duration=1h"}).duration == std::chrono::seconds(3600));
    CHECK(parse({"--duration=900s"}).duration == std::chrono::seconds(900));
    CHECK(parse({"--timeout=500ms"}).timeout == std::chrono::milliseconds(500));
    CHECK(parse({"--timeout=1m30s"}).timeout == std::chrono::seconds(90));
    CHECK(parse({"--pcrs=23"}).pcrs == std::vector<unsigned>{23});
    CHECK(parse({"--pcrs= 0, 7 ,23"}).pcrs == std::vector<unsigned>{0, 7, 23});
    CHECK(parse({"--tpm-session-encrypt-with-name=000b" + std::string(64, 'a')}).encrypt_with_name->size() == 34);
}

TEST_CASE("a bare non-flag argument ends parsing, as in Go: the rest is ignored, counted and wiped") {
    argv_array a({"--assumeRole", "false", "--aws-region=eu-west-1"});
    auto p = parse_all(a);
    CHECK(p.o.settings.assume_role);
    CHECK_FALSE(p.o.settings.region.has_value());
    CHECK(p.r.trailing == 2);
    CHECK(a.wiped(2));
    CHECK(a.wiped(3));
    auto q = parse({"--", "--aws-region=eu-west-1"});
    CHECK_FALSE(q.region.has_value());
}

TEST_CASE("passwords: flags win over the environment, argv copies are wiped") {
    auto env = parse({}, {{"TPM_KEY_AUTH", "k"}, {"TPM_PARENT_AUTH", "p"}});
    CHECK(env.key_pass == "k");
    CHECK(env.parent_pass == "p");
    auto flag = parse({"--keyPass=flagpw", "--parentpass", "ppw"}, {{"TPM_KEY_AUTH", "k"}});
    CHECK(flag.key_pass == "flagpw");
    CHECK(flag.parent_pass == "ppw");
    CHECK(parse({"--keypass=lower"}).key_pass == "lower");

    argv_array a({"--keyPass=hunter2", "--parentPass", "swordfish"});
    auto o = parse_all(a).o.settings;
    CHECK(o.key_pass == "hunter2");
    CHECK(std::strcmp(a.argv()[1], "--keyPass=") == 0);  // the value bytes are now zeros
    CHECK(a.argv()[3][0] == '\0');
}

TEST_CASE("bad input is refused before any I/O, naming the flag") {
    CHECK_THAT(usage_error({"--nosuchflag"}), Catch::StartsWith("flag provided but not defined: -nosuchflag"));
    CHECK_THAT(usage_error({akid, "--persistentHandle=0x8100zz"}), Catch::Contains("invalid value \"0x8100zz\" for --persistentHandle"));
    CHECK_THAT(usage_error({akid, "--persistentHandle=0x80000001"}), Catch::Contains("is not a persistent handle"));
    CHECK_THAT(usage_error({akid, "--pcrs=24"}), Catch::Contains("--pcrs"));
    CHECK_THAT(usage_error({akid, "--pcrs=1,,2"}), Catch::Contains("--pcrs"));
    CHECK_THAT(usage_error({akid, "--pcrs=7,7"}), Catch::Contains("--pcrs"));
    CHECK_THAT(usage_error({akid, "--duration=100"}), Catch::Contains("outside GetSessionToken's 900 to 129600"));
    CHECK_THAT(usage_error({akid, "--duration=50000", "--assumeRole", "--aws-arn=arn:aws:iam::1:role/r"}),
               Catch::Contains("outside AssumeRole's 900 to 43200"));
    CHECK_THAT(usage_error({akid, "--duration=1.5s"}), Catch::Contains("--duration"));
    CHECK_THAT(usage_error({akid, "--assumeRole"}), Catch::Contains("--assumeRole needs --aws-arn"));
    CHECK_THAT(usage_error({"--persistentHandle=0x81008003"}), Catch::Contains("--aws-access-key-id is required"));
    CHECK_THAT(usage_error({"--aws-access-key-id=short"}), Catch::Contains("16 to 128"));
    CHECK_THAT(usage_error({akid, "--timeout=0"}), Catch::Contains("--timeout"));
    CHECK_THAT(usage_error({akid, "--timeout"}), Catch::StartsWith("flag needs an argument: -timeout"));
    CHECK_THAT(usage_error({akid, "--assumeRole=maybe"}), Catch::Contains("invalid boolean value"));
    CHECK_THAT(usage_error({akid, "--tpm-session-encrypt-with-name=abcd"}), Catch::Contains("000b and 64 hex digits"));
    CHECK_THAT(usage_error({akid, "---x"}), Catch::StartsWith("bad flag syntax"));
    CHECK_THAT(usage_error({akid, "--token-code=123456"}), Catch::Contains("go together"));
    // Every error points at the usage text.
    CHECK_THAT(usage_error({"--nosuchflag"}), Catch::EndsWith("(see --help)"));
}

TEST_CASE("STS values are checked at the flag: the offending character and where it is") {
    CHECK_THAT(usage_error({akid, "--aws-session-name=bad name"}),
               Catch::StartsWith("invalid value \"bad name\" for --aws-session-name: a space at position 4 is not allowed"));
    CHECK_THAT(usage_error({akid, "--aws-session-name=x"}), Catch::Contains("1 character; expected 2 to 64"));
    CHECK(parse({"--aws-session-name="}).session_name.empty());  // empty: generated, as before
    CHECK_THAT(usage_error({akid, "--token-code=123"}), Catch::StartsWith("invalid value \"123\" for --token-code"));
    CHECK_THAT(usage_error({akid, "--external-id=a b"}), Catch::Contains("--external-id: a space at position 2"));
    CHECK_THAT(usage_error({akid, "--source-identity=a/b"}), Catch::Contains("--source-identity: '/' at position 2"));
}

TEST_CASE("the usage text lists every flag, and the subcommands from the dispatch table") {
    std::string u = commands::credential_process_usage();
    for (const char* f : {"--tpm-path", "--aws-access-key-id", "--persistentHandle", "--credential-file", "--keyPass",
                          "--parentPass", "--pcrs", "--useEKParent", "--aws-arn", "--aws-session-name", "--aws-region",
                          "--assumeRole", "--duration", "--timeout", "--tpm-session-encrypt-with-name", "--version",
                          "--help", "--sts-endpoint", "--ca-bundle", "--external-id", "--serial-number", "--token-code",
                          "--source-identity", "--debug", "--deadline"})
        CHECK_THAT(u, Catch::Contains(f));
    for (const auto& sub : commands::subcommands())
        CHECK_THAT(u, Catch::Contains(fmt::format("aws-tpm-process-credential {} [flags]   ({})", sub.name, sub.summary)));
}
