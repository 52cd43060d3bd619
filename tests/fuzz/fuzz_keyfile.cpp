// libFuzzer harness for the key file reader (PEM and DER). Any exception
// other than tpmwire::error, and any sanitizer report, is a bug. A parsed
// key must also survive the writer and read back equal.
#include "tpmwire/keyfile/keyfile.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tpmwire::tss2_private_key key;
    try {
        key = tpmwire::parse_tss2_key(tpmwire::bytes_view(data, size));
    } catch (const tpmwire::error&) {
        return 0;
    }
    // Whatever the reader accepts, the writer must write and the reader must
    // read back unchanged.
    if (tpmwire::parse_tss2_key_der(tpmwire::to_der(key)) != key) std::abort();
    if (tpmwire::parse_tss2_key_pem(tpmwire::to_pem(key)) != key) std::abort();
    return 0;
}
