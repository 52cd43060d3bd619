// Names of TPM entities (Part 1 §16): the identity that cpHash, rpHash and
// policies bind to. An object's name is nameAlg || H_nameAlg(TPMT_PUBLIC), an
// NV index's nameAlg || H_nameAlg(TPMS_NV_PUBLIC);
// a permanent handle, PCR or session is named by its 4-byte handle.
//
// tpmwire computes names itself from the public area, so a caller can check
// what a TPM reports instead of trusting it.
#pragma once

#include "tpmwire/marshal/types.hpp"

namespace tpmwire {

TPM2B_NAME object_name(const TPMT_PUBLIC& publicArea);
// An NV index's name: nameAlg || H_nameAlg(TPMS_NV_PUBLIC). It changes when
// the index's attributes do (TPMA_NV_WRITTEN after the first write).
TPM2B_NAME nv_name(const TPMS_NV_PUBLIC& nvPublic);
// Name of a handle whose name is the handle itself (TPM_HT_PERMANENT,
// TPM_HT_PCR, sessions). Throws errc::usage for objects and NV indices,
// whose names need their public areas.
TPM2B_NAME handle_name(TPM_HANDLE handle);

}  // namespace tpmwire
