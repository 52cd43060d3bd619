// DER primitives against values worked out by hand from X.690.
#include <catch2/catch.hpp>

#include "tpmwire/keyfile/der.hpp"
#include "util.hpp"

using namespace tpmwire;
using kftest::raw;

TEST_CASE("DER INTEGER to 32 bits") {
    CHECK(der::decode_uint32(raw({0x00}), "i") == 0);
    CHECK(der::decode_uint32(raw({0x7F}), "i") == 0x7F);
    CHECK(der::decode_uint32(raw({0x00, 0x80}), "i") == 0x80);
    CHECK(der::decode_uint32(raw({0x01, 0x6B}), "i") == 0x16B);
    CHECK(der::decode_uint32(raw({0x00, 0xFF, 0xFF, 0xFF, 0xFF}), "i") == 0xFFFFFFFF);
    // Negative values are the 32-bit two's complement the writer meant.
    CHECK(der::decode_uint32(raw({0x80, 0x00, 0x00, 0x00}), "i") == 0x80000000);
    CHECK(der::decode_uint32(raw({0xFF}), "i") == 0xFFFFFFFF);
    CHECK(der::decode_uint32(raw({0x80}), "i") == 0xFFFFFF80);
    CHECK_THROWS_AS(der::decode_uint32(raw({0x00, 0x7F}), "i"), error);
    CHECK_THROWS_AS(der::decode_uint32(raw({0xFF, 0xFF}), "i"), error);
    CHECK_THROWS_AS(der::decode_uint32(raw({0x80, 0x00, 0x00, 0x00, 0x00}), "i"), error);
}

TEST_CASE("DER INTEGER writer is minimal and positive") {
    auto enc = [](std::uint32_t v) {
        bytes out;
        der::write_uint32(out, v);
        return to_hex(out);
    };
    CHECK(enc(0) == "020100");
    CHECK(enc(0x7F) == "02017f");
    CHECK(enc(0x80) == "02020080");
    CHECK(enc(0x16B) == "0202016b");
    CHECK(enc(0x40000001) == "020440000001");
    CHECK(enc(0x80000000) == "02050080000000");
    CHECK(enc(0xFFFFFFFF) == "020500ffffffff");
    for (std::uint32_t v : {0u, 1u, 0x7Fu, 0x80u, 0xFFu, 0x100u, 0x7FFFFFFFu, 0x80000000u, 0x81000001u, 0xFFFFFFFFu}) {
        bytes out;
        der::write_uint32(out, v);
        CHECK(der::decode_uint32(bytes_view(out).subspan(2), "i") == v);
    }
}

TEST_CASE("DER lengths") {
    auto header = [](std::size_t n) {
        bytes out;
        der::write(out, der::OCTET_STRING, bytes(n, 0));
        return to_hex(bytes_view(out).first(out.size() - n));
    };
    CHECK(header(0) == "0400");
    CHECK(header(127) == "047f");
    CHECK(header(128) == "048180");
    CHECK(header(255) == "0481ff");
    CHECK(header(256) == "04820100");
    CHECK(header(70000) == "0483011170");
}

TEST_CASE("DER OBJECT IDENTIFIER and UTF8String") {
    CHECK(der::decode_oid(raw({0x67, 0x81, 0x05, 0x0A, 0x01, 0x03}), "o") == "2.23.133.10.1.3");
    CHECK(der::decode_oid(raw({0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01}), "o") == "1.2.840.113549.1.1.1");
    CHECK(der::decode_oid(raw({0x00}), "o") == "0.0");
    CHECK(der::decode_oid(raw({0x88, 0x37}), "o") == "2.999");
    CHECK_THROWS_AS(der::decode_oid({}, "o"), error);
    CHECK_THROWS_AS(der::decode_oid(raw({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}), "o"), error);

    CHECK(der::decode_utf8(raw({'o', 'k', 0xE2, 0x9C, 0x93}), "s") == "ok\xE2\x9C\x93");
    CHECK(der::decode_utf8(raw({0xF0, 0x9F, 0x94, 0x91}), "s").size() == 4);
    for (auto bad : {raw({0xC0, 0x80}), raw({0xE0, 0x80, 0x80}), raw({0xED, 0xA0, 0x80}), raw({0xF4, 0x90, 0x80, 0x80}),
                     raw({0xE2, 0x9C}), raw({0x80}), raw({0xF8, 0x80, 0x80, 0x80, 0x80})}) {
        INFO(to_hex(bad));
        CHECK_THROWS_AS(der::decode_utf8(bad, "s"), error);
    }
}
