// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
// destruction. Every fixture gets its own: tests share no state.
#pragma once

#include <filesystem>
#include <string>

namespace test {

class temp_dir {
public:
    explicit temp_dir(const std::string& prefix = "atpc-test");
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace test
