// Round trip against real peers: `import` moto's user secret into a swtpm
// (the real binary, secret on stdin), then the exact credential_process line
// it printed, in ~/.aws/config, through the aws CLI: AssumeRole must return
// the role. Then `whoami`, signing GetCallerIdentity with the TPM key and
// with the temporary credentials, against moto with signature checking.
#include "support/lab.hpp"

#include "support/moto.hpp"

#include <filesystem>

using namespace provision_test;

namespace {

const std::string aws_cli = "/usr/bin/aws";  // Debian's (the python one on PATH is older)

struct world {
    lab l;
    test::moto_sts sts;
    test::temp_dir home{"atpc-home"};

    test::env_map env(const std::string& config = "") const { return sts.cli_env(home.path(), config); }

    test::run_result import(std::vector<std::string> args, test::env_map extra = {}) {
        args.push_back("--aws-access-key-id=" + sts.credentials().access_key_id);
        return l.import(args, sts.credentials().secret_access_key + "\n", extra);
    }

    test::run_result whoami(std::vector<std::string> args, test::env_map extra = {}) const {
        std::vector<std::string> argv{ATPC_BINARY, "whoami", "--tpm-path=" + l.sw.address(),
                                      "--aws-access-key-id=" + sts.credentials().access_key_id, "--aws-region=us-east-1"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto e = env();
        for (auto& [k, v] : extra) e[k] = v;
        return test::run(argv, e, 60s);
    }

    std::string role_prefix() const {
        return "arn:aws:sts::" + sts.credentials().account_id + ":assumed-role/" + sts.credentials().role_name + "/";
    }
};

}  // namespace

TEST_CASE("import then credential_process: handle and key file, plain, password and PCR, through the aws CLI",
          "[swtpm][moto][e2e]") {
    world w;
    struct mode {
        std::string name;
        std::vector<std::string> flags;
        test::env_map env;
    };
    const std::vector<mode> modes{
        {"plain", {"--persistentHandle=0x81000300"}, {}},
        {"password", {"--persistentHandle=0x81000301"}, {{"TPM_KEY_AUTH", "pass123"}}},
        {"pcr", {"--persistentHandle=0x81000302", "--pcrs=23"}, {}},
        {"password+pcr", {"--persistentHandle=0x81000303", "--pcrs=16,23"}, {{"TPM_KEY_AUTH", "pass456"}}},
    };
    for (const auto& m : modes) {
        INFO(m.name);
        auto flags = m.flags;
        flags.push_back("--out=" + (w.l.sw.work_dir() / (m.name + ".pem")).string());
        auto r = w.import(flags, m.env);
        INFO(r.describe());
        REQUIRE(r.ok());
        auto lines = lines_starting(r.out, "credential_process = ");
        REQUIRE(lines.size() == 2);  // the handle, then the key file
        for (const auto& line : lines) {
            INFO(line);
            CHECK_THAT(line, !Catch::Contains("pass123") && !Catch::Contains("pass456") && !Catch::Contains("keyPass"));
            const std::string config = "[profile tpm]\nregion = us-east-1\n" + line +
                                       " --aws-region=us-east-1 --assumeRole=true --aws-arn=" +
                                       w.sts.credentials().role_arn + "\n";
            auto env = w.env(config);
            for (auto& [k, v] : m.env) env[k] = v;
            auto cli = test::run({aws_cli, "sts", "get-caller-identity", "--profile", "tpm", "--endpoint-url",
                                  w.sts.endpoint(), "--output", "json"},
                                 env, 60s);
            INFO(cli.describe());
            REQUIRE(cli.ok());
            CHECK_THAT(cli.out, Catch::Contains(w.role_prefix()));
        }
        w.l.no_leaks();
    }

    // The PCR-bound keys stop working once PCR 23 changes.
    w.l.tool({"tpm2_pcrextend", "23:sha256=" + std::string(64, 'c')});
    auto r = test::run({ATPC_BINARY, "--tpm-path=" + w.l.sw.address(), "--persistentHandle=0x81000302", "--pcrs=23",
                        "--aws-access-key-id=" + w.sts.credentials().access_key_id, "--aws-region=us-east-1"},
                       w.env(), 60s);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("PCR policy not satisfied"));
    w.l.no_leaks();
}

TEST_CASE("whoami: the TPM key signs GetCallerIdentity, --via-sts signs with the assumed role's credentials",
          "[swtpm][moto][e2e]") {
    world w;
    REQUIRE(w.import({"--persistentHandle=0x81000310", "--out=k.pem"}).ok());
    const auto& c = w.sts.credentials();

    for (const std::string& key : {std::string("--persistentHandle=0x81000310"),
                                   "--credential-file=" + (w.l.sw.work_dir() / "k.pem").string()}) {
        INFO(key);
        auto r = w.whoami({key});
        INFO(r.describe());
        REQUIRE(r.ok());
        CHECK(r.out == "Account: " + c.account_id + "\nArn:     " + c.user_arn + "\nUserId:  " +
                           report_value(r.out, "UserId") + "\n");
        CHECK_FALSE(report_value(r.out, "UserId").empty());
        CHECK(r.err.empty());
    }

    auto via = w.whoami({"--persistentHandle=0x81000310", "--via-sts", "--assumeRole=true", "--aws-arn=" + c.role_arn,
                         "--aws-session-name=whoami-test"});
    INFO(via.describe());
    REQUIRE(via.ok());
    CHECK(report_value(via.out, "Arn") == w.role_prefix() + "whoami-test");
    CHECK(report_value(via.out, "Account") == c.account_id);

    // A key that does not belong to the access key id.
    REQUIRE(w.l.import({"--persistentHandle=0x81000311"}, "AKIDEXAMPLEotherSECRET0123456789abcdefgh").ok());
    auto wrong = w.whoami({"--persistentHandle=0x81000311"});
    INFO(wrong.describe());
    CHECK(wrong.exit_code == 1);
    CHECK(wrong.out.empty());
    CHECK_THAT(wrong.err, Catch::Contains("GetCallerIdentity") && Catch::Contains("SignatureDoesNotMatch"));
    CHECK(std::count(wrong.err.begin(), wrong.err.end(), '\n') == 1);
    w.l.no_leaks();
}
