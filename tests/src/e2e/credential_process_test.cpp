// End to end, as users run it: ~/.aws/config with credential_process lines,
// the Debian aws CLI (by absolute path: the machine's python also has an
// older `aws` earlier on PATH) and boto3, against moto_server with TLS and
// signature checking, with the secret inside a swtpm.
//
// Debian's awscli 2.9 ignores AWS_ENDPOINT_URL_STS, so the CLI always gets
// --endpoint-url; our program reads AWS_ENDPOINT_URL_STS and AWS_CA_BUNDLE.
// moto's GetSessionToken returns a fixed key that moto itself does not
// accept, so that mode is checked by the program's output and by
// `aws configure export-credentials`, not by a follow-up call.
#include "support/moto.hpp"
#include "support/process.hpp"
#include "support/swtpm.hpp"
#include "support/tcp_sink.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <thread>

namespace {

using namespace std::chrono_literals;
const std::string aws_cli = "/usr/bin/aws";

struct world {
    test::swtpm sw;
    test::moto_sts sts;
    test::temp_dir home{"atpc-home"};

    world() {
        std::ofstream(sw.work_dir() / "hmac.key", std::ios::binary) << "AWS4" << sts.credentials().secret_access_key;
        tool({"tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc", "-c", "primary.ctx", "-a",
              "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt"});
        tool({"tpm2_startauthsession", "-S", "trial.ctx"});
        tool({"tpm2_policypcr", "-S", "trial.ctx", "-l", "sha256:23", "-L", "pcr23.policy"});
        tool({"tpm2_flushcontext", "trial.ctx"});
        key("plain", {}, "0x81010002");
        key("password", {"-p", "pass123"}, "0x81010003");
        key("pcr", {"-L", "pcr23.policy"}, "0x81010004");
        std::filesystem::remove(sw.work_dir() / "hmac.key");
        flush_all();
    }

    void tool(std::vector<std::string> argv) { sw.require_tool(std::move(argv)); }
    void flush_all() { sw.flush_all(); }
    void key(const std::string& n, std::vector<std::string> extra, const std::string& handle) {
        std::vector<std::string> import{"tpm2_import", "-C", "primary.ctx", "-G", "hmac", "-i", "hmac.key",
                                        "-u", n + ".pub", "-r", n + ".priv"};
        import.insert(import.end(), extra.begin(), extra.end());
        tool(import);
        flush_all();
        tool({"tpm2_encodeobject", "-C", "primary.ctx", "-u", n + ".pub", "-r", n + ".priv", "-o", n + ".pem"});
        flush_all();
        tool({"tpm2_load", "-C", "primary.ctx", "-u", n + ".pub", "-r", n + ".priv", "-c", n + ".ctx"});
        tool({"tpm2_evictcontrol", "-C", "o", "-c", n + ".ctx", handle});
        flush_all();
    }
    std::string pem(const std::string& n) const { return (sw.work_dir() / (n + ".pem")).string(); }

    // The environment every client gets: a private HOME and config file,
    // our program pointed at moto through the SDK variables.
    test::env_map env(const std::string& config = "") const { return sts.cli_env(home.path(), config); }

    std::string program_args(const std::string& extra) const {
        return std::string(ATPC_BINARY) + " --tpm-path=" + sw.address() +
               " --aws-access-key-id=" + sts.credentials().access_key_id + " --aws-region=us-east-1 " + extra;
    }

    std::string profile(const std::string& extra) const {
        return "[profile tpm]\nregion = us-east-1\ncredential_process = " + program_args(extra) + "\n";
    }

    test::run_result program(std::vector<std::string> args, test::env_map extra = {}) const {
        std::vector<std::string> argv{ATPC_BINARY, "--tpm-path=" + sw.address(),
                                      "--aws-access-key-id=" + sts.credentials().access_key_id, "--aws-region=us-east-1"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto e = env();
        for (auto& [k, v] : extra) e[k] = v;
        return test::run(argv, e, 60s);
    }

    void no_leaks() { sw.check_no_leaks(); }
};

std::string assumed_role_arn(const world& w) {
    return "arn:aws:sts::" + w.sts.credentials().account_id + ":assumed-role/" + w.sts.credentials().role_name + "/";
}

// The one-line, nothing-on-stdout failure contract.
void check_failure(const test::run_result& r, const std::string& expected) {
    INFO(r.describe());
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("aws-tpm-process-credential: ") && Catch::Contains(expected));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("aws CLI and boto3 get an assumed role through credential_process (handle and PEM)", "[swtpm][moto][e2e]") {
    world w;
    const std::string role = "--assumeRole=true --aws-arn=" + w.sts.credentials().role_arn;
    for (const std::string& key : std::vector<std::string>{"--persistentHandle=0x81010002", "--credential-file=" + w.pem("plain")}) {
        INFO(key);
        auto env = w.env(w.profile(key + " " + role));
        auto cli = test::run({aws_cli, "sts", "get-caller-identity", "--profile", "tpm", "--endpoint-url",
                              w.sts.endpoint(), "--output", "json"},
                             env, 60s);
        INFO(cli.describe());
        REQUIRE(cli.ok());
        CHECK_THAT(cli.out, Catch::Contains(assumed_role_arn(w)));

        auto py = test::run({"python3", "-c",
                             "import boto3, os\n"
                             "s = boto3.Session(profile_name='tpm')\n"
                             "c = s.client('sts', endpoint_url=os.environ['AWS_ENDPOINT_URL_STS'], "
                             "verify=os.environ['AWS_CA_BUNDLE'])\n"
                             "print(c.get_caller_identity()['Arn'])\n"},
                            env, 60s);
        INFO(py.describe());
        REQUIRE(py.ok());
        CHECK_THAT(py.out, Catch::StartsWith(assumed_role_arn(w)));
    }
    w.no_leaks();
}

TEST_CASE("password, PCR and encrypted-session keys through the aws CLI", "[swtpm][moto][e2e]") {
    world w;
    const std::string role = " --assumeRole=true --aws-arn=" + w.sts.credentials().role_arn;
    // The EK the encrypted session is salted to, made and named by tpm2-tools.
    w.tool({"tpm2_createek", "-c", "0x81010001", "-G", "rsa", "-u", "ek.pub"});
    w.tool({"tpm2_readpublic", "-c", "0x81010001", "-n", "ek.name"});
    w.flush_all();
    std::ifstream name_file(w.sw.work_dir() / "ek.name", std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(name_file)), std::istreambuf_iterator<char>());
    std::string ek_name;
    for (unsigned char c : raw) ek_name += "0123456789abcdef"[c >> 4], ek_name += "0123456789abcdef"[c & 15];
    REQUIRE(ek_name.size() == 68);
    struct mode {
        std::string flags;
        test::env_map env;
    };
    std::vector<mode> modes{
        {"--persistentHandle=0x81010003" + role, {{"TPM_KEY_AUTH", "pass123"}}},
        {"--credential-file=" + w.pem("password") + role, {{"TPM_KEY_AUTH", "pass123"}}},
        {"--persistentHandle=0x81010004 --pcrs=23" + role, {}},
        {"--credential-file=" + w.pem("pcr") + " --pcrs=23" + role, {}},
        {"--persistentHandle=0x81010002 --tpm-session-encrypt-with-name=" + ek_name + role, {}},
    };
    for (auto& m : modes) {
        INFO(m.flags);
        auto env = w.env(w.profile(m.flags));
        for (auto& [k, v] : m.env) env[k] = v;
        auto cli = test::run({aws_cli, "sts", "get-caller-identity", "--profile", "tpm", "--endpoint-url",
                              w.sts.endpoint(), "--output", "json"},
                             env, 60s);
        INFO(cli.describe());
        REQUIRE(cli.ok());
        CHECK_THAT(cli.out, Catch::Contains(assumed_role_arn(w)));
    }
    w.no_leaks();
}

TEST_CASE("help and version answer on stdout with exit 0", "[e2e]") {
    auto help = test::run({ATPC_BINARY, "--help"}, {}, 10s);
    CHECK(help.ok());
    CHECK_THAT(help.out, Catch::StartsWith("Usage: aws-tpm-process-credential") && Catch::Contains("--tpm-path"));
    auto version = test::run({ATPC_BINARY, "--version"}, {}, 10s);
    CHECK(version.ok());
    CHECK_THAT(version.out, Catch::StartsWith("aws-tpm-process-credential ") && Catch::Contains("commit"));
}

TEST_CASE("GetSessionToken: the credential_process JSON, read back by the aws CLI", "[swtpm][moto][e2e]") {
    world w;
    auto direct = w.program({"--persistentHandle=0x81010002"});
    INFO(direct.describe());
    REQUIRE(direct.ok());
    CHECK_THAT(direct.out, Catch::StartsWith("{\"Version\":1,\"AccessKeyId\":\""));
    CHECK_THAT(direct.out, Catch::Matches(".*\"Expiration\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\"\\}\n"));
    CHECK(direct.err.empty());

    auto env = w.env(w.profile("--persistentHandle=0x81010002"));
    auto exported = test::run({aws_cli, "configure", "export-credentials", "--profile", "tpm", "--format", "process"},
                              env, 60s);
    INFO(exported.describe());
    REQUIRE(exported.ok());
    CHECK_THAT(exported.out, Catch::Contains("\"AccessKeyId\": \"AKIAIOSFODNN7EXAMPLE\""));  // moto's fixed key
    w.no_leaks();
}

TEST_CASE("each failure is one line, exit 1, nothing on stdout, nothing left in the TPM", "[swtpm][moto][e2e]") {
    world w;
    SECTION("no TPM at the address") {
        auto r = test::run({ATPC_BINARY, "--tpm-path=127.0.0.1:1", "--aws-access-key-id=AKIAIOSFODNN7EXAMPLE"},
                           w.env(), 30s);
        check_failure(r, "cannot connect to the TPM at 127.0.0.1:1");
    }
    SECTION("no key at the handle") {
        check_failure(w.program({"--persistentHandle=0x81010009"}), "no key at persistent handle 0x81010009");
    }
    SECTION("wrong key password") {
        check_failure(w.program({"--persistentHandle=0x81010003"}, {{"TPM_KEY_AUTH", "nope"}}), "wrong password");
    }
    SECTION("PCR policy not satisfied") {
        w.tool({"tpm2_pcrextend", "23:sha256=" + std::string(64, 'b')});
        check_failure(w.program({"--persistentHandle=0x81010004", "--pcrs=23"}), "PCR policy not satisfied");
    }
    SECTION("the key does not match the access key id") {
        auto r = test::run({ATPC_BINARY, "--tpm-path=" + w.sw.address(), "--aws-access-key-id=AKIAIOSFODNN7EXAMPLE",
                            "--persistentHandle=0x81010002", "--aws-region=us-east-1"},
                           w.env(), 60s);
        check_failure(r, "InvalidClientTokenId");
    }
    SECTION("the secret in the TPM does not match the access key id") {
        std::ofstream(w.sw.work_dir() / "other.key", std::ios::binary) << "AWS4" << std::string(40, 'x');
        w.tool({"tpm2_import", "-C", "primary.ctx", "-G", "hmac", "-i", "other.key", "-u", "other.pub", "-r", "other.priv"});
        w.flush_all();
        w.tool({"tpm2_load", "-C", "primary.ctx", "-u", "other.pub", "-r", "other.priv", "-c", "other.ctx"});
        w.tool({"tpm2_evictcontrol", "-C", "o", "-c", "other.ctx", "0x81010005"});
        w.flush_all();
        check_failure(w.program({"--persistentHandle=0x81010005"}), "SignatureDoesNotMatch");
    }
    SECTION("usage errors come before any I/O") {
        auto r = test::run({ATPC_BINARY, "--tpm-path=127.0.0.1:1", "--aws-access-key-id=AKIAIOSFODNN7EXAMPLE",
                            "--assumeRole"},
                           w.env(), 30s);
        INFO(r.describe());
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::Contains("--assumeRole needs --aws-arn"));
    }
    w.no_leaks();
}

TEST_CASE("a hung TPM fails within --timeout and --deadline, not at the SDK's 60 s", "[swtpm][moto][e2e]") {
    world w;
    w.sw.pause();
    auto r = w.program({"--persistentHandle=0x81010002", "--timeout=1s"});
    w.sw.resume();
    check_failure(r, "did not complete within the command deadline of 1000 ms");
    CHECK_THAT(r.err, Catch::Contains("allow each command more time with --timeout"));
    CHECK(r.elapsed < 3s);

    w.sw.pause();
    auto d = w.program({"--persistentHandle=0x81010002", "--timeout=10s", "--deadline=1500ms"});
    w.sw.resume();
    check_failure(d, "deadline");
    CHECK(d.elapsed < 3s);
}

TEST_CASE("the STS connection opens while the TPM works, and a TPM failure cancels it at once", "[swtpm][moto][e2e]") {
    world w;
    test::tcp_sink sts;  // accepts, reads the ClientHello, never answers
    const test::env_map hanging_sts{{"AWS_ENDPOINT_URL_STS", "https://127.0.0.1:" + std::to_string(sts.port())}};

    SECTION("the TLS handshake starts while the TPM is still working") {
        w.sw.pause();
        auto r = w.program({"--persistentHandle=0x81010002", "--timeout=1s"}, hanging_sts);
        w.sw.resume();
        check_failure(r, "did not complete within the command deadline of 1000 ms");  // the TPM's error, not the STS's
        // The handshake hangs, so ending this soon also means the TPM's
        // failure cancelled it (else: the 10 s attempt timeout).
        CHECK(r.elapsed < 3s);
        auto seen = sts.connections();
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].bytes_received > 0);  // the ClientHello went out before the TPM answered
    }
    SECTION("--debug shows the STS step that stalled; the message names --deadline, never --timeout") {
        auto r = w.program({"--persistentHandle=0x81010002", "--deadline=2s", "--debug"}, hanging_sts);
        INFO(r.describe());
        CHECK(r.exit_code == 1);
        CHECK(r.out.empty());
        const std::string stalled = "debug: https: TLS handshake with 127.0.0.1:" + std::to_string(sts.port()) + "\n";
        const auto last = r.err.rfind("debug: https: ");
        REQUIRE(last != std::string::npos);
        CHECK(r.err.substr(last, stalled.size()) == stalled);
        CHECK_THAT(r.err, Catch::Contains("(--deadline)") && !Catch::Contains("--timeout"));
        CHECK(r.elapsed < 5s);
    }
    SECTION("a fast TPM failure does not wait for the hanging STS connection either") {
        // The TPM may fail before the connection is even attempted (a race
        // this test does not control), so at most one connection.
        auto r = w.program({"--persistentHandle=0x81010009"}, hanging_sts);
        check_failure(r, "no key at persistent handle 0x81010009");
        CHECK(r.elapsed < 5s);
        CHECK(sts.connections().size() <= 1);
    }
    w.no_leaks();
}

TEST_CASE("eight simultaneous runs against one swtpm all succeed", "[swtpm][moto][e2e]") {
    world w;
    const std::vector<std::string> args{"--persistentHandle=0x81010002", "--assumeRole=true",
                                        "--aws-arn=" + w.sts.credentials().role_arn};
    std::vector<test::run_result> results(8);
    std::vector<std::thread> threads;
    for (auto& r : results) threads.emplace_back([&] { r = w.program(args); });
    for (auto& t : threads) t.join();
    for (auto& r : results) {
        INFO(r.describe());
        CHECK(r.ok());
        CHECK_THAT(r.out, Catch::Contains("\"AccountId\":\"" + w.sts.credentials().account_id + "\""));
    }
    w.no_leaks();
}
