#include "cli/flags.hpp"

#include "base/error.hpp"

#include "tpmwire/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace atpc::cli {

namespace {

enum class kind { string, boolean, handle, seconds, timeout, pcrs, hex_name, secret, optional_string };

struct flag {
    std::string_view name;
    kind type;
    std::string_view help;
};

// Every flag of the original tool, then ours. Aliases share a target.
constexpr flag flags[] = {
    {"tpm-path", kind::string, "TPM: a device (/dev/tpmrm0), host:port of a swtpm, device:<path> or swtpm:host=<h>,port=<p> (default /dev/tpmrm0)"},
    {"aws-access-key-id", kind::string, "(required) the access key id whose secret is in the TPM"},
    {"persistentHandle", kind::handle, "persistent handle of the HMAC key, hex or decimal (default 0x81008003)"},
    {"credential-file", kind::string, "TSS2 PRIVATE KEY PEM file of the HMAC key (used instead of --persistentHandle)"},
    {"keyPass", kind::secret, "key password; prefer the TPM_KEY_AUTH environment variable"},
    {"keypass", kind::secret, "alias of --keyPass"},
    {"parentPass", kind::secret, "parent or hierarchy password; prefer the TPM_PARENT_AUTH environment variable"},
    {"parentpass", kind::secret, "alias of --parentPass"},
    {"pcrs", kind::pcrs, "SHA-256 PCRs of the key's PCR policy, e.g. 23 or 0,7,23"},
    {"useEKParent", kind::boolean, "the key's parent is the RSA endorsement key"},
    {"tpm-session-encrypt-with-name", kind::hex_name, "hex name of the endorsement key that salts the TPM session"},
    {"timeout", kind::timeout, "deadline of each TPM command: seconds or a duration such as 500ms (default 2s; key creation and loading get at least 30s)"},
    {"aws-arn", kind::string, "role ARN to assume (with --assumeRole)"},
    {"aws-session-name", kind::string, "RoleSessionName (default: generated)"},
    {"aws-region", kind::optional_string, "region of the STS endpoint and of the signature (default AWS_REGION, AWS_DEFAULT_REGION, else the global endpoint)"},
    {"assumeRole", kind::boolean, "call AssumeRole instead of GetSessionToken"},
    {"duration", kind::seconds, "credential lifetime: seconds or a duration such as 1h (default 3600)"},
    {"sts-endpoint", kind::optional_string, "STS endpoint URL (default AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, else the regional endpoint)"},
    {"ca-bundle", kind::optional_string, "PEM file of CA certificates to trust for STS (default AWS_CA_BUNDLE, else the system store)"},
    {"external-id", kind::optional_string, "ExternalId for AssumeRole"},
    {"serial-number", kind::optional_string, "MFA device serial number or ARN"},
    {"token-code", kind::optional_string, "MFA token code (6 digits)"},
    {"source-identity", kind::optional_string, "SourceIdentity for AssumeRole"},
    {"deadline", kind::timeout, "deadline of the whole run, TPM and network (default 25s)"},
    {"debug", kind::boolean, "trace each step on stderr (secrets are never printed)"},
    {"version", kind::boolean, "print the version and exit"},
    {"help", kind::boolean, "print this help and exit"},
    {"h", kind::boolean, "alias of --help"},
};

const flag* find(std::string_view name) {
    for (const auto& f : flags)
        if (f.name == name) return &f;
    return nullptr;
}

[[noreturn]] void usage_error(const std::string& message) {
    throw error(fault::usage, message + " (see --help)");
}

std::optional<bool> parse_go_bool(std::string_view s) {
    if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
    if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
    return std::nullopt;
}

// Go's time.ParseDuration for the units that make sense here.
std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view s) {
    if (s.empty()) return std::nullopt;
    if (s == "0") return std::chrono::milliseconds(0);
    double total_ms = 0;
    while (!s.empty()) {
        std::size_t i = 0;
        while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
        if (i == 0) return std::nullopt;
        double value = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + i, value);
        if (ec != std::errc() || end != s.data() + i) return std::nullopt;
        s.remove_prefix(i);
        std::size_t j = 0;
        while (j < s.size() && !((s[j] >= '0' && s[j] <= '9') || s[j] == '.')) ++j;
        std::string_view unit = s.substr(0, j);
        s.remove_prefix(j);
        double scale;
        if (unit == "ms") scale = 1;
        else if (unit == "s") scale = 1000;
        else if (unit == "m") scale = 60'000;
        else if (unit == "h") scale = 3'600'000;
        else return std::nullopt;
        total_ms += value * scale;
    }
    if (total_ms > 1e12) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(total_ms));
}

void wipe(char* p) {
    if (p) std::memset(p, 0, std::strlen(p));
}

void assign(options& o, const flag& f, std::string_view value) {
    auto name = fmt::format("--{}", f.name);
    switch (f.type) {
        case kind::boolean: {
            auto b = parse_go_bool(value);
            if (!b) usage_error(fmt::format("invalid boolean value \"{}\" for {}", value, name));
            if (f.name == "useEKParent") o.use_ek_parent = *b;
            else if (f.name == "assumeRole") o.assume_role = *b;
            else if (f.name == "debug") o.debug = *b;
            else if (f.name == "version") o.version = *b;
            else o.help = *b;
            return;
        }
        case kind::string:
            if (f.name == "tpm-path") o.tpm_path = value;
            else if (f.name == "aws-access-key-id") o.access_key_id = value;
            else if (f.name == "credential-file") o.credential_file = value;
            else if (f.name == "aws-arn") o.role_arn = value;
            else o.session_name = value;
            return;
        case kind::optional_string: {
            std::optional<std::string> v(std::in_place, value);
            if (f.name == "aws-region") o.region = v;
            else if (f.name == "sts-endpoint") o.sts_endpoint = v;
            else if (f.name == "ca-bundle") o.ca_bundle = v;
            else if (f.name == "external-id") o.external_id = v;
            else if (f.name == "serial-number") o.serial_number = v;
            else if (f.name == "token-code") o.token_code = v;
            else o.source_identity = v;
            return;
        }
        case kind::secret:
            if (f.name == "keyPass" || f.name == "keypass") o.key_pass.assign(value);
            else o.parent_pass.assign(value);
            return;
        case kind::handle: {
            auto v = parse_go_uint(value);
            if (!v || *v > 0xFFFFFFFF)
                usage_error(fmt::format("invalid value \"{}\" for {}: expected a handle such as 0x81008003", value, name));
            o.persistent_handle = static_cast<tpmwire::TPM_HANDLE>(*v);
            return;
        }
        case kind::seconds: {
            auto d = parse_duration(value);
            if (!d || d->count() % 1000 != 0)
                usage_error(fmt::format("invalid value \"{}\" for {}: expected whole seconds such as 3600 or 1h", value, name));
            o.duration = std::chrono::duration_cast<std::chrono::seconds>(*d);
            return;
        }
        case kind::timeout: {
            auto d = parse_duration(value);
            if (!d || d->count() <= 0)
                usage_error(fmt::format("invalid value \"{}\" for {}: expected seconds or a duration such as 2s or 500ms", value, name));
            if (f.name == "timeout") o.timeout = *d;
            else o.deadline = *d;
            return;
        }
        case kind::pcrs: {
            auto p = parse_pcrs(value);
            if (!p) usage_error(fmt::format("invalid value \"{}\" for {}: expected PCR numbers 0-23 such as 23 or 0,7,23", value, name));
            o.pcrs = *p;
            return;
        }
        case kind::hex_name: {
            std::string hex(value);
            if (hex.starts_with("0x")) hex.erase(0, 2);
            // nameAlg SHA-256 (000b) followed by a 32-byte digest
            bool ok = hex.size() == 68 && hex.starts_with("000b") &&
                      hex.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
            if (!ok)
                usage_error(fmt::format("invalid value for {}: expected the hex name of a SHA-256 key (000b followed by 64 hex digits)", name));
            o.encrypt_with_name = tpmwire::from_hex(hex);
            return;
        }
    }
}

}  // namespace

std::optional<std::uint64_t> parse_go_uint(std::string_view s) {
    if (s.empty()) return std::nullopt;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s.remove_prefix(2);
    else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) base = 8, s.remove_prefix(2);
    else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) base = 2, s.remove_prefix(2);
    else if (s.size() > 1 && s[0] == '0') base = 8, s.remove_prefix(1);
    std::string digits;
    for (char c : s)
        if (c != '_') digits.push_back(c);  // Go allows '_' between digits with a base prefix
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return v;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
    bool digits_only = !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
    if (digits_only) {
        if (s.size() > 9) return std::nullopt;
        return std::chrono::milliseconds(std::stoll(std::string(s)) * 1000);
    }
    return parse_go_duration(s);
}

std::optional<std::vector<unsigned>> parse_pcrs(std::string_view s) {
    std::vector<unsigned> out;
    while (true) {
        auto comma = s.find(',');
        std::string_view item = s.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        unsigned v = 0;
        auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc() || end != item.data() + item.size() || v > 23) return std::nullopt;
        for (unsigned seen : out)
            if (seen == v) return std::nullopt;
        out.push_back(v);
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

options parse(int argc, char** argv, const env_lookup& env) {
    options o;
    int i = 1;
    for (; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg.size() < 2 || arg[0] != '-') break;  // first non-flag argument
        std::size_t dashes = arg[1] == '-' ? 2 : 1;
        if (arg == "--") {
            ++i;
            break;
        }
        std::string_view body = arg.substr(dashes);
        if (body.empty() || body[0] == '-' || body[0] == '=') usage_error(fmt::format("bad flag syntax: {}", arg));
        std::size_t eq = body.find('=');
        std::string_view name = body.substr(0, eq);
        const flag* f = find(name);
        if (!f) usage_error(fmt::format("flag provided but not defined: -{}", name));
        if (eq != std::string_view::npos) {
            assign(o, *f, body.substr(eq + 1));
            if (f->type == kind::secret) wipe(argv[i] + dashes + eq + 1);
        } else if (f->type == kind::boolean) {
            assign(o, *f, "true");
        } else {
            if (i + 1 >= argc) usage_error(fmt::format("flag needs an argument: -{}", name));
            assign(o, *f, argv[++i]);
            if (f->type == kind::secret) wipe(argv[i]);
        }
    }
    for (; i < argc; ++i) o.ignored.emplace_back(argv[i]);

    // The flag wins when set and non-empty, as in the original tool.
    if (o.key_pass.empty())
        if (auto v = env("TPM_KEY_AUTH")) o.key_pass.assign(*v);
    if (o.parent_pass.empty())
        if (auto v = env("TPM_PARENT_AUTH")) o.parent_pass.assign(*v);
    return o;
}

void validate(const options& o) {
    if (o.access_key_id.empty()) usage_error("--aws-access-key-id is required");
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    if (o.access_key_id.size() < 16 || o.access_key_id.size() > 128 ||
        !std::all_of(o.access_key_id.begin(), o.access_key_id.end(), word))
        usage_error("--aws-access-key-id must be 16 to 128 letters and digits, such as AKIAIOSFODNN7EXAMPLE");
    if (o.credential_file.empty() && tpmwire::handle_type(o.persistent_handle) != tpmwire::TPM_HT_PERSISTENT)
        usage_error(fmt::format("--persistentHandle 0x{:08x} is not a persistent handle (0x81000000 to 0x81ffffff)",
                                o.persistent_handle));
    auto seconds = o.duration.count();
    if (o.assume_role) {
        if (o.role_arn.empty()) usage_error("--assumeRole needs --aws-arn");
        if (seconds < 900 || seconds > 43200)
            usage_error(fmt::format("--duration {} is outside AssumeRole's 900 to 43200 seconds", seconds));
    } else if (seconds < 900 || seconds > 129600) {
        usage_error(fmt::format("--duration {} is outside GetSessionToken's 900 to 129600 seconds", seconds));
    }
    if (o.token_code.has_value() != o.serial_number.has_value())
        usage_error("--token-code and --serial-number go together");
}

std::string usage() {
    std::string out =
        "Usage: aws-tpm-process-credential --aws-access-key-id=AKID [flags]\n"
        "       aws-tpm-process-credential import [flags]   (put a secret into the TPM; see import --help)\n"
        "       aws-tpm-process-credential whoami [flags]   (check that a TPM key and its access key id match)\n"
        "\n"
        "Prints temporary AWS credentials for credential_process, signing the STS request with an\n"
        "HMAC key whose secret never leaves the TPM.\n"
        "\n"
        "Flags (-flag and --flag, -flag=value and -flag value):\n";
    for (const auto& f : flags) out += fmt::format("  --{:<31} {}\n", f.name, f.help);
    out +=
        "\n"
        "Environment: TPM_KEY_AUTH, TPM_PARENT_AUTH (passwords), AWS_REGION, AWS_DEFAULT_REGION,\n"
        "AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, AWS_CA_BUNDLE, AWS_STS_REGIONAL_ENDPOINTS,\n"
        "AWS_USE_FIPS_ENDPOINT, HTTPS_PROXY, NO_PROXY.\n";
    return out;
}

}  // namespace atpc::cli
