// Every case of the AWS SigV4 test suite (tests/data/aws-sig-v4-test-suite):
// canonical request, string to sign and Authorization must match the
// suite's .creq, .sts and .authz byte for byte.
//
// No case is skipped. Two need a word:
// - get-header-value-multiline uses obsolete line folding, which no real
//   client sends (RFC 9112 forbids generating it); the suite expects each
//   folded line as one more value of the header, and raw_request.cpp turns
//   it into exactly that, so the signer itself needs no folding support.
// - get-header-key-duplicate and get-header-value-order repeat a header;
//   sigv4::request keeps headers as a list, so repeats are signed as given.
#include "raw_request.hpp"
#include "sigv4/sigv4.hpp"

#include "tpmwire/bytes.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <vector>

namespace fs = std::filesystem;
namespace sigv4 = atpc::sigv4;

namespace {

const fs::path suite_dir = fs::path(ATPC_TEST_DATA_DIR) / "aws-sig-v4-test-suite";
constexpr const char* access_key_id = "AKIDEXAMPLE";
constexpr const char* secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* amz_date = "20150830T123600Z";
const sigv4::scope suite_scope{"20150830", "us-east-1", "service"};

std::vector<fs::path> request_files() {
    std::vector<fs::path> found;
    for (const auto& entry : fs::recursive_directory_iterator(suite_dir))
        if (entry.is_regular_file() && entry.path().extension() == ".req") found.push_back(entry.path());
    std::sort(found.begin(), found.end());
    return found;
}

fs::path sibling(const fs::path& req, const char* extension) {
    fs::path p = req;
    p.replace_extension(extension);
    return p;
}

}  // namespace

TEST_CASE("the suite's kDate matches the published value", "[sigv4][suite]") {
    const tpmwire::bytes kdate = sigv4::software_kdate(secret, suite_scope.date);
    CHECK(tpmwire::to_hex(kdate) == "0138c7a6cbd60aa727b2f653a522567439dfb9f3e72b21f9b25941a42f04a7cd");
}

TEST_CASE("every AWS SigV4 test-suite case signs byte for byte", "[sigv4][suite]") {
    const auto files = request_files();
    // 31 cases in the vendored copy: a folder that goes missing must fail here.
    REQUIRE(files.size() == 31);
    const tpmwire::bytes kdate = sigv4::software_kdate(secret, suite_scope.date);
    const tpmwire::bytes key = sigv4::signing_key(kdate, suite_scope);

    for (const auto& file : files) {
        INFO("case " << fs::relative(file, suite_dir).string());
        const sigv4::request r = sigv4_test::parse_raw_request(sigv4_test::read_file(file));

        const std::string creq = sigv4::canonical_request(r);
        CHECK(creq == sigv4_test::read_file(sibling(file, ".creq")));

        const std::string sts = sigv4::string_to_sign(amz_date, suite_scope, creq);
        CHECK(sts == sigv4_test::read_file(sibling(file, ".sts")));

        const std::string authz = sigv4::authorization(access_key_id, suite_scope, sigv4::signed_headers(r),
                                                       sigv4::signature(key, sts));
        const std::string expected_authz = sigv4_test::read_file(sibling(file, ".authz"));
        CHECK(authz == expected_authz);

        // sign() gives the same header (the requests already carry this
        // X-Amz-Date, so it must not add a second one).
        sigv4::request signed_request = r;
        sigv4::sign(signed_request, access_key_id, kdate, suite_scope, amz_date);
        REQUIRE(signed_request.headers.size() == r.headers.size() + 1);
        CHECK(signed_request.headers.back().name == "Authorization");
        CHECK(signed_request.headers.back().value == expected_authz);

        // And the suite's signed request (.sreq) carries that very line.
        const std::string sreq = sigv4_test::read_file(sibling(file, ".sreq"));
        CHECK(sreq.find("\nAuthorization: " + expected_authz) != std::string::npos);
    }
}

TEST_CASE("the .req reader keeps what the suite cases rely on", "[sigv4][suite]") {
    // A wrong reader could make the suite pass for the wrong reason.
    const auto read = [](const char* relative) {
        return sigv4_test::parse_raw_request(sigv4_test::read_file(suite_dir / relative));
    };
    const auto multiline = read("get-header-value-multiline/get-header-value-multiline.req");
    REQUIRE(multiline.headers.size() == 5);
    CHECK(multiline.headers[2].name == "My-Header1");
    CHECK(multiline.headers[2].value == "value2");
    CHECK(multiline.headers[3].value == "value3");

    const auto space = read("normalize-path/get-space/get-space.req");
    CHECK(space.path == "/example space/");
    CHECK(space.query.empty());

    const auto utf8 = read("get-vanilla-utf8-query/get-vanilla-utf8-query.req");
    CHECK(utf8.path == "/");
    CHECK(utf8.query == "\xE1\x88\xB4=bar");

    const auto form = read("post-x-www-form-urlencoded/post-x-www-form-urlencoded.req");
    CHECK(form.method == "POST");
    CHECK(form.body == "Param1=value1");
}
