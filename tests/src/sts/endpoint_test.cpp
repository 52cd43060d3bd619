// Endpoint and region resolution: precedence, computed URLs per partition,
// FIPS, legacy global endpoints, and override validation.
#include "support/error_kind.hpp"
#include <catch2/catch.hpp>

#include "support/env_fake.hpp"
#include "base/error.hpp"
#include "sts/endpoint.hpp"

using atpc::fault;
using atpc::sts::endpoint_inputs;
using atpc::sts::resolve_endpoint;
using test::fake_env;

namespace {

std::string url_of(endpoint_inputs in, std::map<std::string, std::string> env) {
    return resolve_endpoint(in, fake_env(std::move(env))).url();
}

fault fault_of(endpoint_inputs in, std::map<std::string, std::string> env) {
    return test::kind_of<atpc::error>([&] { resolve_endpoint(in, fake_env(std::move(env))); });
}

}  // namespace

TEST_CASE("endpoint: regional by default, global without a region", "[sts][endpoint]") {
    auto e = resolve_endpoint({std::nullopt, "eu-west-1"}, fake_env({}));
    CHECK(e.host == "sts.eu-west-1.amazonaws.com");
    CHECK(e.port == 443);
    CHECK(e.path == "/");
    CHECK(e.signing_region == "eu-west-1");
    CHECK(e.host_header() == "sts.eu-west-1.amazonaws.com");
    CHECK(e.url() == "https://sts.eu-west-1.amazonaws.com/");

    auto g = resolve_endpoint({}, fake_env({}));
    CHECK(g.url() == "https://sts.amazonaws.com/");
    CHECK(g.signing_region == "us-east-1");

    auto ag = resolve_endpoint({std::nullopt, "aws-global"}, fake_env({}));
    CHECK(ag.host == "sts.amazonaws.com");
    CHECK(ag.signing_region == "us-east-1");
}

TEST_CASE("endpoint: region precedence flag > AWS_REGION > AWS_DEFAULT_REGION", "[sts][endpoint]") {
    std::map<std::string, std::string> env{{"AWS_REGION", "eu-central-1"}, {"AWS_DEFAULT_REGION", "ap-south-1"}};
    CHECK(resolve_endpoint({std::nullopt, "us-west-2"}, fake_env(env)).signing_region == "us-west-2");
    CHECK(resolve_endpoint({}, fake_env(env)).signing_region == "eu-central-1");
    CHECK(resolve_endpoint({}, fake_env({{"AWS_DEFAULT_REGION", "ap-south-1"}})).signing_region == "ap-south-1");
    // Empty counts as unset.
    CHECK(resolve_endpoint({}, fake_env({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "ap-south-1"}})).signing_region ==
          "ap-south-1");
    CHECK(resolve_endpoint({std::nullopt, ""}, fake_env({{"AWS_REGION", "eu-west-3"}})).signing_region == "eu-west-3");
}

TEST_CASE("endpoint: partitions", "[sts][endpoint]") {
    CHECK(url_of({std::nullopt, "cn-north-1"}, {}) == "https://sts.cn-north-1.amazonaws.com.cn/");
    CHECK(url_of({std::nullopt, "cn-northwest-1"}, {}) == "https://sts.cn-northwest-1.amazonaws.com.cn/");
    CHECK(url_of({std::nullopt, "us-gov-west-1"}, {}) == "https://sts.us-gov-west-1.amazonaws.com/");
    CHECK(url_of({std::nullopt, "us-iso-east-1"}, {}) == "https://sts.us-iso-east-1.c2s.ic.gov/");
    CHECK(url_of({std::nullopt, "us-isob-east-1"}, {}) == "https://sts.us-isob-east-1.sc2s.sgov.gov/");
    CHECK(url_of({std::nullopt, "eu-isoe-west-1"}, {}) == "https://sts.eu-isoe-west-1.cloud.adc-e.uk/");
    CHECK(url_of({std::nullopt, "us-isof-south-1"}, {}) == "https://sts.us-isof-south-1.csp.hci.ic.gov/");
    CHECK(url_of({std::nullopt, "eusc-de-east-1"}, {}) == "https://sts.eusc-de-east-1.amazonaws.eu/");
    CHECK(url_of({std::nullopt, "il-central-1"}, {}) == "https://sts.il-central-1.amazonaws.com/");
}

TEST_CASE("endpoint: FIPS", "[sts][endpoint]") {
    std::map<std::string, std::string> fips{{"AWS_USE_FIPS_ENDPOINT", "true"}};
    CHECK(url_of({std::nullopt, "us-east-1"}, fips) == "https://sts-fips.us-east-1.amazonaws.com/");
    CHECK(url_of({std::nullopt, "us-west-2"}, fips) == "https://sts-fips.us-west-2.amazonaws.com/");
    CHECK(url_of({std::nullopt, "us-gov-east-1"}, fips) == "https://sts.us-gov-east-1.amazonaws.com/");
    CHECK(url_of({std::nullopt, "us-east-1"}, {{"AWS_USE_FIPS_ENDPOINT", "TRUE"}}) ==
          "https://sts-fips.us-east-1.amazonaws.com/");
    CHECK(url_of({std::nullopt, "us-east-1"}, {{"AWS_USE_FIPS_ENDPOINT", "false"}}) ==
          "https://sts.us-east-1.amazonaws.com/");
    // FIPS beats legacy: there is no FIPS global endpoint.
    CHECK(url_of({std::nullopt, "us-east-2"}, {{"AWS_USE_FIPS_ENDPOINT", "true"}, {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}}) ==
          "https://sts-fips.us-east-2.amazonaws.com/");

    // Deprecated FIPS pseudo-regions.
    auto pseudo = resolve_endpoint({std::nullopt, "us-west-1-fips"}, fake_env({}));
    CHECK(pseudo.host == "sts-fips.us-west-1.amazonaws.com");
    CHECK(pseudo.signing_region == "us-west-1");
    CHECK(url_of({std::nullopt, "fips-us-gov-west-1"}, {}) == "https://sts.us-gov-west-1.amazonaws.com/");
    CHECK(fault_of({std::nullopt, "eu-west-1-fips"}, {}) == fault::config);

    CHECK(fault_of({std::nullopt, "eu-west-1"}, fips) == fault::config);
    CHECK(fault_of({}, fips) == fault::config);
    CHECK(fault_of({std::nullopt, "us-east-1"}, {{"AWS_USE_FIPS_ENDPOINT", "yes"}}) == fault::config);
    try {
        resolve_endpoint({std::nullopt, "eu-west-1"}, fake_env(fips));
    } catch (const atpc::error& e) {
        CHECK_THAT(e.what(), Catch::Contains("eu-west-1") && Catch::Contains("AWS_USE_FIPS_ENDPOINT"));
    }
}

TEST_CASE("endpoint: AWS_STS_REGIONAL_ENDPOINTS=legacy", "[sts][endpoint]") {
    std::map<std::string, std::string> legacy{{"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}};
    for (const char* r : {"us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1", "sa-east-1", "ca-central-1"}) {
        auto e = resolve_endpoint({std::nullopt, r}, fake_env(legacy));
        CHECK(e.host == "sts.amazonaws.com");
        CHECK(e.signing_region == "us-east-1");
    }
    // Regions launched later never had a global legacy endpoint.
    auto e = resolve_endpoint({std::nullopt, "ap-east-1"}, fake_env(legacy));
    CHECK(e.host == "sts.ap-east-1.amazonaws.com");
    CHECK(e.signing_region == "ap-east-1");
    CHECK(url_of({std::nullopt, "us-east-1"}, {{"AWS_STS_REGIONAL_ENDPOINTS", "regional"}}) ==
          "https://sts.us-east-1.amazonaws.com/");
    CHECK(fault_of({std::nullopt, "us-east-1"}, {{"AWS_STS_REGIONAL_ENDPOINTS", "global"}}) == fault::config);
}

TEST_CASE("endpoint: override precedence and shape", "[sts][endpoint]") {
    std::map<std::string, std::string> env{{"AWS_ENDPOINT_URL_STS", "https://sts-env.example:8443/p"},
                                           {"AWS_ENDPOINT_URL", "https://all.example"},
                                           {"AWS_REGION", "eu-west-2"}};
    auto flag = resolve_endpoint({"https://flag.example", std::nullopt}, fake_env(env));
    CHECK(flag.url() == "https://flag.example/");
    CHECK(flag.source == "--sts-endpoint");
    CHECK(flag.signing_region == "eu-west-2");

    auto sts = resolve_endpoint({}, fake_env(env));
    CHECK(sts.host == "sts-env.example");
    CHECK(sts.port == 8443);
    CHECK(sts.path == "/p");
    CHECK(sts.host_header() == "sts-env.example:8443");
    CHECK(sts.source == "AWS_ENDPOINT_URL_STS");

    env.erase("AWS_ENDPOINT_URL_STS");
    auto all = resolve_endpoint({}, fake_env(env));
    CHECK(all.url() == "https://all.example/");
    CHECK(all.source == "AWS_ENDPOINT_URL");

    // An override without any region is signed for us-east-1.
    CHECK(resolve_endpoint({"https://x.example", std::nullopt}, fake_env({})).signing_region == "us-east-1");
    // Upper case host normalised, explicit :443 not repeated in Host.
    auto up = resolve_endpoint({"HTTPS://STS.Example.COM:443", std::nullopt}, fake_env({}));
    CHECK(up.host == "sts.example.com");
    CHECK(up.host_header() == "sts.example.com");
    auto v6 = resolve_endpoint({"https://[::1]:9000", std::nullopt}, fake_env({}));
    CHECK(v6.host == "::1");
    CHECK(v6.host_header() == "[::1]:9000");
    CHECK(v6.url() == "https://[::1]:9000/");
}

TEST_CASE("endpoint: bad overrides and regions are refused", "[sts][endpoint]") {
    CHECK(fault_of({"http://127.0.0.1:5000", std::nullopt}, {}) == fault::usage);
    CHECK(fault_of({}, {{"AWS_ENDPOINT_URL_STS", "http://localhost:5000"}}) == fault::config);
    for (const char* bad : {"sts.amazonaws.com", "https://", "https://host:0", "https://host:65536", "https://host:x",
                            "https://user:pw@host", "https://host/?q=1", "https://host/#f", "https://ho st",
                            "https://[::1", "https://host/a b", "ftp://host"}) {
        INFO(bad);
        CHECK(fault_of({bad, std::nullopt}, {}) == fault::usage);
    }
    CHECK(fault_of({std::nullopt, "US-EAST-1"}, {}) == fault::usage);
    CHECK(fault_of({std::nullopt, "us-east-1; rm"}, {}) == fault::usage);
    CHECK(fault_of({}, {{"AWS_REGION", "bad region"}}) == fault::config);
    // The password never appears in the message.
    try {
        resolve_endpoint({"https://user:hunter2@host", std::nullopt}, fake_env({}));
        FAIL("accepted");
    } catch (const atpc::error& e) {
        CHECK_THAT(e.what(), !Catch::Contains("hunter2"));
    }
    try {
        resolve_endpoint({"http://sts.local:5000", std::nullopt}, fake_env({}));
        FAIL("accepted");
    } catch (const atpc::error& e) {
        CHECK_THAT(e.what(), Catch::Contains("https"));
    }
}

#include "sts/options.hpp"

TEST_CASE("options: endpoint, proxy and trust resolved together", "[sts][endpoint]") {
    const auto deadline = std::chrono::steady_clock::now();
    auto o = atpc::sts::resolve_call_options({std::nullopt, "eu-west-1"}, std::nullopt,
                                             fake_env({{"HTTPS_PROXY", "proxy:3128"}, {"AWS_CA_BUNDLE", "/x.pem"},
                                                       {"SSL_CERT_DIR", "/certs"}}),
                                             deadline);
    CHECK(o.target.host == "sts.eu-west-1.amazonaws.com");
    REQUIRE(o.proxy);
    CHECK(o.proxy->display() == "http://proxy:3128");
    CHECK(o.trust.ca_bundle == std::optional<std::string>("/x.pem"));
    CHECK(o.trust.ca_bundle_source == "AWS_CA_BUNDLE");
    CHECK(o.trust.system_dir == "/certs");
    CHECK(o.deadline == deadline);

    auto flag = atpc::sts::resolve_call_options({}, std::string("/flag.pem"),
                                                fake_env({{"AWS_CA_BUNDLE", "/x.pem"}, {"NO_PROXY", "*"},
                                                          {"HTTPS_PROXY", "proxy:3128"}}),
                                                deadline);
    CHECK(flag.trust.ca_bundle == std::optional<std::string>("/flag.pem"));
    CHECK(flag.trust.ca_bundle_source == "--ca-bundle");
    CHECK_FALSE(flag.proxy);
    CHECK_FALSE(flag.trust.system_dir.empty());
}
