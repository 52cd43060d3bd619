// Where the TPM is: the address strings users already know.
//
//   /dev/tpmrm0, /dev/tpm0, any path      a character device
//   127.0.0.1:2321, [::1]:2321, host:port  a swtpm TCP data channel (the original
//                                          Go tool's --tpm-path convention)
//   device:/dev/tpmrm0                     tpm2-tss TCTI string, device kind
//   swtpm:host=127.0.0.1,port=2321         tpm2-tss TCTI string, swtpm kind
//   swtpm:port=2321, swtpm:                (host defaults to localhost, port to 2321)
//
// Other TCTI kinds (tabrmd:, mssim:, libtpms:, cmd:) are refused with a
// message listing what is supported. Standard library only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tpmwire {

struct tpm_address {
    enum class kind { device, tcp };
    kind type = kind::device;
    std::string path;       // device
    std::string host;       // tcp
    std::uint16_t port = 0; // tcp

    // "/dev/tpmrm0" or "127.0.0.1:2321", for messages.
    std::string to_string() const;
    // A kernel resource manager (/dev/tpmrm*) flushes every transient object
    // and session of a file descriptor when it is closed.
    bool has_resource_manager() const;
};

// Throws tpmwire::error(errc::address) with a message saying what is wrong.
tpm_address parse_tpm_address(std::string_view text);

}  // namespace tpmwire
