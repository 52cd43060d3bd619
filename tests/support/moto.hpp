// A private STS/IAM endpoint per fixture: the machine's moto_server (moto
// 5.2.1, from PATH) over TLS with a throwaway CA, with SigV4 signature
// checking on, and an IAM user + access key + assumable role ready.
//
//     test::moto_sts sts;                           // ≈ 1.5 s (2.5 s under ctest -j2)
//     auto r = sts.python("import boto3; ...");     // AWS_CA_BUNDLE etc. set
//     test::run({ATPC_BINARY, ...}, sts.client_env());  // program flags: see src/
//
// How it starts: moto_server binds port 0 itself (no port race at all) and
// the port is read from /proc as the one OUR child listens on. moto runs
// with INITIAL_NO_AUTH_ACTION_COUNT=4: scripts/moto_setup.py spends exactly
// those four unsigned calls (CreateUser, PutUserPolicy sts:*, CreateAccessKey,
// CreateRole trusting the user), then proves that a wrong secret is refused.
//
// moto 5.2.1 behaviour, checked on this machine (fixtures_test.cpp checks
// the ones marked *):
//  * Answers STS in XML unless the form carries ContentType=JSON (then JSON,
//    Expiration as epoch seconds); it ignores the Accept header.
//  * After the free calls every request's SigV4 signature is verified with
//    botocore: wrong secret -> 403 SignatureDoesNotMatch, unknown key ->
//    403 InvalidClientTokenId. A request without Authorization -> 500
//    (KeyError in moto), i.e. also refused, but not with an AWS error body.
//  * GetCallerIdentity is always allowed once authenticated; other actions
//    need an IAM policy (the user gets sts:*), and AssumeRole also the
//    role's trust policy naming the user.
//  * GetSessionToken returns the fixed fake key AKIAIOSFODNN7EXAMPLE (secret
//    wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY) that moto itself refuses
//    (InvalidClientTokenId): good for checking parsing, not for using.
//  * AssumeRole returns working ASIA... keys (GetCallerIdentity with them
//    shows arn:aws:sts::<account>:assumed-role/<role>/<session>).
//  * It re-encodes the parsed form before checking the signature (see
//    /work/shared/notes/facts.md): sign the body encoded Go-style.
//  * POST /moto-api/reset-auth (unauthenticated) can change the count at
//    run time; tests must not rely on that.
//  * The account is 123456789012 unless MOTO_ACCOUNT_ID is set.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_ca.hpp"

namespace test {

struct moto_options {
    // Extra DNS names in the server certificate (besides localhost and
    // 127.0.0.1), e.g. "sts.test.internal" for tests through a proxy.
    std::vector<std::string> extra_dns_names = {};
    std::chrono::milliseconds start_timeout = std::chrono::seconds(60);
};

// Throwaway credentials of the fixture's IAM user (valid only in its moto).
struct moto_credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string user_name;
    std::string user_arn;
    std::string role_name;
    std::string role_arn;
    std::string account_id;
};

class moto_sts {
public:
    // Number of unsigned calls moto_setup.py makes (INITIAL_NO_AUTH_ACTION_COUNT).
    static constexpr int setup_calls = 4;

    // Starts and prepares it. Throws std::runtime_error (with moto's log).
    explicit moto_sts(moto_options options = {});
    ~moto_sts();
    moto_sts(const moto_sts&) = delete;
    moto_sts& operator=(const moto_sts&) = delete;

    std::uint16_t port() const { return port_; }
    std::string endpoint() const { return "https://127.0.0.1:" + std::to_string(port_); }
    std::string endpoint_localhost() const { return "https://localhost:" + std::to_string(port_); }
    // The CA certificate (PEM) that signed the server certificate.
    const std::filesystem::path& ca_file() const { return ca_->cert(); }
    const tls_ca& ca() const { return *ca_; }
    const moto_credentials& credentials() const { return creds_; }
    // Scratch directory (working directory of python() and aws()).
    std::filesystem::path work_dir() const { return root_ / "work"; }

    // Environment for AWS clients talking to this moto: AWS_CA_BUNDLE, region
    // us-east-1, config/credential files that do not exist, no proxy, no
    // inherited AWS_* credentials or endpoints, plus MOTO_ENDPOINT and
    // MOTO_CA_FILE for scripts. No credentials: see user_env().
    env_map client_env() const;
    // client_env() for an AWS client run as a user would: HOME is `home`,
    // AWS_ENDPOINT_URL_STS is endpoint(), and a non-empty `config` is written
    // to home/config and named by AWS_CONFIG_FILE.
    env_map cli_env(const std::filesystem::path& home, const std::string& config = "") const;
    // client_env() with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of the user.
    env_map user_env() const;

    // `python3 -c code` with client_env() overridden by `env`.
    run_result python(const std::string& code, const env_map& env = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
    // `aws --endpoint-url endpoint() args...` (the aws on PATH) with client_env() + env.
    run_result aws(const std::vector<std::string>& args, const env_map& env = {},
                   std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

    // moto_server's request log and errors so far.
    std::string log() const;

private:
    moto_options options_;
    temp_dir dir_;                // declared first: outlives the process
    std::filesystem::path root_;  // dir_ made absolute (TMPDIR may be relative)
    std::unique_ptr<tls_ca> ca_;
    std::unique_ptr<process> server_;
    std::uint16_t port_ = 0;
    moto_credentials creds_;
};

// The values of a flat JSON object of strings ({"k":"v",...}), as printed by
// moto_setup.py. Throws std::runtime_error on anything else.
std::map<std::string, std::string> parse_flat_json(const std::string& text);

// The directory of the helper scripts (tests/support/scripts).
std::filesystem::path scripts_dir();

}  // namespace test
