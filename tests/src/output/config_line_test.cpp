// The credential_process line import prints for ~/.aws/config.
#include "output/config_line.hpp"

#include <catch2/catch.hpp>

using namespace atpc::output;

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
