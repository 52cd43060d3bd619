// `aws-tpm-process-credential import` as users run it: the report, the key
// file and tpm2-tools interop, and every refusal (exit code, one stderr line,
// nothing created: no transient object, no persistent handle, no file).
#include "support/lab.hpp"
#include "support/test_pki.hpp"

#include "tpmwire/keyfile/keyfile.hpp"
#include "tpmwire/marshal/marshal.hpp"

#include <filesystem>
#include <sys/stat.h>

using namespace provision_test;

namespace {

std::vector<std::string> files_in(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

void one_line_failure(const test::run_result& r, int code, const std::string& expected) {
    INFO(r.describe());
    CHECK(r.exit_code == code);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("aws-tpm-process-credential: ") && Catch::Contains(expected));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, !Catch::Contains(secret.substr(0, 12)));
}

}  // namespace

TEST_CASE("import writes a 0600 key file that tpm2-tools loads, tpm2_hmac gives the software kDate", "[swtpm]") {
    lab l;
    const auto pem = (l.sw.work_dir() / "keys" / "aws.pem").string();
    std::filesystem::create_directories(l.sw.work_dir() / "keys");
    auto r = l.import({"--out=" + pem, "--persistentHandle=0x81000200", "--aws-access-key-id=AKIDEXAMPLE12345678"},
                      secret + "\n");
    INFO(r.describe());
    REQUIRE(r.ok());
    // lab's --trust-tpm-on-first-use: one line naming the key before it is used.
    CHECK_THAT(r.err, Catch::StartsWith("aws-tpm-process-credential import: trusting the TPM at " + l.sw.address() +
                                        " on first use"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.out, Catch::Contains("read from standard input"));
    CHECK(report_value(r.out, "persistent handle") == "0x81000200");
    CHECK(report_value(r.out, "key file") == pem);
    CHECK_THAT(r.out, Catch::Contains("trusted on first use"));
    CHECK_THAT(r.out, Catch::Contains("password:          none"));
    auto lines = lines_starting(r.out, "credential_process = ");
    REQUIRE(lines.size() == 2);
    CHECK_THAT(lines[0], Catch::EndsWith(" --tpm-path=" + l.sw.address() +
                                         " --persistentHandle=0x81000200 --aws-access-key-id=AKIDEXAMPLE12345678"));
    CHECK_THAT(lines[1], Catch::EndsWith(" --credential-file=" + pem + " --aws-access-key-id=AKIDEXAMPLE12345678"));
    CHECK(files_in(l.sw.work_dir() / "keys") == std::vector<std::string>{"aws.pem"});  // no temporary left
    struct stat st {};
    REQUIRE(::stat(pem.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    l.no_leaks();

    // The name printed is the one tpm2-tools computes for the persistent key.
    auto pub = l.sw.tool({"tpm2_readpublic", "-c", "0x81000200"});
    REQUIRE(pub.ok());
    CHECK_THAT(pub.out, Catch::Contains("name: " + report_value(r.out, "key name")));

    // tpm2-tools 5.4 loads a TSS2 PEM itself: it re-creates the H-2 parent
    // from the file's parent 0x40000001.
    std::ofstream(l.sw.work_dir() / "date", std::ios::binary) << date;
    l.tool({"tpm2_load", "-r", pem, "-c", "key.ctx"});
    auto hmac = l.sw.tool({"tpm2_hmac", "-c", "key.ctx", "--hex", "date"});
    INFO(hmac.describe());
    REQUIRE(hmac.ok());
    CHECK(hmac.out.substr(0, 64) == tpmwire::to_hex(expected_kdate()));
    l.flush_all();

    // And the README's way: tpm2_createprimary (H-2), then tpm2_load of the
    // file's public and private parts as tpm2-tools' own .pub/.priv files.
    auto key = tpmwire::parse_tss2_key(tpmwire::to_bytes(l.read_file("keys/aws.pem")));
    for (auto [name, part] : {std::pair{"aws.pub", 0}, std::pair{"aws.priv", 1}}) {
        tpmwire::Writer w;
        if (part == 0) marshal(w, key.pubkey);
        else marshal(w, key.privkey);
        auto b = w.take();
        std::ofstream(l.sw.work_dir() / name, std::ios::binary).write(reinterpret_cast<const char*>(b.data()),
                                                                      static_cast<std::streamsize>(b.size()));
    }
    l.tool({"tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc", "-c", "primary.ctx", "-a",
            "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt"});
    l.flush_all();  // the tools leave objects loaded; swtpm has 3 slots
    l.tool({"tpm2_load", "-C", "primary.ctx", "-u", "aws.pub", "-r", "aws.priv", "-c", "key2.ctx"});
    l.flush_all();
    auto readme = l.sw.tool({"tpm2_hmac", "-c", "key2.ctx", "--hex", "date"});
    INFO(readme.describe());
    REQUIRE(readme.ok());
    CHECK(readme.out.substr(0, 64) == tpmwire::to_hex(expected_kdate()));
    l.flush_all();

    auto persistent = l.sw.tool({"tpm2_hmac", "-c", "0x81000200", "--hex", "date"});
    REQUIRE(persistent.ok());
    CHECK(persistent.out.substr(0, 64) == tpmwire::to_hex(expected_kdate()));
    l.no_leaks();
}

TEST_CASE("import with a password (TPM_KEY_AUTH): tpm2_hmac needs it, the report never shows it", "[swtpm]") {
    lab l;
    auto r = l.import({"--out=pw.pem"}, secret, {{"TPM_KEY_AUTH", "s3cret-pw"}});
    INFO(r.describe());
    REQUIRE(r.ok());
    CHECK_THAT(r.out, Catch::Contains("TPM_KEY_AUTH"));
    CHECK_THAT(r.out, !Catch::Contains("s3cret-pw"));
    auto lines = lines_starting(r.out, "credential_process = ");
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Catch::Contains("--aws-access-key-id=<ACCESS_KEY_ID>"));  // quoted for the shell
    CHECK_THAT(r.out, Catch::Contains("replace <ACCESS_KEY_ID>"));
    const auto pem = (l.sw.work_dir() / "pw.pem").string();
    std::ifstream in(pem, std::ios::binary);
    auto key = tpmwire::parse_tss2_key(tpmwire::bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
    CHECK(key.emptyAuth == false);
    CHECK(key.parent == 0x40000001);

    std::ofstream(l.sw.work_dir() / "date", std::ios::binary) << date;
    l.tool({"tpm2_load", "-r", pem, "-c", "key.ctx"});
    auto hmac = l.sw.tool({"tpm2_hmac", "-c", "key.ctx", "-p", "s3cret-pw", "--hex", "date"});
    INFO(hmac.describe());
    REQUIRE(hmac.ok());
    CHECK(hmac.out.substr(0, 64) == tpmwire::to_hex(expected_kdate()));
    l.flush_all();
}

TEST_CASE("the secret also comes from AWS_SECRET_ACCESS_KEY, stdin and the variable must agree", "[swtpm]") {
    lab l;
    auto r = l.import({"--persistentHandle=0x81000201"}, "", {{"AWS_SECRET_ACCESS_KEY", secret}});
    INFO(r.describe());
    REQUIRE(r.ok());
    CHECK_THAT(r.out, Catch::Contains("read from AWS_SECRET_ACCESS_KEY"));

    auto before = l.persistent();
    auto both = l.import({"--persistentHandle=0x81000202"}, "AKIDEXAMPLEotherSECRET0123456789abcdefgh\n",
                         {{"AWS_SECRET_ACCESS_KEY", secret}});
    one_line_failure(both, 2, "hold different secrets");
    CHECK(l.persistent() == before);
    l.no_leaks();
}

TEST_CASE("import refusals: exit code, one line, nothing created", "[swtpm]") {
    lab l;
    auto r = l.import({"--persistentHandle=0x81000210"}, secret);
    REQUIRE(r.ok());
    const auto before = l.persistent();
    const auto out_dir = l.sw.work_dir() / "out";
    std::filesystem::create_directories(out_dir);
    const std::string pem = "--out=" + (out_dir / "k.pem").string();

    struct refusal {
        std::string name;
        std::vector<std::string> args;
        std::string stdin_data;
        int code;
        std::string message;
    };
    const std::vector<refusal> cases{
        {"empty secret", {pem}, "", 2, "no secret access key"},
        {"blank secret", {pem}, " \n", 2, "no secret access key"},
        {"39 characters", {pem}, secret.substr(1), 2, "40 characters; got 39"},
        {"41 characters", {pem}, secret + "A", 2, "40 characters; got 41"},
        {"a character outside the alphabet", {pem}, secret.substr(0, 39) + "!", 2, "outside A-Z a-z 0-9 / + = at position 40"},
        {"two lines", {pem}, secret + "\n" + secret, 2, "one line"},
        {"an access key id", {pem}, "AKIAIOSFODNN7EXAMPLE", 2, "access key id"},
        {"with the AWS4 prefix", {pem}, "AWS4" + secret, 2, "without the \"AWS4\" prefix"},
        {"handle in the platform range", {"--persistentHandle=0x81800000"}, secret, 2, "outside the owner's persistent range"},
        {"not a persistent handle", {"--persistentHandle=0x80000001"}, secret, 2, "outside the owner's persistent range"},
        {"nowhere to put the key", {}, secret, 2, "--out=<file.pem>, --persistentHandle"},
        {"the secret as an argument", {pem, secret}, "", 2, "never from the command line"},
        {"unknown flag", {pem, "--secret=" + secret}, "", 2, "flag provided but not defined: -secret"},
        {"unwritable --out directory", {"--out=" + (out_dir / "missing" / "k.pem").string()}, secret, 1, "cannot create files in the directory of --out"},
        {"--out is a directory", {"--out=" + out_dir.string()}, secret, 1, "is a directory"},
        {"occupied handle without --force", {pem, "--persistentHandle=0x81000210"}, secret, 1, "0x81000210 already holds a key"},
        {"password too long", {pem, "--keyPass=" + std::string(33, 'p')}, secret, 2, "longer than 32 bytes"},
    };
    for (const auto& c : cases) {
        SECTION(c.name) {
            auto f = l.import(c.args, c.stdin_data);
            one_line_failure(f, c.code, c.message);
            CHECK(l.persistent() == before);
            CHECK(files_in(out_dir).empty());
            l.no_leaks();
        }
    }
}

TEST_CASE("usage errors are found before the TPM is contacted", "[swtpm]") {
    // No TPM at this address: a usage error, not a connection error, proves no I/O happened.
    auto r = test::run({ATPC_BINARY, "import", "--tpm-path=127.0.0.1:1", "--persistentHandle=0x81000001",
                        "--trust-tpm-on-first-use"},
                       {{"AWS_SECRET_ACCESS_KEY", std::nullopt}}, 30s, "too-short");
    INFO(r.describe());
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("40 characters"));
    auto ok = test::run({ATPC_BINARY, "import", "--tpm-path=127.0.0.1:1", "--persistentHandle=0x81000001",
                         "--trust-tpm-on-first-use"},
                        {{"AWS_SECRET_ACCESS_KEY", std::nullopt}}, 30s, secret);
    CHECK(ok.exit_code == 1);
    CHECK_THAT(ok.err, Catch::Contains("127.0.0.1:1"));
}

TEST_CASE("import --force replaces the key at a handle and an existing key file", "[swtpm]") {
    lab l;
    REQUIRE(l.import({"--persistentHandle=0x81000220", "--out=k.pem"}, secret).ok());
    const std::string other = "AKIDEXAMPLEotherSECRET0123456789abcdefgh";
    auto again = l.import({"--out=k.pem"}, other);
    one_line_failure(again, 1, "already exists");
    auto r = l.import({"--persistentHandle=0x81000220", "--out=k.pem", "--force"}, other);
    INFO(r.describe());
    REQUIRE(r.ok());
    CHECK_THAT(r.out, Catch::Contains("replacing the key that was there"));
    tpmwire::bytes kd;
    REQUIRE(l.kdate(l.handle_plan(0x81000220), kd).empty());
    CHECK(kd == expected_kdate(other));
    auto p = l.handle_plan(0);
    p.key_file = tpmwire::parse_tss2_key(tpmwire::to_bytes(l.read_file("k.pem")));
    p.key_file_path = "k.pem";
    REQUIRE(l.kdate(p, kd).empty());
    CHECK(kd == expected_kdate(other));
    l.no_leaks();
}

TEST_CASE("at a terminal the secret is read at a prompt without echo", "[swtpm]") {
    lab l;
    // A pseudo-terminal from Python: wait for the prompt, type the secret,
    // collect everything the terminal shows.
    const std::string script = R"(
import os, pty, select, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
seen = b''
def more(limit):
    global seen
    r, _, _ = select.select([fd], [], [], limit)
    if not r:
        return False
    try:
        data = os.read(fd, 4096)
    except OSError:
        return False
    seen += data
    return bool(data)
while b'input hidden' not in seen:
    if not more(30):
        sys.exit('no prompt: ' + seen.decode(errors='replace'))
os.write(fd, os.environ['TYPED'].encode() + b'\n')
while more(60):
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(status))
)";
    auto r = test::run({"python3", "-c", script, ATPC_BINARY, "import", "--tpm-path=" + l.sw.address(),
                        "--persistentHandle=0x81000230", "--trust-tpm-on-first-use"},
                       {{"TYPED", secret}, {"AWS_SECRET_ACCESS_KEY", std::nullopt}}, 60s);
    INFO(r.describe() << "\n" << r.out);
    REQUIRE(r.ok());
    CHECK_THAT(r.out, Catch::Contains("AWS secret access key (input hidden): "));
    CHECK_THAT(r.out, Catch::Contains("read from the terminal"));
    CHECK_THAT(r.out, !Catch::Contains(secret.substr(0, 12)));
    tpmwire::bytes kd;
    REQUIRE(l.kdate(l.handle_plan(0x81000230), kd).empty());
    CHECK(kd == expected_kdate());
    l.no_leaks();
}

TEST_CASE("import with --ek-ca verifies the TPM and pins its EK, and the next import needs no flag", "[swtpm]") {
    lab l(test::swtpm_options{.ek_cert = true});
    const std::string ca = l.ek_ca_bundle();
    auto r = l.import({"--ek-ca=" + ca, "--persistentHandle=0x81000240"}, secret);
    INFO(r.describe());
    REQUIRE(r.ok());
    CHECK(r.err.empty());  // nothing to announce: the TPM is verified
    CHECK(report_value(r.out, "session salted to") == tpmwire::to_hex(l.tool_name("0x81010016")));
    CHECK_THAT(r.out, Catch::Contains("its certificate in NV chains to --ek-ca " + ca));

    auto again = l.import({"--out=k.pem"}, secret, {}, /*as_is=*/true);
    INFO(again.describe());
    REQUIRE(again.ok());
    CHECK(again.err.empty());
    CHECK_THAT(again.out, Catch::Contains("the endorsement key pinned by an earlier verified import"));
    l.no_leaks();
}

TEST_CASE("import trust refusals (no way to trust the TPM, a CA that did not sign, exclusive flags)", "[swtpm]") {
    lab l(test::swtpm_options{.ek_cert = true});
    const auto before = l.persistent();
    const std::string pem = (l.sw.work_dir() / "k.pem").string();
    // No secret on stdin: the refusal comes before the secret is asked for.
    auto none = l.import({"--out=" + pem, "--persistentHandle=0x81000241"}, "", {}, /*as_is=*/true);
    one_line_failure(none, 1, "refusing to send the secret to a TPM key nothing has verified");
    CHECK_THAT(none.err, Catch::Contains("--ek-ca=") && Catch::Contains("--tpm-session-encrypt-with-name=") &&
                             Catch::Contains("--trust-tpm-on-first-use"));

    auto wrong = l.import({"--out=" + pem, "--persistentHandle=0x81000241", "--ek-ca=" + test::test_pki().ca_pem}, secret);
    one_line_failure(wrong, 1, "no EK certificate of this TPM verifies against --ek-ca " + test::test_pki().ca_pem);

    auto both = l.import({"--out=" + pem, "--ek-ca=" + l.ek_ca_bundle(), "--trust-tpm-on-first-use"}, secret);
    one_line_failure(both, 2, "--trust-tpm-on-first-use excludes --ek-ca");
    auto not_pem = l.import({"--out=" + pem, "--ek-ca=" + test::test_pki().not_pem}, secret);
    one_line_failure(not_pem, 1, "holds no PEM certificate");

    CHECK(l.persistent() == before);
    CHECK_FALSE(std::filesystem::exists(pem));
    CHECK_FALSE(atpc::files::pin_store::for_user().lookup(l.sw.address(), "ek"));
    l.no_leaks();
}
