// Reading --credential-file: the bytes reach the TSS2 parser unchanged, and
// what cannot be a key file is refused with one line naming the file.
#include "credential/fetch.hpp"
#include "base/error.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace atpc;

namespace {

std::string reading_error(const std::string& path) {
    credential::settings o;
    o.credential_file = path;
    try {
        credential::plan_from(o);
    } catch (const error& e) {
        CHECK(e.kind() == fault::config);
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("the key file (--credential-file) is read whole, and what cannot be one is refused") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("atpc-keyfile-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    struct cleanup {
        fs::path p;
        ~cleanup() { fs::remove_all(p); }
    } remove{dir};

    SECTION("a TSS2 key file becomes the plan's key") {
        credential::settings o;
        o.credential_file = std::string(ATPC_TEST_DATA_DIR) + "/keyfiles/private.pem";
        auto plan = credential::plan_from(o);
        REQUIRE(plan.key_file);
        CHECK(plan.key_file_path == o.credential_file);
    }
    SECTION("a missing file") {
        CHECK_THAT(reading_error((dir / "nope.pem").string()),
                   Catch::StartsWith("cannot read --credential-file ") && Catch::Contains("No such file"));
    }
    SECTION("a directory") {
        CHECK_THAT(reading_error(dir.string()), Catch::Contains("Is a directory"));
    }
    SECTION("a file far larger than any key file is not read whole") {
        const fs::path big = dir / "big.pem";
        std::ofstream(big) << std::string(65 * 1024, 'A');
        CHECK_THAT(reading_error(big.string()), Catch::EndsWith("larger than 64 KiB, not a TSS2 key file"));
    }
    SECTION("bytes that are not a key file reach the parser and are named as such") {
        const fs::path junk = dir / "junk.pem";
        std::ofstream(junk) << "not a key";
        CHECK_THAT(reading_error(junk.string()), Catch::StartsWith(junk.string() + ": "));
    }
}
