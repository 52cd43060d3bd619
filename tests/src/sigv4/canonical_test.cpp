// Canonical-request rules the suite does not reach, and refusals.
#include "support/error_kind.hpp"
#include "sigv4/canonical.hpp"

#include "base/error.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace sigv4 = atpc::sigv4;

namespace {

constexpr const char* empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

sigv4::request get(std::string path, std::string query = "") {
    return {"GET", std::move(path), std::move(query), {{"Host", "h"}}, ""};
}

// The second and third lines of the canonical request.
std::string path_of(const sigv4::request& r) {
    const std::string c = sigv4::canonical_request(r);
    const auto a = c.find('\n') + 1;
    return c.substr(a, c.find('\n', a) - a);
}

std::string query_of(const sigv4::request& r) {
    const std::string c = sigv4::canonical_request(r);
    const auto a = c.find('\n', c.find('\n') + 1) + 1;
    return c.substr(a, c.find('\n', a) - a);
}

atpc::fault fault_of(const sigv4::request& r) {
    return test::kind_of<atpc::error>([&] { sigv4::canonical_request(r); });
}

}  // namespace

TEST_CASE("canonical path: normalised, then encoded once more", "[sigv4][canonical]") {
    CHECK(path_of(get("")) == "/");
    CHECK(path_of(get("/")) == "/");
    CHECK(path_of(get("/..")) == "/");
    CHECK(path_of(get("/../a/./b/")) == "/a/b/");
    CHECK(path_of(get("/a/b/..")) == "/a");
    CHECK(path_of(get("/a/.")) == "/a");
    CHECK(path_of(get("/a/...")) == "/a/...");
    CHECK(path_of(get("/a%20b")) == "/a%2520b");  // already encoded: AWS encodes twice (not S3)
    CHECK(path_of(get("/a+b=c")) == "/a%2Bb%3Dc");
    CHECK(fault_of(get("a")) == atpc::fault::usage);
    CHECK(fault_of(get("/a\r\nX: y")) == atpc::fault::usage);
}

TEST_CASE("canonical query: decoded, re-encoded, sorted", "[sigv4][canonical]") {
    CHECK(query_of(get("/", "")) == "");
    CHECK(query_of(get("/", "b=2&a=1")) == "a=1&b=2");
    CHECK(query_of(get("/", "a=2&a=10&a=1")) == "a=1&a=10&a=2");
    CHECK(query_of(get("/", "&&flag&x=&")) == "flag=&x=");
    CHECK(query_of(get("/", "k=a=b")) == "k=a%3Db");
    CHECK(query_of(get("/", "k=a+b")) == "k=a%2Bb");  // '+' is a plus, not a space
    CHECK(query_of(get("/", "k=%7e%2a%20")) == "k=~%2A%20");
    CHECK(query_of(get("/", "B=1&a=1&_=1")) == "B=1&_=1&a=1");
    CHECK(fault_of(get("/", "k=%2")) == atpc::fault::usage);
    CHECK(fault_of(get("/", "k=1\n")) == atpc::fault::usage);
}

TEST_CASE("canonical headers: lower-cased, trimmed, merged, sorted", "[sigv4][canonical]") {
    sigv4::request r{"PUT", "/", "", {}, "x"};
    r.headers = {{"X-B", " two\t\t words  here "}, {"host", "h"}, {"x-a", "1"}, {"X-A", ""}, {"x-a", " 3 "}};
    CHECK(sigv4::canonical_request(r) ==
          "PUT\n/\n\nhost:h\nx-a:1,,3\nx-b:two words here\n\nhost;x-a;x-b\n"
          "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
    CHECK(sigv4::signed_headers(r) == "host;x-a;x-b");
    CHECK(sigv4::canonical_request(get("/")) == std::string("GET\n/\n\nhost:h\n\nhost\n") + empty_hash);
}

TEST_CASE("canonical_request refuses what it cannot sign", "[sigv4][canonical]") {
    sigv4::request r = get("/");
    r.headers.clear();
    CHECK(fault_of(r) == atpc::fault::usage);  // no Host

    for (const char* bad_name : {"", "My Header", "a:b", "x\n"}) {
        INFO("name '" << bad_name << "'");
        r = get("/");
        r.headers.push_back({bad_name, "v"});
        CHECK(fault_of(r) == atpc::fault::usage);
    }
    for (const char* bad_value : {"a\r\nInjected: 1", "a\nb", "nul\x01", "del\x7F"}) {
        INFO("value '" << bad_value << "'");
        r = get("/");
        r.headers.push_back({"x", bad_value});
        CHECK(fault_of(r) == atpc::fault::usage);
    }
    r = get("/");
    r.method = "";
    CHECK(fault_of(r) == atpc::fault::usage);
    r.method = "G T";
    CHECK(fault_of(r) == atpc::fault::usage);
}
