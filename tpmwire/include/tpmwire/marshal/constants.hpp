// TPM 2.0 constants, named and valued as in TPM 2.0 Library Part 2
// ("Structures"), so a reader can open the spec beside the code.
#pragma once

#include <cstdint>

namespace tpmwire {

using TPM_CC = std::uint32_t;
using TPM_RC = std::uint32_t;
using TPM_HANDLE = std::uint32_t;
using TPM_ALG_ID = std::uint16_t;
using TPM_ST = std::uint16_t;
using TPM_SE = std::uint8_t;
using TPM_CAP = std::uint32_t;
using TPM_PT = std::uint32_t;
using TPM_ECC_CURVE = std::uint16_t;
using TPM_SU = std::uint16_t;
using TPMA_OBJECT = std::uint32_t;
using TPMA_SESSION = std::uint8_t;
using TPMA_NV = std::uint32_t;
using TPMI_ALG_HASH = TPM_ALG_ID;
using TPMI_DH_PCR = TPM_HANDLE;

// Part 2 §6.5.2 TPM_CC (only the commands tpmwire speaks).
inline constexpr TPM_CC TPM_CC_EvictControl = 0x00000120;
inline constexpr TPM_CC TPM_CC_CreatePrimary = 0x00000131;
inline constexpr TPM_CC TPM_CC_DictionaryAttackLockReset = 0x00000139;
inline constexpr TPM_CC TPM_CC_SequenceComplete = 0x0000013E;
inline constexpr TPM_CC TPM_CC_Startup = 0x00000144;
inline constexpr TPM_CC TPM_CC_NV_Read = 0x0000014E;
inline constexpr TPM_CC TPM_CC_PolicySecret = 0x00000151;
inline constexpr TPM_CC TPM_CC_Create = 0x00000153;
inline constexpr TPM_CC TPM_CC_HMAC = 0x00000155;
inline constexpr TPM_CC TPM_CC_Import = 0x00000156;
inline constexpr TPM_CC TPM_CC_Load = 0x00000157;
inline constexpr TPM_CC TPM_CC_HMAC_Start = 0x0000015B;
inline constexpr TPM_CC TPM_CC_SequenceUpdate = 0x0000015C;
inline constexpr TPM_CC TPM_CC_ContextLoad = 0x00000161;
inline constexpr TPM_CC TPM_CC_ContextSave = 0x00000162;
inline constexpr TPM_CC TPM_CC_FlushContext = 0x00000165;
inline constexpr TPM_CC TPM_CC_NV_ReadPublic = 0x00000169;
inline constexpr TPM_CC TPM_CC_PolicyAuthValue = 0x0000016B;
inline constexpr TPM_CC TPM_CC_PolicyCommandCode = 0x0000016C;
inline constexpr TPM_CC TPM_CC_PolicyOR = 0x00000171;
inline constexpr TPM_CC TPM_CC_ReadPublic = 0x00000173;
inline constexpr TPM_CC TPM_CC_StartAuthSession = 0x00000176;
inline constexpr TPM_CC TPM_CC_GetCapability = 0x0000017A;
inline constexpr TPM_CC TPM_CC_GetRandom = 0x0000017B;
inline constexpr TPM_CC TPM_CC_PCR_Read = 0x0000017E;
inline constexpr TPM_CC TPM_CC_PolicyPCR = 0x0000017F;
inline constexpr TPM_CC TPM_CC_PolicyRestart = 0x00000180;
inline constexpr TPM_CC TPM_CC_PCR_Extend = 0x00000182;
inline constexpr TPM_CC TPM_CC_PolicyDuplicationSelect = 0x00000188;
inline constexpr TPM_CC TPM_CC_PolicyGetDigest = 0x00000189;
inline constexpr TPM_CC TPM_CC_PolicyPassword = 0x0000018C;

// Part 2 §6.9 TPM_ST
inline constexpr TPM_ST TPM_ST_NO_SESSIONS = 0x8001;
inline constexpr TPM_ST TPM_ST_SESSIONS = 0x8002;
inline constexpr TPM_ST TPM_ST_CREATION = 0x8021;
inline constexpr TPM_ST TPM_ST_AUTH_SECRET = 0x8023;
inline constexpr TPM_ST TPM_ST_HASHCHECK = 0x8024;

// Part 2 §6.5 TPM_SU
inline constexpr TPM_SU TPM_SU_CLEAR = 0x0000;
inline constexpr TPM_SU TPM_SU_STATE = 0x0001;

// Part 2 §6.3 TPM_ALG_ID
inline constexpr TPM_ALG_ID TPM_ALG_RSA = 0x0001;
inline constexpr TPM_ALG_ID TPM_ALG_SHA1 = 0x0004;
inline constexpr TPM_ALG_ID TPM_ALG_HMAC = 0x0005;
inline constexpr TPM_ALG_ID TPM_ALG_AES = 0x0006;
inline constexpr TPM_ALG_ID TPM_ALG_KEYEDHASH = 0x0008;
inline constexpr TPM_ALG_ID TPM_ALG_XOR = 0x000A;
inline constexpr TPM_ALG_ID TPM_ALG_SHA256 = 0x000B;
inline constexpr TPM_ALG_ID TPM_ALG_SHA384 = 0x000C;
inline constexpr TPM_ALG_ID TPM_ALG_SHA512 = 0x000D;
inline constexpr TPM_ALG_ID TPM_ALG_NULL = 0x0010;
inline constexpr TPM_ALG_ID TPM_ALG_RSASSA = 0x0014;
inline constexpr TPM_ALG_ID TPM_ALG_RSAES = 0x0015;
inline constexpr TPM_ALG_ID TPM_ALG_RSAPSS = 0x0016;
inline constexpr TPM_ALG_ID TPM_ALG_OAEP = 0x0017;
inline constexpr TPM_ALG_ID TPM_ALG_ECDSA = 0x0018;
inline constexpr TPM_ALG_ID TPM_ALG_ECDH = 0x0019;
inline constexpr TPM_ALG_ID TPM_ALG_ECDAA = 0x001A;
inline constexpr TPM_ALG_ID TPM_ALG_ECSCHNORR = 0x001C;
inline constexpr TPM_ALG_ID TPM_ALG_ECMQV = 0x001D;
inline constexpr TPM_ALG_ID TPM_ALG_KDF1_SP800_56A = 0x0020;
inline constexpr TPM_ALG_ID TPM_ALG_KDF1_SP800_108 = 0x0022;
inline constexpr TPM_ALG_ID TPM_ALG_ECC = 0x0023;
inline constexpr TPM_ALG_ID TPM_ALG_SYMCIPHER = 0x0025;
inline constexpr TPM_ALG_ID TPM_ALG_CFB = 0x0043;

// Part 2 §6.4 TPM_ECC_CURVE
inline constexpr TPM_ECC_CURVE TPM_ECC_NIST_P256 = 0x0003;
inline constexpr TPM_ECC_CURVE TPM_ECC_NIST_P384 = 0x0004;
inline constexpr TPM_ECC_CURVE TPM_ECC_NIST_P521 = 0x0005;

// Part 2 §6.11 TPM_SE
inline constexpr TPM_SE TPM_SE_HMAC = 0x00;
inline constexpr TPM_SE TPM_SE_POLICY = 0x01;
inline constexpr TPM_SE TPM_SE_TRIAL = 0x03;

// Part 2 §6.12 TPM_CAP
inline constexpr TPM_CAP TPM_CAP_ALGS = 0x00000000;
inline constexpr TPM_CAP TPM_CAP_HANDLES = 0x00000001;
inline constexpr TPM_CAP TPM_CAP_COMMANDS = 0x00000002;
inline constexpr TPM_CAP TPM_CAP_PCRS = 0x00000005;
inline constexpr TPM_CAP TPM_CAP_TPM_PROPERTIES = 0x00000006;

// Part 2 §6.13 TPM_PT
inline constexpr TPM_PT PT_FIXED = 0x00000100;
inline constexpr TPM_PT TPM_PT_FAMILY_INDICATOR = PT_FIXED + 0;
inline constexpr TPM_PT TPM_PT_MANUFACTURER = PT_FIXED + 5;
inline constexpr TPM_PT TPM_PT_INPUT_BUFFER = PT_FIXED + 13;
inline constexpr TPM_PT TPM_PT_HR_TRANSIENT_MIN = PT_FIXED + 14;
inline constexpr TPM_PT TPM_PT_MAX_COMMAND_SIZE = PT_FIXED + 30;
inline constexpr TPM_PT TPM_PT_MAX_RESPONSE_SIZE = PT_FIXED + 31;
inline constexpr TPM_PT TPM_PT_MAX_DIGEST = PT_FIXED + 32;
inline constexpr TPM_PT TPM_PT_NV_BUFFER_MAX = PT_FIXED + 44;
inline constexpr TPM_PT PT_VAR = 0x00000200;
inline constexpr TPM_PT TPM_PT_PERMANENT = PT_VAR + 0;
inline constexpr TPM_PT TPM_PT_STARTUP_CLEAR = PT_VAR + 1;
inline constexpr TPM_PT TPM_PT_HR_TRANSIENT_AVAIL = PT_VAR + 7;
inline constexpr TPM_PT TPM_PT_LOCKOUT_COUNTER = PT_VAR + 14;
inline constexpr TPM_PT TPM_PT_MAX_AUTH_FAIL = PT_VAR + 15;
inline constexpr TPM_PT TPM_PT_LOCKOUT_INTERVAL = PT_VAR + 16;
inline constexpr TPM_PT TPM_PT_LOCKOUT_RECOVERY = PT_VAR + 17;

// Part 2 §8.6 TPMA_PERMANENT bits
inline constexpr std::uint32_t TPMA_PERMANENT_inLockout = 1u << 2;

// Part 2 §7.2 TPM_HT (the first byte of a handle)
inline constexpr std::uint8_t TPM_HT_PCR = 0x00;
inline constexpr std::uint8_t TPM_HT_NV_INDEX = 0x01;
inline constexpr std::uint8_t TPM_HT_HMAC_SESSION = 0x02;
inline constexpr std::uint8_t TPM_HT_POLICY_SESSION = 0x03;
inline constexpr std::uint8_t TPM_HT_PERMANENT = 0x40;
inline constexpr std::uint8_t TPM_HT_TRANSIENT = 0x80;
inline constexpr std::uint8_t TPM_HT_PERSISTENT = 0x81;
inline constexpr std::uint8_t handle_type(TPM_HANDLE h) { return static_cast<std::uint8_t>(h >> 24); }

// Part 2 §7.4 TPM_RH
inline constexpr TPM_HANDLE TPM_RH_OWNER = 0x40000001;
inline constexpr TPM_HANDLE TPM_RH_NULL = 0x40000007;
inline constexpr TPM_HANDLE TPM_RS_PW = 0x40000009;
inline constexpr TPM_HANDLE TPM_RH_LOCKOUT = 0x4000000A;
inline constexpr TPM_HANDLE TPM_RH_ENDORSEMENT = 0x4000000B;
inline constexpr TPM_HANDLE TPM_RH_PLATFORM = 0x4000000C;

// Ranges used when listing handles with GetCapability(TPM_CAP_HANDLES).
inline constexpr TPM_HANDLE HR_HMAC_SESSION = 0x02000000;
inline constexpr TPM_HANDLE HR_POLICY_SESSION = 0x03000000;
inline constexpr TPM_HANDLE HR_TRANSIENT = 0x80000000;
inline constexpr TPM_HANDLE HR_PERSISTENT = 0x81000000;

// Part 2 §8.3 TPMA_OBJECT
inline constexpr TPMA_OBJECT TPMA_OBJECT_fixedTPM = 1u << 1;
inline constexpr TPMA_OBJECT TPMA_OBJECT_stClear = 1u << 2;
inline constexpr TPMA_OBJECT TPMA_OBJECT_fixedParent = 1u << 4;
inline constexpr TPMA_OBJECT TPMA_OBJECT_sensitiveDataOrigin = 1u << 5;
inline constexpr TPMA_OBJECT TPMA_OBJECT_userWithAuth = 1u << 6;
inline constexpr TPMA_OBJECT TPMA_OBJECT_adminWithPolicy = 1u << 7;
inline constexpr TPMA_OBJECT TPMA_OBJECT_noDA = 1u << 10;
inline constexpr TPMA_OBJECT TPMA_OBJECT_encryptedDuplication = 1u << 11;
inline constexpr TPMA_OBJECT TPMA_OBJECT_restricted = 1u << 16;
inline constexpr TPMA_OBJECT TPMA_OBJECT_decrypt = 1u << 17;
inline constexpr TPMA_OBJECT TPMA_OBJECT_sign = 1u << 18;

// Part 2 §8.4 TPMA_SESSION
inline constexpr TPMA_SESSION TPMA_SESSION_continueSession = 0x01;
inline constexpr TPMA_SESSION TPMA_SESSION_auditExclusive = 0x02;
inline constexpr TPMA_SESSION TPMA_SESSION_auditReset = 0x04;
inline constexpr TPMA_SESSION TPMA_SESSION_decrypt = 0x20;
inline constexpr TPMA_SESSION TPMA_SESSION_encrypt = 0x40;
inline constexpr TPMA_SESSION TPMA_SESSION_audit = 0x80;

// Part 2 §13.4 TPMA_NV (TPM_NT, bits 4-7, is the index type)
inline constexpr TPMA_NV TPMA_NV_PPWRITE = 1u << 0;
inline constexpr TPMA_NV TPMA_NV_OWNERWRITE = 1u << 1;
inline constexpr TPMA_NV TPMA_NV_AUTHWRITE = 1u << 2;
inline constexpr TPMA_NV TPMA_NV_POLICYWRITE = 1u << 3;
inline constexpr TPMA_NV TPMA_NV_WRITEDEFINE = 1u << 13;
inline constexpr TPMA_NV TPMA_NV_PPREAD = 1u << 16;
inline constexpr TPMA_NV TPMA_NV_OWNERREAD = 1u << 17;
inline constexpr TPMA_NV TPMA_NV_AUTHREAD = 1u << 18;
inline constexpr TPMA_NV TPMA_NV_POLICYREAD = 1u << 19;
inline constexpr TPMA_NV TPMA_NV_NO_DA = 1u << 25;
inline constexpr TPMA_NV TPMA_NV_READLOCKED = 1u << 28;
inline constexpr TPMA_NV TPMA_NV_WRITTEN = 1u << 29;
inline constexpr TPMA_NV TPMA_NV_PLATFORMCREATE = 1u << 30;
// Part 2 §13.2 TPM_NT: an ordinary index holds data (an EK certificate).
inline constexpr std::uint8_t TPM_NT_ORDINARY = 0x0;
inline constexpr std::uint8_t nv_index_type(TPMA_NV a) { return static_cast<std::uint8_t>((a >> 4) & 0xF); }

// Sizes from the reference implementation's configuration; used as upper
// bounds when unmarshalling so a lying size field cannot make us allocate or
// read more than any TPM could legitimately send.
inline constexpr std::size_t MAX_DIGEST_SIZE = 64;        // SHA-512
inline constexpr std::size_t MAX_DIGEST_BUFFER = 1024;
inline constexpr std::size_t MAX_SYM_DATA = 128;
inline constexpr std::size_t MAX_ECC_KEY_BYTES = 66;      // P-521
inline constexpr std::size_t MAX_RSA_KEY_BYTES = 512;     // RSA-4096
inline constexpr std::size_t MAX_CONTEXT_SIZE = 5120;
// TPM2B_MAX_NV_BUFFER: the reference implementation's 1024 doubled, so a
// TPM with a larger TPM_PT_NV_BUFFER_MAX is still read.
inline constexpr std::size_t MAX_NV_BUFFER_SIZE = 2048;
inline constexpr std::size_t MAX_COMMAND_SIZE = 4096;
inline constexpr std::size_t MAX_RESPONSE_SIZE = 4096;
inline constexpr std::size_t MAX_PCR_SELECT_BYTES = 4;     // 32 PCRs
inline constexpr std::size_t IMPLEMENTATION_PCR = 24;

}  // namespace tpmwire
