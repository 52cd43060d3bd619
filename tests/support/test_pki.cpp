#include "support/test_pki.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <memory>
#include <mutex>

#include "support/temp_dir.hpp"
#include "support/tls_ca.hpp"

namespace test {

bool loopback_name_resolves() {
    addrinfo hints{};
    hints.ai_family = AF_INET;
    addrinfo* res = nullptr;
    if (getaddrinfo(loopback_name, nullptr, &hints, &res) != 0 || res == nullptr) return false;
    bool loop = true;
    for (auto* p = res; p != nullptr; p = p->ai_next) {
        loop = loop && ntohl(reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr.s_addr) == INADDR_LOOPBACK;
    }
    freeaddrinfo(res);
    return loop;
}

const pki& test_pki() {
    static std::once_flag once;
    static std::unique_ptr<temp_dir> dir;
    static pki p;
    std::call_once(once, [] {
        dir = std::make_unique<temp_dir>("atpc-https-pki");
        const tls_ca ca(dir->path(), "ca");
        const auto server = ca.issue_server("server", {"localhost", loopback_name}, {"127.0.0.1", "::1"});
        const auto wrong = ca.issue_server("wrong", {"wrong.example"}, {});
        const tls_ca other_ca(dir->path(), "otherca");
        const auto other = other_ca.issue_server("other", {"localhost"}, {"127.0.0.1"});
        p.dir = dir->path().string();
        p.ca_pem = ca.cert().string();
        p.server_cert = server.cert.string();
        p.server_key = server.key.string();
        p.wrong_host_cert = wrong.cert.string();
        p.wrong_host_key = wrong.key.string();
        p.other_ca_cert = other.cert.string();
        p.other_ca_key = other.key.string();
        p.not_pem = p.dir + "/not-pem.txt";
        std::ofstream(p.not_pem) << "not a certificate\n";
    });
    return p;
}

}  // namespace test
