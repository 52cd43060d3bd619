// `aws-tpm-process-credential ek` as users run it, against swtpms with and
// without EK certificates: the names tpm2-tools computes, a certificate
// `openssl verify` accepts with the CA, the public key openssl prints for
// it, and the refusals (exit code, one stderr line, no file written).
#include "support/lab.hpp"
#include "support/test_pki.hpp"

#include <regex>

using namespace provision_test;

namespace {

test::run_result ek(const lab& l, std::vector<std::string> args) {
    std::vector<std::string> argv{ATPC_BINARY, "ek", "--tpm-path=" + l.sw.address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(test::spawn_options{.argv = argv, .cwd = l.sw.work_dir().string()}, 60s);
}

// The name printed under "<label> endorsement key: …".
std::string printed_name(const std::string& out, const std::string& label) {
    std::smatch m;
    if (!std::regex_search(out, m, std::regex("\n" + label + " endorsement key: [^\n]*\n  name: ([0-9a-f]+)\n"))) return {};
    return m[1].str();
}

std::string run_ok(const std::vector<std::string>& argv, const std::string& cwd) {
    auto r = test::run(test::spawn_options{.argv = argv, .cwd = cwd}, 30s);
    INFO(r.describe());
    REQUIRE(r.ok());
    return r.out;
}

}  // namespace

TEST_CASE("ek prints the names tpm2_readpublic gives, writes a certificate openssl verify accepts and its public key", "[swtpm]") {
    lab l(test::swtpm_options{.ek_cert = true});
    const std::string rsa_name = tpmwire::to_hex(l.tool_name("0x81010001"));
    const std::string ecc_name = tpmwire::to_hex(l.tool_name("0x81010016"));
    const std::string ca = l.ek_ca_bundle();
    auto r = ek(l, {"--ek-ca=" + ca, "--out-cert=ek.pem", "--out-public=ek.pub.pem"});
    INFO(r.describe() << "\n" << r.out);
    REQUIRE(r.ok());
    CHECK(r.err.empty());
    CHECK(printed_name(r.out, "RSA") == rsa_name);
    CHECK(printed_name(r.out, "ECC P-384") == ecc_name);
    CHECK_THAT(r.out, Catch::Contains("RSA endorsement key: 0x81010001 RSA endorsement key (TCG template L-1)"));
    CHECK_THAT(r.out, Catch::Contains("ECC P-256 endorsement key: none"));
    CHECK_THAT(r.out, Catch::Contains("certifies this key; verifies against --ek-ca " + ca));

    const std::string dir = l.sw.work_dir().string();
    CHECK_THAT(run_ok({"openssl", "verify", "-CAfile", ca, "ek.pem"}, dir), Catch::Contains("ek.pem: OK"));
    // The certificate swtpm_setup wrote, and the public key openssl takes from it.
    CHECK(run_ok({"openssl", "x509", "-in", "ek.pem", "-outform", "der"}, dir) ==
          l.read_file("../ek-certs/ek-rsa2048.crt"));
    CHECK(l.read_file("ek.pub.pem") == run_ok({"openssl", "x509", "-in", "ek.pem", "-pubkey", "-noout"}, dir));
    l.no_leaks();
}

TEST_CASE("ek with a CA that did not sign says why in the report, exits 1 with one line, writes no certificate", "[swtpm]") {
    lab l(test::swtpm_options{.ek_cert = true});
    auto r = ek(l, {"--ek-ca=" + test::test_pki().ca_pem, "--out-cert=ek.pem"});
    INFO(r.describe());
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("does not verify against --ek-ca " + test::test_pki().ca_pem +
                                      ": unable to get local issuer certificate"));
    CHECK_THAT(r.err, Catch::StartsWith("aws-tpm-process-credential: --out-cert: not written"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(l.sw.work_dir() / "ek.pem"));

    auto no_files = ek(l, {"--ek-ca=" + test::test_pki().ca_pem});
    CHECK(no_files.exit_code == 1);
    CHECK_THAT(no_files.err, Catch::Contains("no endorsement key certificate of this TPM verifies against --ek-ca"));
    l.no_leaks();
}

TEST_CASE("ek on a TPM without EK or certificates shows the RSA EK made from template L-1 and has no certificate to write", "[swtpm]") {
    lab l;
    auto r = ek(l, {"--out-public=ek.pub.pem"});
    INFO(r.describe());
    REQUIRE(r.ok());
    CHECK_THAT(r.out, Catch::Contains("RSA endorsement key: L-1 RSA endorsement key (made from its TCG template, not persistent)"));
    CHECK_THAT(r.out, Catch::Contains("certificate: none in NV index 0x01c00002"));
    // The name is the one tpm2_createek's key has.
    l.tool({"tpm2_createek", "-c", "ek.ctx", "-G", "rsa", "-u", "ek.pub"});
    l.tool({"tpm2_readpublic", "-c", "ek.ctx", "-n", "ek.name", "-f", "pem", "-o", "tools.pub.pem"});
    l.flush_all();
    CHECK(printed_name(r.out, "RSA") == tpmwire::to_hex(tpmwire::to_bytes(l.read_file("ek.name"))));
    CHECK(l.read_file("ek.pub.pem") == l.read_file("tools.pub.pem"));

    auto cert = ek(l, {"--out-cert=ek.pem"});
    CHECK(cert.exit_code == 1);
    CHECK_THAT(cert.err, Catch::Contains("--out-cert: the TPM has no certificate of its RSA endorsement key"));
    CHECK_FALSE(std::filesystem::exists(l.sw.work_dir() / "ek.pem"));
    l.no_leaks();
}
