// The TPM commands tpmwire speaks: one aggregate per command (Part 3), with
// the command's handles and parameters in spec order and its response as a
// nested type. Field names are the spec's.
//
// Usage (with the coroutine client):
//   const HMAC hmac{.handle = {key, keyName, &session},
//                   .buffer = TPM2B_MAX_BUFFER(data),
//                   .hashAlg = TPM_ALG_SHA256};
//   auto rsp = co_await tpm.execute(hmac);
//
// A command is complete here: traits (command.hpp) sit on its struct, and
// TPMWIRE_COMMANDS at the end lists it for the client's instantiations.
#pragma once

#include "tpmwire/commands/command.hpp"

namespace tpmwire {

inline void marshal(Writer& w, std::int32_t v) { w.u32(static_cast<std::uint32_t>(v)); }
inline void unmarshal(Reader& r, std::int32_t& v) { v = static_cast<std::int32_t>(r.u32("INT32")); }

struct no_response {
    auto handles() { return std::tie(); }
    auto params() { return std::tie(); }
};

// ---- Start-up and capabilities (Part 3 §9, §30) ------------------------------

struct Startup {
    static constexpr TPM_CC command_code = TPM_CC_Startup;
    static constexpr std::string_view name = "TPM2_Startup";
    TPM_SU startupType = TPM_SU_CLEAR;
    auto handles() const { return std::tie(); }
    auto params() const { return std::tie(startupType); }
    using response = no_response;
};

struct GetCapability {
    static constexpr TPM_CC command_code = TPM_CC_GetCapability;
    static constexpr std::string_view name = "TPM2_GetCapability";
    TPM_CAP capability = TPM_CAP_HANDLES;
    std::uint32_t property = 0;
    std::uint32_t propertyCount = 0;
    auto handles() const { return std::tie(); }
    auto params() const { return std::tie(capability, property, propertyCount); }
    struct response {
        std::uint8_t moreData = 0;  // TPMI_YES_NO
        TPMS_CAPABILITY_DATA capabilityData;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(moreData, capabilityData); }
    };
};

struct GetRandom {
    static constexpr TPM_CC command_code = TPM_CC_GetRandom;
    static constexpr std::string_view name = "TPM2_GetRandom";
    std::uint16_t bytesRequested = 0;
    auto handles() const { return std::tie(); }
    auto params() const { return std::tie(bytesRequested); }
    struct response {
        TPM2B_DIGEST randomBytes;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(randomBytes); }
    };
};

// ---- Objects (Part 3 §12, §24, §28) -----------------------------------------

struct ReadPublic {
    static constexpr TPM_CC command_code = TPM_CC_ReadPublic;
    static constexpr std::string_view name = "TPM2_ReadPublic";
    NamedHandle objectHandle;
    auto handles() const { return std::tie(objectHandle); }
    auto params() const { return std::tie(); }
    struct response {
        TPM2B_PUBLIC outPublic;
        TPM2B_NAME name;
        TPM2B_NAME qualifiedName;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(outPublic, name, qualifiedName); }
    };
};

struct CreatePrimary {
    static constexpr TPM_CC command_code = TPM_CC_CreatePrimary;
    static constexpr std::string_view name = "TPM2_CreatePrimary";
    static constexpr bool creates_key = true;  // an RSA primary takes seconds on some TPMs
    AuthHandle primaryHandle{TPM_RH_OWNER};
    TPM2B_SENSITIVE_CREATE inSensitive;
    TPM2B_PUBLIC inPublic;
    TPM2B_DATA outsideInfo;
    TPML_PCR_SELECTION creationPCR;
    auto handles() const { return std::tie(primaryHandle); }
    auto params() const { return std::tie(inSensitive, inPublic, outsideInfo, creationPCR); }
    struct response {
        TPM_HANDLE objectHandle = 0;
        TPM2B_PUBLIC outPublic;
        TPM2B_CREATION_DATA creationData;
        TPM2B_DIGEST creationHash;
        TPMT_TK_CREATION creationTicket;
        TPM2B_NAME name;
        auto handles() { return std::tie(objectHandle); }
        auto params() { return std::tie(outPublic, creationData, creationHash, creationTicket, name); }
    };
};

struct Create {
    static constexpr TPM_CC command_code = TPM_CC_Create;
    static constexpr std::string_view name = "TPM2_Create";
    static constexpr bool creates_key = true;
    AuthHandle parentHandle;
    TPM2B_SENSITIVE_CREATE inSensitive;
    TPM2B_PUBLIC inPublic;
    TPM2B_DATA outsideInfo;
    TPML_PCR_SELECTION creationPCR;
    auto handles() const { return std::tie(parentHandle); }
    auto params() const { return std::tie(inSensitive, inPublic, outsideInfo, creationPCR); }
    struct response {
        TPM2B_PRIVATE outPrivate;
        TPM2B_PUBLIC outPublic;
        TPM2B_CREATION_DATA creationData;
        TPM2B_DIGEST creationHash;
        TPMT_TK_CREATION creationTicket;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(outPrivate, outPublic, creationData, creationHash, creationTicket); }
    };
};

struct Load {
    static constexpr TPM_CC command_code = TPM_CC_Load;
    static constexpr std::string_view name = "TPM2_Load";
    static constexpr bool creates_key = true;  // the TPM checks the private area
    AuthHandle parentHandle;
    TPM2B_PRIVATE inPrivate;
    TPM2B_PUBLIC inPublic;
    auto handles() const { return std::tie(parentHandle); }
    auto params() const { return std::tie(inPrivate, inPublic); }
    struct response {
        TPM_HANDLE objectHandle = 0;
        TPM2B_NAME name;
        auto handles() { return std::tie(objectHandle); }
        auto params() { return std::tie(name); }
    };
};

struct Import {
    static constexpr TPM_CC command_code = TPM_CC_Import;
    static constexpr std::string_view name = "TPM2_Import";
    static constexpr bool creates_key = true;
    AuthHandle parentHandle;
    TPM2B_DATA encryptionKey;
    TPM2B_PUBLIC objectPublic;
    TPM2B_PRIVATE duplicate;
    TPM2B_ENCRYPTED_SECRET inSymSeed;
    TPMT_SYM_DEF_OBJECT symmetricAlg;
    auto handles() const { return std::tie(parentHandle); }
    auto params() const { return std::tie(encryptionKey, objectPublic, duplicate, inSymSeed, symmetricAlg); }
    struct response {
        TPM2B_PRIVATE outPrivate;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(outPrivate); }
    };
};

// ---- HMAC and hash sequences (Part 3 §15, §17) -------------------------------

struct HMAC {
    static constexpr TPM_CC command_code = TPM_CC_HMAC;
    static constexpr std::string_view name = "TPM2_HMAC";
    AuthHandle handle;
    TPM2B_MAX_BUFFER buffer;
    TPMI_ALG_HASH hashAlg = TPM_ALG_NULL;  // NULL: the key's own scheme hash
    auto handles() const { return std::tie(handle); }
    auto params() const { return std::tie(buffer, hashAlg); }
    struct response {
        TPM2B_DIGEST outHMAC;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(outHMAC); }
    };
};

struct HMAC_Start {
    static constexpr TPM_CC command_code = TPM_CC_HMAC_Start;
    static constexpr std::string_view name = "TPM2_HMAC_Start";
    AuthHandle handle;
    TPM2B_AUTH auth;  // the sequence's own authValue
    TPMI_ALG_HASH hashAlg = TPM_ALG_NULL;
    auto handles() const { return std::tie(handle); }
    auto params() const { return std::tie(auth, hashAlg); }
    struct response {
        TPM_HANDLE sequenceHandle = 0;
        auto handles() { return std::tie(sequenceHandle); }
        auto params() { return std::tie(); }
    };
};

struct SequenceUpdate {
    static constexpr TPM_CC command_code = TPM_CC_SequenceUpdate;
    static constexpr std::string_view name = "TPM2_SequenceUpdate";
    AuthHandle sequenceHandle;
    TPM2B_MAX_BUFFER buffer;
    auto handles() const { return std::tie(sequenceHandle); }
    auto params() const { return std::tie(buffer); }
    using response = no_response;
};

struct SequenceComplete {
    static constexpr TPM_CC command_code = TPM_CC_SequenceComplete;
    static constexpr std::string_view name = "TPM2_SequenceComplete";
    AuthHandle sequenceHandle;
    TPM2B_MAX_BUFFER buffer;
    TPM_HANDLE hierarchy = TPM_RH_NULL;
    auto handles() const { return std::tie(sequenceHandle); }
    auto params() const { return std::tie(buffer, hierarchy); }
    std::array<TPM_HANDLE, 1> consumed() const { return {sequenceHandle.handle}; }
    struct response {
        TPM2B_DIGEST result;
        TPMT_TK_HASHCHECK validation;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(result, validation); }
    };
};

// ---- Context management (Part 3 §28) -----------------------------------------

struct FlushContext {
    static constexpr TPM_CC command_code = TPM_CC_FlushContext;
    static constexpr std::string_view name = "TPM2_FlushContext";
    TPM_HANDLE flushHandle = 0;  // a parameter, not a handle, in the spec
    auto handles() const { return std::tie(); }
    auto params() const { return std::tie(flushHandle); }
    std::array<TPM_HANDLE, 1> consumed() const { return {flushHandle}; }
    using response = no_response;
};

struct ContextSave {
    static constexpr TPM_CC command_code = TPM_CC_ContextSave;
    static constexpr std::string_view name = "TPM2_ContextSave";
    NamedHandle saveHandle;
    auto handles() const { return std::tie(saveHandle); }
    auto params() const { return std::tie(); }
    struct response {
        TPMS_CONTEXT context;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(context); }
    };
};

struct ContextLoad {
    static constexpr TPM_CC command_code = TPM_CC_ContextLoad;
    static constexpr std::string_view name = "TPM2_ContextLoad";
    TPMS_CONTEXT context;
    auto handles() const { return std::tie(); }
    auto params() const { return std::tie(context); }
    struct response {
        TPM_HANDLE loadedHandle = 0;
        auto handles() { return std::tie(loadedHandle); }
        auto params() { return std::tie(); }
    };
};

struct EvictControl {
    static constexpr TPM_CC command_code = TPM_CC_EvictControl;
    static constexpr std::string_view name = "TPM2_EvictControl";
    AuthHandle auth{TPM_RH_OWNER};
    NamedHandle objectHandle;
    TPM_HANDLE persistentHandle = 0;
    auto handles() const { return std::tie(auth, objectHandle); }
    auto params() const { return std::tie(persistentHandle); }
    using response = no_response;
};

// ---- PCRs (Part 3 §22) ----------------------------------------------------------

struct PCR_Read {
    static constexpr TPM_CC command_code = TPM_CC_PCR_Read;
    static constexpr std::string_view name = "TPM2_PCR_Read";
    TPML_PCR_SELECTION pcrSelectionIn;
    auto handles() const { return std::tie(); }
    auto params() const { return std::tie(pcrSelectionIn); }
    struct response {
        std::uint32_t pcrUpdateCounter = 0;
        TPML_PCR_SELECTION pcrSelectionOut;
        TPML_DIGEST pcrValues;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(pcrUpdateCounter, pcrSelectionOut, pcrValues); }
    };
};

struct PCR_Extend {
    static constexpr TPM_CC command_code = TPM_CC_PCR_Extend;
    static constexpr std::string_view name = "TPM2_PCR_Extend";
    AuthHandle pcrHandle;
    TPML_DIGEST_VALUES digests;
    auto handles() const { return std::tie(pcrHandle); }
    auto params() const { return std::tie(digests); }
    using response = no_response;
};

// ---- Sessions and policies (Part 3 §11, §23) ---------------------------------------

struct StartAuthSession {
    static constexpr TPM_CC command_code = TPM_CC_StartAuthSession;
    static constexpr std::string_view name = "TPM2_StartAuthSession";
    NamedHandle tpmKey{TPM_RH_NULL};
    NamedHandle bind{TPM_RH_NULL};
    TPM2B_NONCE nonceCaller;
    TPM2B_ENCRYPTED_SECRET encryptedSalt;
    TPM_SE sessionType = TPM_SE_HMAC;
    TPMT_SYM_DEF symmetric;
    TPMI_ALG_HASH authHash = TPM_ALG_SHA256;
    auto handles() const { return std::tie(tpmKey, bind); }
    auto params() const { return std::tie(nonceCaller, encryptedSalt, sessionType, symmetric, authHash); }
    struct response {
        TPM_HANDLE sessionHandle = 0;
        TPM2B_NONCE nonceTPM;
        auto handles() { return std::tie(sessionHandle); }
        auto params() { return std::tie(nonceTPM); }
    };
};

struct PolicyRestart {
    static constexpr TPM_CC command_code = TPM_CC_PolicyRestart;
    static constexpr std::string_view name = "TPM2_PolicyRestart";
    NamedHandle sessionHandle;
    auto handles() const { return std::tie(sessionHandle); }
    auto params() const { return std::tie(); }
    using response = no_response;
};

struct PolicyPCR {
    static constexpr TPM_CC command_code = TPM_CC_PolicyPCR;
    static constexpr std::string_view name = "TPM2_PolicyPCR";
    NamedHandle policySession;
    TPM2B_DIGEST pcrDigest;  // empty: the TPM uses the current values
    TPML_PCR_SELECTION pcrs;
    auto handles() const { return std::tie(policySession); }
    auto params() const { return std::tie(pcrDigest, pcrs); }
    using response = no_response;
};

struct PolicyAuthValue {
    static constexpr TPM_CC command_code = TPM_CC_PolicyAuthValue;
    static constexpr std::string_view name = "TPM2_PolicyAuthValue";
    NamedHandle policySession;
    auto handles() const { return std::tie(policySession); }
    auto params() const { return std::tie(); }
    using response = no_response;
};

struct PolicyPassword {
    static constexpr TPM_CC command_code = TPM_CC_PolicyPassword;
    static constexpr std::string_view name = "TPM2_PolicyPassword";
    NamedHandle policySession;
    auto handles() const { return std::tie(policySession); }
    auto params() const { return std::tie(); }
    using response = no_response;
};

struct PolicyCommandCode {
    static constexpr TPM_CC command_code = TPM_CC_PolicyCommandCode;
    static constexpr std::string_view name = "TPM2_PolicyCommandCode";
    NamedHandle policySession;
    TPM_CC code = 0;
    auto handles() const { return std::tie(policySession); }
    auto params() const { return std::tie(code); }
    using response = no_response;
};

struct PolicySecret {
    static constexpr TPM_CC command_code = TPM_CC_PolicySecret;
    static constexpr std::string_view name = "TPM2_PolicySecret";
    AuthHandle authHandle;
    NamedHandle policySession;
    TPM2B_NONCE nonceTPM;
    TPM2B_DIGEST cpHashA;
    TPM2B_NONCE policyRef;
    std::int32_t expiration = 0;
    auto handles() const { return std::tie(authHandle, policySession); }
    auto params() const { return std::tie(nonceTPM, cpHashA, policyRef, expiration); }
    struct response {
        TPM2B_TIMEOUT timeout;
        TPMT_TK_AUTH policyTicket;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(timeout, policyTicket); }
    };
};

struct PolicyOR {
    static constexpr TPM_CC command_code = TPM_CC_PolicyOR;
    static constexpr std::string_view name = "TPM2_PolicyOR";
    NamedHandle policySession;
    TPML_DIGEST pHashList;
    auto handles() const { return std::tie(policySession); }
    auto params() const { return std::tie(pHashList); }
    using response = no_response;
};

struct PolicyDuplicationSelect {
    static constexpr TPM_CC command_code = TPM_CC_PolicyDuplicationSelect;
    static constexpr std::string_view name = "TPM2_PolicyDuplicationSelect";
    NamedHandle policySession;
    TPM2B_NAME objectName;
    TPM2B_NAME newParentName;
    std::uint8_t includeObject = 0;  // TPMI_YES_NO
    auto handles() const { return std::tie(policySession); }
    auto params() const { return std::tie(objectName, newParentName, includeObject); }
    using response = no_response;
};

struct PolicyGetDigest {
    static constexpr TPM_CC command_code = TPM_CC_PolicyGetDigest;
    static constexpr std::string_view name = "TPM2_PolicyGetDigest";
    NamedHandle policySession;
    auto handles() const { return std::tie(policySession); }
    auto params() const { return std::tie(); }
    struct response {
        TPM2B_DIGEST policyDigest;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(policyDigest); }
    };
};

// ---- NV storage (Part 3 §31) ----------------------------------------------------

// The index's public area and the name the TPM computes for it; tpmwire's
// nv_name() recomputes it, so a caller need not take the TPM's word.
struct NV_ReadPublic {
    static constexpr TPM_CC command_code = TPM_CC_NV_ReadPublic;
    static constexpr std::string_view name = "TPM2_NV_ReadPublic";
    NamedHandle nvIndex;
    auto handles() const { return std::tie(nvIndex); }
    auto params() const { return std::tie(); }
    struct response {
        TPM2B_NV_PUBLIC nvPublic;
        TPM2B_NAME nvName;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(nvPublic, nvName); }
    };
};

// At most TPM_PT_NV_BUFFER_MAX bytes per command: client/nv.hpp reads a
// whole index in pieces. authHandle is the index itself (TPMA_NV_AUTHREAD),
// the owner (TPMA_NV_OWNERREAD) or the platform (TPMA_NV_PPREAD).
struct NV_Read {
    static constexpr TPM_CC command_code = TPM_CC_NV_Read;
    static constexpr std::string_view name = "TPM2_NV_Read";
    AuthHandle authHandle;
    NamedHandle nvIndex;
    std::uint16_t size = 0;
    std::uint16_t offset = 0;
    auto handles() const { return std::tie(authHandle, nvIndex); }
    auto params() const { return std::tie(size, offset); }
    struct response {
        TPM2B_MAX_NV_BUFFER data;
        auto handles() { return std::tie(); }
        auto params() { return std::tie(data); }
    };
};

}  // namespace tpmwire

// Every command above, once: X(name) for each. The client's explicit
// instantiations (client/instances.hpp) are generated from this list.
#define TPMWIRE_COMMANDS(X) \
    X(Startup) X(GetCapability) X(GetRandom) X(ReadPublic) X(CreatePrimary) X(Create) X(Load) X(Import) \
    X(HMAC) X(HMAC_Start) X(SequenceUpdate) X(SequenceComplete) X(FlushContext) X(ContextSave) X(ContextLoad) \
    X(EvictControl) X(PCR_Read) X(PCR_Extend) X(StartAuthSession) X(PolicyRestart) X(PolicyPCR) \
    X(PolicyAuthValue) X(PolicyPassword) X(PolicyCommandCode) X(PolicySecret) X(PolicyOR) \
    X(PolicyDuplicationSelect) X(PolicyGetDigest) X(NV_ReadPublic) X(NV_Read)
