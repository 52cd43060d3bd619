#include "tpmwire/sessions/name.hpp"

#include "tpmwire/sessions/hash.hpp"

namespace tpmwire {

namespace {

// nameAlg || H_nameAlg(the marshalled public area).
TPM2B_NAME name_of(TPMI_ALG_HASH name_alg, const bytes& area) {
    Writer w;
    w.u16(name_alg);
    w.raw(hash(name_alg, {area}));
    return TPM2B_NAME(w.take());
}

}  // namespace

TPM2B_NAME object_name(const TPMT_PUBLIC& publicArea) {
    return name_of(publicArea.nameAlg, marshal_to_bytes(publicArea));
}

TPM2B_NAME nv_name(const TPMS_NV_PUBLIC& nvPublic) { return name_of(nvPublic.nameAlg, marshal_to_bytes(nvPublic)); }

TPM2B_NAME handle_name(TPM_HANDLE handle) {
    switch (handle_type(handle)) {
        case TPM_HT_PCR:
        case TPM_HT_HMAC_SESSION:
        case TPM_HT_POLICY_SESSION:
        case TPM_HT_PERMANENT: {
            Writer w;
            w.u32(handle);
            return TPM2B_NAME(w.take());
        }
        default:
            throw error(errc::usage, "the name of an object or NV index comes from its public area, not its handle");
    }
}

}  // namespace tpmwire
