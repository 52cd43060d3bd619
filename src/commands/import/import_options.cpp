#include "commands/import/import_options.hpp"

#include "base/error.hpp"

#include "tpmwire/error.hpp"

#include <fmt/format.h>

namespace atpc::commands {

using namespace cli;

namespace {

flag_table own_rows(import_options& o) {
    return {
        {.name = "out", .placeholder = "file",
         .help = "write the key as a TSS2 PRIVATE KEY PEM file (mode 0600; refuses to overwrite unless --force)",
         .set = [&o](std::string_view v) { o.out = non_empty(v); }},
        {.name = "persistentHandle", .placeholder = "handle",
         .help = "make the key persistent at this handle, 0x81000000 to 0x817FFFFF (refuses an occupied one unless "
                 "--force)",
         .set = [&o](std::string_view v) { o.persistent_handle = handle(v); }},
        {.name = "force", .kind = flag_kind::boolean,
         .help = "replace the HMAC key already at --persistentHandle, or the file at --out", .set = store(o.force)},
        {.name = "ownerPass", .placeholder = "password",
         .help = "owner hierarchy password for EvictControl (default: --parentPass with the H-2 parent)",
         .env = "TPM_OWNER_AUTH", .secret = true, .set = store(o.owner_pass)},
        {.name = "parent", .placeholder = "handle",
         .help = "create the key under this persistent storage key (0x81xxxxxx) instead of the H-2 primary",
         .set = [&o](std::string_view v) { o.parent = handle(v); }},
        {.name = "aws-access-key-id", .placeholder = "id",
         .help = "the access key id of the secret, only put into the printed config line",
         .set = [&o](std::string_view v) { o.access_key_id = access_key_id(v); }},
        ek_ca_row(o),
        {.name = "trust-tpm-on-first-use", .kind = flag_kind::boolean,
         .help = "with no --ek-ca, --tpm-session-encrypt-with-name or earlier pin: trust the endorsement key this TPM "
                 "presents now (its name is printed before the secret is sent) and pin it",
         .set = store(o.trust_on_first_use)},
    };
}

void validate(import_options& o) {
    try {
        o.address = tpmwire::parse_tpm_address(o.tpm_path);
    } catch (const tpmwire::error& e) {
        usage_error(std::string("--tpm-path: ") + e.what());
    }
    if (!o.out && !o.persistent_handle)
        usage_error("say where the key goes: --out=<file.pem>, --persistentHandle=0x81xxxxxx, or both");
    if (o.persistent_handle) require_in(owner_persistent_handles, *o.persistent_handle, "persistentHandle");
    if (o.parent) {
        if (o.use_ek_parent) usage_error("--parent and --useEKParent exclude each other");
        require_in(persistent_handles, *o.parent, "parent");
        if (o.persistent_handle && *o.persistent_handle == *o.parent)
            usage_error("--parent and --persistentHandle name the same handle");
    }
    if (o.trust_on_first_use && (o.ek_ca || o.encrypt_with_name))
        usage_error("--trust-tpm-on-first-use excludes --ek-ca and --tpm-session-encrypt-with-name: a verified key "
                    "needs no trust on first use");
    // The TPM limits an object's authValue to its nameAlg's digest size.
    if (o.key_pass.size() > 32) usage_error("--keyPass / TPM_KEY_AUTH is longer than 32 bytes, the most a SHA-256 key takes");
}

}  // namespace

flag_table import_rows(import_options& o) { return join({tpm_rows(o), own_rows(o), common_rows(o)}); }

import_options parse_import_options(int argc, char** argv, const env_lookup& env) {
    import_options o;
    refuse_trailing(parse_flags(argc, argv, import_rows(o), env),
                    "; the secret is read from standard input or AWS_SECRET_ACCESS_KEY, never from the command line");
    if (!o.help) validate(o);
    return o;
}

std::string import_usage() {
    import_options unused;
    return "Usage: aws-tpm-process-credential import (--persistentHandle=0x81xxxxxx | --out=key.pem) [flags] < secret\n"
           "\n"
           "Puts an AWS secret access key into the TPM as an HMAC-SHA256 key that never leaves it.\n"
           "The secret is read from standard input (typed without echo at a terminal) or from\n"
           "AWS_SECRET_ACCESS_KEY, never from the command line; \"AWS4\" is prepended here. It crosses\n"
           "the TPM bus only encrypted (TPM2_Create over a salted session) and is never written to disk.\n"
           "The key is fixedTPM|fixedParent: it can never be copied out of this TPM. With --pcrs, the key\n"
           "is bound to the PCRs' current values.\n"
           "\n"
           "The secret is only sent salted to an endorsement key verified first: by --ek-ca (its certificate\n"
           "in the TPM's NV chains to the manufacturer's CA), by --tpm-session-encrypt-with-name, or by the\n"
           "pin an earlier such import recorded; --trust-tpm-on-first-use accepts the EK the TPM presents\n"
           "now instead (its name is printed first) and pins it.\n"
           "\n"
           "Flags (-flag and --flag, -flag=value and -flag value):\n" +
           flag_help(import_rows(unused)) +
           "\n"
           "Environment: AWS_SECRET_ACCESS_KEY, TPM_KEY_AUTH, TPM_PARENT_AUTH, TPM_OWNER_AUTH.\n";
}

}  // namespace atpc::commands
