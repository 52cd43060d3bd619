// libFuzzer harness for TPM response decoding: every response type tpmwire
// reads, with and without a password session in the authorization area.
// Any exception other than tpmwire::error, and any sanitizer report, is a bug.
#include "tpmwire/commands/commands.hpp"

#include <cstddef>
#include <cstdint>

namespace {

template <class C>
void decode_as(tpmwire::bytes_view rsp, bool with_session) {
    std::vector<tpmwire::Session*> sessions;
    if (with_session) sessions.push_back(&tpmwire::empty_password());
    try {
        (void)tpmwire::decode(C{}, rsp, sessions);
    } catch (const tpmwire::error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    // The first byte picks the response type (bits 0-4; bit 7: a session), the
    // rest is the response.
    const std::uint8_t pick = data[0];
    tpmwire::bytes_view rsp(data + 1, size - 1);
    bool session = pick & 0x80;
    switch (pick & 0x1F) {
        case 0: decode_as<tpmwire::GetCapability>(rsp, session); break;
        case 1: decode_as<tpmwire::ReadPublic>(rsp, session); break;
        case 2: decode_as<tpmwire::CreatePrimary>(rsp, session); break;
        case 3: decode_as<tpmwire::Create>(rsp, session); break;
        case 4: decode_as<tpmwire::Load>(rsp, session); break;
        case 5: decode_as<tpmwire::HMAC>(rsp, session); break;
        case 6: decode_as<tpmwire::SequenceComplete>(rsp, session); break;
        case 7: decode_as<tpmwire::ContextSave>(rsp, session); break;
        case 8: decode_as<tpmwire::PCR_Read>(rsp, session); break;
        case 9: decode_as<tpmwire::StartAuthSession>(rsp, session); break;
        case 10: decode_as<tpmwire::PolicySecret>(rsp, session); break;
        case 11: decode_as<tpmwire::PolicyGetDigest>(rsp, session); break;
        case 12: decode_as<tpmwire::HMAC_Start>(rsp, session); break;
        case 13: decode_as<tpmwire::Import>(rsp, session); break;
        case 14: decode_as<tpmwire::ContextLoad>(rsp, session); break;
        case 16: decode_as<tpmwire::NV_ReadPublic>(rsp, session); break;
        case 17: decode_as<tpmwire::NV_Read>(rsp, session); break;
        default: decode_as<tpmwire::GetRandom>(rsp, session); break;
    }
    return 0;
}
