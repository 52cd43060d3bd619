#include "commands/import/import_options.hpp"

#include "cli/flags.hpp"
#include "cli/go_flags.hpp"
#include "tpm/key_plan.hpp"

#include "tpmwire/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace atpc::commands {

using namespace cli;  // TODO(cli): one flag parser

namespace {

using tpm::hex_handle;

constexpr flag_spec flags[] = {
    {"tpm-path", flag_kind::value, "TPM: a device (/dev/tpmrm0), host:port of a swtpm, device:<path> or swtpm:host=<h>,port=<p> (default /dev/tpmrm0)"},
    {"out", flag_kind::value, "write the key as a TSS2 PRIVATE KEY PEM file (mode 0600; refuses to overwrite unless --force)"},
    {"persistentHandle", flag_kind::value, "make the key persistent at this handle, 0x81000000-0x817FFFFF (refuses an occupied one unless --force)"},
    {"force", flag_kind::boolean, "replace the HMAC key already at --persistentHandle, or the file at --out"},
    {"keyPass", flag_kind::secret, "password for the new key; prefer the TPM_KEY_AUTH environment variable"},
    {"keypass", flag_kind::secret, "alias of --keyPass"},
    {"parentPass", flag_kind::secret, "owner (H-2 parent), endorsement (--useEKParent) or --parent key password; prefer TPM_PARENT_AUTH"},
    {"parentpass", flag_kind::secret, "alias of --parentPass"},
    {"ownerPass", flag_kind::secret, "owner hierarchy password for EvictControl (default: --parentPass with the H-2 parent); prefer TPM_OWNER_AUTH"},
    {"pcrs", flag_kind::value, "bind the key to the current values of these SHA-256 PCRs, e.g. 23 or 0,7,23"},
    {"useEKParent", flag_kind::boolean, "create the key under the RSA endorsement key instead of the H-2 primary"},
    {"parent", flag_kind::value, "create the key under this persistent storage key (0x81xxxxxx) instead of the H-2 primary"},
    {"tpm-session-encrypt-with-name", flag_kind::value, "hex name of the endorsement key to salt the session with (verified), instead of trusting the parent on first use"},
    {"timeout", flag_kind::value, "deadline of each TPM command: seconds or a duration such as 500ms (default 2s; key creation gets at least 30s)"},
    {"aws-access-key-id", flag_kind::value, "the access key id of the secret (optional: only put into the printed config line)"},
    {"debug", flag_kind::boolean, "trace each step on stderr (secrets are never printed)"},
    {"help", flag_kind::boolean, "print this help and exit"},
    {"h", flag_kind::boolean, "alias of --help"},
};

tpmwire::TPM_HANDLE parse_handle(std::string_view value, std::string_view flag) {
    auto v = cli::parse_go_uint(value);
    if (!v || *v > 0xFFFFFFFF)
        usage_error(fmt::format("invalid value \"{}\" for --{}: expected a handle such as 0x81008003", value, flag));
    return static_cast<tpmwire::TPM_HANDLE>(*v);
}

void assign(import_options& o, const flag_spec& f, std::string_view value) {
    const std::string_view n = f.name;
    if (f.kind == flag_kind::boolean) {
        auto b = parse_go_bool(value);
        if (!b) usage_error(fmt::format("invalid boolean value \"{}\" for --{}", value, n));
        if (n == "force") o.force = *b;
        else if (n == "useEKParent") o.use_ek_parent = *b;
        else if (n == "debug") o.debug = *b;
        else o.help = *b;
    } else if (f.kind == flag_kind::secret) {
        if (n == "keyPass" || n == "keypass") o.key_pass.assign(value);
        else if (n == "parentPass" || n == "parentpass") o.parent_pass.assign(value);
        else o.owner_pass.assign(value);
    } else if (n == "tpm-path") {
        o.tpm_path = value;
    } else if (n == "out") {
        if (value.empty()) usage_error("--out needs a file name");
        o.out = std::string(value);
    } else if (n == "persistentHandle") {
        o.persistent_handle = parse_handle(value, n);
    } else if (n == "parent") {
        o.parent = parse_handle(value, n);
    } else if (n == "pcrs") {
        auto p = cli::parse_pcrs(value);
        if (!p) usage_error(fmt::format("invalid value \"{}\" for --pcrs: expected PCR numbers 0-23 such as 23 or 0,7,23", value));
        o.pcrs = *p;
    } else if (n == "tpm-session-encrypt-with-name") {
        std::string hex(value);
        if (hex.starts_with("0x")) hex.erase(0, 2);
        bool ok = hex.size() == 68 && hex.starts_with("000b") &&
                  hex.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
        if (!ok)
            usage_error("invalid value for --tpm-session-encrypt-with-name: expected the hex name of a SHA-256 key "
                        "(000b followed by 64 hex digits)");
        o.encrypt_with_name = tpmwire::from_hex(hex);
    } else if (n == "timeout") {
        auto d = cli::parse_duration(value);
        if (!d || d->count() <= 0)
            usage_error(fmt::format("invalid value \"{}\" for --timeout: expected seconds or a duration such as 2s or 500ms", value));
        o.timeout = *d;
    } else {
        o.access_key_id = value;
    }
}

void validate(import_options& o) {
    try {
        o.address = tpmwire::parse_tpm_address(o.tpm_path);
    } catch (const tpmwire::error& e) {
        usage_error(std::string("--tpm-path: ") + e.what());
    }
    if (!o.out && !o.persistent_handle)
        usage_error("say where the key goes: --out=<file.pem>, --persistentHandle=0x81xxxxxx, or both");
    if (o.persistent_handle && (*o.persistent_handle < owner_persistent_first || *o.persistent_handle > owner_persistent_last))
        usage_error(fmt::format("--persistentHandle {} is outside the owner's persistent range {}-{}",
                                hex_handle(*o.persistent_handle), hex_handle(owner_persistent_first),
                                hex_handle(owner_persistent_last)));
    if (o.parent) {
        if (o.use_ek_parent) usage_error("--parent and --useEKParent exclude each other");
        if (tpmwire::handle_type(*o.parent) != tpmwire::TPM_HT_PERSISTENT)
            usage_error(fmt::format("--parent {} is not a persistent handle (0x81000000 to 0x81ffffff)", hex_handle(*o.parent)));
        if (o.persistent_handle && *o.persistent_handle == *o.parent)
            usage_error("--parent and --persistentHandle name the same handle");
    }
    // The TPM limits an object's authValue to its nameAlg's digest size.
    if (o.key_pass.size() > 32) usage_error("--keyPass / TPM_KEY_AUTH is longer than 32 bytes, the most a SHA-256 key takes");
    if (!o.access_key_id.empty()) {
        auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
        if (o.access_key_id.size() < 16 || o.access_key_id.size() > 128 ||
            !std::all_of(o.access_key_id.begin(), o.access_key_id.end(), word))
            usage_error("--aws-access-key-id must be 16 to 128 letters and digits, such as AKIAIOSFODNN7EXAMPLE");
    }
}

void from_env(tpmwire::secret_string& slot, const env_lookup& env, std::string_view name) {
    if (!slot.empty()) return;  // the flag wins, as in the credential mode
    if (auto v = env(name)) {
        slot.assign(v->data(), v->size());
        tpmwire::secure_zero(v->data(), v->size());
    }
}

}  // namespace

import_options parse_import_options(int argc, char** argv, const env_lookup& env) {
    import_options o;
    const flag_handler on_flag = [&o](const flag_spec& f, std::string_view v) { assign(o, f, v); };
    parse_go_flags(argc, argv, flags, on_flag);
    if (o.help) return o;
    from_env(o.key_pass, env, "TPM_KEY_AUTH");
    from_env(o.parent_pass, env, "TPM_PARENT_AUTH");
    from_env(o.owner_pass, env, "TPM_OWNER_AUTH");
    validate(o);
    return o;
}

std::string import_usage() {
    return "Usage: aws-tpm-process-credential import (--persistentHandle=0x81xxxxxx | --out=key.pem) [flags] < secret\n"
           "\n"
           "Puts an AWS secret access key into the TPM as an HMAC-SHA256 key that never leaves it.\n"
           "The secret is read from standard input (typed without echo at a terminal) or from\n"
           "AWS_SECRET_ACCESS_KEY, never from the command line; \"AWS4\" is prepended here. It crosses\n"
           "the TPM bus only encrypted (TPM2_Create over a salted session) and is never written to disk.\n"
           "The key is fixedTPM|fixedParent: it can never be copied out of this TPM.\n"
           "\n"
           "Flags (-flag and --flag, -flag=value and -flag value):\n" +
           flag_help(flags) +
           "\n"
           "Environment: AWS_SECRET_ACCESS_KEY, TPM_KEY_AUTH, TPM_PARENT_AUTH, TPM_OWNER_AUTH.\n";
}

}  // namespace atpc::commands
