#include "test_pki.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "support/temp_dir.hpp"

namespace test {
namespace {

void run(const std::string& dir, const std::string& command) {
    const std::string full = "cd '" + dir + "' && " + command + " >>openssl.log 2>&1";
    if (std::system(full.c_str()) != 0) throw std::runtime_error("openssl failed: " + command + " (see " + dir + "/openssl.log)");
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path);
}

void make_ca(const std::string& dir, const std::string& name) {
    run(dir, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name +
                 ".key -out " + name + ".pem -days 3 -subj /CN=" + name +
                 " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
}

void make_leaf(const std::string& dir, const std::string& name, const std::string& ca, const std::string& san) {
    write_file(dir + "/" + name + ".ext", "subjectAltName=" + san +
                                              "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                                              "keyUsage=critical,digitalSignature\n");
    run(dir, "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name + ".key -out " + name +
                 ".csr -subj /CN=" + name);
    run(dir, "openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -CAcreateserial -out " +
                 name + ".pem -days 3 -extfile " + name + ".ext");
}

}  // namespace

std::string loopback_host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return {};
    std::string name(buf);
    if (name.empty() || name == "localhost" || name.find('.') == 0) return {};
    addrinfo hints{};
    hints.ai_family = AF_INET;
    addrinfo* res = nullptr;
    if (getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) return {};
    bool loop = true;
    for (auto* p = res; p != nullptr; p = p->ai_next) {
        auto* sin = reinterpret_cast<sockaddr_in*>(p->ai_addr);
        loop = loop && (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
    }
    freeaddrinfo(res);
    return loop ? name : std::string{};
}

const pki& test_pki() {
    static std::once_flag once;
    static std::unique_ptr<temp_dir> dir;
    static pki p;
    std::call_once(once, [] {
        dir = std::make_unique<temp_dir>("atpc-sts-pki");
        const std::string d = dir->path().string();
        p.dir = d;
        p.host_name = loopback_host_name();
        std::string san = "DNS:localhost,IP:127.0.0.1,IP:::1";
        if (!p.host_name.empty()) san += ",DNS:" + p.host_name;
        make_ca(d, "ca");
        make_leaf(d, "server", "ca", san);
        make_leaf(d, "wrong", "ca", "DNS:wrong.example");
        make_ca(d, "otherca");
        make_leaf(d, "other", "otherca", "DNS:localhost,IP:127.0.0.1");
        p.ca_pem = d + "/ca.pem";
        p.server_cert = d + "/server.pem";
        p.server_key = d + "/server.key";
        p.wrong_host_cert = d + "/wrong.pem";
        p.wrong_host_key = d + "/wrong.key";
        p.other_ca_cert = d + "/other.pem";
        p.other_ca_key = d + "/other.key";
    });
    return p;
}

}  // namespace test
