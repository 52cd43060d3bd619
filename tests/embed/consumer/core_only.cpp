// Uses only tpmwire::core: marshals TPM2_HMAC and decodes a response.
#if __has_include(<openssl/evp.h>) && defined(TPMWIRE_EXPECT_NO_OPENSSL)
#error "tpmwire::core must not bring OpenSSL"
#endif
#include <tpmwire/commands/commands.hpp>
#include <tpmwire/keyfile/templates.hpp>

#include <cstdio>

int main() {
    using namespace tpmwire;
    HMAC cmd;
    cmd.handle = AuthHandle(0x81000001);
    cmd.buffer = TPM2B_MAX_BUFFER(to_bytes("20150830"));
    cmd.hashAlg = TPM_ALG_SHA256;
    std::vector<Session*> sessions;
    bytes wire = encode(cmd, sessions);
    std::printf("%s\n", to_hex(wire).c_str());
    return to_hex(marshal_to_bytes(h2_ecc_primary_template())) == "0023000b00030472000000060080004300100003001000000000" ? 0 : 1;
}
