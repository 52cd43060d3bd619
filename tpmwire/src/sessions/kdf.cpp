#include "tpmwire/sessions/kdf.hpp"

#include "tpmwire/error.hpp"
#include "tpmwire/marshal/types.hpp"
#include "tpmwire/sessions/hash.hpp"

#include <array>
#include <string>

namespace tpmwire {

namespace {

// A TPM2B cannot carry more than this; nothing legitimate asks for more.
constexpr std::uint32_t max_bits = 0xFFFFu * 8;

std::array<byte, 4> be32(std::uint32_t v) {
    return {static_cast<byte>(v >> 24), static_cast<byte>(v >> 16), static_cast<byte>(v >> 8),
            static_cast<byte>(v)};
}

// The label followed by exactly one NUL.
bytes nul_terminated(std::string_view label) {
    bytes out = to_bytes(label);
    if (out.empty() || out.back() != 0) out.push_back(0);
    return out;
}

void check_args(const char* kdf, TPMI_ALG_HASH hashAlg, std::uint32_t bits) {
    // Checked here too so that a zero-bit request with a bad hash still fails.
    if (digest_size(hashAlg) == 0)
        throw error(errc::crypto, std::string(kdf) + ": hash algorithm " + std::to_string(hashAlg) +
                                      " is not supported");
    if (bits > max_bits)
        throw error(errc::usage, std::string(kdf) + ": " + std::to_string(bits) + " bits requested, at most " +
                                     std::to_string(max_bits) + " allowed");
}

// Cuts the concatenated blocks to ceil(bits/8) bytes and clears the unused
// high bits of the first byte.
void truncate(bytes& out, std::uint32_t bits) {
    out.resize((bits + 7) / 8);
    if (bits % 8 != 0) out[0] &= static_cast<byte>((1u << (bits % 8)) - 1);
}

// Runs block(counter) for counter = 1, 2, ... until bits are covered.
template <class Block>
bytes counter_mode(std::uint32_t bits, Block&& block) {
    bytes out;
    out.reserve((bits + 7) / 8 + MAX_DIGEST_SIZE);
    for (std::uint32_t i = 1; out.size() * 8 < bits; ++i) {
        bytes b = block(be32(i));
        out.insert(out.end(), b.begin(), b.end());
    }
    truncate(out, bits);
    return out;
}

}  // namespace

bytes KDFa(TPMI_ALG_HASH hashAlg, bytes_view key, std::string_view label, bytes_view contextU,
           bytes_view contextV, std::uint32_t bits) {
    check_args("KDFa", hashAlg, bits);
    const bytes l = nul_terminated(label);
    const auto size = be32(bits);
    return counter_mode(bits, [&](const std::array<byte, 4>& counter) {
        return hmac(hashAlg, key, {counter, l, contextU, contextV, size});
    });
}

bytes KDFe(TPMI_ALG_HASH hashAlg, bytes_view z, std::string_view label, bytes_view partyUInfo,
           bytes_view partyVInfo, std::uint32_t bits) {
    check_args("KDFe", hashAlg, bits);
    const bytes l = nul_terminated(label);
    return counter_mode(bits, [&](const std::array<byte, 4>& counter) {
        return hash(hashAlg, {counter, z, l, partyUInfo, partyVInfo});
    });
}

}  // namespace tpmwire
