// The client through a real CONNECT proxy (Debian's tinyproxy, installed by
// scripts/install-deps.sh), chosen by the same Go rules the program uses.
// Go never proxies "localhost" or loopback literals, so the peer is named
// test::loopback_name ("127.1"): tinyproxy resolves it to the test server,
// while the rule, which looks at the literal, still proxies it. Without
// tinyproxy or that name the tests fail: they never skip.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "support/https/https_server.hpp"
#include "support/ports.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;

namespace {

std::string tinyproxy_binary() {
    for (const char* path : {"/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"}) {
        if (std::ifstream(path).good()) return path;
    }
    return test::find_in_path("tinyproxy");
}

struct tinyproxy {
    tinyproxy(const test::temp_dir& dir, std::uint16_t connect_port) {
        const std::string binary = tinyproxy_binary();
        INFO("tinyproxy is missing: scripts/install-deps.sh installs it");
        REQUIRE_FALSE(binary.empty());
        // A port found free may be taken before tinyproxy binds it: retry.
        for (int attempt = 0; attempt < 5 && !process; ++attempt) start(dir, binary, connect_port);
        REQUIRE(process);
    }

    void start(const test::temp_dir& dir, const std::string& binary, std::uint16_t connect_port) {
        port = test::free_tcp_port();
        const std::string conf = (dir.path() / "tinyproxy.conf").string();
        log_path = (dir.path() / "tinyproxy.log").string();
        std::ofstream(conf) << "Port " << port << "\nListen 127.0.0.1\nTimeout 30\nMaxClients 10\nAllow 127.0.0.1\n"
                            << "ConnectPort " << connect_port << "\nLogLevel Info\nLogFile \"" << log_path
                            << "\"\nPidFile \"" << (dir.path() / "tinyproxy.pid").string() << "\"\n";
        auto p = std::make_unique<test::process>(test::spawn_options{.argv = {binary, "-d", "-c", conf}});
        for (int i = 0; i < 250 && p->running(); ++i) {
            if (test::listening_ports(p->pid()).count(port)) {
                process = std::move(p);
                return;
            }
            std::this_thread::sleep_for(20ms);
        }
    }

    std::string log() const {
        std::ifstream in(log_path);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

    std::uint16_t port = 0;
    std::string log_path;
    std::unique_ptr<test::process> process;
};

std::string loopback_name() {
    INFO("getaddrinfo does not resolve " << test::loopback_name << " to 127.0.0.1 here");
    REQUIRE(test::loopback_name_resolves());
    return test::loopback_name;
}

}  // namespace

TEST_CASE("client: through tinyproxy, chosen by HTTPS_PROXY and NO_PROXY", "[https][proxy][tinyproxy]") {
    const std::string host = loopback_name();
    test::https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    server.script({test::json_reply(200, "{}")});
    test::temp_dir dir("atpc-https-tinyproxy");
    tinyproxy proxy(dir, server.port());
    const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port);

    auto env = test::fake_env({{"HTTPS_PROXY", proxy_url}});
    // The loopback rule still holds for the literal forms...
    CHECK_FALSE(atpc::https::proxy_for(env, "localhost", server.port()));
    CHECK_FALSE(atpc::https::proxy_for(env, "127.0.0.1", server.port()));
    // ...and NO_PROXY can exempt the name...
    CHECK_FALSE(atpc::https::proxy_for(test::fake_env({{"HTTPS_PROXY", proxy_url}, {"NO_PROXY", host}}), host,
                                       server.port()));
    // ...but by default the name goes through the proxy.
    auto c = test::https_client(server.port(), host);
    c.proxy = atpc::https::proxy_for(env, c.host, c.port);
    REQUIRE(c.proxy);

    CHECK(test::https_fetch(c, test::https_post(c, "x")).status == 200);
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

TEST_CASE("client: tinyproxy refusing the port is a clear error", "[https][proxy][tinyproxy]") {
    const std::string host = loopback_name();
    test::https_server server(test::test_pki().server_cert, test::test_pki().server_key);
    test::temp_dir dir("atpc-https-tinyproxy");
    tinyproxy proxy(dir, static_cast<std::uint16_t>(server.port() == 1 ? 2 : 1));  // not our port
    auto c = test::https_client(server.port(), host);
    c.proxy = atpc::https::parse_proxy("127.0.0.1:" + std::to_string(proxy.port), "HTTPS_PROXY");
    try {
        test::https_fetch(c, test::https_post(c, "x"));
        FAIL("succeeded through a proxy that forbids the port");
    } catch (const atpc::https::failure& e) {
        CHECK(e.kind() == atpc::fault::network);
        CHECK_THAT(e.what(), Catch::Contains("refused CONNECT") && Catch::Contains("HTTP 403"));
    }
    CHECK(server.requests().empty());
}
