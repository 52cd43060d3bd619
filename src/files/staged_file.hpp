// A file that appears complete or not at all: written to a temporary file
// beside the target (mode 0600, O_EXCL) and renamed over it on commit; the
// temporary file is removed if the commit never happens.
#pragma once

#include <string>
#include <string_view>

namespace atpc::files {

class staged_file {
public:
    explicit staged_file(std::string target) : target_(std::move(target)) {}
    ~staged_file();
    staged_file(const staged_file&) = delete;
    staged_file& operator=(const staged_file&) = delete;

    // Before any other work: the target is not a directory, does not exist
    // (unless `overwrite`), and a file can be created in its directory (a
    // probe file is created and removed). Throws atpc::error(fault::config).
    static void check_target(const std::string& target, bool overwrite);

    // Writes `content` to a fresh temporary file and syncs it. Throws atpc::error.
    void write(std::string_view content);
    // Renames the temporary file to the target and syncs the directory.
    void commit();

    const std::string& target() const { return target_; }

private:
    std::string target_;
    std::string temp_;
};

}  // namespace atpc::files
