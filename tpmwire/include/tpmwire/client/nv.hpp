// Reading NV indices through the client: the public area (its name checked
// against the one tpmwire computes), the most one TPM2_NV_Read returns, and
// a whole index read in pieces of at most that.
#pragma once

#include "tpmwire/client/client.hpp"
#include "tpmwire/sessions/name.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace tpmwire {

// One TPM2_NV_Read of a whole-index read.
struct nv_piece {
    std::uint16_t offset = 0;
    std::uint16_t size = 0;
    friend bool operator==(const nv_piece&, const nv_piece&) = default;
};

// The reads that cover `size` bytes, in order, each at most `chunk` bytes.
inline std::vector<nv_piece> nv_pieces(std::uint16_t size, std::uint16_t chunk) {
    if (chunk == 0) throw error(errc::usage, "an NV read needs a piece size above 0");
    std::vector<nv_piece> out;
    for (std::uint32_t at = 0; at < size; at += chunk)
        out.push_back({static_cast<std::uint16_t>(at), static_cast<std::uint16_t>(std::min<std::uint32_t>(chunk, size - at))});
    return out;
}

namespace detail {
inline std::string nv_handle_text(TPM_HANDLE h) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08X", h);
    return text;
}
}  // namespace detail

// TPM2_NV_ReadPublic of `index`, refusing an answer for another index or
// whose name is not the one its public area gives (errc::integrity). An
// undefined index is the TPM's TPM_RC_HANDLE (errc::tpm).
inline net::awaitable<TPMS_NV_PUBLIC> nv_read_public(client& tpm, TPM_HANDLE index) {
    const NV_ReadPublic read{NamedHandle(index)};
    auto rsp = co_await tpm.execute(read);
    const TPMS_NV_PUBLIC& pub = rsp.nvPublic.nvPublic;
    if (pub.nvIndex != index || nv_name(pub) != rsp.nvName)
        throw error(errc::integrity, "TPM2_NV_ReadPublic: the TPM's answer for NV index " + detail::nv_handle_text(index) +
                                         " names another index or does not match its own name: refusing it",
                    0, TPM_CC_NV_ReadPublic);
    co_return pub;
}

// TPM_PT_NV_BUFFER_MAX (one GetCapability), or 1024 when the TPM does not
// report it; never more than MAX_NV_BUFFER_SIZE, what tpmwire accepts.
inline net::awaitable<std::uint16_t> nv_buffer_max(client& tpm) {
    const GetCapability cap{TPM_CAP_TPM_PROPERTIES, TPM_PT_NV_BUFFER_MAX, 1};
    auto rsp = co_await tpm.execute(cap);
    std::uint32_t most = 1024;
    for (const auto& p : rsp.capabilityData.tpmProperties)
        if (p.property == TPM_PT_NV_BUFFER_MAX && p.value > 0) most = p.value;
    co_return static_cast<std::uint16_t>(std::min<std::uint32_t>(most, MAX_NV_BUFFER_SIZE));
}

// The dataSize bytes of the index `pub` describes, in TPM2_NV_Reads of at
// most `chunk` bytes, authorized by the empty password of the index itself
// (TPMA_NV_AUTHREAD) or else of the owner (TPMA_NV_OWNERREAD), as EK
// certificate indices allow. Throws errc::usage for an index readable only
// otherwise, errc::marshal for a piece of the wrong size.
inline net::awaitable<bytes> nv_read(client& tpm, const TPMS_NV_PUBLIC& pub, std::uint16_t chunk) {
    TPM_HANDLE auth = pub.nvIndex;
    if (!(pub.attributes & TPMA_NV_AUTHREAD)) auth = TPM_RH_OWNER;
    if (!(pub.attributes & (TPMA_NV_AUTHREAD | TPMA_NV_OWNERREAD)))
        throw error(errc::usage, "NV index " + detail::nv_handle_text(pub.nvIndex) +
                                     " is readable neither with its own authorization nor the owner's");
    bytes out;
    out.reserve(pub.dataSize);
    const std::vector<nv_piece> pieces = nv_pieces(pub.dataSize, chunk);
    for (const nv_piece& piece : pieces) {
        NV_Read read;
        read.authHandle = AuthHandle(auth);
        read.nvIndex = NamedHandle(pub.nvIndex);
        read.size = piece.size;
        read.offset = piece.offset;
        auto rsp = co_await tpm.execute(read);
        if (rsp.data.size() != piece.size)
            throw error(errc::marshal, "TPM2_NV_Read returned " + std::to_string(rsp.data.size()) + " bytes at offset " +
                                           std::to_string(piece.offset) + " of NV index " +
                                           detail::nv_handle_text(pub.nvIndex) + ", asked for " +
                                           std::to_string(piece.size), 0, TPM_CC_NV_Read);
        out.insert(out.end(), rsp.data.buffer.begin(), rsp.data.buffer.end());
    }
    co_return out;
}

}  // namespace tpmwire
