// Helpers shared by the key file tests: the tpm2-tools fixtures, a tiny DER
// builder that is independent of the library's writer (so tests do not
// check the writer against itself), and OpenSSL's asn1parse as an oracle.
#pragma once

#include "tpmwire/bytes.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace kftest {

// The PEM files made by tpm2-tools 5.4 (see tests/data/keyfiles/README.md).
extern const std::vector<std::string> tool_files;

std::string data_path(const std::string& name);
std::string read_text(const std::string& path);
tpmwire::bytes read_bytes(const std::string& path);

// DER of a fixture, decoded by `openssl asn1parse -out` (not by our base64).
tpmwire::bytes openssl_der(const std::string& pem_path);
// Runs `openssl asn1parse -inform DER` on der; returns its exit status and
// fills `out` with what it printed.
int openssl_asn1parse(const tpmwire::bytes& der, std::string& out);

// Hand DER: tag, definite minimal length, content.
tpmwire::bytes tlv(std::uint8_t tag, const tpmwire::bytes& content);
tpmwire::bytes cat(std::initializer_list<tpmwire::bytes> parts);
tpmwire::bytes raw(std::initializer_list<int> bytes);

// A TSS2 key in hand DER with the given pieces (each a complete element,
// or empty to leave it out): type OID content, optional fields already
// wrapped, parent INTEGER content, pubkey and privkey OCTET STRING content.
tpmwire::bytes key_der(const tpmwire::bytes& oid, const tpmwire::bytes& optional_fields,
                       const tpmwire::bytes& parent, const tpmwire::bytes& pub, const tpmwire::bytes& priv);
// A small valid KEYEDHASH HMAC-SHA256 TPM2B_PUBLIC and a 4-byte TPM2B_PRIVATE.
tpmwire::bytes small_pub();
tpmwire::bytes small_priv();
extern const tpmwire::bytes oid_loadable;

}  // namespace kftest
