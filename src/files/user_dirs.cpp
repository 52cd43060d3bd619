#include "files/user_dirs.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace atpc::files {

namespace {

std::string home_directory(const env_lookup& env) {
    if (auto home = env("HOME")) return *home;
    const passwd* pw = ::getpwuid(::geteuid());
    return pw && pw->pw_dir ? std::string(pw->pw_dir) : std::string();
}

}  // namespace

std::string state_directory(const env_lookup& env) {
    const auto xdg = env("XDG_STATE_HOME");
    // The XDG rule: a relative value is invalid and ignored.
    const std::string base = xdg && xdg->front() == '/' ? *xdg : home_directory(env) + "/.local/state";
    return base + "/aws-tpm-process-credential";
}

std::string not_private(const struct stat& st) {
    if (st.st_uid != ::geteuid()) return fmt::format("it belongs to uid {}, not to uid {}", st.st_uid, ::geteuid());
    if (st.st_mode & (S_IWGRP | S_IWOTH)) return fmt::format("other users can write it (mode {:04o})", st.st_mode & 07777);
    return {};
}

std::string make_private_directory(const std::string& dir) {
    // Parents first; only the last component is required to be private
    // (~/.local/state may already exist with the user's umask).
    for (std::size_t at = dir.find('/', 1); at != std::string::npos; at = dir.find('/', at + 1))
        ::mkdir(dir.substr(0, at).c_str(), 0700);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return fmt::format("cannot create {}: {}", dir, std::strerror(errno));
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return fmt::format("cannot read {}: {}", dir, std::strerror(errno));
    if (!S_ISDIR(st.st_mode)) return dir + " is not a directory";
    if (auto why = not_private(st); !why.empty()) return dir + ": " + why;
    return {};
}

}  // namespace atpc::files
