#include "util.hpp"

#include "support/temp_dir.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

namespace kftest {

using tpmwire::bytes;

const std::vector<std::string> tool_files = {"private.pem", "private-password.pem", "private-policy.pem",
                                             "private-persistent.pem"};

const bytes oid_loadable = {0x67, 0x81, 0x05, 0x0A, 0x01, 0x03};

std::string data_path(const std::string& name) { return std::string(ATPC_TEST_DATA_DIR) + "/keyfiles/" + name; }

std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

bytes read_bytes(const std::string& path) { return tpmwire::to_bytes(read_text(path)); }

namespace {
int run(const std::string& cmd, std::string& out) {
    out.clear();
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("popen failed: " + cmd);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace

bytes openssl_der(const std::string& pem_path) {
    test::temp_dir dir("kf-openssl");
    std::string out_path = (dir.path() / "out.der").string();
    std::string log;
    if (run("openssl asn1parse -noout -in '" + pem_path + "' -out '" + out_path + "' 2>&1", log) != 0)
        throw std::runtime_error("openssl asn1parse failed: " + log);
    return read_bytes(out_path);
}

int openssl_asn1parse(const bytes& der, std::string& out) {
    test::temp_dir dir("kf-openssl");
    std::string path = (dir.path() / "in.der").string();
    {
        std::ofstream f(path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
    }
    return run("openssl asn1parse -inform DER -in '" + path + "' 2>&1", out);
}

bytes tlv(std::uint8_t tag, const bytes& content) {
    const std::size_t n = content.size();
    // Header and content written into one allocation of the final size
    // (growing the vector in steps trips g++ 12's -Wstringop-overflow at -O3).
    std::array<std::uint8_t, 4> header{tag};
    std::size_t h = 1;
    if (n >= 0x100) header[h++] = 0x82;
    if (n >= 0x100) header[h++] = static_cast<std::uint8_t>(n >> 8);
    if (n >= 0x80 && n < 0x100) header[h++] = 0x81;
    header[h++] = static_cast<std::uint8_t>(n);
    bytes out(h + n);
    std::copy_n(header.begin(), h, out.begin());
    std::copy(content.begin(), content.end(), out.begin() + static_cast<std::ptrdiff_t>(h));
    return out;
}

bytes cat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

bytes raw(std::initializer_list<int> v) {
    bytes out;
    for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}

bytes key_der(const bytes& oid, const bytes& optional_fields, const bytes& parent, const bytes& pub,
              const bytes& priv) {
    return tlv(0x30, cat({tlv(0x06, oid), optional_fields, tlv(0x02, parent), tlv(0x04, pub), tlv(0x04, priv)}));
}

bytes small_pub() {
    // TPM2B_PUBLIC { size 16, KEYEDHASH, SHA256, userWithAuth|sign, no policy,
    // HMAC(SHA256), unique empty }
    return raw({0x00, 0x10, 0x00, 0x08, 0x00, 0x0B, 0x00, 0x04, 0x00, 0x40, 0x00, 0x00, 0x00, 0x05, 0x00, 0x0B,
                0x00, 0x00});
}

bytes small_priv() { return raw({0x00, 0x02, 0xAA, 0xBB}); }

}  // namespace kftest
