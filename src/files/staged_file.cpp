#include "files/staged_file.hpp"

#include "base/error.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

namespace atpc::files {

namespace {

std::string directory_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

[[noreturn]] void fail(const std::string& what, int err) {
    throw error(fault::config, fmt::format("{}: {}", what, std::strerror(err)));
}

// A fresh name beside the target: .<name>.<random>.tmp
std::string temp_name(const std::string& target) {
    unsigned char r[6];
    if (RAND_bytes(r, sizeof r) != 1) throw error(fault::internal, "no randomness for a temporary file name");
    auto slash = target.rfind('/');
    std::string dir = slash == std::string::npos ? "" : target.substr(0, slash + 1);
    std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
    std::string suffix;
    for (unsigned char c : r) suffix += fmt::format("{:02x}", c);
    return dir + "." + base + "." + suffix + ".tmp";
}

int create_exclusive(const std::string& path) {
    int fd;
    do fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    while (fd < 0 && errno == EINTR);
    return fd;
}

}  // namespace

staged_file::staged_file(std::string target, existing mode, std::string label)
    : target_(std::move(target)), mode_(mode), label_(std::move(label)) {}

void staged_file::check_target() const {
    if (target_.empty() || target_.back() == '/') throw error(fault::config, label_ + " names a directory, not a file");
    struct stat st {};
    if (::stat(target_.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) throw error(fault::config, label_ + " is a directory, not a file");
        if (mode_ == existing::refuse)
            throw error(fault::config, label_ + " already exists: choose another name, or pass --force to replace it");
    }
    const std::string dir = directory_of(target_);
    std::string probe = temp_name(target_);
    int fd = create_exclusive(probe);
    if (fd < 0) fail("cannot create files in the directory of " + label_ + " (" + dir + ")", errno);
    ::close(fd);
    ::unlink(probe.c_str());
}

void staged_file::write(std::string_view content) {
    temp_ = temp_name(target_);
    int fd = create_exclusive(temp_);
    if (fd < 0) {
        int err = errno;
        temp_.clear();
        fail("cannot create a temporary file for " + label_, err);
    }
    // 0600 whatever the umask said at creation.
    int err = ::fchmod(fd, 0600) == 0 ? 0 : errno;
    const char* p = content.data();
    std::size_t left = content.size();
    while (err == 0 && left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? errno : EIO;
            break;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (err == 0 && ::fsync(fd) != 0) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err != 0) fail("cannot write " + label_, err);
}

void staged_file::commit() {
    if (temp_.empty()) throw error(fault::internal, "commit of an unwritten file");
    const unsigned flags = mode_ == existing::refuse ? RENAME_NOREPLACE : 0;
    if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), flags) != 0) {
        const int err = errno;
        if (err == EEXIST)
            throw error(fault::config, label_ + " was created by someone else while this run worked; it was left as "
                                                "it is: choose another name, or pass --force to replace it");
        fail("cannot rename the new file into place at " + label_, err);
    }
    temp_.clear();
    // Make the rename itself durable.
    int dir = ::open(directory_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

staged_file::~staged_file() {
    if (!temp_.empty()) ::unlink(temp_.c_str());
}

}  // namespace atpc::files
