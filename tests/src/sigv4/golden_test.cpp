// STS form POSTs (and one GET) signed by botocore, the independent oracle:
// tests/data/sigv4-golden/golden.txt is the output of make_golden.py beside
// it, which also checks that Go's url.Values.Encode rules and Python's
// urlencode(sorted(...)) (what moto re-encodes with) give the same bodies.
#include "raw_request.hpp"
#include "sigv4/sigv4.hpp"

#include "tpmwire/bytes.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sigv4 = atpc::sigv4;

namespace {

struct golden_case {
    std::map<std::string, std::string> values;  // record name -> value
    std::vector<std::pair<std::string, std::string>> fields;
    const std::string& at(const std::string& key) const {
        const auto it = values.find(key);
        if (it == values.end()) throw std::runtime_error("golden case lacks " + key);
        return it->second;
    }
};

struct golden_file {
    std::map<std::string, std::string> globals;
    std::vector<std::pair<int, std::string>> form_bytes;  // byte, encoding
    std::vector<golden_case> cases;
};

std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (++i == s.size()) throw std::runtime_error("dangling backslash in golden file");
        out += s[i] == 'n' ? '\n' : s[i] == 't' ? '\t' : s[i];
    }
    return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const auto tab = line.find('\t', start);
        parts.push_back(unescape(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start)));
        if (tab == std::string::npos) return parts;
        start = tab + 1;
    }
}

golden_file load_golden() {
    const std::string text =
        sigv4_test::read_file(std::filesystem::path(ATPC_TEST_DATA_DIR) / "sigv4-golden" / "golden.txt");
    golden_file g;
    golden_case* current = nullptr;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        if (line.empty() || line[0] == '#') continue;
        const auto parts = split_tabs(line);
        const std::string& kind = parts[0];
        if (kind == "case") {
            g.cases.emplace_back();
            current = &g.cases.back();
            current->values["case"] = parts.at(1);
        } else if (kind == "end") {
            current = nullptr;
        } else if (kind == "form-byte") {
            g.form_bytes.emplace_back(std::stoi(parts.at(1), nullptr, 16), parts.at(2));
        } else if (kind == "field") {
            if (!current) throw std::runtime_error("field outside a case");
            current->fields.emplace_back(parts.at(1), parts.at(2));
        } else {
            (current ? current->values : g.globals)[kind] = parts.size() > 1 ? parts[1] : "";
        }
    }
    return g;
}

}  // namespace

TEST_CASE("botocore golden: STS requests sign identically", "[sigv4][golden]") {
    const golden_file g = load_golden();
    REQUIRE(g.cases.size() == 3);
    const std::string& akid = g.globals.at("access-key-id");
    const std::string& secret = g.globals.at("secret-access-key");

    for (const auto& c : g.cases) {
        INFO("case " << c.at("case"));
        const std::string& amz_date = c.at("amz-date");
        const sigv4::scope s{sigv4::date_stamp(amz_date), c.at("region"), c.at("service")};

        sigv4::request r;
        r.method = c.at("method");
        r.path = c.at("path");
        r.query = c.at("query");
        if (!c.fields.empty()) {
            r.body = sigv4::form_encode(c.fields);
            CHECK(r.body == c.at("body"));
            r.headers.push_back({"Content-Type", g.globals.at("content-type")});
            r.headers.push_back({"Content-Length", std::to_string(r.body.size())});
        }
        r.headers.push_back({"Host", c.at("host")});

        const tpmwire::bytes kdate = sigv4::software_kdate(secret, s.date);
        CHECK(tpmwire::to_hex(kdate) == c.at("kdate"));

        sigv4::request signed_request = r;
        sigv4::sign(signed_request, akid, kdate, s, amz_date);
        REQUIRE(signed_request.headers.size() == r.headers.size() + 2);
        CHECK(signed_request.headers[r.headers.size()].name == "X-Amz-Date");
        CHECK(signed_request.headers[r.headers.size()].value == amz_date);
        CHECK(signed_request.headers.back().name == "Authorization");
        CHECK(signed_request.headers.back().value == c.at("authorization"));

        // The intermediate steps too, so a mismatch says where it starts.
        sigv4::request dated = r;
        dated.headers.push_back({"X-Amz-Date", amz_date});
        const std::string creq = sigv4::canonical_request(dated);
        CHECK(creq == c.at("creq"));
        CHECK(sigv4::string_to_sign(amz_date, s, creq) == c.at("sts"));
    }
}

TEST_CASE("botocore golden: GetSessionToken is the body and headers the program sends", "[sigv4][golden]") {
    const golden_file g = load_golden();
    const auto& c = g.cases.at(0);
    REQUIRE(c.at("case") == "get-session-token");
    CHECK(c.at("body") == "Action=GetSessionToken&DurationSeconds=3600&Version=2011-06-15");
    CHECK(c.at("authorization").find("SignedHeaders=content-length;content-type;host;x-amz-date,") !=
          std::string::npos);
    CHECK(sigv4::form_encode({{"Version", "2011-06-15"}, {"Action", "GetSessionToken"}, {"DurationSeconds", "3600"}}) ==
          c.at("body"));
}

TEST_CASE("form_encode: every byte 0x00-0xFF as Go and urllib encode it", "[sigv4][form]") {
    const golden_file g = load_golden();
    REQUIRE(g.form_bytes.size() == 256);
    std::string all_bytes, all_expected;
    for (const auto& [b, expected] : g.form_bytes) {
        INFO("byte " << b);
        const std::string one(1, static_cast<char>(b));
        CHECK(sigv4::form_encode({{one, one}}) == expected + "=" + expected);
        all_bytes += one;
        all_expected += expected;
    }
    CHECK(sigv4::form_encode({{"k", all_bytes}}) == "k=" + all_expected);
}
