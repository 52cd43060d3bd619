// Offline policy-digest calculator (TPM 2.0 Part 3 §23): computes the
// policyDigest a policy session reaches after a sequence of policy commands,
// without a TPM, e.g. to build an object's authPolicy or to check that a
// session is about to satisfy it.
//
// Each method applies the update rule of the matching TPM2_Policy* command:
//   pcr                 H(old || TPM_CC_PolicyPCR || TPML_PCR_SELECTION || pcrDigest)
//   auth_value,password H(old || TPM_CC_PolicyAuthValue)   (both use 0x16B)
//   command_code        H(old || TPM_CC_PolicyCommandCode || code)
//   secret              PolicyUpdate: H(H(old || TPM_CC_PolicySecret || authName) || policyRef)
//   or_                 H(0...0 || TPM_CC_PolicyOR || digest_1 || ... || digest_n)
//   duplication_select  H(old || TPM_CC_PolicyDuplicationSelect || [objectName ||] newParentName || includeObject)
// Command codes are big-endian 32-bit; names are hashed without their size.
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/types.hpp"

#include <vector>

namespace tpmwire {

class policy_digest {
public:
    // Starts at all zeros of the hash's size (a fresh or restarted session).
    explicit policy_digest(TPMI_ALG_HASH hashAlg = TPM_ALG_SHA256);

    // pcrDigest = H_hashAlg(values of the selected PCRs, in selection order);
    // see pcr_digest().
    policy_digest& pcr(const TPML_PCR_SELECTION& pcrs, bytes_view pcrDigest);
    policy_digest& auth_value();
    // TPM2_PolicyPassword extends with TPM_CC_PolicyAuthValue, so the two
    // policies are interchangeable (Part 3, TPM2_PolicyPassword).
    policy_digest& password();
    policy_digest& command_code(TPM_CC code);
    policy_digest& secret(const TPM2B_NAME& authObjectName, bytes_view policyRef = {});
    // Replaces the digest: a PolicyOR of 2 to 8 branch digests, each of this
    // calculator's hash size. The TPM also requires the current digest to be
    // one of the branches; the calculator does not check it.
    policy_digest& or_(const std::vector<bytes>& branches);
    // objectName is only hashed when includeObject is true.
    policy_digest& duplication_select(const TPM2B_NAME& newParentName, const TPM2B_NAME& objectName,
                                      bool includeObject);
    // Back to all zeros (TPM2_PolicyRestart).
    policy_digest& reset();

    const bytes& digest() const { return digest_; }
    TPMI_ALG_HASH hash_alg() const { return alg_; }

private:
    void extend(TPM_CC code, std::initializer_list<bytes_view> parts);
    TPMI_ALG_HASH alg_;
    bytes digest_;
};

// H_hashAlg(value_0 || value_1 || ...): the pcrDigest argument of PolicyPCR
// for PCR values listed in selection order (banks in list order, ascending
// index within a bank). hashAlg is the policy's hash; the values are digests
// of their own banks' hashes and may be of another size.
bytes pcr_digest(TPMI_ALG_HASH hashAlg, const std::vector<bytes>& pcrValues);

}  // namespace tpmwire
