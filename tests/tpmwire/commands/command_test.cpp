// The generic encoder/decoder: byte-exact commands, strict response parsing,
// and the order in which sessions are asked to encrypt, authorize and verify.
#include "tpmwire/commands/commands.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

using namespace tpmwire;

namespace {

// A session that records what the encoder tells it and XORs parameters, so
// a test can see exactly which bytes were "encrypted".
class recording_session final : public Session {
public:
    explicit recording_session(TPMA_SESSION attrs) : attrs_(attrs) {}
    TPM_HANDLE handle() const noexcept override { return 0x02000000; }
    TPMA_SESSION attributes() const noexcept override { return attrs_; }
    bytes_view nonce_tpm() const noexcept override { return nonce_; }
    void begin_command() override { log += "begin;"; }
    void encrypt_parameter(std::span<byte> d) override {
        log += "encrypt" + std::to_string(d.size()) + ";";
        for (auto& b : d) b ^= 0xFF;
    }
    TPMS_AUTH_COMMAND authorize(const command_context& c) override {
        log += "authorize;";
        seen_params = bytes(c.parameters.begin(), c.parameters.end());
        seen_names.assign(c.names.begin(), c.names.end());
        TPMS_AUTH_COMMAND a;
        a.sessionHandle = handle();
        a.nonce = TPM2B_NONCE(bytes(2, 0xAB));
        a.sessionAttributes = attrs_;
        a.hmac = TPM2B_AUTH(bytes(1, 0xCD));
        return a;
    }
    void verify(const response_context& r, const TPMS_AUTH_RESPONSE& a) override {
        log += "verify;";
        verified_params = bytes(r.parameters.begin(), r.parameters.end());
        if (a.hmac.buffer != bytes{0x77}) throw error(errc::integrity, "bad response HMAC");
    }
    void decrypt_parameter(std::span<byte> d) override {
        log += "decrypt" + std::to_string(d.size()) + ";";
        for (auto& b : d) b ^= 0xFF;
    }
    std::string log;
    bytes seen_params, verified_params;
    std::vector<TPM2B_NAME> seen_names;

private:
    TPMA_SESSION attrs_;
    bytes nonce_ = bytes(16, 1);
};

HMAC hmac_command(Session* s = nullptr) {
    HMAC cmd;
    cmd.handle = AuthHandle(0x81000001, TPM2B_NAME(from_hex("000b" + std::string(64, '1'))), s);
    cmd.buffer = TPM2B_MAX_BUFFER(to_bytes("20150830"));
    cmd.hashAlg = TPM_ALG_SHA256;
    return cmd;
}

}  // namespace

TEST_CASE("HMAC with the empty password encodes byte for byte") {
    std::vector<Session*> sessions;
    bytes b = encode(hmac_command(), sessions);
    CHECK(to_hex(b) ==
          "8002" "00000027" "00000155"      // tag, size, TPM_CC_HMAC
          "81000001"                         // key handle
          "00000009" "40000009" "0000" "01" "0000"  // TPM_RS_PW, empty nonce, continueSession, empty auth
          "0008" "3230313530383330"          // buffer "20150830"
          "000b");                           // SHA-256
    REQUIRE(sessions.size() == 1);
    CHECK(sessions[0] == &empty_password());
}

TEST_CASE("commands without sessions use TPM_ST_NO_SESSIONS") {
    std::vector<Session*> sessions;
    CHECK(to_hex(encode(GetCapability{TPM_CAP_TPM_PROPERTIES, TPM_PT_LOCKOUT_COUNTER, 2}, sessions)) ==
          "8001" "00000016" "0000017a" "00000006" "0000020e" "00000002");
    CHECK(to_hex(encode(FlushContext{0x80000001}, sessions)) == "80010000000e0000016580000001");
    CHECK(to_hex(encode(Startup{TPM_SU_CLEAR}, sessions)) == "8001" "0000000c" "00000144" "0000");
    CHECK(sessions.empty());
}

TEST_CASE("the password session refuses to be built with a password by accident") {
    // Only the explicitly named test constructor puts a password on the wire.
    auto pw = PasswordSession::cleartext_for_testing(to_bytes("hunter2"));
    std::vector<Session*> sessions;
    bytes b = encode(hmac_command(&pw), sessions);
    CHECK(to_hex(b).find(to_hex(to_bytes("hunter2"))) != std::string::npos);
    bytes plain = encode(hmac_command(), sessions);
    CHECK(to_hex(plain).find(to_hex(to_bytes("hunter2"))) == std::string::npos);
}

TEST_CASE("a session encrypts the first parameter, then authorizes the encrypted bytes") {
    recording_session s(TPMA_SESSION_continueSession | TPMA_SESSION_decrypt);
    std::vector<Session*> sessions;
    bytes b = encode(hmac_command(&s), sessions);
    CHECK(s.log == "begin;encrypt8;authorize;");
    // The parameter area holds the size in clear and the data "encrypted".
    bytes expected_params = from_hex("0008" "cdcfcecacfc7cccf" "000b");
    CHECK(s.seen_params == expected_params);
    CHECK(to_hex(b).ends_with(to_hex(expected_params)));
    REQUIRE(s.seen_names.size() == 1);
    CHECK(s.seen_names[0].size() == 34);
}

TEST_CASE("names of permanent handles are derived from the handle") {
    recording_session s(TPMA_SESSION_continueSession);
    CreatePrimary cmd;
    cmd.primaryHandle = AuthHandle(TPM_RH_OWNER, {}, &s);
    cmd.inPublic.publicArea = TPMT_PUBLIC{};
    cmd.inPublic.publicArea.type = TPM_ALG_KEYEDHASH;
    cmd.inPublic.publicArea.parameters = TPMS_KEYEDHASH_PARMS{};
    cmd.inPublic.publicArea.unique = TPM2B_DIGEST{};
    std::vector<Session*> sessions;
    encode(cmd, sessions);
    REQUIRE(s.seen_names.size() == 1);
    CHECK(to_hex(s.seen_names[0].buffer) == "40000001");
}

TEST_CASE("decoding a response: sessions, handles, errors") {
    HMAC cmd = hmac_command();
    std::vector<Session*> sessions{&empty_password()};

    SECTION("success with a password session") {
        bytes rsp = from_hex("8002" "00000035" "00000000" "00000022" "0020" + std::string(64, 'a') + "0000" "01" "0000");
        auto out = decode(cmd, rsp, sessions);
        CHECK(out.outHMAC.buffer == bytes(32, 0xaa));
    }
    SECTION("TPM error") {
        bytes rsp = from_hex("8001" "0000000a" "0000098e");
        try {
            decode(cmd, rsp, sessions);
            FAIL("no exception");
        } catch (const error& e) {
            CHECK(e.kind() == errc::tpm);
            CHECK(e.rc() == 0x98E);
            CHECK(e.command() == TPM_CC_HMAC);
            CHECK(std::string(e.what()).starts_with("TPM2_HMAC: TPM_RC_AUTH_FAIL (session 1)"));
        }
    }
    SECTION("responseSize that disagrees with the bytes") {
        bytes rsp = from_hex("8001" "0000000b" "00000000");
        CHECK_THROWS_WITH(decode(cmd, rsp, sessions),
                          "TPM2_HMAC response: responseSize 11 but 10 bytes received");
    }
    SECTION("parameterSize that overruns") {
        bytes rsp = from_hex("8002" "00000013" "00000000" "000000ff" "0000" "01" "00");
        CHECK_THROWS_AS(decode(cmd, rsp, sessions), error);
    }
    SECTION("a password session answered with an HMAC") {
        bytes rsp = from_hex("8002" "00000016" "00000000" "00000002" "0000" "0000" "01" "0001" "ff");
        try {
            decode(cmd, rsp, sessions);
            FAIL("no exception");
        } catch (const error& e) {
            CHECK(e.kind() == errc::integrity);
        }
    }
    SECTION("trailing bytes after the parameters") {
        bytes rsp = from_hex("8002" "00000017" "00000000" "00000004" "0000" "abcd" "0000" "01" "0000");
        CHECK_THROWS_WITH(decode(cmd, rsp, sessions),
                          "TPM2_HMAC response: response parameters: 2 unexpected trailing bytes");
    }
}

TEST_CASE("response handles, verification and decryption order") {
    recording_session s(TPMA_SESSION_continueSession | TPMA_SESSION_encrypt);
    std::vector<Session*> sessions{&s};
    Load cmd;
    // handle 80000001, parameterSize 6, name "\x00\x04" + 4 bytes, auth: nonce 0, attrs, hmac 77
    bytes rsp = from_hex("8002" "0000001e" "00000000" "80000001" "00000006" "0004" "00ff00ff" "0000" "41" "000177");
    auto out = decode(cmd, rsp, sessions);
    CHECK(out.objectHandle == 0x80000001);
    CHECK(s.log == "verify;decrypt4;");
    CHECK(to_hex(s.verified_params) == "000400ff00ff");  // HMAC covers the ciphertext
    CHECK(to_hex(out.name.buffer) == "ff00ff00");
}

TEST_CASE("too many sessions and encryption of a non-TPM2B parameter are refused") {
    recording_session a(1), b(1), c(1), d(1);
    std::vector<Session*> extra{&b, &c, &d};
    std::vector<Session*> sessions;
    CHECK_THROWS_AS(encode(hmac_command(&a), sessions, extra), error);

    recording_session dec(TPMA_SESSION_continueSession | TPMA_SESSION_decrypt);
    PolicyCommandCode pcc;
    pcc.policySession = NamedHandle(0x03000000);
    pcc.code = TPM_CC_HMAC;
    std::vector<Session*> one{&dec};
    CHECK_THROWS_WITH(encode(pcc, sessions, one), Catch::Contains("cannot use parameter encryption"));
}

// The client's explicit instantiations are generated from TPMWIRE_COMMANDS:
// a command missing from it would still work, compiled where it is called,
// so this test is what notices.
TEST_CASE("TPMWIRE_COMMANDS lists every command struct in commands.hpp, in order") {
    std::vector<std::string> listed;
#define TPMWIRE_TEST_NAME(C) listed.push_back(#C);
    TPMWIRE_COMMANDS(TPMWIRE_TEST_NAME)
#undef TPMWIRE_TEST_NAME
    std::ifstream in(std::string(ATPC_TEST_DATA_DIR) + "/../../tpmwire/include/tpmwire/commands/commands.hpp");
    REQUIRE(in);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::regex command(R"(\nstruct (\w+) \{\n    static constexpr TPM_CC command_code)");
    std::vector<std::string> defined;
    for (std::sregex_iterator it(text.begin(), text.end(), command), end; it != end; ++it)
        defined.push_back((*it)[1].str());
    CHECK(defined.size() > 20);
    CHECK(listed == defined);
}

TEST_CASE("command traits: creates_key and consumed() are read from the struct") {
    STATIC_REQUIRE(creates_key<CreatePrimary>);
    STATIC_REQUIRE(creates_key<Load>);
    STATIC_REQUIRE_FALSE(creates_key<HMAC>);
    const FlushContext flush{0x80000001};
    CHECK(consumed_handles(flush) == std::array<TPM_HANDLE, 1>{0x80000001});
    CHECK(consumed_handles(HMAC{}).empty());
}
