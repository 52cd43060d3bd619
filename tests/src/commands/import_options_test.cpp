// import's flags and environment, validated before any I/O.
#include "base/error.hpp"
#include "commands/import/import_options.hpp"

#include <catch2/catch.hpp>

using namespace atpc::commands;

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

}  // namespace

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
    CHECK_THAT(import_usage_error({"--out=k.pem", "--tpm-session-encrypt-with-name=000b12"}), Catch::Contains("000b and 64 hex digits"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--aws-access-key-id=short"}), Catch::Contains("16 to 128"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--tpm-path=mssim:"}), Catch::Contains("--tpm-path"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--force=maybe"}), Catch::Contains("invalid boolean"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--force", "false"}), Catch::Contains("unexpected argument #3"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--keyPass"}), Catch::Contains("flag needs an argument"));
    CHECK_THAT(import_usage_error({"--out=k.pem", "--nope=" + secret}), Catch::Contains("-nope") && !Catch::Contains(secret));
}
