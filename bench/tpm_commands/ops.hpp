// The per-command benchmark: what is measured, and the three sides that
// measure it (tpmwire, tpm2-tss ESAPI, the raw-socket floor).
//
// Each side runs one *batch*: it connects (untimed), sets up what the
// operation needs (untimed), times `n` executions of the one command, tidies
// up (untimed) and disconnects, so swtpm, which serves one client at a time,
// is free for the next side's batch.
#pragma once

#include "common/raw_tpm.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

enum class op {
    hmac_empty_pw,    // TPM2_HMAC on a persistent key with the empty password (TPM_RS_PW)
    hmac_session,     // TPM2_HMAC on a password key through an HMAC session kept open for the batch
    hmac_clear_pw,    // TPM2_HMAC on the password key, password in clear in TPM_RS_PW (not possible in tpmwire)
    create_primary,   // TPM2_CreatePrimary of the H-2 ECC P-256 parent (flushed, untimed)
    load,             // TPM2_Load of the HMAC key under the H-2 parent (flushed, untimed)
    salted_session_ecc,  // TPM2_StartAuthSession salted to the H-2 parent (ECDH), AES-128-CFB
    salted_session_rsa,  // TPM2_StartAuthSession salted to the RSA EK (OAEP), AES-128-CFB
};

enum class side { tpmwire, esapi, floor, floor_reconnect };

std::string_view name_of(op o);
std::string_view name_of(side s);

// What the provisioning script left in the swtpm (bench/scripts/provision.sh).
struct setup {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::uint32_t plain_key = 0x81008003;
    std::uint32_t password_key = 0x81008002;
    std::uint32_t ek = 0x81010001;
    std::string password = "pass123";
    frame key_public;   // hmac.pub: a marshalled TPM2B_PUBLIC
    frame key_private;  // hmac.priv: a marshalled TPM2B_PRIVATE
    std::string data = "20250101";  // what kDate's HMAC signs: a date stamp
};

// Nanoseconds of each timed command in one batch.
using samples = std::vector<std::int64_t>;

bool supports(side s, op o);
samples tpmwire_batch(const setup& s, op o, int n);
samples esapi_batch(const setup& s, op o, int n);
samples floor_batch(const setup& s, op o, int n, bool reconnect);

}  // namespace bench
