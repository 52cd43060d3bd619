#include "tpmwire/sessions/name.hpp"

#include "tpmwire/sessions/hash.hpp"

namespace tpmwire {

TPM2B_NAME object_name(const TPMT_PUBLIC& publicArea) {
    bytes area = marshal_to_bytes(publicArea);
    bytes digest = hash(publicArea.nameAlg, {area});
    Writer w;
    w.u16(publicArea.nameAlg);
    w.raw(digest);
    return TPM2B_NAME(w.take());
}

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
