// URL parsing: the shapes endpoint and proxy settings use, and refusals that
// never echo a password.
#include <catch2/catch.hpp>

#include "https/url.hpp"

using atpc::https::parse_url;

TEST_CASE("url: absolute URLs", "[https][url]") {
    auto u = parse_url("HTTPS://User:p%40ss@Sts.Example.COM:8443/a/b%2F", "X", true);
    CHECK(u.scheme == "https");
    REQUIRE(u.userinfo);
    CHECK(std::string(u.userinfo->begin(), u.userinfo->end()) == "User:p%40ss");
    CHECK(u.host == "sts.example.com");
    CHECK(u.port == std::optional<std::uint16_t>(8443));
    CHECK(u.path == "/a/b%2F");
    auto v6 = parse_url("https://[::1]:9000", "X", true);
    CHECK(v6.host == "::1");
    CHECK(v6.path.empty());
    CHECK_FALSE(parse_url("http://h", "X", true).port);
    CHECK(atpc::https::join_host_port("::1", 443) == "[::1]:443");
}

TEST_CASE("url: refusals name the setting and echo only when allowed", "[https][url]") {
    for (const char* bad : {"h", "://h", "ht tp://h", "https://", "https://h:", "https://h:0", "https://h:65536",
                            "https://h:x", "https://h/?q", "https://h/#f", "https://h/a b", "https://[::1",
                            "https://[::1]x", "https://[1.2.3.4]", "https://h/%zz", "https://bad_label..x"}) {
        INFO(bad);
        try {
            parse_url(bad, "SETTING", true, atpc::fault::usage);
            FAIL("accepted");
        } catch (const atpc::error& e) {
            CHECK(e.kind() == atpc::fault::usage);
            CHECK_THAT(e.what(), Catch::StartsWith("SETTING \"") && Catch::Contains("is not a valid URL"));
        }
    }
    try {
        parse_url("http://u:s3cr3t@ho st", "HTTPS_PROXY", false);
        FAIL("accepted");
    } catch (const atpc::error& e) {
        CHECK(e.kind() == atpc::fault::config);
        CHECK_THAT(e.what(), Catch::StartsWith("HTTPS_PROXY is not a valid URL") && !Catch::Contains("s3cr3t"));
    }
}
