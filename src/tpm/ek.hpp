// The endorsement keys (EKs) a TPM presents, and their certificates in NV.
// Three kinds, in the order a salt key is preferred (ECDH costs a TPM less
// than an RSA decryption):
//   ECC P-256  persistent at 0x81010002 (templates L-2, H-3), or made from
//              template L-2; certificate at NV 0x01C0000A;
//   ECC P-384  swtpm_setup's, persistent at 0x81010016 (H-4) only;
//              certificate at NV 0x01C00016;
//   RSA-2048   persistent at 0x81010001 (L-1), or made from template L-1;
//              certificate at NV 0x01C00002.
// An EK's name is computed here from the public area the TPM presents; a
// certificate (ekcert/) is trusted only when its key is that area's key.
#pragma once

#include "ekcert/ek_certificate.hpp"
#include "tpm/parent.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atpc::tpm {

// The pin role (files/pins.hpp) of an EK import verified or was told to
// trust (import_trust.hpp); the credential flow adopts a persistent one as
// its salt key on its first run (salt.hpp).
inline constexpr std::string_view ek_pin_role = "ek";

struct ek_slot {
    std::string_view label;                 // "RSA", "ECC P-256", "ECC P-384"
    tpmwire::TPM_HANDLE persistent = 0;     // where provisioning leaves it
    tpmwire::TPM_HANDLE certificate = 0;    // the NV index of its certificate
    std::string_view template_name;         // made from this template when not persistent; empty: never made
};

// ECC P-256, ECC P-384, RSA.
std::span<const ek_slot> ek_slots();
const ek_slot& rsa_ek_slot();

struct endorsement_key_found {
    const ek_slot* slot = nullptr;
    tpm_key key;  // persistent, or a transient primary the client flushes
    // Where it is and what it is, as a pin records it ("0x81010002 ECC
    // endorsement key (TCG template L-2)", "L-1 RSA endorsement key (made
    // from its TCG template, not persistent)"): the first word locates it.
    std::string what;
};

// The EK of `slot` as the TPM presents it: the persistent one when its
// public area is of that kind's templates; else, with `create` and a
// template, one made now under the endorsement hierarchy (its password
// salted to a null-hierarchy key, sessions.hpp); else nullopt.
boost::asio::awaitable<std::optional<endorsement_key_found>> present_ek(tpmwire::client& tpm, progress& p,
                                                                        const ek_slot& slot,
                                                                        tpmwire::bytes_view endorsement_auth,
                                                                        bool create);

// The DER certificate in the slot's NV index, nullopt when the index is not
// defined (or never written). `nv_buffer` caches TPM_PT_NV_BUFFER_MAX
// across calls (read once, with the first certificate).
boost::asio::awaitable<std::optional<ekcert::certificate>> read_ek_certificate(
    tpmwire::client& tpm, progress& p, const ek_slot& slot, std::optional<std::uint16_t>& nv_buffer);

// --tpm-session-encrypt-with-name: the EK whose computed name is `name`,
// persistent ones first, then made from L-1 and L-2 (one at a time, each
// flushed when it is not the one). Throws atpc::error naming `refused` as
// what is refused when no EK has that name.
boost::asio::awaitable<endorsement_key_found> named_ek(tpmwire::client& tpm, progress& p,
                                                       tpmwire::bytes_view endorsement_auth,
                                                       const tpmwire::bytes& name, const std::string& refused);

// --ek-ca: the EK of the first kind whose certificate verifies against
// `cas` (chain, validity, extended key usage). Throws atpc::error when no
// certificate verifies (saying why for each), and when a verified
// certificate's key is not the key of the EK the TPM presents: the salt
// would not be encrypted to the certified key.
boost::asio::awaitable<endorsement_key_found> certified_ek(tpmwire::client& tpm, progress& p,
                                                           tpmwire::bytes_view endorsement_auth,
                                                           const ekcert::ca_bundle& cas, const std::string& refused);

// The first persistent EK (one GetCapability lists them), else the RSA EK
// made from template L-1.
boost::asio::awaitable<endorsement_key_found> first_ek(tpmwire::client& tpm, progress& p,
                                                       tpmwire::bytes_view endorsement_auth);

// Whether ek_at() understands `where`.
bool ek_locatable(std::string_view where);

// The EK a pin's `what` locates by its first word: a persistent handle
// ("0x81010002"), or a template it is made from ("L-1", "L-2"); nullopt
// when no key is at that handle. Throws atpc::error(fault::config) for
// any other word.
boost::asio::awaitable<std::optional<endorsement_key_found>> ek_at(tpmwire::client& tpm, progress& p,
                                                                   std::string_view where,
                                                                   tpmwire::bytes_view endorsement_auth);

// "0x81010002 ECC endorsement key (TCG template L-2)", or empty when the
// public area is of no EK template.
std::string describe_ek(tpmwire::TPM_HANDLE h, const tpmwire::TPMT_PUBLIC& pub);

}  // namespace atpc::tpm
