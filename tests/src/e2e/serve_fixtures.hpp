// What the `serve` tests stand on: a swtpm holding the HMAC key (put there
// by the program's own `import`), and either moto (real SigV4 checks, for
// the SDK clients) or an STS look-alike whose replies the test steers
// (expirations minutes away, failures), so refresh is observed in seconds.
#pragma once

#include "support/http_client.hpp"
#include "support/https/https_server.hpp"
#include "support/process.hpp"
#include "support/serve.hpp"
#include "support/swtpm.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <ctime>
#include <mutex>
#include <string>

namespace serve_test {

using namespace std::chrono_literals;
inline const std::string handle = "0x81008003";

// A swtpm with `secret` at `handle`, and the directory the token file goes to.
struct tpm_key {
    test::swtpm sw;
    test::temp_dir runtime{"atpc-xdg"};

    explicit tpm_key(const std::string& secret) {
        // A fresh swtpm: its EK is trusted on first use, as a test may.
        auto r = test::run({ATPC_BINARY, "import", "--tpm-path=" + sw.address(), "--persistentHandle=" + handle,
                            "--trust-tpm-on-first-use"},
                           {{"AWS_SECRET_ACCESS_KEY", std::nullopt}, {"TPM_KEY_AUTH", std::nullopt}}, 60s, secret);
        INFO(r.describe());
        REQUIRE(r.ok());
    }
    std::vector<std::string> flags(const std::string& access_key_id) const {
        return {"--tpm-path=" + sw.address(), "--persistentHandle=" + handle, "--aws-access-key-id=" + access_key_id,
                "--aws-region=us-east-1"};
    }
};

// STS as far as `serve` can tell: AssumeRole replies with a new key each
// time (ASIALOOKALIKE0000001, ...) expiring `lifetime` after the request,
// or, while failing, AccessDenied (not retried).
class lookalike_sts {
public:
    lookalike_sts() : server_(test::test_pki().server_cert, test::test_pki().server_key) {
        server_.handler([this](const test::recorded_request&) { return reply(); });
    }
    std::string endpoint() const { return "https://localhost:" + std::to_string(server_.port()); }
    void steer(std::chrono::seconds lifetime, bool failing) {
        std::lock_guard lock(mu_);
        lifetime_ = lifetime;
        failing_ = failing;
    }
    int issued() {
        std::lock_guard lock(mu_);
        return issued_;
    }
    std::size_t requests() const { return server_.requests().size(); }
    static std::string key(int n) {
        std::string digits = std::to_string(n);
        return "ASIALOOKALIKE" + std::string(7 - digits.size(), '0') + digits;
    }
    std::vector<std::string> flags() const {
        return {"--sts-endpoint=" + endpoint(), "--ca-bundle=" + test::test_pki().ca_pem, "--assumeRole",
                "--aws-arn=arn:aws:iam::123456789012:role/lookalike"};
    }

private:
    test::scripted_reply reply() {
        std::lock_guard lock(mu_);
        if (failing_)
            return test::xml_reply(403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                                        "<Message>the look-alike STS refuses for now</Message></Error>"
                                        "<RequestId>1</RequestId></ErrorResponse>");
        const int n = ++issued_;
        std::time_t expires = std::time(nullptr) + lifetime_.count();
        std::tm tm{};
        gmtime_r(&expires, &tm);
        char when[32];
        std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return test::xml_reply(
            200, "<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser>"
                 "<Arn>arn:aws:sts::123456789012:assumed-role/lookalike/s</Arn><AssumedRoleId>AROA1:s</AssumedRoleId>"
                 "</AssumedRoleUser><Credentials><AccessKeyId>" + key(n) +
                 "</AccessKeyId><SecretAccessKey>lookalike-secret-" + std::to_string(n) +
                 "</SecretAccessKey><SessionToken>lookalike-token</SessionToken><Expiration>" + when +
                 "</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>");
    }

    test::https_server server_;
    std::mutex mu_;
    std::chrono::seconds lifetime_{3600};
    bool failing_ = false;
    int issued_ = 0;
};

// serve on a swtpm and the look-alike, with --debug (its stderr counts TPM uses).
struct lookalike_world {
    tpm_key tpm{"LookalikeSecretInTheTpm/0123456789abcdef"};  // 40 characters, as AWS secrets are
    lookalike_sts sts;

    test::env_map env() const {
        return {{"XDG_RUNTIME_DIR", tpm.runtime.path().string()}, {"AWS_ENDPOINT_URL", std::nullopt},
                {"AWS_ENDPOINT_URL_STS", std::nullopt}, {"AWS_CA_BUNDLE", std::nullopt},
                {"TPM_KEY_AUTH", std::nullopt}, {"HTTPS_PROXY", std::nullopt}, {"https_proxy", std::nullopt}};
    }
    std::vector<std::string> args(std::vector<std::string> extra = {}) const {
        auto a = tpm.flags("AKIAIOSFODNN7EXAMPLE");
        for (auto& f : sts.flags()) a.push_back(f);
        a.push_back("--debug");
        for (auto& f : extra) a.push_back(f);
        return a;
    }
    test::serve_process start(std::vector<std::string> extra = {}) const {
        return test::serve_process(args(std::move(extra)), env());
    }
};

// The container endpoint's reply on a fresh connection.
inline test::http_reply credentials(test::serve_process& s) {
    return test::http_once(s.port(), test::http_get("/v1/credentials", s.host(), s.authorization()));
}

// Occurrences of `needle` in `text`.
inline std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace serve_test
