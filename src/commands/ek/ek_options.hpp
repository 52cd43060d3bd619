// `ek`'s flags: the TPM, where to write the RSA EK's certificate and public
// key, and the CAs its certificates are checked against.
#pragma once

#include "cli/groups.hpp"

#include "tpmwire/transports/address.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace atpc::commands {

struct ek_options : cli::common_flags {
    std::string tpm_path = "/dev/tpmrm0";
    std::chrono::milliseconds timeout{2000};
    std::optional<std::string> out_cert;    // the RSA EK's certificate, PEM
    std::optional<std::string> out_public;  // the RSA EK's public key, PEM SubjectPublicKeyInfo
    std::optional<std::string> ek_ca;       // PEM CA bundle
    tpmwire::tpm_address address;           // from tpm_path
};

cli::flag_table ek_rows(ek_options& o);
std::string ek_usage();

}  // namespace atpc::commands
