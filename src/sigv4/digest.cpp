#include "sigv4/digest.hpp"

#include "base/error.hpp"

#include "tpmwire/error.hpp"
#include "tpmwire/sessions/hash.hpp"

namespace atpc::sigv4 {

std::string sha256_hex(std::string_view data) {
    try {
        return tpmwire::to_hex(tpmwire::hash(tpmwire::TPM_ALG_SHA256, {tpmwire::as_bytes(data)}));
    } catch (const tpmwire::error& e) {
        throw error(fault::internal, std::string("SigV4 hashing failed: ") + e.what());
    }
}

tpmwire::bytes hmac_sha256(tpmwire::bytes_view key, std::string_view data) {
    try {
        return tpmwire::hmac(tpmwire::TPM_ALG_SHA256, key, {tpmwire::as_bytes(data)});
    } catch (const tpmwire::error& e) {
        throw error(fault::internal, std::string("SigV4 HMAC failed: ") + e.what());
    }
}

}  // namespace atpc::sigv4
