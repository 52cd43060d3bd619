#include "output/config_line.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace atpc::output {

std::string shell_quote(std::string_view arg) {
    auto plain = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
    };
    if (!arg.empty() && std::all_of(arg.begin(), arg.end(), plain)) return std::string(arg);
    std::string out = "'";
    for (char c : arg) {
        if (c == '\'') out += "'\"'\"'";
        else out += c;
    }
    return out + "'";
}

std::string credential_process_line(const config_line_inputs& in) {
    std::vector<std::string> args{in.program, "--tpm-path=" + in.tpm_path};
    if (in.key_file) args.push_back("--credential-file=" + *in.key_file);
    else if (in.persistent_handle) args.push_back(fmt::format("--persistentHandle=0x{:08x}", *in.persistent_handle));
    if (in.key_file && in.ek_parent) args.push_back("--useEKParent");
    if (!in.pcrs.empty()) args.push_back(fmt::format("--pcrs={}", fmt::join(in.pcrs, ",")));
    if (in.salt_name) args.push_back("--tpm-session-encrypt-with-name=" + tpmwire::to_hex(*in.salt_name));
    args.push_back("--aws-access-key-id=" +
                   (in.access_key_id.empty() ? std::string(access_key_placeholder) : in.access_key_id));
    std::string line = "credential_process =";
    for (const auto& a : args) line += " " + shell_quote(a);
    return line;
}

}  // namespace atpc::output
