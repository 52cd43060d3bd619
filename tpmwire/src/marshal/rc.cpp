#include "tpmwire/marshal/rc.hpp"

#include <array>
#include <cstdio>

namespace tpmwire {

namespace {

struct entry {
    TPM_RC code;
    std::string_view name;
    std::string_view meaning;
};

// Part 2 §6.6.3, Table 16, with the spec's descriptions shortened.
constexpr std::array codes{
    entry{0x000, "TPM_RC_SUCCESS", "success"},
    entry{0x01E, "TPM_RC_BAD_TAG", "the command tag is not valid (a TPM 1.2 device?)"},
    // format zero, TPM_RC_VER1 + n
    entry{0x100, "TPM_RC_INITIALIZE", "TPM not initialized by TPM2_Startup or already initialized"},
    entry{0x101, "TPM_RC_FAILURE", "the TPM is in failure mode"},
    entry{0x103, "TPM_RC_SEQUENCE", "improper use of a sequence handle"},
    entry{0x10B, "TPM_RC_PRIVATE", "not currently used"},
    entry{0x119, "TPM_RC_HMAC", "not currently used"},
    entry{0x120, "TPM_RC_DISABLED", "the command is disabled"},
    entry{0x121, "TPM_RC_EXCLUSIVE", "the command failed because audit sequence required exclusivity"},
    entry{0x124, "TPM_RC_AUTH_TYPE", "the authorization handle is not correct for the command"},
    entry{0x125, "TPM_RC_AUTH_MISSING", "the command requires an authorization session for a handle and it is not present"},
    entry{0x126, "TPM_RC_POLICY", "the policy failure in math operation or an invalid authPolicy value"},
    entry{0x127, "TPM_RC_PCR", "PCR check fail"},
    entry{0x128, "TPM_RC_PCR_CHANGED", "the PCR values changed since the policy session checked them"},
    entry{0x12D, "TPM_RC_UPGRADE", "the TPM is in field upgrade mode"},
    entry{0x12E, "TPM_RC_TOO_MANY_CONTEXTS", "context ID counter is at maximum"},
    entry{0x12F, "TPM_RC_AUTH_UNAVAILABLE", "authValue or authPolicy is not available for the selected entity"},
    entry{0x130, "TPM_RC_REBOOT", "a _TPM_Init and Startup(CLEAR) is required before the TPM can resume operation"},
    entry{0x131, "TPM_RC_UNBALANCED", "the protection algorithms (hash and symmetric) are not reasonably balanced"},
    entry{0x142, "TPM_RC_COMMAND_SIZE", "the command size value is inconsistent with its contents"},
    entry{0x143, "TPM_RC_COMMAND_CODE", "the command code is not supported by this TPM"},
    entry{0x144, "TPM_RC_AUTHSIZE", "the authorization size is out of range or inconsistent"},
    entry{0x145, "TPM_RC_AUTH_CONTEXT", "use of an authorization session with a context command, or another command that cannot have one"},
    entry{0x146, "TPM_RC_NV_RANGE", "NV offset+size is out of range"},
    entry{0x147, "TPM_RC_NV_SIZE", "requested allocation size is larger than allowed"},
    entry{0x148, "TPM_RC_NV_LOCKED", "NV access locked"},
    entry{0x149, "TPM_RC_NV_AUTHORIZATION", "NV access authorization fails in command actions"},
    entry{0x14A, "TPM_RC_NV_UNINITIALIZED", "an NV index is used before being initialized"},
    entry{0x14B, "TPM_RC_NV_SPACE", "insufficient space for NV allocation"},
    entry{0x14C, "TPM_RC_NV_DEFINED", "NV index or persistent object already defined"},
    entry{0x150, "TPM_RC_BAD_CONTEXT", "context in TPM2_ContextLoad is not valid"},
    entry{0x151, "TPM_RC_CPHASH", "cpHash value already set or not correct for use"},
    entry{0x152, "TPM_RC_PARENT", "handle for parent is not a valid parent"},
    entry{0x153, "TPM_RC_NEEDS_TEST", "some function needs testing"},
    entry{0x154, "TPM_RC_NO_RESULT", "an internal function cannot process a request due to an unspecified problem"},
    entry{0x155, "TPM_RC_SENSITIVE", "the sensitive area did not unmarshal correctly after decryption"},
    // format one, TPM_RC_FMT1 + n
    entry{0x081, "TPM_RC_ASYMMETRIC", "asymmetric algorithm not supported or not correct"},
    entry{0x082, "TPM_RC_ATTRIBUTES", "inconsistent attributes"},
    entry{0x083, "TPM_RC_HASH", "hash algorithm not supported or not appropriate"},
    entry{0x084, "TPM_RC_VALUE", "value is out of range or is not correct for the context"},
    entry{0x085, "TPM_RC_HIERARCHY", "hierarchy is not enabled or is not correct for the use"},
    entry{0x087, "TPM_RC_KEY_SIZE", "key size is not supported"},
    entry{0x088, "TPM_RC_MGF", "mask generation function not supported"},
    entry{0x089, "TPM_RC_MODE", "mode of operation not supported"},
    entry{0x08A, "TPM_RC_TYPE", "the type of the value is not appropriate for the use"},
    entry{0x08B, "TPM_RC_HANDLE", "the handle is not correct for the use (nothing loaded or persisted at that handle?)"},
    entry{0x08C, "TPM_RC_KDF", "unsupported key derivation function or function not appropriate for use"},
    entry{0x08D, "TPM_RC_RANGE", "value was out of allowed range"},
    entry{0x08E, "TPM_RC_AUTH_FAIL", "the authorization HMAC check failed and DA counter incremented (wrong password?)"},
    entry{0x08F, "TPM_RC_NONCE", "invalid nonce size or nonce value mismatch"},
    entry{0x090, "TPM_RC_PP", "authorization requires assertion of physical presence"},
    entry{0x092, "TPM_RC_SCHEME", "unsupported or incompatible scheme"},
    entry{0x095, "TPM_RC_SIZE", "structure is the wrong size"},
    entry{0x096, "TPM_RC_SYMMETRIC", "unsupported symmetric algorithm or key size, or not appropriate for instance"},
    entry{0x097, "TPM_RC_TAG", "incorrect structure tag"},
    entry{0x098, "TPM_RC_SELECTOR", "union selector is incorrect"},
    entry{0x09A, "TPM_RC_INSUFFICIENT", "the TPM was unable to unmarshal a value because there were not enough octets in the input buffer"},
    entry{0x09B, "TPM_RC_SIGNATURE", "the signature is not valid"},
    entry{0x09C, "TPM_RC_KEY", "key fields are not compatible with the selected use"},
    entry{0x09D, "TPM_RC_POLICY_FAIL", "a policy check failed (PCR values or policy not satisfied?)"},
    entry{0x09F, "TPM_RC_INTEGRITY", "integrity check failed (the key blob does not belong to this parent or this TPM)"},
    entry{0x0A0, "TPM_RC_TICKET", "invalid ticket"},
    entry{0x0A1, "TPM_RC_RESERVED_BITS", "reserved bits not set to zero as required"},
    entry{0x0A2, "TPM_RC_BAD_AUTH", "authorization failure without DA implications (wrong password?)"},
    entry{0x0A3, "TPM_RC_EXPIRED", "the policy has expired"},
    entry{0x0A4, "TPM_RC_POLICY_CC", "the commandCode in the policy is not the commandCode of the command or the command code in a policy command references a command that is not implemented"},
    entry{0x0A5, "TPM_RC_BINDING", "public and sensitive portions of an object are not cryptographically bound"},
    entry{0x0A6, "TPM_RC_CURVE", "curve not supported"},
    entry{0x0A7, "TPM_RC_ECC_POINT", "point is not on the required curve"},
    // warnings, TPM_RC_WARN + n
    entry{0x901, "TPM_RC_CONTEXT_GAP", "gap for context ID is too large"},
    entry{0x902, "TPM_RC_OBJECT_MEMORY", "out of memory for object contexts (transient objects left loaded? try tpm2_flushcontext -t)"},
    entry{0x903, "TPM_RC_SESSION_MEMORY", "out of memory for session contexts (sessions left loaded? try tpm2_flushcontext -l)"},
    entry{0x904, "TPM_RC_MEMORY", "out of shared object/session memory or need space for internal operations"},
    entry{0x905, "TPM_RC_SESSION_HANDLES", "out of session handles; a session must be flushed before a new session may be created"},
    entry{0x906, "TPM_RC_OBJECT_HANDLES", "out of object handles; the handle space for objects is depleted and a reboot is required"},
    entry{0x907, "TPM_RC_LOCALITY", "bad locality"},
    entry{0x908, "TPM_RC_YIELDED", "the TPM has suspended operation on the command; forward progress was made and the command may be retried"},
    entry{0x909, "TPM_RC_CANCELED", "the command was canceled"},
    entry{0x90A, "TPM_RC_TESTING", "the TPM is performing self-tests"},
    entry{0x920, "TPM_RC_NV_RATE", "the TPM is rate-limiting accesses to prevent wearout of NV"},
    entry{0x921, "TPM_RC_LOCKOUT", "authorizations for objects subject to DA protection are not allowed at this time because the TPM is in DA lockout mode"},
    entry{0x922, "TPM_RC_RETRY", "the TPM was not able to start the command"},
    entry{0x923, "TPM_RC_NV_UNAVAILABLE", "the command may require writing of NV and NV is not currently accessible"},
};

const entry* find(TPM_RC base) {
    for (const auto& e : codes)
        if (e.code == base) return &e;
    return nullptr;
}

}  // namespace

rc_info decode_rc(TPM_RC rc) {
    rc_info info;
    info.layer = (rc >> 16) & 0xFF;
    TPM_RC code = rc & 0xFFFF;
    if (code & 0x080) {
        // Format one: bits 0-5 error, bit 6 parameter flag, bits 8-11 number.
        info.base = code & 0x0BF;
        unsigned n = (code >> 8) & 0xF;
        if (code & 0x040) {
            info.subject = 'p';
            info.index = n;
        } else if (n & 0x8) {
            info.subject = 's';
            info.index = n & 0x7;
        } else if (n != 0) {
            info.subject = 'h';
            info.index = n;
        }
    } else {
        // Format zero: bit 8 version, bit 10 vendor, bit 11 severity.
        info.base = code;
        info.vendor = (code & 0x400) != 0;
        info.warning = (code & 0x900) == 0x900;
    }
    if (info.layer == 0 && !info.vendor) {
        if (const entry* e = find(info.base)) {
            info.name = e->name;
            info.meaning = e->meaning;
        }
    }
    return info;
}

std::string describe_rc(TPM_RC rc) {
    rc_info info = decode_rc(rc);
    std::string out;
    if (info.name.empty()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "TPM_RC 0x%08x", rc);
        out = buf;
        if (info.layer) out += " (from a TSS layer, not the TPM)";
        else if (info.vendor) out += " (vendor-specific)";
    } else {
        out = info.name;
    }
    if (info.subject) {
        const char* what = info.subject == 'h' ? "handle" : info.subject == 'p' ? "parameter" : "session";
        out += " (" + std::string(what) + " " + std::to_string(info.index) + ")";
    }
    if (!info.meaning.empty()) {
        out += ": ";
        out += info.meaning;
    }
    return out;
}

bool is_retryable(TPM_RC rc) {
    TPM_RC base = decode_rc(rc).base;
    return base == TPM_RC_RETRY || base == TPM_RC_YIELDED || base == TPM_RC_TESTING;
}

}  // namespace tpmwire
