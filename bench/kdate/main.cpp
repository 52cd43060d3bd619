// bench_kdate: the program's TPM part (atpc::tpm::compute_kdate, the code the
// CLI runs) per key mode, in-process, over two transports:
//   asio      tpmwire's swtpm TCP transport, as the program uses it;
//   blocking  the floor transport (bench/kdate/blocking_transport.hpp), which
//             times its connect and each command's round trip.
// Every kDate is checked against HMAC-SHA256("AWS4"+secret, date) computed
// with OpenSSL, so a fast wrong answer cannot pass.
//
//   bench_kdate --port P --keys DIR --iterations K --out kdate.csv
// Output: CSV "mode,variant,iter,total_ns,io_ns,connect_ns,commands_client,commands_wire".
#include "kdate/blocking_transport.hpp"

#include "common/clock.hpp"

#include "credential/settings.hpp"
#include "credential/fetch.hpp"
#include "tpm/kdate.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/transports/open.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <cstdlib>
#include <stdexcept>

namespace {

using namespace bench;
namespace net = boost::asio;

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct mode {
    std::string name;
    atpc::credential::settings options;
};

mode with(const atpc::credential::settings& base, std::string name, tpmwire::TPM_HANDLE handle,
          std::string password = {}, std::vector<unsigned> pcrs = {}) {
    mode m{std::move(name), base};
    m.options.persistent_handle = handle;
    m.options.key_pass.assign(password);
    m.options.pcrs = std::move(pcrs);
    return m;
}

// Keys as bench/scripts/provision.sh makes them. Password and policy modes
// salt to the ECC EK at 0x81010002, pinned in the first (warm-up) round.
std::vector<mode> modes(const std::string& keys, std::uint16_t port) {
    atpc::credential::settings base;
    base.tpm_path = "127.0.0.1:" + std::to_string(port);
    std::vector<mode> out{
        with(base, "handle_noda", 0x81008005),
        with(base, "handle", 0x81008003),
        with(base, "handle_password", 0x81008002, "pass123"),
        with(base, "handle_pcr", 0x81008004, "", {23}),
        with(base, "handle_pcr_password", 0x81008006, "pass123", {23}),
    };
    mode pem{"pem", base};
    pem.options.credential_file = keys + "/key.pem";
    out.push_back(pem);
    mode pem_password{"pem_password", base};
    pem_password.options.credential_file = keys + "/key-pw.pem";
    pem_password.options.key_pass.assign("pass123");
    out.push_back(pem_password);
    mode ek = with(base, "handle_ek_salted", 0x81008003);
    ek.options.encrypt_with_name = tpmwire::from_hex(read_text(keys + "/ek.name.hex"));
    out.push_back(ek);
    return out;
}

struct result {
    std::int64_t total_ns = 0;
    io_stats io;
    std::size_t commands_client = 0;
};

result run_once(const atpc::tpm::key_plan& plan, std::uint16_t port, bool blocking, const std::string& date,
                const tpmwire::bytes& expected) {
    result r;
    auto t0 = now_ns();
    net::io_context io(1);
    std::unique_ptr<tpmwire::transport> t;
    if (blocking) t = std::make_unique<blocking_transport>("127.0.0.1", port, r.io);
    else t = tpmwire::make_transport(io.get_executor(), plan.address);
    tpmwire::client c(io.get_executor(), std::move(t));
    atpc::tpm::kdate_result kd;
    std::exception_ptr failure;
    net::co_spawn(io, atpc::tpm::compute_kdate(c, plan, date, {}), [&](std::exception_ptr e, atpc::tpm::kdate_result k) {
        failure = e;
        kd = std::move(k);
    });
    io.run();
    r.commands_client = c.commands_sent();
    r.total_ns = now_ns() - t0;
    if (failure) std::rethrow_exception(failure);
    if (kd.kdate != expected) throw std::runtime_error("the TPM's kDate differs from OpenSSL's HMAC");
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    std::string keys, out_path;
    std::uint16_t port = 0;
    int iterations = 100;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--port") port = static_cast<std::uint16_t>(std::stoi(v));
        else if (k == "--keys") keys = v;
        else if (k == "--iterations") iterations = std::stoi(v);
        else if (k == "--out") out_path = v;
    }
    if (port == 0 || keys.empty() || out_path.empty()) {
        std::cerr << "usage: bench_kdate --port P --keys DIR --out FILE [--iterations K]\n";
        return 2;
    }
    try {
        // Pins go to the scratch directory, never the user's own state.
        ::setenv("XDG_STATE_HOME", (keys + "/state").c_str(), 1);
        const std::string date = "20250101";
        const std::string secret = read_text(keys + "/secret");
        tpmwire::bytes expected(32);
        unsigned len = 32;
        HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(date.data()), date.size(), expected.data(), &len);

        auto all = modes(keys, port);
        std::vector<atpc::tpm::key_plan> plans;
        for (const auto& m : all) plans.push_back(atpc::credential::plan_from(m.options));
        std::ofstream out(out_path);
        out << "mode,variant,iter,total_ns,io_ns,connect_ns,commands_client,commands_wire\n";
        for (int i = -3; i < iterations; ++i) {  // three warm-up rounds, not written
            for (std::size_t m = 0; m < all.size(); ++m) {
                for (bool blocking : {false, true}) {
                    result r = run_once(plans[m], port, blocking, date, expected);
                    if (i < 0) continue;
                    out << all[m].name << ',' << (blocking ? "blocking" : "asio") << ',' << i << ',' << r.total_ns << ',';
                    if (blocking) out << r.io.io_ns << ',' << r.io.connect_ns << ',';
                    else out << ",,";
                    out << r.commands_client << ',';
                    if (blocking) out << r.io.commands;
                    out << '\n';
                }
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "bench_kdate: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
