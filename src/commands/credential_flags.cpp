#include "commands/credential_flags.hpp"

#include <fmt/format.h>

namespace atpc::commands {

using namespace cli;
using enum flag_kind;
using credential::settings;

namespace {

// Which key signs, and for whom.
flag_table key_rows(settings& f) {
    return {
        {.name = "aws-access-key-id", .placeholder = "id", .help = "the access key id whose secret is in the TPM",
         .default_text = "required", .set = [&f](std::string_view v) { f.access_key_id = access_key_id(v); }},
        {.name = "persistentHandle", .placeholder = "handle",
         .help = "persistent handle of the HMAC key: hex, decimal, or octal with a leading 0, as Go reads them",
         .default_text = "0x81008003", .set = [&f](std::string_view v) { f.persistent_handle = handle(v); }},
        {.name = "credential-file", .placeholder = "file",
         .help = "TSS2 PRIVATE KEY PEM file of the HMAC key (used instead of --persistentHandle)",
         .set = store(f.credential_file)},
    };
}

// What STS is asked for: the role, its session and the lifetime.
flag_table role_rows(settings& f) {
    return {
        {.name = "assumeRole", .kind = boolean, .help = "call AssumeRole instead of GetSessionToken",
         .set = store(f.assume_role)},
        {.name = "aws-arn", .placeholder = "arn", .help = "role ARN to assume (with --assumeRole)", .set = store(f.role_arn)},
        {.name = "aws-session-name", .placeholder = "name", .help = "RoleSessionName: 2 to 64 of A-Z a-z 0-9 _+=,.@-",
         .default_text = "generated",
         .set = [&f](std::string_view v) { f.session_name = v.empty() ? "" : sts_text(v, 2, 64, "+=,.@-"); }},
        {.name = "duration", .placeholder = "duration",
         .help = "credential lifetime: seconds or a duration such as 1h; 900 to 129600 s (GetSessionToken), "
                 "900 to 43200 s (AssumeRole)",
         .default_text = "3600", .set = [&f](std::string_view v) { f.duration = whole_seconds(v); }},
        {.name = "external-id", .placeholder = "id", .help = "ExternalId for AssumeRole",
         .set = [&f](std::string_view v) { f.external_id = sts_text(v, 2, 1224, "+=,.@:/-"); }},
        {.name = "source-identity", .placeholder = "name", .help = "SourceIdentity for AssumeRole",
         .set = [&f](std::string_view v) { f.source_identity = sts_text(v, 2, 64, "+=,.@-"); }},
        {.name = "serial-number", .placeholder = "serial", .help = "MFA device serial number or ARN (with --token-code)",
         .set = store(f.serial_number)},
        {.name = "token-code", .placeholder = "code", .help = "MFA code, 6 digits (with --serial-number)",
         .set = [&f](std::string_view v) { f.token_code = mfa_code(v); }},
    };
}

// Where STS is and how long the whole run may take.
flag_table sts_rows(settings& f) {
    return {
        {.name = "aws-region", .placeholder = "region",
         .help = "region of the STS endpoint and of the signature; with none, the global endpoint signed for us-east-1",
         .default_text = "AWS_REGION, AWS_DEFAULT_REGION", .set = store(f.region)},
        {.name = "sts-endpoint", .placeholder = "url", .help = "STS endpoint URL, https only",
         .default_text = "AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL", .set = store(f.sts_endpoint)},
        {.name = "ca-bundle", .placeholder = "file",
         .help = "PEM file of the CA certificates to trust for STS instead of the system store",
         .default_text = "AWS_CA_BUNDLE", .set = store(f.ca_bundle)},
        {.name = "deadline", .placeholder = "duration",
         .help = "deadline of the whole run, TPM and network (the Go SDK kills a credential process after 60s)",
         .default_text = "25s", .set = [&f](std::string_view v) { f.deadline = positive_duration(v); }},
    };
}

}  // namespace

flag_table credential_rows(settings& s) { return join({tpm_rows(s), key_rows(s), role_rows(s), sts_rows(s)}); }

flag_table credential_process_rows(credential_options& o) {
    flag_table version{{.name = "version", .kind = boolean, .help = "print the version, commit and build date, and exit",
                        .set = store(o.version)}};
    return join({credential_rows(o.settings), version, common_rows(o)});
}

void validate(const settings& f) {
    if (f.access_key_id.empty()) usage_error("--aws-access-key-id is required");
    if (f.credential_file.empty()) require_in(persistent_handles, f.persistent_handle, "persistentHandle");
    const auto seconds = f.duration.count();
    if (f.assume_role) {
        if (f.role_arn.empty()) usage_error("--assumeRole needs --aws-arn");
        if (seconds < 900 || seconds > 43200)
            usage_error(fmt::format("--duration {} is outside AssumeRole's 900 to 43200 seconds", seconds));
    } else if (seconds < 900 || seconds > 129600) {
        usage_error(fmt::format("--duration {} is outside GetSessionToken's 900 to 129600 seconds", seconds));
    }
    if (f.token_code.has_value() != f.serial_number.has_value())
        usage_error("--token-code and --serial-number go together");
}

}  // namespace atpc::commands
