// `serve` with the clients people run: the aws CLI, boto3 and the AWS SDK
// for JavaScript v3, each taking the served credentials through its own
// container or instance-metadata provider and signing a call that moto
// checks (GetCallerIdentity with the assumed role's keys; moto's
// GetSessionToken keys are ones it does not accept itself).
#include "serve_fixtures.hpp"

#include "support/moto.hpp"

#include <filesystem>

using namespace serve_test;
using namespace std::chrono_literals;

namespace {

const std::string aws_cli = "/usr/bin/aws";
const std::filesystem::path js_dir = std::filesystem::path(ATPC_TEST_DATA_DIR) / ".." / "js";

struct moto_world {
    test::moto_sts sts;
    tpm_key tpm{sts.credentials().secret_access_key};
    test::temp_dir home{"atpc-home"};

    // Flags of an AssumeRole server against moto.
    std::vector<std::string> args() const {
        auto a = tpm.flags(sts.credentials().access_key_id);
        a.insert(a.end(), {"--sts-endpoint=" + sts.endpoint(), "--ca-bundle=" + sts.ca_file().string(), "--assumeRole",
                           "--aws-arn=" + sts.credentials().role_arn, "--imds", "--debug"});
        return a;
    }
    // A client of `s`: moto's client environment (no credentials of its own),
    // with what `s` printed on top, minus what `drop` names.
    test::env_map client(const test::serve_process& s, std::initializer_list<const char*> drop = {}) const {
        auto e = sts.cli_env(home.path());
        e["AWS_EC2_METADATA_DISABLED"] = std::nullopt;
        for (auto& [k, v] : s.client_env()) e[k] = v;
        for (const char* name : drop) e[name] = std::nullopt;
        return e;
    }
    std::string assumed_role() const {
        return "arn:aws:sts::" + sts.credentials().account_id + ":assumed-role/" + sts.credentials().role_name + "/";
    }
};

}  // namespace

TEST_CASE("serve: the aws CLI, boto3 and the JavaScript SDK sign with the served credentials", "[swtpm][moto][serve][e2e]") {
    REQUIRE(std::filesystem::exists(js_dir / "node_modules" / "@aws-sdk" / "credential-providers"));  // scripts/install-deps.sh
    moto_world w;
    test::serve_process s(w.args(), {{"XDG_RUNTIME_DIR", w.tpm.runtime.path().string()}, {"AWS_ENDPOINT_URL_STS", std::nullopt}});
    const std::string caller = "import boto3, os\n"
                               "s = boto3.Session()\n"
                               "c = s.get_credentials()\n"
                               "sts = s.client('sts', endpoint_url=os.environ['MOTO_ENDPOINT'])\n"
                               "print(c.method, sts.get_caller_identity()['Arn'])\n";

    SECTION("the aws CLI: the container provider with the token in AWS_CONTAINER_AUTHORIZATION_TOKEN") {
        // Debian's awscli 2.9 reads the token variable, not the file.
        auto env = w.client(s, {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_SERVICE_ENDPOINT"});
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = s.token();
        auto r = test::run({aws_cli, "sts", "get-caller-identity", "--endpoint-url", w.sts.endpoint(), "--output", "json"}, env, 60s);
        INFO(r.describe());
        REQUIRE(r.ok());
        CHECK_THAT(r.out, Catch::Contains(w.assumed_role()));
    }
    SECTION("boto3: the container provider with the token file") {
        auto r = w.sts.python(caller, w.client(s, {"AWS_EC2_METADATA_SERVICE_ENDPOINT"}));
        INFO(r.describe());
        REQUIRE(r.ok());
        CHECK_THAT(r.out, Catch::StartsWith("container-role " + w.assumed_role()));
    }
    SECTION("boto3: the instance-metadata provider (IMDSv2)") {
        auto r = w.sts.python(caller, w.client(s, {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"}));
        INFO(r.describe());
        REQUIRE(r.ok());
        CHECK_THAT(r.out, Catch::StartsWith("iam-role " + w.assumed_role()));
    }
    SECTION("JavaScript v3: fromContainerMetadata, fromHttp and fromInstanceMetadata") {
        for (const std::string provider : {"container", "http", "imds"}) {
            auto env = w.client(s);
            env["AWS_ENDPOINT_URL_STS"] = w.sts.endpoint();
            env["NODE_EXTRA_CA_CERTS"] = w.sts.ca_file().string();
            env["NODE_NO_WARNINGS"] = "1";
            // fromContainerMetadata reads only the variable; fromHttp prefers the file.
            if (provider == "container") env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = s.token();
            auto r = test::run(test::spawn_options{.argv = {"node", "clients.mjs", provider}, .env = env, .cwd = js_dir.string()}, 60s);
            INFO(provider << ": " << r.describe());
            REQUIRE(r.ok());
            CHECK_THAT(r.out, Catch::StartsWith(w.assumed_role()));
        }
    }
    s.proc().kill(SIGTERM);
    REQUIRE(s.proc().wait_for(3s));
    // However many clients asked, the TPM was used once: for the one fetch.
    CHECK(count_of(s.proc().err(), "TPM: computing kDate") == 1);
}
