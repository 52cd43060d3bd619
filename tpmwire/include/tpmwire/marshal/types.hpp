// TPM 2.0 structures (Part 2) that tpmwire's commands use, with their
// canonical marshalling. Names follow the spec so the two can be read side by
// side; unions (TPMU_*) are std::variant selected by the field the spec names
// as their selector.
//
// Every unmarshal is bounds-checked: sizes are checked against both the spec
// maximum and the bytes actually present, and structures wrapped in a TPM2B
// must fill their declared size exactly.
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/constants.hpp"
#include "tpmwire/marshal/marshal.hpp"

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

namespace tpmwire {

// ---- Sized buffers (TPM2B_*) -------------------------------------------

// A TPM2B whose content is a byte string. Tag carries the spec name (for
// errors) and the maximum size.
template <class Tag>
struct tpm2b {
    static constexpr bool is_sized_buffer = true;
    static constexpr std::size_t max_size = Tag::max_size;
    bytes buffer;

    tpm2b() = default;
    tpm2b(bytes b) : buffer(std::move(b)) {}
    tpm2b(bytes_view b) : buffer(b.begin(), b.end()) {}
    std::size_t size() const { return buffer.size(); }
    bool empty() const { return buffer.empty(); }
    bytes_view view() const { return buffer; }
    friend bool operator==(const tpm2b& a, const tpm2b& b) { return a.buffer == b.buffer; }
};

#define TPMWIRE_TPM2B(NAME, MAX)                                   \
    struct NAME##_tag {                                            \
        static constexpr std::size_t max_size = MAX;               \
        static constexpr std::string_view name = #NAME;            \
    };                                                             \
    using NAME = tpm2b<NAME##_tag>

TPMWIRE_TPM2B(TPM2B_DIGEST, MAX_DIGEST_SIZE);
TPMWIRE_TPM2B(TPM2B_DATA, MAX_DIGEST_SIZE);
TPMWIRE_TPM2B(TPM2B_MAX_BUFFER, MAX_DIGEST_BUFFER);
TPMWIRE_TPM2B(TPM2B_SENSITIVE_DATA, MAX_SYM_DATA);
TPMWIRE_TPM2B(TPM2B_NAME, 2 + MAX_DIGEST_SIZE);
TPMWIRE_TPM2B(TPM2B_PRIVATE, 2048);
TPMWIRE_TPM2B(TPM2B_ECC_PARAMETER, MAX_ECC_KEY_BYTES);
TPMWIRE_TPM2B(TPM2B_PUBLIC_KEY_RSA, MAX_RSA_KEY_BYTES);
TPMWIRE_TPM2B(TPM2B_ENCRYPTED_SECRET, MAX_RSA_KEY_BYTES);
TPMWIRE_TPM2B(TPM2B_CONTEXT_DATA, MAX_CONTEXT_SIZE);
TPMWIRE_TPM2B(TPM2B_TIMEOUT, 8);
TPMWIRE_TPM2B(TPM2B_CREATION_DATA, MAX_RESPONSE_SIZE);  // kept opaque: tpmwire never reads it
TPMWIRE_TPM2B(TPM2B_MAX_NV_BUFFER, MAX_NV_BUFFER_SIZE);
#undef TPMWIRE_TPM2B
using TPM2B_NONCE = TPM2B_DIGEST;
using TPM2B_AUTH = TPM2B_DIGEST;

template <class Tag>
void marshal(Writer& w, const tpm2b<Tag>& v) {
    w.sized(v.buffer, Tag::max_size, Tag::name);
}
template <class Tag>
void unmarshal(Reader& r, tpm2b<Tag>& v) {
    auto b = r.sized(Tag::max_size, Tag::name);
    v.buffer.assign(b.begin(), b.end());
}

// ---- Integers -----------------------------------------------------------
inline void marshal(Writer& w, std::uint8_t v) { w.u8(v); }
inline void marshal(Writer& w, std::uint16_t v) { w.u16(v); }
inline void marshal(Writer& w, std::uint32_t v) { w.u32(v); }
inline void marshal(Writer& w, std::uint64_t v) { w.u64(v); }
inline void unmarshal(Reader& r, std::uint8_t& v) { v = r.u8("UINT8"); }
inline void unmarshal(Reader& r, std::uint16_t& v) { v = r.u16("UINT16"); }
inline void unmarshal(Reader& r, std::uint32_t& v) { v = r.u32("UINT32"); }
inline void unmarshal(Reader& r, std::uint64_t& v) { v = r.u64("UINT64"); }

// ---- Schemes and parameters --------------------------------------------

// TPMT_SYM_DEF / TPMT_SYM_DEF_OBJECT. keyBits and mode are present unless
// algorithm is TPM_ALG_NULL; for TPM_ALG_XOR keyBits holds the hash and mode
// is absent (TPMT_SYM_DEF only).
struct TPMT_SYM_DEF {
    TPM_ALG_ID algorithm = TPM_ALG_NULL;
    std::uint16_t keyBits = 0;
    TPM_ALG_ID mode = TPM_ALG_NULL;
    friend bool operator==(const TPMT_SYM_DEF&, const TPMT_SYM_DEF&) = default;
};
using TPMT_SYM_DEF_OBJECT = TPMT_SYM_DEF;
void marshal(Writer& w, const TPMT_SYM_DEF& v);
void unmarshal(Reader& r, TPMT_SYM_DEF& v);

// TPMT_KEYEDHASH_SCHEME: HMAC {hashAlg}, XOR {hashAlg, kdf}, or NULL.
struct TPMT_KEYEDHASH_SCHEME {
    TPM_ALG_ID scheme = TPM_ALG_NULL;
    TPMI_ALG_HASH hashAlg = TPM_ALG_NULL;
    TPM_ALG_ID kdf = TPM_ALG_NULL;
    friend bool operator==(const TPMT_KEYEDHASH_SCHEME&, const TPMT_KEYEDHASH_SCHEME&) = default;
};

// TPMT_RSA_SCHEME, TPMT_ECC_SCHEME and TPMT_KDF_SCHEME: a scheme followed
// by a hash unless NULL (ECDAA adds a count).
struct TPMT_ASYM_SCHEME {
    TPM_ALG_ID scheme = TPM_ALG_NULL;
    TPMI_ALG_HASH hashAlg = TPM_ALG_NULL;
    std::uint16_t count = 0;
    friend bool operator==(const TPMT_ASYM_SCHEME&, const TPMT_ASYM_SCHEME&) = default;
};
using TPMT_RSA_SCHEME = TPMT_ASYM_SCHEME;
using TPMT_ECC_SCHEME = TPMT_ASYM_SCHEME;
struct TPMT_KDF_SCHEME {
    TPM_ALG_ID scheme = TPM_ALG_NULL;
    TPMI_ALG_HASH hashAlg = TPM_ALG_NULL;
    friend bool operator==(const TPMT_KDF_SCHEME&, const TPMT_KDF_SCHEME&) = default;
};

struct TPMS_KEYEDHASH_PARMS {
    TPMT_KEYEDHASH_SCHEME scheme;
    friend bool operator==(const TPMS_KEYEDHASH_PARMS&, const TPMS_KEYEDHASH_PARMS&) = default;
};
struct TPMS_SYMCIPHER_PARMS {
    TPMT_SYM_DEF_OBJECT sym;
    friend bool operator==(const TPMS_SYMCIPHER_PARMS&, const TPMS_SYMCIPHER_PARMS&) = default;
};
struct TPMS_RSA_PARMS {
    TPMT_SYM_DEF_OBJECT symmetric;
    TPMT_RSA_SCHEME scheme;
    std::uint16_t keyBits = 2048;
    std::uint32_t exponent = 0;  // 0 means 65537
    friend bool operator==(const TPMS_RSA_PARMS&, const TPMS_RSA_PARMS&) = default;
};
struct TPMS_ECC_PARMS {
    TPMT_SYM_DEF_OBJECT symmetric;
    TPMT_ECC_SCHEME scheme;
    TPM_ECC_CURVE curveID = TPM_ECC_NIST_P256;
    TPMT_KDF_SCHEME kdf;
    friend bool operator==(const TPMS_ECC_PARMS&, const TPMS_ECC_PARMS&) = default;
};
struct TPMS_ECC_POINT {
    TPM2B_ECC_PARAMETER x;
    TPM2B_ECC_PARAMETER y;
    friend bool operator==(const TPMS_ECC_POINT&, const TPMS_ECC_POINT&) = default;
};
void marshal(Writer& w, const TPMS_ECC_POINT& v);
void unmarshal(Reader& r, TPMS_ECC_POINT& v);

// TPMU_PUBLIC_PARMS and TPMU_PUBLIC_ID, selected by TPMT_PUBLIC::type.
// KEYEDHASH and SYMCIPHER objects have a TPM2B_DIGEST as unique.
using TPMU_PUBLIC_PARMS = std::variant<TPMS_KEYEDHASH_PARMS, TPMS_SYMCIPHER_PARMS, TPMS_RSA_PARMS, TPMS_ECC_PARMS>;
using TPMU_PUBLIC_ID = std::variant<TPM2B_DIGEST, TPM2B_PUBLIC_KEY_RSA, TPMS_ECC_POINT>;

// Part 2 §12.2.4
struct TPMT_PUBLIC {
    TPM_ALG_ID type = TPM_ALG_NULL;  // TPMI_ALG_PUBLIC: the selector of both unions
    TPMI_ALG_HASH nameAlg = TPM_ALG_SHA256;
    TPMA_OBJECT objectAttributes = 0;
    TPM2B_DIGEST authPolicy;
    TPMU_PUBLIC_PARMS parameters;
    TPMU_PUBLIC_ID unique;
    friend bool operator==(const TPMT_PUBLIC&, const TPMT_PUBLIC&) = default;
};
void marshal(Writer& w, const TPMT_PUBLIC& v);
void unmarshal(Reader& r, TPMT_PUBLIC& v);
// The canonical encoding, as hashed into the object's name.
bytes marshal_to_bytes(const TPMT_PUBLIC& v);

struct TPM2B_PUBLIC {
    static constexpr bool is_sized_buffer = true;
    TPMT_PUBLIC publicArea;
    friend bool operator==(const TPM2B_PUBLIC&, const TPM2B_PUBLIC&) = default;
};
void marshal(Writer& w, const TPM2B_PUBLIC& v);
void unmarshal(Reader& r, TPM2B_PUBLIC& v);

// Part 2 §11.1.15/16
struct TPMS_SENSITIVE_CREATE {
    TPM2B_AUTH userAuth;
    TPM2B_SENSITIVE_DATA data;
};
struct TPM2B_SENSITIVE_CREATE {
    static constexpr bool is_sized_buffer = true;
    TPMS_SENSITIVE_CREATE sensitive;
};
void marshal(Writer& w, const TPM2B_SENSITIVE_CREATE& v);
void unmarshal(Reader& r, TPM2B_SENSITIVE_CREATE& v);

// ---- NV indices (Part 2 §13.5, §13.6) ------------------------------------

// TPMS_NV_PUBLIC. Unmarshalling refuses an nvIndex outside TPM_HT_NV_INDEX
// and a nameAlg tpmwire cannot hash (the index's name needs it).
struct TPMS_NV_PUBLIC {
    TPM_HANDLE nvIndex = 0;  // TPMI_RH_NV_INDEX
    TPMI_ALG_HASH nameAlg = TPM_ALG_SHA256;
    TPMA_NV attributes = 0;
    TPM2B_DIGEST authPolicy;
    std::uint16_t dataSize = 0;
    friend bool operator==(const TPMS_NV_PUBLIC&, const TPMS_NV_PUBLIC&) = default;
};
void marshal(Writer& w, const TPMS_NV_PUBLIC& v);
void unmarshal(Reader& r, TPMS_NV_PUBLIC& v);
// The canonical encoding, as hashed into the index's name.
bytes marshal_to_bytes(const TPMS_NV_PUBLIC& v);

struct TPM2B_NV_PUBLIC {
    static constexpr bool is_sized_buffer = true;
    TPMS_NV_PUBLIC nvPublic;
    friend bool operator==(const TPM2B_NV_PUBLIC&, const TPM2B_NV_PUBLIC&) = default;
};
void marshal(Writer& w, const TPM2B_NV_PUBLIC& v);
void unmarshal(Reader& r, TPM2B_NV_PUBLIC& v);

// ---- PCR selections and digests -----------------------------------------

// TPMS_PCR_SELECTION: pcrSelect is a bitmap, PCR n at byte n/8, bit n%8.
struct TPMS_PCR_SELECTION {
    TPMI_ALG_HASH hash = TPM_ALG_SHA256;
    std::vector<std::uint8_t> pcrSelect = std::vector<std::uint8_t>(3, 0);
    friend bool operator==(const TPMS_PCR_SELECTION&, const TPMS_PCR_SELECTION&) = default;
};
struct TPML_PCR_SELECTION {
    std::vector<TPMS_PCR_SELECTION> pcrSelections;
    friend bool operator==(const TPML_PCR_SELECTION&, const TPML_PCR_SELECTION&) = default;
};
void marshal(Writer& w, const TPML_PCR_SELECTION& v);
void unmarshal(Reader& r, TPML_PCR_SELECTION& v);
// A selection of the given PCR indices in one bank (3 select bytes, as every
// PC-client TPM expects).
TPML_PCR_SELECTION pcr_selection(TPMI_ALG_HASH bank, const std::vector<unsigned>& pcrs);
// The PCR indices selected in one TPMS_PCR_SELECTION, ascending.
std::vector<unsigned> selected_pcrs(const TPMS_PCR_SELECTION& s);

struct TPML_DIGEST {
    std::vector<TPM2B_DIGEST> digests;  // at most 8
};
void marshal(Writer& w, const TPML_DIGEST& v);
void unmarshal(Reader& r, TPML_DIGEST& v);

// TPMT_HA: a hash algorithm and a digest of exactly that algorithm's size.
struct TPMT_HA {
    TPMI_ALG_HASH hashAlg = TPM_ALG_SHA256;
    bytes digest;
};
struct TPML_DIGEST_VALUES {
    std::vector<TPMT_HA> digests;
};
void marshal(Writer& w, const TPML_DIGEST_VALUES& v);
void unmarshal(Reader& r, TPML_DIGEST_VALUES& v);
// Digest size of a hash algorithm, or 0 when tpmwire does not know it.
std::size_t digest_size(TPMI_ALG_HASH alg);

// ---- Tickets, contexts, capabilities ------------------------------------

// TPMT_TK_CREATION, TPMT_TK_HASHCHECK and TPMT_TK_AUTH share one layout.
struct TPMT_TK {
    TPM_ST tag = TPM_ST_HASHCHECK;
    TPM_HANDLE hierarchy = TPM_RH_NULL;
    TPM2B_DIGEST digest;
};
using TPMT_TK_CREATION = TPMT_TK;
using TPMT_TK_HASHCHECK = TPMT_TK;
using TPMT_TK_AUTH = TPMT_TK;
void marshal(Writer& w, const TPMT_TK& v);
void unmarshal(Reader& r, TPMT_TK& v);

struct TPMS_CONTEXT {
    std::uint64_t sequence = 0;
    TPM_HANDLE savedHandle = 0;
    TPM_HANDLE hierarchy = 0;
    TPM2B_CONTEXT_DATA contextBlob;
};
void marshal(Writer& w, const TPMS_CONTEXT& v);
void unmarshal(Reader& r, TPMS_CONTEXT& v);

struct TPMS_TAGGED_PROPERTY {
    TPM_PT property = 0;
    std::uint32_t value = 0;
};
// TPMS_CAPABILITY_DATA for the capabilities tpmwire reads; any other
// capability in a response is a decode error naming it.
struct TPMS_CAPABILITY_DATA {
    TPM_CAP capability = TPM_CAP_HANDLES;
    std::vector<TPM_HANDLE> handles;                 // TPM_CAP_HANDLES
    std::vector<TPMS_TAGGED_PROPERTY> tpmProperties; // TPM_CAP_TPM_PROPERTIES
    TPML_PCR_SELECTION assignedPCR;                  // TPM_CAP_PCRS
};
void unmarshal(Reader& r, TPMS_CAPABILITY_DATA& v);

// ---- Authorization area (Part 1 §18.6, Part 2 §10.13) -------------------
struct TPMS_AUTH_COMMAND {
    TPM_HANDLE sessionHandle = TPM_RS_PW;
    TPM2B_NONCE nonce;
    TPMA_SESSION sessionAttributes = 0;
    TPM2B_AUTH hmac;
};
void marshal(Writer& w, const TPMS_AUTH_COMMAND& v);

struct TPMS_AUTH_RESPONSE {
    TPM2B_NONCE nonce;
    TPMA_SESSION sessionAttributes = 0;
    TPM2B_AUTH hmac;
};
void unmarshal(Reader& r, TPMS_AUTH_RESPONSE& v);

}  // namespace tpmwire
