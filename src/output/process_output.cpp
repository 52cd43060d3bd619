#include "output/process_output.hpp"
#include "output/json_text.hpp"

#include <cerrno>
#include <ctime>
#include <unistd.h>

namespace atpc::output {


std::string rfc3339(std::chrono::system_clock::time_point t) {
    std::time_t secs = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

tpmwire::secret_string to_json(const sts::credentials& c) {
    tpmwire::secret_string out;
    out.reserve(256 + c.secret_access_key.size() + c.session_token.size());
    out += "{\"Version\":1";
    append_json_member(out, "AccessKeyId", c.access_key_id);
    append_json_member(out, "SecretAccessKey", c.secret_access_key);
    append_json_member(out, "SessionToken", c.session_token);
    append_json_member(out, "Expiration", rfc3339(c.expiration));
    if (c.account_id) append_json_member(out, "AccountId", *c.account_id);
    out += "}\n";
    return out;
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::function<void(const std::string&)> debug_trace(bool enabled) {
    if (!enabled) return {};
    return [](const std::string& line) { write_all(2, "aws-tpm-process-credential: debug: " + line + "\n"); };
}

void print_error(std::string_view message) {
    std::string line = "aws-tpm-process-credential: ";
    line += message;
    // One line, whatever the message held.
    for (char& c : line)
        if (c == '\n' || c == '\r') c = ' ';
    line += '\n';
    write_all(2, line);
}

}  // namespace atpc::output
