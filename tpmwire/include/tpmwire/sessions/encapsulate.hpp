// Secret sharing with a TPM key ("labeled encapsulation"; Part 1, "Secret
// Sharing" in Annex B for RSA and Annex C for ECC): the caller picks a seed
// that only the holder of the key's private part can recover. Used with label
// "SECRET" for the salt of a salted StartAuthSession, "DUPLICATE" for the
// seed of an Import, "IDENTITY" for MakeCredential.
//
//   ECC: an ephemeral key on the TPM key's curve; Z = x(ECDH); the seed is
//        KDFe(nameAlg, Z, label, ephemeral.x, key.x, digest bits) and the
//        ciphertext the marshalled ephemeral TPMS_ECC_POINT (coordinates
//        padded to the curve size). Curves P-256, P-384, P-521.
//   RSA: a random seed of the hash's size encrypted with RSA-OAEP, label =
//        the label with its NUL. The hash (OAEP, MGF1 and seed size) is the
//        key's OAEP scheme hash when it has one, else its nameAlg.
//        RSA 1024 to 4096 bits.
//
// The key must be a decryption key. Every failure is a tpmwire::error:
// errc::usage for a key that cannot be used this way, errc::crypto for a
// public key that is not valid (point off the curve, bad modulus) or an
// OpenSSL failure. The seed is secret; it is held in a wiping buffer.
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/types.hpp"

#include <string_view>

namespace tpmwire {

struct encapsulated_secret {
    bytes seed;                         // the salt or seed (secret)
    TPM2B_ENCRYPTED_SECRET ciphertext;  // what to send to the TPM
};

// Labels are given without their NUL ("SECRET", "DUPLICATE").
encapsulated_secret encapsulate(const TPMT_PUBLIC& key, std::string_view label);

// Deterministic forms behind encapsulate(), for known-answer tests; never use
// them with fixed inputs in production.
// ECC with a given ephemeral private scalar (big-endian, 1 <= d < order).
encapsulated_secret encapsulate_ecc(const TPMT_PUBLIC& key, std::string_view label,
                                    bytes_view ephemeral_private_scalar);
// RSA-OAEP of `secret` with a given OAEP seed (both of the hash's size).
encapsulated_secret encapsulate_rsa(const TPMT_PUBLIC& key, std::string_view label, bytes_view secret,
                                    bytes_view oaep_seed);

}  // namespace tpmwire
