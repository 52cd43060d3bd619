// Endorsement key certificates (TCG EK Credential Profile): the X.509
// certificate a TPM's manufacturer leaves in NV for each EK, checked against
// the CAs a user trusts (--ek-ca) and tied to the EK public area a TPM
// presents. OpenSSL only: reading them from a TPM is tpm/ek.hpp's.
//
// An EK certificate usually has an empty subject, a critical subjectAltName
// naming the TPM's manufacturer, model and version, key usage
// keyEncipherment (RSA) or keyAgreement (ECC), and the extended key usage
// tcg-kp-EKCertificate (2.23.133.8.1). What makes one trustworthy here:
//   verify()      it chains to a CA of the bundle, every certificate of the
//                 chain is within its validity, and an extended key usage,
//                 when present, includes tcg-kp-EKCertificate;
//   same_key()    its key is exactly the key of the EK public area the TPM
//                 presents, so a session salted to that area is salted to
//                 the certified key (the name is computed from the area).
#pragma once

#include "tpmwire/bytes.hpp"
#include "tpmwire/marshal/types.hpp"

#include <memory>
#include <string>
#include <vector>

struct x509_st;

namespace atpc::ekcert {

class certificate {
public:
    // DER as an NV index holds it: the index may be longer than the
    // certificate, padded with zero (or 0xFF) bytes. `what` names it in
    // messages ("the certificate in NV index 0x01C00002"). Throws
    // atpc::error(fault::tpm) for bytes that are no certificate.
    static certificate from_der(tpmwire::bytes_view der, const std::string& what);
    // A file holding one certificate, PEM or DER (fault::config).
    static certificate from_file(const std::string& path);

    std::string pem() const;
    tpmwire::bytes der() const;
    std::string subject() const;  // RFC 2253; often empty for an EK certificate
    std::string issuer() const;
    const std::string& what() const { return what_; }
    x509_st* get() const { return x509_.get(); }

private:
    std::shared_ptr<x509_st> x509_;
    std::string what_;
};

// The certificates of a PEM file, each trusted as an issuer (an intermediate
// CA alone is enough: X509_V_FLAG_PARTIAL_CHAIN).
class ca_bundle {
public:
    // Throws atpc::error(fault::config) for a file that cannot be read or
    // holds no PEM certificate.
    static ca_bundle load(const std::string& path);
    const std::string& path() const { return path_; }
    const std::vector<std::shared_ptr<x509_st>>& certificates() const { return certs_; }

private:
    std::string path_;
    std::vector<std::shared_ptr<x509_st>> certs_;
};

// Empty when `cert` verifies against `cas`; otherwise one line saying why,
// e.g. "unable to get local issuer certificate (issuer CN=…)".
std::string verify(const certificate& cert, const ca_bundle& cas);

// True when the certificate's key is the key of `pub`: the same RSA modulus
// and exponent, or the same curve and point.
bool same_key(const certificate& cert, const tpmwire::TPMT_PUBLIC& pub);

// `templ` (an EK template) with its unique field set to the certificate's
// key: the public area of the certified EK, whose object name is its name.
// Throws atpc::error(fault::config) when the key does not fit the template
// (algorithm, RSA size or exponent, curve).
tpmwire::TPMT_PUBLIC public_area(const certificate& cert, const tpmwire::TPMT_PUBLIC& templ);

// The EK template a certificate's key is made with, by its kind: RSA-2048
// template L-1, NIST P-256 template L-2, NIST P-384 the high-range template
// swtpm_setup uses (tpmwire::ek_ecc_p384_template). fault::config otherwise.
tpmwire::TPMT_PUBLIC ek_template_for(const certificate& cert);

// The EK's name (nameAlg || H(TPMT_PUBLIC)): of a public area, or of the
// certified key made with `templ` (ek_template_for, unless the TPM's NV says
// otherwise).
tpmwire::TPM2B_NAME ek_name(const tpmwire::TPMT_PUBLIC& pub);
tpmwire::TPM2B_NAME ek_name(const certificate& cert, const tpmwire::TPMT_PUBLIC& templ);

// The SubjectPublicKeyInfo PEM of an RSA or ECC public area: what
// `openssl x509 -pubkey -noout` prints for its certificate.
std::string public_key_pem(const tpmwire::TPMT_PUBLIC& pub);

}  // namespace atpc::ekcert
