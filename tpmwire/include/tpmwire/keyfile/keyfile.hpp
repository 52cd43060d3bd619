// TSS2 PRIVATE KEY files ("ASN.1 Specification for TPM 2.0 Key Files",
// draft-bottomley-tpm2-keys), as written by tpm2-tools' tpm2_encodeobject,
// the OpenSSL tpm2 provider and engines, and the Linux kernel:
//
//   TPMKey ::= SEQUENCE {
//     type        OBJECT IDENTIFIER,
//     emptyAuth   [0] EXPLICIT BOOLEAN OPTIONAL,
//     policy      [1] EXPLICIT SEQUENCE OF TPMPolicy OPTIONAL,
//     secret      [2] EXPLICIT OCTET STRING OPTIONAL,
//     authPolicy  [3] EXPLICIT SEQUENCE OF TPMAuthPolicy OPTIONAL,
//     description [4] EXPLICIT UTF8String OPTIONAL,
//     rsaParent   [5] EXPLICIT BOOLEAN OPTIONAL,
//     parent      INTEGER,
//     pubkey      OCTET STRING,   -- TPM2B_PUBLIC
//     privkey     OCTET STRING }  -- TPM2B_PRIVATE
//   TPMPolicy ::= SEQUENCE { commandCode [0] EXPLICIT INTEGER,
//                            commandPolicy [1] EXPLICIT OCTET STRING }
//   TPMAuthPolicy ::= SEQUENCE { name [0] EXPLICIT UTF8String OPTIONAL,
//                                policy [1] EXPLICIT SEQUENCE OF TPMPolicy }
//
// Parsing is strict DER; every problem is tpmwire::error(errc::keyfile) with
// a one-line "key file: ..." message. Only the structure is checked here;
// whether the key suits a purpose (an HMAC key, say) is the caller's rule.
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/constants.hpp"
#include "tpmwire/marshal/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tpmwire {

// The type OID: 2.23.133.10.1.3 loadable (TPM2_Load), .4 importable
// (TPM2_Import, then Load), .5 sealed data (TPM2_Unseal).
enum class keyfile_type { loadable, importable, sealed };

// One policy command: its code and its marshalled parameters (empty for
// commands without parameters, e.g. PolicyAuthValue).
struct TPMPolicy {
    TPM_CC commandCode = 0;
    bytes commandPolicy;
    friend bool operator==(const TPMPolicy&, const TPMPolicy&) = default;
};

// A signed policy that can satisfy a PolicyAuthorize in `policy`.
struct TPMAuthPolicy {
    std::optional<std::string> name;
    std::vector<TPMPolicy> policy;  // never empty
    friend bool operator==(const TPMAuthPolicy&, const TPMAuthPolicy&) = default;
};

struct tss2_private_key {
    keyfile_type type = keyfile_type::loadable;
    // The file used the legacy OID 2.23.133.10.2 (read as loadable); to_der
    // writes it back the same way.
    bool legacy_oid = false;
    // Informational only: tpm2-tools 5.4 writes it inverted (true when the
    // key does need a password), so never decide on it alone.
    std::optional<bool> emptyAuth;
    std::vector<TPMPolicy> policy;  // empty when absent
    // The encrypted seed (TPM2B_ENCRYPTED_SECRET) of an importable key.
    std::optional<bytes> secret;
    std::vector<TPMAuthPolicy> authPolicy;  // empty when absent
    std::optional<std::string> description;
    // True: a permanent parent means the RSA-2048 storage template, not H-2.
    std::optional<bool> rsaParent;
    // 0x40000001 (owner; tpm2-tools 5.4), 0x80000000 (older writers) or a
    // persistent handle 0x81xxxxxx.
    TPM_HANDLE parent = TPM_RH_OWNER;
    TPM2B_PUBLIC pubkey;
    TPM2B_PRIVATE privkey;
    friend bool operator==(const tss2_private_key&, const tss2_private_key&) = default;
};

tss2_private_key parse_tss2_key_der(bytes_view der);
tss2_private_key parse_tss2_key_pem(std::string_view pem);
// PEM or DER, told apart by content.
tss2_private_key parse_tss2_key(bytes_view file);

// Canonical DER. Throws errc::usage for a key that cannot be written as a
// valid file (e.g. an importable key without secret).
bytes to_der(const tss2_private_key& key);
// PEM with label "TSS2 PRIVATE KEY" and 64-character lines.
std::string to_pem(const tss2_private_key& key);

// The parent handles that mean "create the primary under the owner
// hierarchy and use it": 0x40000001 and the legacy 0x80000000.
bool parent_is_h2_primary(TPM_HANDLE parent);
// The same, and the file does not ask for the RSA template instead.
bool parent_is_h2_primary(const tss2_private_key& key);

}  // namespace tpmwire
