// bench_launch: fresh-process runs, credential_process style.
//
//   bench_launch --plan plan.tsv --tpm-port P --rounds R --out fetch.csv
//
// plan.tsv, one configuration per line, tab-separated:
//   label  variants  expect  [NAME=VALUE ...]  program  args...
// variants: "direct" (straight to swtpm: wall time, peak RSS), "proxied"
// (through tpm_proxy: exec-to-first-TPM-byte, TPM commands on the wire), or
// "both". expect: a string stdout must contain, or "-". In arguments,
// @TPM_PORT@ (also in NAME=VALUE) becomes the port to use and @DEBUG@ becomes --debug in proxied
// runs (to read the program's own command count) and disappears otherwise.
// Configurations run round-robin, R rounds, after one unrecorded warm-up round.
#include "launcher/run.hpp"
#include "launcher/tpm_proxy.hpp"

#include <sys/wait.h>

#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace bench;

struct config {
    std::string label, variants, expect;
    std::vector<std::string> env, argv;
};

std::vector<config> read_plan(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<config> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, '\t');) f.push_back(x);
        if (f.size() < 4) throw std::runtime_error("plan line needs label, variants, expect, program: " + line);
        config c{f[0], f[1], f[2], {}, {}};
        std::size_t i = 3;
        for (; i < f.size() && f[i].find('=') != std::string::npos && f[i][0] != '-' && c.argv.empty(); ++i)
            c.env.push_back(f[i]);
        for (; i < f.size(); ++i) c.argv.push_back(f[i]);
        if (c.argv.empty()) throw std::runtime_error("plan line has no program: " + line);
        out.push_back(c);
    }
    return out;
}

std::string substitute(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, from.size(), to);
    return s;
}

std::vector<std::string> expand(const std::vector<std::string>& in, std::uint16_t port, bool debug) {
    std::vector<std::string> out;
    for (const auto& a : in) {
        if (a == "@DEBUG@") {
            if (debug) out.push_back("--debug");
            continue;
        }
        out.push_back(substitute(a, "@TPM_PORT@", std::to_string(port)));
    }
    return out;
}

// "TPM: done, N commands" from the program's --debug trace.
std::string self_count(const std::string& err) {
    static const std::regex done("TPM: done, ([0-9]+) commands");
    std::smatch m;
    return std::regex_search(err, m, done) ? m[1].str() : "";
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

int main(int argc, char** argv) {
    std::string plan_path, out_path;
    std::uint16_t tpm_port = 0;
    int rounds = 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--plan") plan_path = v;
        else if (k == "--out") out_path = v;
        else if (k == "--tpm-port") tpm_port = static_cast<std::uint16_t>(std::stoi(v));
        else if (k == "--rounds") rounds = std::stoi(v);
    }
    if (plan_path.empty() || out_path.empty() || tpm_port == 0) {
        std::cerr << "usage: bench_launch --plan FILE --tpm-port P --out FILE [--rounds R]\n";
        return 2;
    }
    try {
        auto plan = read_plan(plan_path);
        tpm_proxy proxy(tpm_port);
        std::ofstream out(out_path);
        out << "label,variant,round,ok,wall_ns,first_tpm_byte_ns,tpm_span_ns,after_tpm_ns,tpm_commands_wire,"
               "tpm_connections,tpm_commands_self,maxrss_kib,user_us,sys_us\n";
        int failures = 0;
        for (int r = -1; r < rounds; ++r) {
            for (const auto& c : plan) {
                for (bool proxied : {false, true}) {
                    if (c.variants != "both" && c.variants != (proxied ? "proxied" : "direct")) continue;
                    proxy.reset();
                    const std::uint16_t port = proxied ? proxy.port() : tpm_port;
                    auto res = run_child(expand(c.argv, port, proxied), expand(c.env, port, proxied));
                    auto st = proxy.snapshot();
                    bool ok = WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0 &&
                              (c.expect == "-" || res.out.find(c.expect) != std::string::npos);
                    if (!ok) {
                        ++failures;
                        std::cerr << "bench_launch: " << c.label << (proxied ? " (proxied)" : "") << " failed: "
                                  << first_line(res.err) << "\n";
                    }
                    if (r < 0) continue;
                    out << c.label << ',' << (proxied ? "proxied" : "direct") << ',' << r << ',' << ok << ','
                        << res.exit_ns - res.exec_ns << ',';
                    if (proxied && st.first_byte_ns) {
                        out << st.first_byte_ns - res.exec_ns << ',' << st.last_response_ns - st.first_byte_ns << ','
                            << res.exit_ns - st.last_response_ns << ',' << st.commands << ',' << st.connections << ',';
                    } else {
                        out << ",,,,,";
                    }
                    out << self_count(res.err) << ',' << res.usage.ru_maxrss << ','
                        << res.usage.ru_utime.tv_sec * 1000000 + res.usage.ru_utime.tv_usec << ','
                        << res.usage.ru_stime.tv_sec * 1000000 + res.usage.ru_stime.tv_usec << '\n';
                }
            }
        }
        if (failures) std::cerr << "bench_launch: " << failures << " failed runs\n";
        return failures ? 1 : 0;
    } catch (const std::exception& e) {
        std::cerr << "bench_launch: " << e.what() << "\n";
        return 1;
    }
}
