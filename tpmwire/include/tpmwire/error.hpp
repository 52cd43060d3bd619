// The one error type of tpmwire.
//
// Every failure is thrown as tpmwire::error. what() is one English line that
// names what failed and, where it helps, what to check; kind() lets callers
// branch without parsing text; rc() and command() carry the TPM's own codes
// when the TPM produced the failure.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace tpmwire {

enum class errc {
    marshal,    // a structure could not be encoded or a response could not be decoded
    tpm,        // the TPM answered with a non-success TPM_RC (see rc())
    timeout,    // a command did not complete within its deadline
    transport,  // the device or socket failed (open, read, write, closed)
    address,    // a TPM address string could not be understood
    keyfile,    // a TSS2 PRIVATE KEY file is malformed
    crypto,     // a cryptographic operation failed
    integrity,  // a response HMAC or a name did not verify
    policy,     // a caller-side rule refused the operation (e.g. lockout guard)
    usage,      // the caller asked for something inconsistent
};

class error : public std::runtime_error {
public:
    error(errc kind, const std::string& message, std::uint32_t rc = 0, std::uint32_t command = 0)
        : std::runtime_error(message), kind_(kind), rc_(rc), command_(command) {}

    errc kind() const noexcept { return kind_; }
    // The TPM_RC for errc::tpm, else 0.
    std::uint32_t rc() const noexcept { return rc_; }
    // The TPM_CC of the command that failed, or 0.
    std::uint32_t command() const noexcept { return command_; }

private:
    errc kind_;
    std::uint32_t rc_;
    std::uint32_t command_;
};

}  // namespace tpmwire
