// form_encode against Go's url.Values.Encode rules, written out by hand
// (the byte table itself is checked against botocore's side in golden_test).
#include "sigv4/encoding.hpp"

#include "base/error.hpp"

#include <catch2/catch.hpp>

namespace sigv4 = atpc::sigv4;

TEST_CASE("form_encode: the escaping rules", "[sigv4][form]") {
    CHECK(sigv4::form_encode({}) == "");
    CHECK(sigv4::form_encode({{"a", ""}}) == "a=");
    CHECK(sigv4::form_encode({{"", ""}}) == "=");
    CHECK(sigv4::form_encode({{"k", "AZaz09-_.~"}}) == "k=AZaz09-_.~");
    CHECK(sigv4::form_encode({{"k", "a b"}}) == "k=a+b");
    CHECK(sigv4::form_encode({{"k", "a+b"}}) == "k=a%2Bb");
    CHECK(sigv4::form_encode({{"k", "$&+,/:;=?@"}}) == "k=%24%26%2B%2C%2F%3A%3B%3D%3F%40");
    CHECK(sigv4::form_encode({{"k", "!*'()"}}) == "k=%21%2A%27%28%29");
    CHECK(sigv4::form_encode({{"k", std::string("\0\xFF", 2)}}) == "k=%00%FF");
    CHECK(sigv4::form_encode({{"k", "\xE1\x88\xB4"}}) == "k=%E1%88%B4");  // UTF-8 bytes, upper-case hex
    CHECK(sigv4::form_encode({{"a key", "v"}}) == "a+key=v");
}

TEST_CASE("form_encode: keys sorted by byte, repeated keys keep their order", "[sigv4][form]") {
    CHECK(sigv4::form_encode({{"b", "2"}, {"a", "z"}, {"b", "1"}}) == "a=z&b=2&b=1");
    // Byte order, unsigned: 'B' (0x42) < '_' (0x5F) < 'a' (0x61) < 0x80.
    CHECK(sigv4::form_encode({{"\x80", "4"}, {"a", "3"}, {"_", "2"}, {"B", "1"}}) == "B=1&_=2&a=3&%80=4");
    // A prefix sorts first.
    CHECK(sigv4::form_encode({{"ab", "2"}, {"a", "1"}}) == "a=1&ab=2");
}

TEST_CASE("uri_encode and percent_decode", "[sigv4][form]") {
    CHECK(sigv4::uri_encode("a b/c~") == "a%20b%2Fc~");
    CHECK(sigv4::uri_encode("a b/c~", true) == "a%20b/c~");
    CHECK(sigv4::uri_encode("%") == "%25");
    CHECK(sigv4::percent_decode("a%20b%2fc+d%E1%88%b4") == "a b/c+d\xE1\x88\xB4");
    CHECK(sigv4::percent_decode("") == "");
    for (const char* bad : {"%", "%2", "a%zz", "%g0", "%2%"}) {
        INFO(bad);
        CHECK_THROWS_AS(sigv4::percent_decode(bad), atpc::error);
    }
}
