#include "server/token_file.hpp"

#include "base/error.hpp"
#include "files/staged_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace atpc::server {

std::string default_token_path(const env_lookup& env, std::uint16_t port) {
    const auto dir = env("XDG_RUNTIME_DIR");
    if (!dir)
        throw error(fault::usage, "XDG_RUNTIME_DIR is not set: name the token's file with --token-file (see --help)");
    return *dir + "/aws-tpm-process-credential-serve-" + std::to_string(port) + ".token";
}

token_file::token_file(std::string path, std::string_view token) : path_(std::move(path)) {
    files::staged_file file(path_, files::existing::replace, "--token-file " + path_);
    file.check_target();
    file.write(token);
    file.commit();
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0) {
        device_ = st.st_dev;
        inode_ = st.st_ino;
    }
}

token_file::~token_file() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && st.st_dev == device_ && st.st_ino == inode_) ::unlink(path_.c_str());
}

}  // namespace atpc::server
