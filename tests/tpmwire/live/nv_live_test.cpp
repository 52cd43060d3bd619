// TPM2_NV_ReadPublic and TPM2_NV_Read against swtpm, with tpm2-tools as the
// oracle: the EK certificate indices swtpm_setup defines, and an index larger
// than the TPM's NV buffer, read in pieces.
#include "support/bus_capture.hpp"
#include "support/coro.hpp"
#include "support/swtpm.hpp"

#include "tpmwire/client/nv.hpp"
#include "tpmwire/transports/open.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>

using namespace tpmwire;

namespace {

bytes read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The value of "<key>: <value>" in tpm2_nvreadpublic's output for one index
// ("attributes" gives the value line of that block).
std::string readpublic_field(const std::string& out, const std::string& key) {
    std::smatch m;
    const std::regex re(key == "attributes" ? "\\n *attributes:\\n[^\\n]*\\n *value: *([^\\n]+)"
                                            : "\\n *" + key + ": *([^\\n]+)");
    REQUIRE(std::regex_search(out, m, re));
    return m[1].str();
}

// A client on the swtpm that records the bus; closed (for the tools) when it goes.
struct session {
    net::io_context io;
    std::shared_ptr<test::bus_record> bus = std::make_shared<test::bus_record>();
    client tpm;
    explicit session(const test::swtpm& sw)
        : tpm(io.get_executor(), std::make_unique<test::capturing_transport>(
                                     make_transport(io.get_executor(), parse_tpm_address(sw.address())), bus)) {}
    template <class T>
    T run(net::awaitable<T> op) {
        return test::run_coro(io, std::move(op));
    }
};

net::awaitable<bytes> read_whole(client& tpm, TPM_HANDLE index, std::uint16_t chunk) {
    const TPMS_NV_PUBLIC pub = co_await nv_read_public(tpm, index);
    co_return co_await nv_read(tpm, pub, chunk);
}

}  // namespace

TEST_CASE("NV_ReadPublic and NV_Read of the EK certificate indices equal tpm2_nvreadpublic and tpm2_nvread", "[swtpm]") {
    test::swtpm sw(test::swtpm_options{.ek_cert = true});
    const std::vector<std::pair<TPM_HANDLE, std::string>> indices{{0x01C00002, "ek-rsa2048.crt"},
                                                                  {0x01C00016, "ek-secp384r1.crt"}};
    for (const auto& [index, der] : indices) {
        INFO(der);
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%x", index);
        auto oracle = sw.tool({"tpm2_nvreadpublic", hex});
        REQUIRE(oracle.ok());
        REQUIRE(sw.tool({"tpm2_nvread", hex, "-o", "nv.bin"}).ok());
        TPMS_NV_PUBLIC pub;
        bytes data;
        std::uint16_t most = 0;
        {
            session s(sw);
            pub = s.run(nv_read_public(s.tpm, index));
            most = s.run(nv_buffer_max(s.tpm));
            data = s.run(nv_read(s.tpm, pub, most));
        }
        CHECK("name: " + to_hex(nv_name(pub).buffer) == "name: " + readpublic_field(oracle.out, "name"));
        char attributes[16];
        std::snprintf(attributes, sizeof attributes, "0x%X", pub.attributes);
        CHECK(std::string(attributes) == readpublic_field(oracle.out, "attributes"));
        CHECK(std::to_string(pub.dataSize) == readpublic_field(oracle.out, "size"));
        CHECK(most == 1024);  // swtpm's TPM_PT_NV_BUFFER_MAX
        CHECK(data == read_file(sw.work_dir() / "nv.bin"));
        CHECK(data == read_file(sw.ek_cert_dir() / der));  // what swtpm_setup wrote there
    }
    sw.check_no_leaks();
}

TEST_CASE("an index larger than the NV buffer is read in pieces, each within the buffer", "[swtpm]") {
    test::swtpm sw;
    {
        std::ofstream out(sw.work_dir() / "big.bin", std::ios::binary);
        for (int i = 0; i < 2000; ++i) out.put(static_cast<char>(i * 7 + i / 256));
    }
    sw.require_tool({"tpm2_nvdefine", "0x01500001", "-C", "o", "-s", "2000", "-a", "ownerread|ownerwrite|authread|authwrite"});
    sw.require_tool({"tpm2_nvwrite", "0x01500001", "-C", "o", "-i", "big.bin"});
    REQUIRE(sw.tool({"tpm2_nvread", "0x01500001", "-C", "o", "-o", "oracle.bin"}).ok());
    const bytes expected = read_file(sw.work_dir() / "oracle.bin");
    REQUIRE(expected == read_file(sw.work_dir() / "big.bin"));
    for (std::uint16_t chunk : {std::uint16_t{1024}, std::uint16_t{300}}) {
        INFO("pieces of " << chunk);
        session s(sw);
        CHECK(s.run(read_whole(s.tpm, 0x01500001, chunk)) == expected);
        for (const auto& c : s.bus->commands) {
            if (c.size() < 10 || c[9] != 0x4e || c[8] != 0x01) continue;  // TPM_CC_NV_Read
            const std::size_t size = static_cast<std::size_t>(c[c.size() - 4]) << 8 | c[c.size() - 3];
            CHECK(size <= chunk);
        }
        const auto codes = s.bus->answered_codes();  // a command the TPM asked to resend counts once
        CHECK(std::count(codes.begin(), codes.end(), TPM_CC_NV_Read) == (2000 + chunk - 1) / chunk);
    }
}

TEST_CASE("an undefined NV index is TPM_RC_HANDLE, and an index without read authorization is refused before reading", "[swtpm]") {
    test::swtpm sw;
    sw.require_tool({"tpm2_nvdefine", "0x01500002", "-C", "p", "-s", "8", "-a", "ppread|ppwrite|platformcreate"});
    session s(sw);
    try {
        s.run(nv_read_public(s.tpm, 0x01C00002));
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.kind() == errc::tpm);
        CHECK(base_rc(e.rc()) == TPM_RC_HANDLE);
    }
    const TPMS_NV_PUBLIC pub = s.run(nv_read_public(s.tpm, 0x01500002));
    CHECK_THROWS_WITH(s.run(nv_read(s.tpm, pub, 1024)), Catch::Contains("readable neither"));
}
