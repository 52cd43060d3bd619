// Decoding of TPM_RC response codes (Part 2 §6.6) into a spec name, the
// handle/parameter/session it refers to, and an English sentence.
#pragma once

#include "tpmwire/marshal/constants.hpp"

#include <string>
#include <string_view>

namespace tpmwire {

// Format-zero codes (TPM_RC_VER1 + n, TPM_RC_WARN + n) and format-one codes
// (TPM_RC_FMT1 + n), as their base value with no handle/parameter/session bits.
inline constexpr TPM_RC TPM_RC_SUCCESS = 0x000;
inline constexpr TPM_RC TPM_RC_VER1 = 0x100;
inline constexpr TPM_RC TPM_RC_INITIALIZE = 0x100;
inline constexpr TPM_RC TPM_RC_FAILURE = 0x101;
inline constexpr TPM_RC TPM_RC_SEQUENCE = 0x103;
inline constexpr TPM_RC TPM_RC_DISABLED = 0x120;
inline constexpr TPM_RC TPM_RC_AUTH_MISSING = 0x125;
inline constexpr TPM_RC TPM_RC_POLICY = 0x126;
inline constexpr TPM_RC TPM_RC_PCR_CHANGED = 0x128;
inline constexpr TPM_RC TPM_RC_COMMAND_CODE = 0x143;
inline constexpr TPM_RC TPM_RC_NV_SPACE = 0x14B;
inline constexpr TPM_RC TPM_RC_NV_DEFINED = 0x14C;
inline constexpr TPM_RC TPM_RC_AUTH_UNAVAILABLE = 0x12F;
inline constexpr TPM_RC TPM_RC_FMT1 = 0x080;
inline constexpr TPM_RC TPM_RC_ATTRIBUTES = 0x082;
inline constexpr TPM_RC TPM_RC_VALUE = 0x084;
inline constexpr TPM_RC TPM_RC_HIERARCHY = 0x085;
inline constexpr TPM_RC TPM_RC_HANDLE = 0x08B;
inline constexpr TPM_RC TPM_RC_AUTH_FAIL = 0x08E;
inline constexpr TPM_RC TPM_RC_SCHEME = 0x092;
inline constexpr TPM_RC TPM_RC_SIZE = 0x095;
inline constexpr TPM_RC TPM_RC_POLICY_FAIL = 0x09D;
inline constexpr TPM_RC TPM_RC_INTEGRITY = 0x09F;
inline constexpr TPM_RC TPM_RC_BAD_AUTH = 0x0A2;
inline constexpr TPM_RC TPM_RC_WARN = 0x900;
inline constexpr TPM_RC TPM_RC_OBJECT_MEMORY = 0x902;
inline constexpr TPM_RC TPM_RC_SESSION_MEMORY = 0x903;
inline constexpr TPM_RC TPM_RC_YIELDED = 0x908;
inline constexpr TPM_RC TPM_RC_TESTING = 0x90A;
inline constexpr TPM_RC TPM_RC_LOCKOUT = 0x921;
inline constexpr TPM_RC TPM_RC_RETRY = 0x922;
inline constexpr TPM_RC TPM_RC_NV_UNAVAILABLE = 0x923;

struct rc_info {
    TPM_RC base = 0;          // the code without handle/parameter/session bits
    std::string_view name;    // "TPM_RC_AUTH_FAIL", or empty when unknown
    std::string_view meaning; // an English sentence, or empty when unknown
    char subject = 0;         // 'h' handle, 'p' parameter, 's' session, 0 none
    unsigned index = 0;       // 1-based number of that handle/parameter/session
    bool warning = false;     // TPM_RC_WARN class (e.g. RETRY, LOCKOUT)
    bool vendor = false;      // TPM vendor-specific code
    unsigned layer = 0;       // TSS layer (bits 16-23), 0 for the TPM itself
};

rc_info decode_rc(TPM_RC rc);

// One line such as "TPM_RC_AUTH_FAIL (session 1): the authorization HMAC
// check failed and DA counter incremented" or "TPM_RC 0x00000abc".
std::string describe_rc(TPM_RC rc);

// The code with its handle/parameter/session bits removed, for comparisons
// like base_rc(rc) == TPM_RC_AUTH_FAIL.
inline TPM_RC base_rc(TPM_RC rc) { return decode_rc(rc).base; }

// TPM_RC_RETRY, TPM_RC_YIELDED and TPM_RC_TESTING: the command did not run
// and may simply be sent again.
bool is_retryable(TPM_RC rc);

}  // namespace tpmwire
