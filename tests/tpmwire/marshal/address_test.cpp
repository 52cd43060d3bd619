#include "tpmwire/error.hpp"
#include "tpmwire/transports/address.hpp"

#include <catch2/catch.hpp>

using namespace tpmwire;

TEST_CASE("TPM addresses: devices, host:port and TCTI strings") {
    auto dev = parse_tpm_address("/dev/tpmrm0");
    CHECK(dev.type == tpm_address::kind::device);
    CHECK(dev.path == "/dev/tpmrm0");
    CHECK(dev.has_resource_manager());
    CHECK_FALSE(parse_tpm_address("/dev/tpm0").has_resource_manager());

    auto tcp = parse_tpm_address("127.0.0.1:2321");
    CHECK(tcp.type == tpm_address::kind::tcp);
    CHECK(tcp.host == "127.0.0.1");
    CHECK(tcp.port == 2321);
    CHECK(parse_tpm_address("localhost:2321").host == "localhost");
    CHECK(parse_tpm_address("[::1]:2321").host == "::1");
    CHECK(parse_tpm_address("[::1]:2321").to_string() == "[::1]:2321");

    CHECK(parse_tpm_address("device:/dev/tpm0").path == "/dev/tpm0");
    CHECK(parse_tpm_address("device:").path == "/dev/tpmrm0");
    auto sw = parse_tpm_address("swtpm:host=10.0.0.2,port=2400");
    CHECK(sw.type == tpm_address::kind::tcp);
    CHECK(sw.host == "10.0.0.2");
    CHECK(sw.port == 2400);
    CHECK(parse_tpm_address("swtpm:port=2400").host == "localhost");
    CHECK(parse_tpm_address("swtpm:").port == 2321);
}

TEST_CASE("unsupported or malformed addresses say what is wrong") {
    CHECK_THROWS_WITH(parse_tpm_address("tabrmd:bus_name=com.intel.tss2.Tabrmd"),
                      Catch::Contains("TCTI kind 'tabrmd' is not supported"));
    CHECK_THROWS_WITH(parse_tpm_address("mssim:"), Catch::Contains("TCTI kind 'mssim' is not supported"));
    CHECK_THROWS_WITH(parse_tpm_address("127.0.0.1:99999"), Catch::Contains("port '99999'"));
    CHECK_THROWS_WITH(parse_tpm_address("127.0.0.1:"), Catch::Contains("port ''"));
    CHECK_THROWS_WITH(parse_tpm_address("swtpm:port=x"), Catch::Contains("port 'x'"));
    CHECK_THROWS_WITH(parse_tpm_address("swtpm:path=/x"), Catch::Contains("unknown swtpm option 'path'"));
    CHECK_THROWS_WITH(parse_tpm_address("device:tpm0"), Catch::Contains("absolute path"));
    CHECK_THROWS_AS(parse_tpm_address(""), error);
    CHECK_THROWS_AS(parse_tpm_address("nonsense"), error);
    try {
        parse_tpm_address("tabrmd:");
    } catch (const error& e) {
        CHECK(e.kind() == errc::address);
    }
}
