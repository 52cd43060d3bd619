// Certificates for the HTTPS and STS tests, made once per test process by a
// tls_ca (support/tls_ca.hpp) in a fresh temporary directory:
//   ca               the test CA
//   server           issued by ca for localhost, 127.0.0.1, ::1 and loopback_name
//   wrong_host       issued by ca for wrong.example only
//   other_ca_server  issued by an unrelated CA for localhost/127.0.0.1
#pragma once

#include <string>

namespace test {

// A host name that resolves to 127.0.0.1 on any glibc machine without
// /etc/hosts or DNS ("127.1": getaddrinfo reads IPv4 shorthand through
// inet_aton), yet is no IP literal to the strict parsers of Go and of the
// program: so a proxy rule treats it as a name, where "localhost" and
// "127.0.0.1" are never proxied.
inline constexpr const char* loopback_name = "127.1";

// True when loopback_name resolves to 127.0.0.1 here.
bool loopback_name_resolves();

struct pki {
    std::string dir;
    std::string ca_pem;  // file path
    std::string server_cert, server_key;
    std::string wrong_host_cert, wrong_host_key;
    std::string other_ca_cert, other_ca_key;
    std::string not_pem;  // a file that exists but holds no certificate
};

// Built on first use; throws std::runtime_error if openssl fails.
const pki& test_pki();

}  // namespace test
