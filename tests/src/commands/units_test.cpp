// Pieces of the provisioning commands that need no TPM: the secret's shape,
// the import flags, the config line's quoting, the GetCallerIdentity reply
// parser, and the all-or-nothing key file.
#include "base/error.hpp"
#include "output/config_line.hpp"
#include "tpm/import.hpp"
#include "commands/import/import_options.hpp"
#include "cli/secret_input.hpp"
#include "files/staged_file.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace atpc::cli;
using namespace atpc::commands;
using namespace atpc::files;
using namespace atpc::output;
using namespace atpc::tpm;

namespace {

const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

atpc::env_lookup no_env() {
    return [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
}

import_options parse(std::vector<std::string> args, atpc::env_lookup env = no_env()) {
    args.insert(args.begin(), "import");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return parse_import_options(static_cast<int>(argv.size()), argv.data(), env);
}

std::string import_usage_error(std::vector<std::string> args) {
    try {
        parse(std::move(args));
    } catch (const atpc::error& e) {
        CHECK(e.kind() == atpc::fault::usage);
        return e.what();
    }
    return "(accepted)";
}

std::string secret_error(std::string_view s) {
    try {
        check_secret(s);
    } catch (const atpc::error& e) {
        CHECK(e.kind() == atpc::fault::usage);
        CHECK_THAT(e.what(), !Catch::Contains(std::string(s.substr(0, std::min<std::size_t>(s.size(), 10))) + "x"));
        return e.what();
    }
    return "(accepted)";
}

// A pipe holding `data`, as standard input.
int pipe_with(const std::string& data) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::write(fds[1], data.data(), data.size()) == static_cast<ssize_t>(data.size()));
    ::close(fds[1]);
    return fds[0];
}

}  // namespace

TEST_CASE("secret shape: 40 characters of the AWS alphabet, errors never quote it") {
    CHECK(secret_error(secret) == "(accepted)");
    CHECK(secret_error("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+=") == "(accepted)");
    CHECK_THAT(secret_error(""), Catch::Contains("no secret access key"));
    CHECK_THAT(secret_error(secret.substr(0, 39)), Catch::Contains("got 39"));
    CHECK_THAT(secret_error(secret.substr(0, 20) + " " + secret.substr(21)), Catch::Contains("position 21"));
    CHECK_THAT(secret_error(secret.substr(0, 39) + "\xc3"), Catch::Contains("position 40"));
    CHECK_THAT(secret_error("AKIAIOSFODNN7EXAMPLE"), Catch::Contains("access key id"));
    CHECK_THAT(secret_error("AWS4" + secret), Catch::Contains("AWS4"));
    for (auto s : {secret_error(secret.substr(1)), secret_error(secret.substr(0, 39) + "!")})
        CHECK_THAT(s, !Catch::Contains(secret.substr(5, 8)));
    CHECK(hmac_key_bytes(secret) == tpmwire::to_bytes("AWS4" + secret));
}

TEST_CASE("reading the secret: stdin trimmed, the environment as fallback, both must agree") {
    auto env_with = [](std::string v) {
        return [v](std::string_view name) -> std::optional<std::string> {
            if (name == "AWS_SECRET_ACCESS_KEY") return v;
            return std::nullopt;
        };
    };
    int fd = pipe_with("  " + secret + "\r\n");
    auto in = read_secret(no_env(), fd);
    ::close(fd);
    CHECK(std::string_view(in.value) == secret);
    CHECK(in.source == secret_source::standard_input);

    fd = pipe_with("");
    in = read_secret(env_with(secret), fd);
    ::close(fd);
    CHECK(in.source == secret_source::environment);
    CHECK(std::string_view(in.value) == secret);

    fd = pipe_with(secret + "\n");
    in = read_secret(env_with(secret), fd);  // the same secret twice is fine
    ::close(fd);
    CHECK(in.source == secret_source::standard_input);

    fd = pipe_with(secret.substr(1) + "A\n");
    CHECK_THROWS_WITH(read_secret(env_with(secret), fd), Catch::Contains("different secrets"));
    ::close(fd);

    fd = pipe_with(std::string(5000, 'A'));
    CHECK_THROWS_WITH(read_secret(no_env(), fd), Catch::Contains("too long"));
    ::close(fd);
}

TEST_CASE("import flags: Go syntax, environment fallbacks, validation before any I/O") {
    auto o = parse({"-persistentHandle", "0x81000001", "--out=k.pem", "--pcrs=7,23", "--force", "--useEKParent=true",
                    "--tpm-path=127.0.0.1:2321", "--timeout=500ms"},
                   [](std::string_view name) -> std::optional<std::string> {
                       if (name == "TPM_KEY_AUTH") return "from-env";
                       if (name == "TPM_OWNER_AUTH") return "owner";
                       return std::nullopt;
                   });
    CHECK(o.persistent_handle == 0x81000001u);
    CHECK(o.out == "k.pem");
    CHECK(o.pcrs == std::vector<unsigned>{7, 23});
    CHECK(o.force);
    CHECK(o.use_ek_parent);
    CHECK(o.address.port == 2321);
    CHECK(o.timeout == std::chrono::milliseconds(500));
    CHECK(o.key_pass == "from-env");
    CHECK(o.owner_pass == "owner");

    std::string pass = "--keyPass=flagpass";
    std::vector<std::string> args{"import", "--out=k.pem", pass};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    auto p = parse_import_options(3, argv.data(), no_env());
    CHECK(p.key_pass == "flagpass");
    CHECK(std::string(argv[2]) == "--keyPass=");  // wiped from the command line

    CHECK_THAT(import_usage_error({}), Catch::Contains("say where the key goes"));
    CHECK_THAT(import_usage_error({"--persistentHandle=0x81800000"}), Catch::Contains("0x81800000 is outside"));
    CHECK_THAT(import_usage_error({"--persistentHandle=0x817fffff"}), Catch::Contains("(accepted)"));
    CHECK_THAT(import_usage_error({"--persistentHandle=0x80FFFFFF"}), Catch::Contains("outside"));
    CHECK_THAT(import_usage_error({"--persistentHandle=zz"}), Catch::Contains("invalid value \"zz\""));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--parent=0x81000001", "--useEKParent"}), Catch::Contains("exclude each other"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--parent=0x40000001"}), Catch::Contains("not a persistent handle"));
    CHECK_THAT(import_usage_error({"--persistentHandle=0x81000001", "--parent=0x81000001"}), Catch::Contains("same handle"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--pcrs=24"}), Catch::Contains("--pcrs"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--tpm-session-encrypt-with-name=000b12"}), Catch::Contains("000b followed by 64"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--aws-access-key-id=short"}), Catch::Contains("16 to 128"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--tpm-path=mssim:"}), Catch::Contains("--tpm-path"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--force=maybe"}), Catch::Contains("invalid boolean"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--force", "false"}), Catch::Contains("unexpected argument #3"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--keyPass"}), Catch::Contains("flag needs an argument"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--nope=" + secret}), Catch::Contains("-nope") && !Catch::Contains(secret));
}

TEST_CASE("the key's attributes per option") {
    using namespace tpmwire;
    CHECK(key_attributes(false, false) == (TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sign |
                                           TPMA_OBJECT_userWithAuth | TPMA_OBJECT_noDA));
    CHECK(key_attributes(true, false) == (TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sign |
                                          TPMA_OBJECT_userWithAuth));
    CHECK(key_attributes(false, true) == (TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sign |
                                          TPMA_OBJECT_noDA));
    CHECK(key_attributes(true, true) == (TPMA_OBJECT_fixedTPM | TPMA_OBJECT_fixedParent | TPMA_OBJECT_sign));
}

TEST_CASE("config line: shlex-compatible quoting, never a password") {
    CHECK(shell_quote("/usr/bin/aws-tpm-process-credential") == "/usr/bin/aws-tpm-process-credential");
    CHECK(shell_quote("--tpm-path=127.0.0.1:2321") == "--tpm-path=127.0.0.1:2321");
    CHECK(shell_quote("/home/a b/k.pem") == "'/home/a b/k.pem'");
    CHECK(shell_quote("it's") == "'it'\"'\"'s'");
    CHECK(shell_quote("") == "''");
    config_line_inputs in;
    in.program = "/opt/my tools/atpc";
    in.tpm_path = "/dev/tpmrm0";
    in.persistent_handle = 0x81008003;
    in.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    in.pcrs = {0, 7};
    CHECK(credential_process_line(in) ==
          "credential_process = '/opt/my tools/atpc' --tpm-path=/dev/tpmrm0 --persistentHandle=0x81008003 --pcrs=0,7 "
          "--aws-access-key-id=AKIAIOSFODNN7EXAMPLE");
    in.persistent_handle.reset();
    in.key_file = "/k.pem";
    in.ek_parent = true;
    in.pcrs.clear();
    in.access_key_id.clear();
    CHECK(credential_process_line(in) == "credential_process = '/opt/my tools/atpc' --tpm-path=/dev/tpmrm0 "
                                         "--credential-file=/k.pem --useEKParent '--aws-access-key-id=<ACCESS_KEY_ID>'");
}

TEST_CASE("staged file: written beside the target with mode 0600, renamed on commit, removed otherwise") {
    test::temp_dir dir;
    const auto target = (dir.path() / "k.pem").string();
    const std::string label = "the key file " + target;
    staged_file(target, existing::refuse, label).check_target();
    CHECK(std::filesystem::is_empty(dir.path()));  // the probe file is gone
    {
        staged_file f(target, existing::refuse, label);
        f.write("half");
        CHECK_FALSE(std::filesystem::exists(target));
        CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
    }  // never committed
    CHECK(std::filesystem::is_empty(dir.path()));
    {
        staged_file f(target, existing::refuse, label);
        f.write("whole");
        f.commit();
    }
    std::ifstream in(target);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(content == "whole");
    CHECK((std::filesystem::status(target).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);

    CHECK_THROWS_WITH(staged_file(target, existing::refuse, label).check_target(),
                      label + " already exists: choose another name, or pass --force to replace it");
    staged_file(target, existing::replace, label).check_target();
    CHECK_THROWS_WITH(staged_file(dir.path().string(), existing::replace, "D").check_target(),
                      "D is a directory, not a file");
    CHECK_THROWS_WITH(staged_file((dir.path() / "no" / "k.pem").string(), existing::refuse, "N").check_target(),
                      Catch::StartsWith("cannot create files in the directory of N"));
}

TEST_CASE("staged file: a file created at the target while the run worked is never replaced without --force") {
    test::temp_dir dir;
    const auto target = (dir.path() / "k.pem").string();
    staged_file f(target, existing::refuse, "--out " + target);
    f.check_target();
    f.write("ours");
    std::ofstream(target) << "theirs";  // appears after the check, before the commit
    CHECK_THROWS_WITH(f.commit(), Catch::StartsWith("--out " + target + " was created by someone else"));
    std::ifstream in(target);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(content == "theirs");
}

TEST_CASE("staged file: with replace, the commit replaces a file created meanwhile") {
    test::temp_dir dir;
    const auto target = (dir.path() / "k.pem").string();
    staged_file f(target, existing::replace, "--out " + target);
    f.write("ours");
    std::ofstream(target) << "theirs";
    f.commit();
    std::ifstream in(target);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(content == "ours");
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
}
