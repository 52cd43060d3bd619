// Response-code decoding against the bit layout of Part 2 §6.6.
#include "tpmwire/marshal/rc.hpp"

#include <catch2/catch.hpp>

using namespace tpmwire;

TEST_CASE("format-one codes name their handle, parameter or session") {
    auto auth = decode_rc(0x98E);
    CHECK(auth.base == TPM_RC_AUTH_FAIL);
    CHECK(auth.subject == 's');
    CHECK(auth.index == 1);
    CHECK(describe_rc(0x98E) ==
          "TPM_RC_AUTH_FAIL (session 1): the authorization HMAC check failed and DA counter incremented (wrong password?)");

    CHECK(base_rc(0x9A2) == TPM_RC_BAD_AUTH);
    CHECK(describe_rc(0x18B).starts_with("TPM_RC_HANDLE (handle 1): "));
    CHECK(describe_rc(0x1C4).starts_with("TPM_RC_VALUE (parameter 1): "));
    CHECK(describe_rc(0x2C4).starts_with("TPM_RC_VALUE (parameter 2): "));
    CHECK(describe_rc(0xAC4).starts_with("TPM_RC_VALUE (parameter 10): "));
    CHECK(describe_rc(0x99D).starts_with("TPM_RC_POLICY_FAIL (session 1): "));
    CHECK(describe_rc(0x084).starts_with("TPM_RC_VALUE: "));
}

TEST_CASE("format-zero codes, warnings and retryable codes") {
    CHECK(describe_rc(0x100).starts_with("TPM_RC_INITIALIZE: "));
    auto lockout = decode_rc(0x921);
    CHECK(lockout.warning);
    CHECK(lockout.name == "TPM_RC_LOCKOUT");
    CHECK(describe_rc(0x902).find("tpm2_flushcontext") != std::string::npos);
    CHECK(is_retryable(TPM_RC_RETRY));
    CHECK(is_retryable(TPM_RC_YIELDED));
    CHECK(is_retryable(TPM_RC_TESTING));
    CHECK_FALSE(is_retryable(0x98E));
    CHECK_FALSE(is_retryable(TPM_RC_LOCKOUT));
}

TEST_CASE("unknown, vendor and TSS-layer codes are shown as numbers") {
    CHECK(describe_rc(0x17F) == "TPM_RC 0x0000017f");
    CHECK(describe_rc(0x501) == "TPM_RC 0x00000501 (vendor-specific)");
    CHECK(describe_rc(0x0008000A) == "TPM_RC 0x0008000a (from a TSS layer, not the TPM)");
}
