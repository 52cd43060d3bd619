#include "tpmwire/sessions/policy_digest.hpp"

#include "tpmwire/error.hpp"
#include "tpmwire/sessions/hash.hpp"

#include <array>
#include <string>

namespace tpmwire {

namespace {

std::array<byte, 4> be32(std::uint32_t v) {
    return {static_cast<byte>(v >> 24), static_cast<byte>(v >> 16), static_cast<byte>(v >> 8),
            static_cast<byte>(v)};
}

std::size_t checked_size(TPMI_ALG_HASH alg) {
    std::size_t n = digest_size(alg);
    if (n == 0) throw error(errc::usage, "policy digest: hash algorithm " + std::to_string(alg) + " is not supported");
    return n;
}

}  // namespace

policy_digest::policy_digest(TPMI_ALG_HASH hashAlg) : alg_(hashAlg), digest_(checked_size(hashAlg), 0) {}

void policy_digest::extend(TPM_CC code, std::initializer_list<bytes_view> parts) {
    // digest_ || code || parts..., hashed in one pass.
    const auto cc = be32(code);
    bytes input(digest_.begin(), digest_.end());
    input.insert(input.end(), cc.begin(), cc.end());
    for (auto p : parts) input.insert(input.end(), p.begin(), p.end());
    digest_ = hash(alg_, {input});
}

policy_digest& policy_digest::pcr(const TPML_PCR_SELECTION& pcrs, bytes_view pcrDigest) {
    if (pcrDigest.size() != digest_.size())
        throw error(errc::usage, "PolicyPCR: pcrDigest has " + std::to_string(pcrDigest.size()) +
                                     " bytes; the policy hash needs " + std::to_string(digest_.size()));
    Writer w;
    marshal(w, pcrs);
    extend(TPM_CC_PolicyPCR, {w.buffer(), pcrDigest});
    return *this;
}

policy_digest& policy_digest::auth_value() {
    extend(TPM_CC_PolicyAuthValue, {});
    return *this;
}

policy_digest& policy_digest::password() { return auth_value(); }

policy_digest& policy_digest::command_code(TPM_CC code) {
    extend(TPM_CC_PolicyCommandCode, {be32(code)});
    return *this;
}

policy_digest& policy_digest::secret(const TPM2B_NAME& authObjectName, bytes_view policyRef) {
    if (authObjectName.empty()) throw error(errc::usage, "PolicySecret: the authorizing object's name is empty");
    // PolicyUpdate() of Part 3 §23.2: the second hash is done even for an
    // empty policyRef.
    extend(TPM_CC_PolicySecret, {authObjectName.view()});
    digest_ = hash(alg_, {digest_, policyRef});
    return *this;
}

policy_digest& policy_digest::or_(const std::vector<bytes>& branches) {
    if (branches.size() < 2 || branches.size() > 8)
        throw error(errc::usage, "PolicyOR: " + std::to_string(branches.size()) +
                                     " branches given; it takes 2 to 8");
    bytes all;
    for (const auto& b : branches) {
        if (b.size() != digest_.size())
            throw error(errc::usage, "PolicyOR: a branch digest has " + std::to_string(b.size()) +
                                         " bytes; the policy hash needs " + std::to_string(digest_.size()));
        all.insert(all.end(), b.begin(), b.end());
    }
    reset();
    extend(TPM_CC_PolicyOR, {all});
    return *this;
}

policy_digest& policy_digest::duplication_select(const TPM2B_NAME& newParentName, const TPM2B_NAME& objectName,
                                                 bool includeObject) {
    if (newParentName.empty()) throw error(errc::usage, "PolicyDuplicationSelect: the new parent's name is empty");
    if (includeObject && objectName.empty())
        throw error(errc::usage, "PolicyDuplicationSelect: includeObject is set but the object's name is empty");
    const std::array<byte, 1> yes_no{static_cast<byte>(includeObject ? 1 : 0)};
    if (includeObject)
        extend(TPM_CC_PolicyDuplicationSelect, {objectName.view(), newParentName.view(), yes_no});
    else
        extend(TPM_CC_PolicyDuplicationSelect, {newParentName.view(), yes_no});
    return *this;
}

policy_digest& policy_digest::reset() {
    digest_.assign(digest_.size(), 0);
    return *this;
}

bytes pcr_digest(TPMI_ALG_HASH hashAlg, const std::vector<bytes>& pcrValues) {
    checked_size(hashAlg);
    bytes all;
    for (const auto& v : pcrValues) {
        if (v.empty()) throw error(errc::usage, "PolicyPCR: a PCR value is empty");
        all.insert(all.end(), v.begin(), v.end());
    }
    return hash(hashAlg, {all});
}

}  // namespace tpmwire
