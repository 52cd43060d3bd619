// Proxy selection against Go's rules. The NO_PROXY table is the behaviour
// table of golang.org/x/net/http/httpproxy's proxy_test.go (UseProxyTests,
// BSD-3-Clause), which documents what Go's ProxyFromEnvironment does.
#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include "base/error.hpp"
#include "https/proxy.hpp"
#include "support/env_fake.hpp"

using atpc::https::bypass_proxy;
using atpc::https::parse_proxy;
using atpc::https::proxy_for;
using test::fake_env;

namespace {

std::string unbracket(std::string h) {
    if (h.size() > 2 && h.front() == '[') return h.substr(1, h.size() - 2);
    return h;
}

std::string base64_decode(std::string_view b64) {
    std::string out(b64.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
    REQUIRE(n >= 0);
    out.resize(static_cast<std::size_t>(n));
    while (!b64.empty() && b64.back() == '=') {  // EVP_DecodeBlock keeps the padding's zero bytes
        b64.remove_suffix(1);
        out.pop_back();
    }
    return out;
}

}  // namespace

TEST_CASE("proxy: Go's NO_PROXY table", "[https][proxy]") {
    const std::string no_proxy =
        "foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, "
        "2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64";
    struct row {
        const char* host;
        bool use_proxy;
    };
    const row table[] = {
        {"localhost", false},
        {"127.0.0.1", false},
        {"127.0.0.2", false},
        {"[::1]", false},
        {"[::2]", true},
        {"192.168.1.1", false},
        {"192.168.1.2", true},
        {"192.168.1.3", false},
        {"192.168.1.4", true},
        {"10.0.0.2", false},
        {"[2001:db8::52:0:1]", false},
        {"[2001:db8::52:0:2]", true},
        {"[2001:db8::52:0:3]", false},
        {"[2002:db8:a::123]", false},
        {"[fe80::424b:c8be:1643:a1b6]", true},
        {"barbaz.net", true},
        {"www.barbaz.net", false},
        {"foobar.com", false},
        {"www.foobar.com", false},
        {"foofoobar.com", true},
        {"baz.com", true},
        {"localhost.net", true},
        {"local.localhost", true},
        {"barbarbaz.net", true},
        {"wildcard.io", true},
        {"nested.wildcard.io", false},
        {"awildcard.io", true},
    };
    for (const auto& r : table) {
        INFO(r.host);
        CHECK(bypass_proxy(no_proxy, unbracket(r.host), 80) == !r.use_proxy);
        // "*" bypasses everything.
        CHECK(bypass_proxy("*", unbracket(r.host), 80));
    }
    // A malformed entry is ignored, not fatal.
    CHECK_FALSE(bypass_proxy(":1", "example.com", 80));
    CHECK_FALSE(bypass_proxy("", "example.com", 80));
    CHECK_FALSE(bypass_proxy(" , ,", "example.com", 80));
}

TEST_CASE("proxy: NO_PROXY ports, case and CIDR edges", "[https][proxy]") {
    CHECK(bypass_proxy("sts.amazonaws.com:443", "sts.amazonaws.com", 443));
    CHECK_FALSE(bypass_proxy("sts.amazonaws.com:444", "sts.amazonaws.com", 443));
    CHECK(bypass_proxy("AmazonAWS.com", "STS.us-east-1.amazonaws.com", 443));
    CHECK(bypass_proxy(".amazonaws.com", "sts.amazonaws.com", 443));
    CHECK_FALSE(bypass_proxy(".amazonaws.com", "amazonaws.com", 443));
    CHECK(bypass_proxy("10.0.0.0/8", "10.200.3.4", 443));
    CHECK_FALSE(bypass_proxy("10.0.0.0/8", "11.0.0.1", 443));
    CHECK_FALSE(bypass_proxy("10.0.0.0/8", "sts.amazonaws.com", 443));
    CHECK(bypass_proxy("0.0.0.0/0", "8.8.8.8", 443));
    CHECK_FALSE(bypass_proxy("10.0.0.0/33", "10.0.0.1", 443));
    // Loopback is never proxied, in any spelling of the literal.
    CHECK(bypass_proxy("", "127.9.9.9", 443));
    CHECK(bypass_proxy("", "::ffff:127.0.0.1", 443));
    CHECK(bypass_proxy("", "LOCALHOST", 443));
    // ...but a name that merely resolves to loopback is (Go looks at the literal).
    CHECK_FALSE(bypass_proxy("", "localhost.localdomain", 443));
}

TEST_CASE("proxy: proxy URL forms", "[https][proxy]") {
    auto p = parse_proxy("http://proxy.corp:3128", "HTTPS_PROXY");
    CHECK(p.host == "proxy.corp");
    CHECK(p.port == 3128);
    CHECK_FALSE(p.authorization);
    CHECK(p.display() == "http://proxy.corp:3128");

    // Go: a value without a usable scheme means http://value.
    CHECK(parse_proxy("127.0.0.1:8080", "HTTPS_PROXY").display() == "http://127.0.0.1:8080");
    CHECK(parse_proxy("cache.corp.example.com:1234", "HTTPS_PROXY").display() == "http://cache.corp.example.com:1234");
    CHECK(parse_proxy("cache.corp.example.com", "HTTPS_PROXY").display() == "http://cache.corp.example.com:80");
    CHECK(parse_proxy("localhost", "HTTPS_PROXY").display() == "http://localhost:80");
    CHECK(parse_proxy("http://[::1]:3128/", "https_proxy").display() == "http://[::1]:3128");

    for (const char* unsupported : {"https://secure.proxy.tld", "socks5://127.0.0.1"}) {
        INFO(unsupported);
        CHECK_THROWS_AS(parse_proxy(unsupported, "HTTPS_PROXY"), atpc::error);
    }
    CHECK_THROWS_AS(parse_proxy("http://proxy:99999", "HTTPS_PROXY"), atpc::error);
    CHECK_THROWS_AS(parse_proxy("http://proxy/path", "HTTPS_PROXY"), atpc::error);
}

TEST_CASE("proxy: credentials become Basic auth and are never echoed", "[https][proxy]") {
    auto p = parse_proxy("http://al%69ce:p%40ss:w0rd@proxy.corp:3128", "HTTPS_PROXY");
    REQUIRE(p.authorization);
    const std::string header(p.authorization->begin(), p.authorization->end());
    REQUIRE(header.substr(0, 6) == "Basic ");
    CHECK(base64_decode(header.substr(6)) == "alice:p@ss:w0rd");
    CHECK_THAT(p.display(), !Catch::Contains("alice") && !Catch::Contains("w0rd"));

    auto user_only = parse_proxy("http://bob@proxy:1", "HTTPS_PROXY");
    REQUIRE(user_only.authorization);
    CHECK(base64_decode(std::string(user_only.authorization->substr(6))) == "bob:");

    try {
        parse_proxy("https://alice:s3cr3t@proxy:1", "HTTPS_PROXY");
        FAIL("accepted");
    } catch (const atpc::error& e) {
        CHECK_THAT(e.what(), !Catch::Contains("s3cr3t") && Catch::Contains("HTTPS_PROXY"));
    }
    try {
        parse_proxy("http://alice:s3cr3t%zz@proxy:1", "HTTPS_PROXY");
        FAIL("accepted");
    } catch (const atpc::error& e) {
        CHECK_THAT(e.what(), !Catch::Contains("s3cr3t"));
    }
    try {
        parse_proxy("http://alice:s3cr3t@pro xy:1", "HTTPS_PROXY");
        FAIL("accepted");
    } catch (const atpc::error& e) {
        CHECK_THAT(e.what(), !Catch::Contains("s3cr3t"));
    }
}

TEST_CASE("proxy: environment precedence", "[https][proxy]") {
    CHECK_FALSE(proxy_for(fake_env({}), "sts.amazonaws.com", 443));
    // HTTP_PROXY is for http:// requests only.
    CHECK_FALSE(proxy_for(fake_env({{"HTTP_PROXY", "http://p:1"}}), "sts.amazonaws.com", 443));

    auto upper = proxy_for(fake_env({{"HTTPS_PROXY", "http://upper:1"}, {"https_proxy", "http://lower:2"}}),
                           "sts.amazonaws.com", 443);
    REQUIRE(upper);
    CHECK(upper->host == "upper");
    CHECK(upper->source == "HTTPS_PROXY");
    auto lower = proxy_for(fake_env({{"HTTPS_PROXY", ""}, {"https_proxy", "http://lower:2"}}), "sts.amazonaws.com", 443);
    REQUIRE(lower);
    CHECK(lower->host == "lower");

    CHECK_FALSE(proxy_for(fake_env({{"HTTPS_PROXY", "p:1"}, {"NO_PROXY", "amazonaws.com"}}), "sts.amazonaws.com", 443));
    CHECK_FALSE(proxy_for(fake_env({{"HTTPS_PROXY", "p:1"}, {"no_proxy", "*"}}), "sts.amazonaws.com", 443));
    CHECK(proxy_for(fake_env({{"HTTPS_PROXY", "p:1"}, {"NO_PROXY", "example.com"}, {"no_proxy", "*"}}),
                    "sts.amazonaws.com", 443));
    CHECK_FALSE(proxy_for(fake_env({{"HTTPS_PROXY", "p:1"}}), "localhost", 443));
    CHECK_FALSE(proxy_for(fake_env({{"HTTPS_PROXY", "p:1"}}), "127.0.0.1", 8443));
    // An unusable proxy value is an error, not a silent direct connection.
    CHECK_THROWS_AS(proxy_for(fake_env({{"HTTPS_PROXY", "socks5://p:1"}}), "sts.amazonaws.com", 443), atpc::error);
}
