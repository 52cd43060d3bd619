#include "server/secrets.hpp"

#include "base/error.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace atpc::server {

tpmwire::secret_string random_token() {
    tpmwire::bytes raw(32);
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
        throw error(fault::internal, "no randomness for a token (OpenSSL RAND_bytes failed)");
    // Base64 straight into wiped storage (EVP_EncodeBlock adds a NUL).
    tpmwire::secret_string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), raw.data(), static_cast<int>(raw.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool same_secret(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace atpc::server
