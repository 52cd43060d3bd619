// Malformed key files: every one must give tpmwire::error(errc::keyfile)
// with a message that says what is wrong — never a crash, never success.
#include <catch2/catch.hpp>

#include "tpmwire/keyfile/der.hpp"
#include "tpmwire/keyfile/keyfile.hpp"
#include "util.hpp"

using namespace tpmwire;
using namespace kftest;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {

// The error message of parsing der, or "" if it parsed.
std::string error_of(const bytes& der) {
    try {
        parse_tss2_key_der(der);
    } catch (const error& e) {
        CHECK(e.kind() == errc::keyfile);
        return e.what();
    }
    return "";
}

std::string pem_error_of(const std::string& text) {
    try {
        parse_tss2_key_pem(text);
    } catch (const error& e) {
        CHECK(e.kind() == errc::keyfile);
        return e.what();
    }
    return "";
}

const bytes parent_owner = raw({0x40, 0x00, 0x00, 0x01});

bytes good() { return key_der(oid_loadable, {}, parent_owner, small_pub(), small_priv()); }

}  // namespace

TEST_CASE("hand-built key file is valid DER and parses") {
    std::string out;
    REQUIRE(openssl_asn1parse(good(), out) == 0);
    auto k = parse_tss2_key_der(good());
    CHECK(k.parent == 0x40000001);
    CHECK(k.privkey.size() == 2);
}

TEST_CASE("truncation at every offset throws a key file error") {
    std::vector<bytes> inputs = {good()};
    for (const auto& name : tool_files) inputs.push_back(openssl_der(data_path(name)));
    for (const auto& der : inputs) {
        for (std::size_t n = 0; n < der.size(); ++n) {
            bytes cut(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(n));
            INFO("length " << n);
            CHECK_THROWS_AS(parse_tss2_key_der(cut), error);
            CHECK_THROWS_AS(parse_tss2_key(cut), error);
        }
    }
    for (const auto& name : tool_files) {
        const std::string text = read_text(data_path(name));
        for (std::size_t n = 0; n + 1 < text.size(); ++n) {  // the full text minus its final newline parses
            INFO(name << " PEM length " << n);
            CHECK_THROWS_AS(parse_tss2_key(as_bytes(std::string_view(text).substr(0, n))), error);
        }
    }
}

TEST_CASE("wrong object identifiers") {
    // rsaEncryption, as in a PKCS#8 key.
    bytes rsa = raw({0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01});
    CHECK_THAT(error_of(key_der(rsa, {}, parent_owner, small_pub(), small_priv())),
               Equals("key file: not a TSS2 PRIVATE KEY (object identifier 1.2.840.113549.1.1.1)"));
    CHECK_THAT(error_of(key_der(raw({0x67, 0x81, 0x05, 0x0A, 0x01, 0x09}), {}, parent_owner, small_pub(),
                                small_priv())),
               Equals("key file: unknown TPM key type (object identifier 2.23.133.10.1.9)"));
    CHECK_THAT(error_of(key_der(raw({0x67, 0x81}), {}, parent_owner, small_pub(), small_priv())),
               Contains("ends in the middle of an arc"));
    CHECK_THAT(error_of(key_der(raw({0x67, 0x80, 0x05}), {}, parent_owner, small_pub(), small_priv())),
               Contains("leading 0x80"));
    // A PKCS#8 PrivateKeyInfo starts with INTEGER version.
    CHECK_THAT(error_of(tlv(0x30, cat({tlv(0x02, raw({0})), tlv(0x30, {})}))),
               Equals("key file: not a TSS2 PRIVATE KEY (first field is INTEGER, not an OBJECT IDENTIFIER)"));
    CHECK_THAT(error_of(tlv(0x04, raw({1, 2}))), Contains("expected a DER SEQUENCE, found OCTET STRING"));
    CHECK_THAT(error_of({}), Equals("key file: file is empty"));
}

TEST_CASE("legacy object identifier reads as loadable and is written back") {
    bytes der = key_der(raw({0x67, 0x81, 0x05, 0x0A, 0x02}), {}, raw({0x00, 0x80, 0x00, 0x00, 0x00}), small_pub(),
                        small_priv());
    auto k = parse_tss2_key_der(der);
    CHECK(k.type == keyfile_type::loadable);
    CHECK(k.legacy_oid);
    CHECK(k.parent == 0x80000000);
    CHECK(parent_is_h2_primary(k));
    CHECK(to_hex(to_der(k)) == to_hex(der));
}

TEST_CASE("DER length and framing errors") {
    // Indefinite length (BER only).
    CHECK_THAT(error_of(raw({0x30, 0x80, 0x06, 0x01, 0x00, 0x00, 0x00})), Contains("indefinite length"));
    // Length larger than the data, including one that would overflow 32 bits.
    CHECK_THAT(error_of(raw({0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x06})), Contains("but only 1 bytes left"));
    CHECK_THAT(error_of(raw({0x30, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})), Contains("too large"));
    CHECK_THAT(error_of(raw({0x30, 0x82, 0x01})), Contains("truncated in its length"));
    // Non-minimal lengths.
    bytes body = cat({tlv(0x06, oid_loadable), tlv(0x02, parent_owner), tlv(0x04, small_pub()),
                      tlv(0x04, small_priv())});
    bytes long_form = cat({raw({0x30, 0x81, static_cast<int>(body.size())}), body});
    CHECK_THAT(error_of(long_form), Contains("short form"));
    bytes padded = cat({raw({0x30, 0x82, 0x00, static_cast<int>(body.size())}), body});
    CHECK_THAT(error_of(padded), Contains("leading zero"));
    // Trailing garbage after the outer SEQUENCE, and inside it.
    CHECK_THAT(error_of(cat({good(), raw({0x00})})), Contains("1 bytes of trailing data after the TPMKey SEQUENCE"));
    CHECK_THAT(error_of(tlv(0x30, cat({body, tlv(0x04, {})}))), Contains("trailing data after privkey"));
    // Multi-byte tags: not a field of any known kind.
    CHECK_THAT(error_of(raw({0x3F, 0x01, 0x00})), Contains("found tag 0x3f"));
    CHECK_THAT(error_of(tlv(0x30, cat({tlv(0x06, oid_loadable), raw({0xBF, 0x1F, 0x00})}))),
               Contains("unknown field tag 0xbf"));
    const bytes multi = raw({0x3F, 0x01, 0x00});
    der::reader r(multi);
    CHECK_THROWS_WITH(r.next("x"), Contains("multi-byte tags"));
}

TEST_CASE("optional field tagging, order and contents") {
    auto with = [](const bytes& fields) { return key_der(oid_loadable, fields, parent_owner, small_pub(), small_priv()); };
    bytes empty_auth = tlv(0xA0, tlv(0x01, raw({0xFF})));
    bytes description = tlv(0xA4, tlv(0x0C, to_bytes(std::string_view("hmac"))));
    CHECK(parse_tss2_key_der(with(cat({empty_auth, description}))).description == std::optional<std::string>("hmac"));

    CHECK_THAT(error_of(with(cat({description, empty_auth}))), Contains("emptyAuth [0] is repeated or out of order"));
    CHECK_THAT(error_of(with(cat({empty_auth, empty_auth}))), Contains("repeated or out of order"));
    CHECK_THAT(error_of(with(tlv(0x80, raw({0xFF})))), Contains("must be EXPLICIT"));
    CHECK_THAT(error_of(with(tlv(0xA6, tlv(0x01, raw({0xFF}))))), Contains("unknown field [6]"));
    // Nested deeper than the schema: extra element inside an EXPLICIT wrapper.
    CHECK_THAT(error_of(with(tlv(0xA0, cat({tlv(0x01, raw({0xFF})), tlv(0x01, raw({0xFF}))})))),
               Contains("trailing data after emptyAuth [0]"));
    CHECK_THAT(error_of(with(tlv(0xA0, tlv(0x30, tlv(0x01, raw({0xFF})))))), Contains("expected BOOLEAN but found SEQUENCE"));
    CHECK_THAT(error_of(with(tlv(0xA0, tlv(0x01, raw({0xFF, 0xFF}))))), Contains("BOOLEAN must be 1 byte"));
    // BOOLEAN 01 (what tpm2-tools 5.4 writes) reads as TRUE and is written back as FF.
    auto lenient = parse_tss2_key_der(with(tlv(0xA0, tlv(0x01, raw({0x01})))));
    CHECK(lenient.emptyAuth == std::optional<bool>(true));
    CHECK(to_hex(to_der(lenient)) == to_hex(with(empty_auth)));
    CHECK_THAT(error_of(with(tlv(0xA4, tlv(0x0C, raw({0xC0, 0x80}))))), Contains("description [4] is not valid UTF-8"));
    CHECK_THAT(error_of(with(tlv(0xA1, tlv(0x30, {})))), Contains("policy [1] is present but lists no policy commands"));
    // A policy entry whose commandCode is not [0] EXPLICIT INTEGER.
    bytes bad_policy = tlv(0xA1, tlv(0x30, tlv(0x30, cat({tlv(0xA0, tlv(0x04, raw({1}))),
                                                         tlv(0xA1, tlv(0x04, {}))}))));
    CHECK_THAT(error_of(with(bad_policy)), Contains("policy [1] entry 1 commandCode: expected INTEGER"));
    // Secrets belong to importable keys only, and importable keys need one.
    bytes secret = tlv(0xA2, tlv(0x04, raw({0x00, 0x01, 0x55})));
    CHECK_THAT(error_of(with(secret)), Equals("key file: secret [2] is only allowed in importable keys"));
    bytes importable = raw({0x67, 0x81, 0x05, 0x0A, 0x01, 0x04});
    CHECK_THAT(error_of(key_der(importable, {}, parent_owner, small_pub(), small_priv())),
               Equals("key file: importable key has no secret [2]"));
    CHECK_THAT(error_of(key_der(importable, tlv(0xA2, tlv(0x04, raw({0x00, 0x05, 0x55}))), parent_owner, small_pub(),
                                small_priv())),
               Contains("secret [2] is not a valid TPM2B_ENCRYPTED_SECRET"));
    auto k = parse_tss2_key_der(key_der(importable, secret, parent_owner, small_pub(), small_priv()));
    CHECK(k.type == keyfile_type::importable);
    CHECK(to_hex(*k.secret) == "000155");
}

TEST_CASE("parent INTEGER encodings") {
    auto parent_of = [](const bytes& integer) {
        return parse_tss2_key_der(key_der(oid_loadable, {}, integer, small_pub(), small_priv())).parent;
    };
    // Both encodings writers use for handles with the top bit set.
    CHECK(parent_of(raw({0x00, 0x80, 0x00, 0x00, 0x00})) == 0x80000000);
    CHECK(parent_of(raw({0x80, 0x00, 0x00, 0x00})) == 0x80000000);
    CHECK(parent_of(raw({0x00, 0x81, 0x00, 0x00, 0x01})) == 0x81000001);
    CHECK(parent_of(raw({0x81, 0x00, 0x00, 0x01})) == 0x81000001);
    CHECK(parent_of(raw({0x40, 0x00, 0x00, 0x01})) == 0x40000001);

    // The writer always uses the minimal positive form.
    auto k = parse_tss2_key_der(key_der(oid_loadable, {}, raw({0x81, 0x00, 0x00, 0x01}), small_pub(), small_priv()));
    CHECK(to_hex(to_der(k)) ==
          to_hex(key_der(oid_loadable, {}, raw({0x00, 0x81, 0x00, 0x00, 0x01}), small_pub(), small_priv())));

    auto parent_error = [](const bytes& integer) {
        return error_of(key_der(oid_loadable, {}, integer, small_pub(), small_priv()));
    };
    CHECK_THAT(parent_error(raw({0x01, 0x00, 0x00, 0x00, 0x00})), Contains("parent: INTEGER does not fit 32 bits"));
    CHECK_THAT(parent_error(raw({0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})), Contains("does not fit 32 bits"));
    CHECK_THAT(parent_error(raw({0xFF, 0x7F, 0xFF, 0xFF, 0xFF})), Contains("negative INTEGER does not fit 32 bits"));
    CHECK_THAT(parent_error(raw({0x00, 0x40, 0x00, 0x00, 0x01})), Contains("not minimally encoded"));
    CHECK_THAT(parent_error(raw({0xFF, 0x81, 0x00, 0x00, 0x01})), Contains("not minimally encoded"));
    CHECK_THAT(parent_error({}), Contains("INTEGER has no content"));
    // Fits 32 bits but is no parent handle (an NV index; -1).
    CHECK_THAT(parent_error(raw({0x01, 0x00, 0x00, 0x01})),
               Equals("key file: parent 0x01000001 is not a permanent, transient or persistent handle"));
    CHECK_THAT(parent_error(raw({0xFF})), Contains("parent 0xffffffff is not"));
}

TEST_CASE("pubkey and privkey TPM2B sizes must match their contents") {
    auto pub_error = [](const bytes& pub) { return error_of(key_der(oid_loadable, {}, parent_owner, pub, small_priv())); };
    bytes pub = small_pub();
    bytes larger = pub;
    larger[1] = 0x11;  // claims one byte more than there is
    CHECK_THAT(pub_error(larger), Contains("key file: pubkey is not a valid TPM2B_PUBLIC: TPM2B_PUBLIC: size 17"));
    bytes smaller = pub;
    smaller[1] = 0x0F;  // the last byte of unique's size falls outside
    CHECK_THAT(pub_error(smaller), Contains("key file: pubkey is not a valid TPM2B_PUBLIC"));
    bytes extra = cat({pub, raw({0x00})});  // a byte after the TPM2B
    CHECK_THAT(pub_error(extra), Contains("TPM2B_PUBLIC: 1 unexpected trailing bytes"));
    CHECK_THAT(pub_error(raw({0x00, 0x00})),
               Equals("key file: pubkey is not a valid TPM2B_PUBLIC: TPMT_PUBLIC type: needs 2 bytes but only 0 left"));
    CHECK_THAT(pub_error({}), Contains("pubkey is not a valid TPM2B_PUBLIC"));

    auto priv_error = [](const bytes& priv) { return error_of(key_der(oid_loadable, {}, parent_owner, small_pub(), priv)); };
    CHECK_THAT(priv_error(raw({0x00, 0x03, 0xAA, 0xBB})), Contains("privkey is not a valid TPM2B_PRIVATE"));
    CHECK_THAT(priv_error(raw({0x00, 0x01, 0xAA, 0xBB})), Contains("TPM2B_PRIVATE: 1 unexpected trailing bytes"));
    CHECK_THAT(priv_error(raw({0x00, 0x00})), Equals("key file: privkey is an empty TPM2B_PRIVATE"));
    // Missing trailing fields.
    bytes no_priv = tlv(0x30, cat({tlv(0x06, oid_loadable), tlv(0x02, parent_owner), tlv(0x04, small_pub())}));
    CHECK_THAT(error_of(no_priv), Equals("key file: privkey is missing (the data ends early)"));
}

TEST_CASE("PEM armour errors") {
    const std::string text = read_text(data_path("private.pem"));
    auto replace = [&](const std::string& from, const std::string& to) {
        std::string t = text;
        for (auto p = t.find(from); p != std::string::npos; p = t.find(from, p + to.size())) t.replace(p, from.size(), to);
        return t;
    };
    CHECK_THAT(pem_error_of(replace("TSS2 PRIVATE KEY", "PRIVATE KEY")),
               Equals("key file: PEM label is \"PRIVATE KEY\", expected \"TSS2 PRIVATE KEY\""));
    CHECK_THAT(pem_error_of("hello"), Contains("no \"-----BEGIN TSS2 PRIVATE KEY-----\" line"));
    CHECK_THAT(pem_error_of(text.substr(0, text.find("-----END"))), Contains("has no matching"));
    CHECK_THAT(pem_error_of(text + text), Contains("more than one TSS2 PRIVATE KEY block"));
    CHECK_THAT(pem_error_of(replace("MIH2", "MI*2")), Contains("'*', which is not base64"));
    CHECK_THAT(pem_error_of(replace("MIH2", "MIH")), Contains("truncated"));
    CHECK_THAT(pem_error_of(replace("-----BEGIN TSS2 PRIVATE KEY-----\n",
                                    "-----BEGIN TSS2 PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\n")),
               Contains("PEM headers"));
    CHECK_THAT(pem_error_of(replace("-----BEGIN TSS2 PRIVATE KEY-----", "-----BEGIN TSS2 PRIVATE KEY----- x")),
               Contains("extra text"));
    // Neither PEM nor DER.
    try {
        parse_tss2_key(as_bytes(std::string_view("just text")));
        FAIL("parsed");
    } catch (const error& e) {
        CHECK_THAT(std::string(e.what()), Contains("neither PEM"));
    }
}

TEST_CASE("PEM tolerates CRLF, blanks and surrounding text") {
    const std::string text = read_text(data_path("private.pem"));
    auto expected = parse_tss2_key_pem(text);
    std::string crlf;
    for (char c : text) {
        if (c == '\n') crlf += "  \r\n";  // trailing blanks and CRLF
        else crlf += c;
    }
    CHECK(parse_tss2_key_pem(crlf) == expected);
    std::string wrapped = "Bag Attributes\nsome comment -----BEGIN FOO\n" + text + "trailer\n";
    CHECK(parse_tss2_key_pem(wrapped) == expected);
    CHECK(parse_tss2_key(as_bytes(wrapped)) == expected);
    // Another PEM block before ours is skipped.
    std::string two = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" + text;
    CHECK(parse_tss2_key_pem(two) == expected);
    // Unwrapped base64 (one long line) is fine too.
    std::string one_line = "-----BEGIN TSS2 PRIVATE KEY-----\n";
    auto body_start = text.find('\n') + 1;
    auto body_end = text.find("-----END");
    for (char c : text.substr(body_start, body_end - body_start))
        if (c != '\n') one_line += c;
    one_line += "\n-----END TSS2 PRIVATE KEY-----";
    CHECK(parse_tss2_key_pem(one_line) == expected);
}
