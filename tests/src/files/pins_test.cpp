// The pin store (src/files/pins.hpp): lookup, record, replace, the file's
// format and modes, and refusals of what another user could have planted.
#include "support/env_fake.hpp"
#include "support/temp_dir.hpp"

#include "base/error.hpp"
#include "files/pins.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

using atpc::files::pin;
using atpc::files::pin_store;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

const tpmwire::bytes name_a = tpmwire::from_hex("000b" + std::string(64, 'a'));
const tpmwire::bytes name_b = tpmwire::from_hex("000b" + std::string(64, 'b'));

}  // namespace

TEST_CASE("pins: for_user honours XDG_STATE_HOME, else HOME's .local/state") {
    CHECK(pin_store::for_user(test::fake_env({{"XDG_STATE_HOME", "/s"}, {"HOME", "/h"}})).file() ==
          "/s/aws-tpm-process-credential/pins");
    CHECK(pin_store::for_user(test::fake_env({{"HOME", "/h"}})).file() == "/h/.local/state/aws-tpm-process-credential/pins");
    // The XDG rule: a relative value is ignored.
    CHECK(pin_store::for_user(test::fake_env({{"XDG_STATE_HOME", "rel"}, {"HOME", "/h"}})).file() ==
          "/h/.local/state/aws-tpm-process-credential/pins");
}

TEST_CASE("pins: record creates a private directory and file, lookup finds by address and role, record replaces") {
    test::temp_dir home;
    const pin_store store((home.path() / "state/aws-tpm-process-credential/pins").string());
    CHECK_FALSE(store.lookup("/dev/tpmrm0", "salt"));

    store.record(pin{"/dev/tpmrm0", "salt", name_a, "0x81010002 ECC endorsement key (TCG template L-2)"});
    store.record(pin{"127.0.0.1:2321", "salt", name_b, "H-2 ECC P-256 primary under the owner hierarchy"});
    store.record(pin{"/dev/tpmrm0", "import", name_b, "0x81010001 RSA endorsement key (TCG template L-1)"});
    CHECK(mode_of(store.file()) == 0600);
    CHECK(mode_of(fs::path(store.file()).parent_path()) == 0700);
    const std::string text = read(store.file());
    CHECK_THAT(text, Catch::StartsWith("# aws-tpm-process-credential: TPM key names trusted on first use"));
    CHECK_THAT(text, Catch::Contains("\n/dev/tpmrm0 salt 000b" + std::string(64, 'a') +
                                     " 0x81010002 ECC endorsement key (TCG template L-2)\n"));

    auto got = store.lookup("/dev/tpmrm0", "salt");
    REQUIRE(got);
    CHECK(got->name == name_a);
    CHECK(got->what == "0x81010002 ECC endorsement key (TCG template L-2)");
    CHECK(store.lookup("/dev/tpmrm0", "import")->name == name_b);
    CHECK(store.lookup("127.0.0.1:2321", "salt")->name == name_b);
    CHECK_FALSE(store.lookup("127.0.0.1:2322", "salt"));

    store.record(pin{"/dev/tpmrm0", "salt", name_b, "0x81010001 RSA endorsement key (TCG template L-1)"});
    CHECK(store.lookup("/dev/tpmrm0", "salt")->name == name_b);
    CHECK(store.lookup("127.0.0.1:2321", "salt"));  // the others stay
    CHECK(std::distance(fs::directory_iterator(fs::path(store.file()).parent_path()), fs::directory_iterator()) == 1);
    CHECK_THAT(store.how_to_forget("/dev/tpmrm0", "salt"),
               Catch::Equals("delete the line '/dev/tpmrm0 salt …' from " + store.file()));
}

TEST_CASE("pins: a file others can write, a symbolic link, or a line that does not parse is refused") {
    test::temp_dir home;
    const fs::path dir = home.path() / "aws-tpm-process-credential";
    const pin_store store((dir / "pins").string());
    store.record(pin{"/dev/tpmrm0", "salt", name_a, "H-2 ECC P-256 primary under the owner hierarchy"});

    ::chmod(store.file().c_str(), 0666);
    CHECK_THROWS_WITH(store.lookup("/dev/tpmrm0", "salt"),
                      Catch::Contains("refusing the pins file") && Catch::Contains("other users can write it (mode 0666)"));
    ::chmod(store.file().c_str(), 0600);

    std::ofstream(store.file(), std::ios::app) << "/dev/tpm0 salt nothex what\n";
    CHECK_THROWS_WITH(store.lookup("/dev/tpmrm0", "salt"),
                      Catch::Contains(store.file() + " line 4") && Catch::Contains("fix or delete that line"));

    fs::remove(store.file());
    fs::create_symlink(home.path() / "elsewhere", store.file());
    CHECK_THROWS_AS(store.lookup("/dev/tpmrm0", "salt"), atpc::error);

    // A directory others can write is not used to keep pins.
    fs::remove(store.file());
    ::chmod(dir.c_str(), 0777);
    CHECK_THROWS_WITH(store.record(pin{"/dev/tpmrm0", "salt", name_a, "H-2"}),
                      Catch::Contains("cannot keep the pins file") && Catch::Contains("other users can write it"));
}
