// The one Catch2 main of the test suite.
//
// Every test process gets its own XDG_STATE_HOME and XDG_RUNTIME_DIR (the
// program's pins and lock files, README "Pinned keys"), removed at exit:
// tests never touch the user's own state, and a pin from one test's swtpm
// never meets another swtpm that happens to get the same port. Programs the
// tests start inherit them.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/stat.h>

namespace {

std::filesystem::path private_state() {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/atpc-test-home.XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) return {};
    const std::filesystem::path root = std::filesystem::absolute(templ);
    for (const char* sub : {"state", "run"}) ::mkdir((root / sub).c_str(), 0700);
    ::setenv("XDG_STATE_HOME", (root / "state").c_str(), 1);
    ::setenv("XDG_RUNTIME_DIR", (root / "run").c_str(), 1);
    return root;
}

}  // namespace

int main(int argc, char* argv[]) {
    const std::filesystem::path root = private_state();
    if (root.empty()) return 2;
    const int result = Catch::Session().run(argc, argv);
    std::error_code ignored;
    std::filesystem::remove_all(root, ignored);
    return result;
}
