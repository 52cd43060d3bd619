// Shared by the import tests (tests/src/tpm/import_test.cpp) and the
// command tests (tests/src/commands): a swtpm, the program run as users run
// it (`import` with the secret on stdin), and in-process runs of the import
// and kDate code paths through a bus-capturing transport. Header-only: its
// users link the program's libraries.
#pragma once

#include "support/bus_capture.hpp"
#include "support/coro.hpp"
#include "support/process.hpp"
#include "support/swtpm.hpp"

#include "base/error.hpp"
#include "files/pins.hpp"
#include "tpm/import.hpp"
#include "cli/secret_input.hpp"
#include "sigv4/signer.hpp"
#include "tpm/kdate.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/transports/open.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace provision_test {

using namespace std::chrono_literals;

// The AWS test suite's example secret (Apache-2.0); its kDate for 20150830 is
// 0138c7a6cbd60aa727b2f653a522567439dfb9f3e72b21f9b25941a42f04a7cd.
inline const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
inline const std::string date = "20150830";

inline tpmwire::bytes expected_kdate(const std::string& s = secret) { return atpc::sigv4::software_kdate(s, date); }

// Lines of `text` that start with `prefix`.
inline std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        auto line = text.substr(at, end - at);
        if (line.rfind(prefix, 0) == 0) out.push_back(line);
        at = end + 1;
    }
    return out;
}

// The value after "<label>:" on the report line that starts with it.
inline std::string report_value(const std::string& report, const std::string& label) {
    auto l = lines_starting(report, label + ":");
    if (l.empty()) return {};
    auto v = l.front().substr(label.size() + 1);
    v.erase(0, v.find_first_not_of(' '));
    return v.substr(0, v.find(' '));
}

// Splits a credential_process line as botocore does (shlex): here the
// arguments never need quotes, so on spaces; checks that there are none.
inline std::vector<std::string> split_command(const std::string& line) {
    const std::string prefix = "credential_process = ";
    REQUIRE(line.rfind(prefix, 0) == 0);
    std::vector<std::string> argv;
    std::string rest = line.substr(prefix.size());
    REQUIRE(rest.find('\'') == std::string::npos);
    std::size_t at = 0;
    while (at < rest.size()) {
        auto end = rest.find(' ', at);
        if (end == std::string::npos) end = rest.size();
        if (end > at) argv.push_back(rest.substr(at, end - at));
        at = end + 1;
    }
    return argv;
}

struct lab {
    test::swtpm sw;
    // What run_import() has put on the bus so far, while it runs (a hook can
    // look at what was sent before it was called).
    std::shared_ptr<test::bus_record> live_bus;
    explicit lab(test::swtpm_options o = {}) : sw(o) {
        // Pins of an earlier test's swtpm in this process (tests/main.cpp).
        std::filesystem::remove(atpc::files::pin_store::for_user().file());
    }

    void tool(std::vector<std::string> argv) { sw.require_tool(std::move(argv)); }
    void flush_all() { sw.flush_all(); }
    void no_leaks() { sw.check_no_leaks(); }
    std::vector<std::uint32_t> persistent() const { return sw.persistent_handles(); }

    // The program's `import` with `stdin_data` on standard input. Unless the
    // arguments say how to trust the TPM (--ek-ca, --tpm-session-encrypt-with-name,
    // --trust-tpm-on-first-use) or `as_is`, with --trust-tpm-on-first-use:
    // tests of other things than that trust accept this fresh swtpm.
    test::run_result import(std::vector<std::string> args, const std::string& stdin_data, test::env_map env = {},
                            bool as_is = false) const {
        std::vector<std::string> argv{ATPC_BINARY, "import", "--tpm-path=" + sw.address()};
        argv.insert(argv.end(), args.begin(), args.end());
        const bool says_how = std::any_of(args.begin(), args.end(), [](const std::string& a) {
            return a.starts_with("--ek-ca") || a.starts_with("--tpm-session-encrypt-with-name") ||
                   a.starts_with("--trust-tpm-on-first-use");
        });
        if (!says_how && !as_is) argv.push_back("--trust-tpm-on-first-use");
        for (const char* v : {"AWS_SECRET_ACCESS_KEY", "TPM_KEY_AUTH", "TPM_PARENT_AUTH", "TPM_OWNER_AUTH"})
            if (!env.count(v)) env[v] = std::nullopt;
        // Relative --out names land in the swtpm's scratch directory.
        return test::run(test::spawn_options{.argv = argv, .env = env, .stdin_data = stdin_data,
                                             .cwd = sw.work_dir().string()},
                         60s);
    }

    tpmwire::tpm_address address() const { return tpmwire::parse_tpm_address(sw.address()); }

    struct outcome {
        std::optional<atpc::tpm::imported_key> key;
        std::string error;
        test::bus_record bus;
    };

    // The import code path in-process, through a capturing transport. The
    // plan's address is the swtpm's unless it names one; with no way to
    // trust the TPM in it and not `as_is`, trust_on_first_use is set (see
    // import() above).
    outcome run_import(const atpc::tpm::import_plan& given, const std::string& s = secret,
                       const atpc::tpm::import_hooks& hooks = {}, bool as_is = false) {
        atpc::tpm::import_plan plan = given;
        if (plan.address.empty()) plan.address = sw.address();
        if (!as_is && !plan.salt_name && !plan.ek_ca) plan.trust_on_first_use = true;
        outcome out;
        auto record = std::make_shared<test::bus_record>();
        live_bus = record;
        tpmwire::net::io_context io;
        {
            tpmwire::client tpm(io.get_executor(), std::make_unique<test::capturing_transport>(
                                                       tpmwire::make_transport(io.get_executor(), address()), record));
            const tpmwire::bytes key = atpc::cli::hmac_key_bytes(s);
            try {
                out.key = test::run_coro(io, atpc::tpm::import_key(tpm, plan, key, hooks, {}));
            } catch (const atpc::error& e) {
                out.error = e.what();
            }
        }
        out.bus = *record;
        return out;
    }

    // kDate for `date` from the key, by the credential flow's own code.
    std::string kdate(const atpc::tpm::key_plan& p, tpmwire::bytes& out, atpc::tpm::trace_fn trace = {}) {
        tpmwire::net::io_context io;
        tpmwire::client tpm(io.get_executor(), tpmwire::make_transport(io.get_executor(), p.address));
        try {
            out = test::run_coro(io, atpc::tpm::compute_kdate(tpm, p, date, trace)).kdate;
        } catch (const atpc::error& e) {
            return e.what();
        }
        return {};
    }

    atpc::tpm::key_plan handle_plan(tpmwire::TPM_HANDLE h) const {
        atpc::tpm::key_plan p;
        p.address = address();
        p.persistent_handle = h;
        return p;
    }

    // With swtpm_options::ek_cert: the fixture's swtpm-localca chain (issuer,
    // then root) in one PEM file, as --ek-ca takes it; its path.
    std::string ek_ca_bundle() const {
        const auto ca = sw.ek_cert_dir() / ".." / "localca";
        std::ifstream issuer(ca / "issuercert.pem"), root(ca / "swtpm-localca-rootca-cert.pem");
        REQUIRE(issuer);
        REQUIRE(root);
        const auto path = sw.work_dir() / "ek-ca.pem";
        std::ofstream out(path);
        out << issuer.rdbuf() << root.rdbuf();
        return std::filesystem::weakly_canonical(path).string();
    }

    // The name tpm2-tools computes for the key at `handle` (tpm2_readpublic -n).
    tpmwire::bytes tool_name(const std::string& handle) {
        tool({"tpm2_readpublic", "-c", handle, "-n", "key.name"});
        return tpmwire::to_bytes(read_file("key.name"));
    }

    std::string read_file(const std::string& name) const {
        std::ifstream in(sw.work_dir() / name, std::ios::binary);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
};

}  // namespace provision_test
