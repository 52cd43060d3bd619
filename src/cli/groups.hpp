// Flag groups several subcommands share. A group writes into the caller's
// own struct (the credential layer's settings, import's options), so no
// layer below the commands depends on this one.
#pragma once

#include "cli/flags.hpp"
#include "cli/values.hpp"

namespace atpc::cli {

struct common_flags {
    bool debug = false;
    bool help = false;
};

// debug, help (-h).
flag_table common_rows(common_flags& f);

// --tpm-path, for every subcommand that talks to a TPM. T has tpm_path.
template <class T>
flag tpm_path_row(T& f) {
    return {.name = "tpm-path", .placeholder = "path",
            .help = "the TPM: a device (/dev/tpmrm0, /dev/tpm0), host:port of a swtpm, device:<path> or "
                    "swtpm:host=<h>,port=<p>",
            .default_text = "/dev/tpmrm0", .set = store(f.tpm_path)};
}

// --timeout. T has timeout (milliseconds).
template <class T>
flag timeout_row(T& f) {
    return {.name = "timeout", .placeholder = "duration",
            .help = "deadline of each TPM command: seconds or a duration such as 500ms (creating and loading keys "
                    "get at least 30s)",
            .default_text = "2s", .set = [&f](std::string_view v) { f.timeout = positive_duration(v); }};
}

// --ek-ca, for import and ek. T has ek_ca (std::optional<std::string>).
template <class T>
flag ek_ca_row(T& f) {
    return {.name = "ek-ca", .placeholder = "file",
            .help = "PEM file of the CA certificates (the TPM manufacturer's) that the TPM's endorsement key "
                    "certificate must chain to",
            .set = [&f](std::string_view v) { f.ek_ca = non_empty(v); }};
}

// The TPM flags of the credential mode, whoami and import: tpm-path,
// keyPass, parentPass, pcrs, useEKParent, tpm-session-encrypt-with-name,
// lockout-reserve, timeout. T has the fields of those names (tpm_path,
// key_pass, ...).
template <class T>
flag_table tpm_rows(T& f) {
    return {
        tpm_path_row(f),
        {.name = "keyPass", .aliases = {"keypass"}, .placeholder = "password",
         .help = "the HMAC key's password; prefer the variable (argv is readable by other local users until it is wiped)",
         .env = "TPM_KEY_AUTH", .secret = true, .set = store(f.key_pass)},
        {.name = "parentPass", .aliases = {"parentpass"}, .placeholder = "password",
         .help = "password of the key's parent: the owner hierarchy (H-2 parent), the endorsement hierarchy "
                 "(--useEKParent) or a persistent parent key",
         .env = "TPM_PARENT_AUTH", .secret = true, .set = store(f.parent_pass)},
        {.name = "pcrs", .placeholder = "list", .help = "SHA-256 PCRs of the key's PCR policy, e.g. 23 or 0,7,23",
         .set = [&f](std::string_view v) { f.pcrs = pcr_list(v); }},
        {.name = "useEKParent", .kind = flag_kind::boolean, .help = "the key's parent is the RSA endorsement key",
         .set = store(f.use_ek_parent)},
        {.name = "tpm-session-encrypt-with-name", .placeholder = "name",
         .help = "hex name of the endorsement key (RSA or ECC) to salt the TPM session to (verified before use)",
         .set = [&f](std::string_view v) { f.encrypt_with_name = key_name(v); }},
        {.name = "lockout-reserve", .placeholder = "n",
         .help = "dictionary-attack tries to leave for the TPM's other users (a disk PIN shares the counter): an "
                 "authorization that could count a failure is refused when it would leave fewer",
         .default_text = "2", .set = [&f](std::string_view v) { f.lockout_reserve = whole_number(v, 1000); }},
        timeout_row(f),
    };
}

}  // namespace atpc::cli
