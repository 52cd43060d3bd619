#include "files/pins.hpp"

#include "base/error.hpp"
#include "files/staged_file.hpp"
#include "files/user_dirs.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace atpc::files {

namespace {

constexpr std::size_t max_file_size = 256 * 1024;
constexpr std::string_view header =
    "# aws-tpm-process-credential: TPM key names trusted on first use (README, \"Pinned keys\").\n"
    "# <TPM address> <role> <name> <what>; delete a line to trust that key again on the next run.\n";

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos || slash == 0 ? std::string(slash == 0 ? "/" : ".") : path.substr(0, slash);
}

bool is_word(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (c <= ' ' || c == 0x7f) return false;
    return true;
}

bool is_hex_name(std::string_view s) {
    if (s.size() < 4 || s.size() % 2) return false;
    for (char c : s)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

// The next space-separated field of `line` from `at`.
std::string_view field(std::string_view line, std::size_t& at) {
    while (at < line.size() && line[at] == ' ') ++at;
    const std::size_t start = at;
    while (at < line.size() && line[at] != ' ') ++at;
    return line.substr(start, at - start);
}

pin parse_line(std::string_view line, const std::string& where) {
    std::size_t at = 0;
    pin p;
    p.address = field(line, at);
    p.role = field(line, at);
    const std::string_view name = field(line, at);
    while (at < line.size() && line[at] == ' ') ++at;
    p.what = line.substr(at);
    if (!is_word(p.address) || !is_word(p.role) || !is_hex_name(name))
        throw error(fault::config, where + " is not '<TPM address> <role> <name> <what>': fix or delete that line");
    p.name = tpmwire::from_hex(name);
    return p;
}

// The whole file, read through a descriptor checked to be the user's own.
std::optional<std::string> read_private(const std::string& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) return std::nullopt;
    if (fd < 0) throw error(fault::config, fmt::format("cannot read the pins file {}: {}", file, std::strerror(errno)));
    struct stat st {};
    std::string why = ::fstat(fd, &st) != 0 ? std::string(std::strerror(errno)) : not_private(st);
    if (why.empty() && static_cast<std::size_t>(st.st_size) > max_file_size) why = "it is too large to be one";
    std::string content(why.empty() ? static_cast<std::size_t>(st.st_size) : 0, '\0');
    std::size_t got = 0;
    while (why.empty() && got < content.size()) {
        const ssize_t n = ::read(fd, content.data() + got, content.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (!why.empty()) throw error(fault::config, "refusing the pins file " + file + ": " + why);
    content.resize(got);
    return content;
}

}  // namespace

pin_store pin_store::for_user(const env_lookup& env) { return pin_store(state_directory(env) + "/pins"); }

std::vector<pin> pin_store::read_all() const {
    std::vector<pin> out;
    const auto content = read_private(file_);
    if (!content) return out;
    std::size_t at = 0;
    for (int number = 1; at < content->size(); ++number) {
        std::size_t end = content->find('\n', at);
        if (end == std::string::npos) end = content->size();
        const std::string_view line = std::string_view(*content).substr(at, end - at);
        at = end + 1;
        if (line.empty() || line.front() == '#') continue;
        out.push_back(parse_line(line, fmt::format("{} line {}", file_, number)));
    }
    return out;
}

std::optional<pin> pin_store::lookup(std::string_view address, std::string_view role) const {
    for (auto& p : read_all())
        if (p.address == address && p.role == role) return std::move(p);
    return std::nullopt;
}

void pin_store::record(const pin& p) const {
    if (!is_word(p.address) || !is_word(p.role) || p.name.empty() || p.what.find('\n') != std::string::npos)
        throw error(fault::internal, "a pin needs an address and a role without spaces, a name and a one-line what");
    if (auto why = make_private_directory(directory_of(file_)); !why.empty())
        throw error(fault::config, "cannot keep the pins file " + file_ + ": " + why);
    std::string content(header);
    for (const auto& old : read_all())
        if (old.address != p.address || old.role != p.role)
            content += fmt::format("{} {} {} {}\n", old.address, old.role, tpmwire::to_hex(old.name), old.what);
    content += fmt::format("{} {} {} {}\n", p.address, p.role, tpmwire::to_hex(p.name), p.what);
    staged_file out(file_, existing::replace, "the pins file " + file_);
    out.write(content);
    out.commit();
}

std::string pin_store::how_to_forget(std::string_view address, std::string_view role) const {
    return fmt::format("delete the line '{} {} …' from {}", address, role, file_);
}

}  // namespace atpc::files
