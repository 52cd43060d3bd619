// The one error type of the program (tpmwire::error is the library's).
//
// what() is the single line printed on stderr: what failed and what to check.
// It never contains a secret.
#pragma once

#include <stdexcept>
#include <string>

namespace atpc {

enum class fault {
    usage,    // bad flags or values: rejected before any I/O
    config,   // environment or files (CA bundle, key file, proxy URL)
    tpm,      // the TPM step failed (wrapping a tpmwire::error)
    sts,      // STS answered with an error
    network,  // resolve/connect/read/write failed
    tls,      // certificate or handshake failure
    timeout,  // a deadline fired
    internal, // a bug: should not happen
};

class error : public std::runtime_error {
public:
    error(fault kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    fault kind() const noexcept { return kind_; }

private:
    fault kind_;
};

}  // namespace atpc
