// The client through a real CONNECT proxy (Debian's tinyproxy), chosen by the
// same Go rules the program uses. Go never proxies "localhost" or loopback
// literals, so the endpoint is this machine's own host name, which
// /etc/hosts maps to 127.0.0.1 (e.g. "vm"): a name the proxy resolves to the
// test server while our rule, which looks at the literal, still proxies it.
// Skipped (with a warning) where the host name does not resolve to loopback.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <thread>

#include "child_process.hpp"
#include "client_harness.hpp"
#include "https_server.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;

namespace {

constexpr const char* tinyproxy_binary = "/usr/bin/tinyproxy";

struct tinyproxy {
    tinyproxy(const std::string& dir, unsigned short connect_port) : port(test::free_port()) {
        const std::string conf = dir + "/tinyproxy.conf";
        log_path = dir + "/tinyproxy.log";
        std::ofstream out(conf);
        out << "Port " << port << "\n"
            << "Listen 127.0.0.1\n"
            << "Timeout 30\n"
            << "MaxClients 10\n"
            << "Allow 127.0.0.1\n"
            << "ConnectPort " << connect_port << "\n"
            << "LogLevel Info\n"
            << "LogFile \"" << log_path << "\"\n"
            << "PidFile \"" << dir << "/tinyproxy.pid\"\n";
        out.close();
        process = std::make_unique<test::child_process>(std::vector<std::string>{tinyproxy_binary, "-d", "-c", conf});
        REQUIRE(test::wait_for_port(port, 5000));
    }
    std::string log() const {
        std::ifstream in(log_path);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    unsigned short port;
    std::string log_path;
    std::unique_ptr<test::child_process> process;
};

bool have_tinyproxy() { return std::ifstream(tinyproxy_binary).good(); }

}  // namespace

TEST_CASE("client: through tinyproxy, chosen by HTTPS_PROXY and NO_PROXY", "[sts][client][proxy][tinyproxy]") {
    const std::string host = test::test_pki().host_name;
    if (host.empty() || !have_tinyproxy()) {
        WARN("no host name resolving to loopback, or no tinyproxy: skipped");
        return;
    }
    test::https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({test::json_reply(200, test::read_data("get_session_token.json"))});
    test::temp_dir dir("atpc-sts-tinyproxy");
    tinyproxy proxy(dir.path().string(), server.port());
    const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port);

    auto env = test::fake_env({{"HTTPS_PROXY", proxy_url}});
    // The loopback rule still holds for the literal forms...
    CHECK_FALSE(atpc::sts::proxy_for(env, "localhost", server.port()));
    CHECK_FALSE(atpc::sts::proxy_for(env, "127.0.0.1", server.port()));
    // ...and NO_PROXY can exempt the name...
    CHECK_FALSE(atpc::sts::proxy_for(test::fake_env({{"HTTPS_PROXY", proxy_url}, {"NO_PROXY", host}}), host,
                                     server.port()));
    // ...but by default the machine's name goes through the proxy.
    auto o = test::options_for(server.port(), host);
    o.proxy = atpc::sts::proxy_for(env, o.target.host, o.target.port);
    REQUIRE(o.proxy);

    auto c = test::run_call(o, test::gst_request(), test::recording_signer(std::make_shared<test::signing_log>()));
    CHECK(c.access_key_id == "ASIAIOSFODNN7EXAMPLE");
    auto reqs = server.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].header("Host") == host + ":" + std::to_string(server.port()));
    // tinyproxy logged the tunnel it opened.
    std::string log;
    for (int i = 0; i < 50 && log.find("CONNECT") == std::string::npos; ++i) {
        std::this_thread::sleep_for(20ms);
        log = proxy.log();
    }
    CHECK_THAT(log, Catch::Contains("CONNECT") && Catch::Contains(host));
}

TEST_CASE("client: tinyproxy refusing the port is a clear error", "[sts][client][proxy][tinyproxy]") {
    const std::string host = test::test_pki().host_name;
    if (host.empty() || !have_tinyproxy()) {
        WARN("no host name resolving to loopback, or no tinyproxy: skipped");
        return;
    }
    test::https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    test::temp_dir dir("atpc-sts-tinyproxy");
    tinyproxy proxy(dir.path().string(), static_cast<unsigned short>(server.port() == 1 ? 2 : 1));  // not our port
    auto o = test::options_for(server.port(), host);
    o.proxy = atpc::sts::parse_proxy("127.0.0.1:" + std::to_string(proxy.port), "HTTPS_PROXY");
    try {
        test::run_call(o, test::gst_request(), test::recording_signer(std::make_shared<test::signing_log>()));
        FAIL("succeeded through a proxy that forbids the port");
    } catch (const atpc::error& e) {
        CHECK(e.kind() == atpc::fault::network);
        CHECK_THAT(e.what(), Catch::Contains("refused CONNECT") && Catch::Contains("HTTP 403"));
    }
    CHECK(server.requests().empty());
}
