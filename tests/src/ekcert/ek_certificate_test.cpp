// EK certificates: swtpm_setup's real ones against its local CA and the EKs
// tpm2-tools reads (names, public keys as openssl prints them), and
// certificates minted here for what a TPM's rarely shows: expiry, another
// extended key usage, padding after the DER, a key of the wrong kind.
#include "base/error.hpp"
#include "ekcert/ek_certificate.hpp"

#include "support/process.hpp"
#include "support/swtpm.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include "tpmwire/keyfile/templates.hpp"

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <iterator>

using namespace atpc::ekcert;
using namespace tpmwire;

namespace {

bytes file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string run_ok(const std::vector<std::string>& argv) {
    auto r = test::run(argv);
    INFO(r.describe());
    REQUIRE(r.ok());
    return r.out;
}

// A CA and the certificates it issues, made with OpenSSL here.
struct mint {
    test::temp_dir dir{"atpc-ekcert"};
    EVP_PKEY* ca_key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    X509* ca = issue(ca_key, nullptr, 0, 3650, {}, true);
    ~mint() {
        X509_free(ca);
        EVP_PKEY_free(ca_key);
    }

    // A certificate of `key` valid from `from` to `to` days from now, with
    // extended key usage `eku` (none when empty), issued by the CA (self-signed when none yet).
    X509* issue(EVP_PKEY* key, X509* issuer, long from, long to, const std::string& eku, bool is_ca = false) {
        X509* x = X509_new();
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), is_ca ? 1 : 2);
        X509_gmtime_adj(X509_getm_notBefore(x), from * 86400);
        X509_gmtime_adj(X509_getm_notAfter(x), to * 86400);
        X509_set_pubkey(x, key);
        X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(is_ca ? "test EK CA" : "unknown"), -1, -1, 0);
        X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(x));
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
        auto add = [&](int nid, const char* value) {
            X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
            REQUIRE(ext);
            X509_add_ext(x, ext, -1);
            X509_EXTENSION_free(ext);
        };
        add(NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
        if (is_ca) add(NID_key_usage, "critical,keyCertSign");
        if (!eku.empty()) add(NID_ext_key_usage, eku.c_str());
        REQUIRE(X509_sign(x, is_ca ? key : ca_key, EVP_sha256()) > 0);
        return x;
    }

    certificate leaf(EVP_PKEY* key, long from, long to, const std::string& eku) {
        X509* x = issue(key, ca, from, to, eku);
        unsigned char* der = nullptr;
        const int n = i2d_X509(x, &der);
        bytes b(der, der + n);
        OPENSSL_free(der);
        X509_free(x);
        return certificate::from_der(b, "the minted certificate");
    }

    std::string ca_file() {
        const auto path = dir.path() / "ca.pem";
        FILE* f = std::fopen(path.c_str(), "w");
        PEM_write_X509(f, ca);
        std::fclose(f);
        return path.string();
    }
};

struct rsa_key {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
    ~rsa_key() { EVP_PKEY_free(key); }
};

}  // namespace

TEST_CASE("swtpm's EK certificates verify against its local CA and certify the EKs tpm2-tools reads", "[swtpm]") {
    test::swtpm sw(test::swtpm_options{.ek_cert = true});
    const auto localca = sw.ek_cert_dir() / ".." / "localca";
    const auto issuer = (localca / "issuercert.pem").string(), root = (localca / "swtpm-localca-rootca-cert.pem").string();
    const std::string chain = (sw.work_dir() / "chain.pem").string();
    std::ofstream(chain) << std::ifstream(issuer).rdbuf() << std::ifstream(root).rdbuf();

    struct kind {
        std::string file, handle;
        TPMT_PUBLIC templ;
    };
    for (const kind& k : {kind{"ek-rsa2048.crt", "0x81010001", ek_rsa_template()},
                          kind{"ek-secp384r1.crt", "0x81010016", ek_ecc_p384_template()}}) {
        INFO(k.file);
        const auto der = sw.ek_cert_dir() / k.file;
        const certificate cert = certificate::from_der(file_bytes(der), k.file);
        CHECK(cert.issuer() == "CN=swtpm-localca");
        CHECK(verify(cert, ca_bundle::load(chain)).empty());
        CHECK(verify(cert, ca_bundle::load(issuer)).empty());  // an intermediate alone is trusted
        CHECK_THAT(verify(cert, ca_bundle::load(root)), Catch::Contains("unable to get local issuer certificate"));
        CHECK_THAT(verify(cert, ca_bundle::load(test::test_pki().ca_pem)),
                   Catch::Contains("unable to get local issuer certificate") && Catch::Contains("CN=swtpm-localca"));

        // The certified key made with the EK's template has the EK's name, as tpm2-tools computes it.
        sw.require_tool({"tpm2_readpublic", "-c", k.handle, "-n", "ek.name", "-o", "ek.pub"});
        CHECK(ek_template_for(cert) == k.templ);
        const TPMT_PUBLIC area = public_area(cert, k.templ);
        CHECK(to_hex(ek_name(cert, k.templ).buffer) == to_hex(file_bytes(sw.work_dir() / "ek.name")));
        CHECK(ek_name(area) == ek_name(cert, k.templ));
        CHECK(same_key(cert, area));
        CHECK(public_key_pem(area) == run_ok({"openssl", "x509", "-inform", "der", "-in", der.string(), "-pubkey", "-noout"}));
        CHECK(certificate::from_file(der.string()).der() == cert.der());  // DER file
        const auto pem = sw.work_dir() / "cert.pem";
        std::ofstream(pem) << cert.pem();
        CHECK(certificate::from_file(pem.string()).der() == cert.der());  // PEM file
    }
    const certificate rsa = certificate::from_der(file_bytes(sw.ek_cert_dir() / "ek-rsa2048.crt"), "rsa");
    const certificate ecc = certificate::from_der(file_bytes(sw.ek_cert_dir() / "ek-secp384r1.crt"), "ecc");
    CHECK_FALSE(same_key(rsa, public_area(ecc, ek_ecc_p384_template())));
    CHECK_THROWS_WITH(public_area(rsa, ek_ecc_template()), Catch::Contains("another algorithm"));
    CHECK_THROWS_WITH(public_area(ecc, ek_ecc_template()), Catch::Contains("secp384r1, not the template's prime256v1"));
}

TEST_CASE("verification checks the validity of the chain and the extended key usage of an EK certificate") {
    mint m;
    rsa_key k;
    const ca_bundle cas = ca_bundle::load(m.ca_file());
    CHECK(verify(m.leaf(k.key, -1, 30, "2.23.133.8.1"), cas).empty());
    CHECK(verify(m.leaf(k.key, -1, 30, ""), cas).empty());  // many EK certificates carry none
    CHECK_THAT(verify(m.leaf(k.key, -1, 30, "serverAuth"), cas), Catch::Contains("tcg-kp-EKCertificate (2.23.133.8.1)"));
    CHECK_THAT(verify(m.leaf(k.key, -30, -1, "2.23.133.8.1"), cas), Catch::Contains("certificate has expired"));
    CHECK_THAT(verify(m.leaf(k.key, 1, 30, "2.23.133.8.1"), cas), Catch::Contains("certificate is not yet valid"));
    const TPMT_PUBLIC area = public_area(m.leaf(k.key, -1, 30, ""), ek_rsa_template());
    rsa_key other;
    CHECK(same_key(m.leaf(k.key, -1, 30, ""), area));
    CHECK_FALSE(same_key(m.leaf(other.key, -1, 30, ""), area));
    CHECK(ek_template_for(m.leaf(k.key, -1, 30, "")) == ek_rsa_template());
    EVP_PKEY* p256 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    CHECK(ek_template_for(m.leaf(p256, -1, 30, "")) == ek_ecc_template());
    CHECK(same_key(m.leaf(p256, -1, 30, ""), public_area(m.leaf(p256, -1, 30, ""), ek_ecc_template())));
    EVP_PKEY_free(p256);
}

TEST_CASE("a certificate as an NV index holds it, with padding after the DER allowed and anything else refused") {
    mint m;
    rsa_key k;
    const bytes der = m.leaf(k.key, -1, 30, "").der();
    for (byte pad : {byte{0x00}, byte{0xFF}}) {
        bytes padded = der;
        padded.insert(padded.end(), 16, pad);
        CHECK(certificate::from_der(padded, "padded").der() == der);
    }
    bytes trailing = der;
    trailing.push_back(0x01);
    CHECK_THROWS_WITH(certificate::from_der(trailing, "the certificate in NV index 0x01c00002"),
                      Catch::Contains("1 bytes after the certificate that are not padding"));
    CHECK_THROWS_WITH(certificate::from_der(to_bytes("not a certificate"), "the certificate in NV index 0x01c00002"),
                      Catch::StartsWith("the certificate in NV index 0x01c00002 is not a DER X.509 certificate"));
    CHECK_THROWS_WITH(ca_bundle::load(test::test_pki().not_pem), Catch::Contains("holds no PEM certificate"));
    CHECK_THROWS_WITH(ca_bundle::load("/nonexistent/ca.pem"), Catch::Contains("cannot read /nonexistent/ca.pem"));
}
