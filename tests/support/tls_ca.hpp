// A throwaway TLS certificate authority made with the `openssl` CLI: test
// servers (moto_server, proxies) get certificates from it, and clients trust
// only its certificate (AWS_CA_BUNDLE / ca_file). EC P-256 keys, valid for
// two days, written into a directory the caller owns (a test::temp_dir).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace test {

struct tls_cert {
    std::filesystem::path cert;  // PEM certificate
    std::filesystem::path key;   // PEM private key (unencrypted)
};

class tls_ca {
public:
    // Creates <dir>/<name>.pem and <dir>/<name>.key. Throws std::runtime_error.
    explicit tls_ca(std::filesystem::path dir, std::string name = "test-ca");

    const std::filesystem::path& cert() const { return ca_.cert; }
    const std::filesystem::path& key() const { return ca_.key; }

    // A server certificate (CN = first DNS name, or the name) with
    // subjectAltName = the DNS names and IP addresses, EKU serverAuth.
    tls_cert issue_server(const std::string& name, const std::vector<std::string>& dns_names = {"localhost"},
                          const std::vector<std::string>& ip_addresses = {"127.0.0.1"}) const;

private:
    std::filesystem::path dir_;
    tls_cert ca_;
};

}  // namespace test
