// The container endpoint's token, in a file only its owner can read: the
// SDKs read it (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) on every fetch, and
// it is never printed.
#pragma once

#include "base/env.hpp"

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace atpc::server {

// $XDG_RUNTIME_DIR/aws-tpm-process-credential-serve-<port>.token. Throws
// atpc::error(fault::usage) when XDG_RUNTIME_DIR is not set.
std::string default_token_path(const env_lookup& env, std::uint16_t port);

class token_file {
public:
    // Writes `token` (no newline) to `path`, mode 0600, replacing a file left
    // there: a new file renamed into place, so no reader sees a partial one.
    // Throws atpc::error(fault::config) naming --token-file.
    token_file(std::string path, std::string_view token);
    // Removes the file if it is still the one written.
    ~token_file();
    token_file(const token_file&) = delete;
    token_file& operator=(const token_file&) = delete;

    const std::string& path() const { return path_; }

private:
    std::string path_;
    dev_t device_ = 0;
    ino_t inode_ = 0;
};

}  // namespace atpc::server
