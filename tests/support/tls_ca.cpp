#include "support/tls_ca.hpp"

#include <stdexcept>
#include <string_view>

#include "support/process.hpp"

namespace test {
namespace {

void openssl(const std::vector<std::string>& args, const std::string& what) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    // OPENSSL_CONF is cleared so a local config cannot change what we make.
    run_result r = run(argv, {{"OPENSSL_CONF", std::nullopt}}, 30s);
    if (!r.ok()) throw std::runtime_error("openssl failed making " + what + ": " + r.describe());
}

}  // namespace

tls_ca::tls_ca(std::filesystem::path dir, std::string name) : dir_(std::move(dir)) {
    ca_ = {dir_ / (name + ".pem"), dir_ / (name + ".key")};
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             ca_.key.string(), "-out", ca_.cert.string(), "-days", "2", "-subj", "/CN=" + name, "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
            "the CA " + name);
}

tls_cert tls_ca::issue_server(const std::string& name, const std::vector<std::string>& dns_names,
                              const std::vector<std::string>& ip_addresses) const {
    std::string san;  // appended piece by piece: g++ 12 -Wrestrict at -O3 (GCC bug 105329)
    auto add = [&san](std::string_view kind, const std::string& value) {
        if (!san.empty()) san += ',';
        san += kind;
        san += value;
    };
    for (const auto& d : dns_names) add("DNS:", d);
    for (const auto& ip : ip_addresses) add("IP:", ip);
    if (san.empty()) throw std::runtime_error("tls_ca::issue_server: no DNS name or IP address for " + name);
    std::string cn = dns_names.empty() ? name : dns_names.front();
    tls_cert out{dir_ / (name + ".pem"), dir_ / (name + ".key")};
    // `req -x509 -CA` (OpenSSL 3.0+) makes key and signed certificate in one run.
    openssl({"req",
             "-x509",
             "-CA",
             ca_.cert.string(),
             "-CAkey",
             ca_.key.string(),
             "-newkey",
             "ec",
             "-pkeyopt",
             "ec_paramgen_curve:P-256",
             "-nodes",
             "-keyout",
             out.key.string(),
             "-out",
             out.cert.string(),
             "-days",
             "2",
             "-subj",
             "/CN=" + cn,
             "-addext",
             "subjectAltName=" + san,
             "-addext",
             "basicConstraints=critical,CA:FALSE",
             "-addext",
             "keyUsage=critical,digitalSignature",
             "-addext",
             "extendedKeyUsage=serverAuth"},
            "the server certificate " + name);
    return out;
}

}  // namespace test
