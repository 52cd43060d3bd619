// files::staged_file: a file that appears whole or not at all.
#include "files/staged_file.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace atpc::files;

TEST_CASE("staged file: written beside the target with mode 0600, renamed on commit, removed otherwise") {
    test::temp_dir dir;
    const auto target = (dir.path() / "k.pem").string();
    const std::string label = "the key file " + target;
    staged_file(target, existing::refuse, label).check_target();
    CHECK(std::filesystem::is_empty(dir.path()));  // the probe file is gone
    {
        staged_file f(target, existing::refuse, label);
        f.write("half");
        CHECK_FALSE(std::filesystem::exists(target));
        CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
    }  // never committed
    CHECK(std::filesystem::is_empty(dir.path()));
    {
        staged_file f(target, existing::refuse, label);
        f.write("whole");
        f.commit();
    }
    std::ifstream in(target);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(content == "whole");
    CHECK((std::filesystem::status(target).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);

    CHECK_THROWS_WITH(staged_file(target, existing::refuse, label).check_target(),
                      label + " already exists: choose another name, or pass --force to replace it");
    staged_file(target, existing::replace, label).check_target();
    CHECK_THROWS_WITH(staged_file(dir.path().string(), existing::replace, "D").check_target(),
                      "D is a directory, not a file");
    CHECK_THROWS_WITH(staged_file((dir.path() / "no" / "k.pem").string(), existing::refuse, "N").check_target(),
                      Catch::StartsWith("cannot create files in the directory of N"));
}

TEST_CASE("staged file: a file created at the target while the run worked is never replaced without --force") {
    test::temp_dir dir;
    const auto target = (dir.path() / "k.pem").string();
    staged_file f(target, existing::refuse, "--out " + target);
    f.check_target();
    f.write("ours");
    std::ofstream(target) << "theirs";  // appears after the check, before the commit
    CHECK_THROWS_WITH(f.commit(), Catch::StartsWith("--out " + target + " was created by someone else"));
    std::ifstream in(target);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(content == "theirs");
}

TEST_CASE("staged file: with replace, the commit replaces a file created meanwhile") {
    test::temp_dir dir;
    const auto target = (dir.path() / "k.pem").string();
    staged_file f(target, existing::replace, "--out " + target);
    f.write("ours");
    std::ofstream(target) << "theirs";
    f.commit();
    std::ifstream in(target);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(content == "ours");
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
}
