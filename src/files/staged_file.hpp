// A file that appears complete or not at all: written to a temporary file
// beside the target (mode 0600, O_EXCL) and renamed over it on commit; the
// temporary file is removed if the commit never happens. Without
// `overwrite`, the commit never replaces a file, not even one created by
// someone else after check_target() (renameat2 with RENAME_NOREPLACE).
//
// Messages name the file by `label` ("--out /etc/aws/key.pem", "the cache
// entry …"), so callers decide how the user knows it.
#pragma once

#include <string>
#include <string_view>

namespace atpc::files {

enum class existing { refuse, replace };

class staged_file {
public:
    staged_file(std::string target, existing mode, std::string label);
    ~staged_file();
    staged_file(const staged_file&) = delete;
    staged_file& operator=(const staged_file&) = delete;

    // Before any other work: the target is not a directory, does not exist
    // (unless `mode` is replace), and a file can be created in its directory
    // (a probe file is created and removed). Throws atpc::error(fault::config).
    void check_target() const;

    // Writes `content` to a fresh temporary file and syncs it. Throws atpc::error.
    void write(std::string_view content);
    // Renames the temporary file to the target and syncs the directory.
    // Throws atpc::error; the temporary file is then removed.
    void commit();

    const std::string& target() const { return target_; }

private:
    std::string target_;
    existing mode_;
    std::string label_;
    std::string temp_;
};

}  // namespace atpc::files
