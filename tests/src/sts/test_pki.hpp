// Certificates for the STS integration tests, made once per test process with
// the openssl command-line tool in a fresh temporary directory:
//   ca            a test CA
//   server        issued by ca for localhost, 127.0.0.1, ::1 and this machine's
//                 host name
//   wrong_host    issued by ca for wrong.example only
//   other_ca_server  issued by an unrelated CA for localhost/127.0.0.1
#pragma once

#include <string>

namespace test {

struct pki {
    std::string dir;
    std::string ca_pem;  // file path
    std::string server_cert, server_key;
    std::string wrong_host_cert, wrong_host_key;
    std::string other_ca_cert, other_ca_key;
    std::string host_name;  // this machine's name (in server's SAN), "" if none
};

// Built on first use; throws std::runtime_error if openssl fails.
const pki& test_pki();

// This machine's host name when it is not "localhost" and resolves to a
// loopback address (e.g. through /etc/hosts); "" otherwise.
std::string loopback_host_name();

}  // namespace test
