// bench_tpm_commands: per-command latency of tpmwire, tpm2-tss ESAPI and the
// raw-socket floor against one swtpm, in alternating batches.
//
//   bench_tpm_commands --port P --keys DIR --rounds R --batch N --out commands.csv
//                      [--only OP] [--side SIDE[,SIDE...]]  (one operation / some sides, e.g. to profile)
//
// Every round runs one batch per side for an operation, in an order that
// rotates each round, so slow drift of the machine hits every side alike.
// Output: CSV "op,side,round,ns", one line per timed command.
#include "tpm_commands/ops.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace bench {

std::string_view name_of(op o) {
    switch (o) {
        case op::hmac_empty_pw: return "hmac_empty_pw";
        case op::hmac_session: return "hmac_session";
        case op::hmac_clear_pw: return "hmac_clear_pw";
        case op::create_primary: return "create_primary";
        case op::load: return "load";
        case op::salted_session_ecc: return "salted_session_ecc";
        case op::salted_session_rsa: return "salted_session_rsa";
    }
    return "?";
}

std::string_view name_of(side s) {
    switch (s) {
        case side::tpmwire: return "tpmwire";
        case side::esapi: return "esapi";
        case side::floor: return "floor";
        case side::floor_reconnect: return "floor_reconnect";
    }
    return "?";
}

bool supports(side s, op o) { return !(s == side::tpmwire && o == op::hmac_clear_pw); }

}  // namespace bench

namespace {

using namespace bench;

frame read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return frame((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

samples run_batch(const setup& s, side sd, op o, int n) {
    switch (sd) {
        case side::tpmwire: return tpmwire_batch(s, o, n);
        case side::esapi: return esapi_batch(s, o, n);
        case side::floor: return floor_batch(s, o, n, false);
        case side::floor_reconnect: return floor_batch(s, o, n, true);
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    setup s;
    std::string keys, out_path, only, only_side;
    int rounds = 20, batch = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--port") s.port = static_cast<std::uint16_t>(std::stoi(v));
        else if (k == "--keys") keys = v;
        else if (k == "--rounds") rounds = std::stoi(v);
        else if (k == "--batch") batch = std::stoi(v);
        else if (k == "--out") out_path = v;
        else if (k == "--only") only = v;
        else if (k == "--side") only_side = v;
        else {
            std::cerr << "unknown flag " << k << "\n";
            return 2;
        }
    }
    if (s.port == 0 || keys.empty() || out_path.empty()) {
        std::cerr << "usage: bench_tpm_commands --port P --keys DIR --out FILE [--rounds R] [--batch N]\n";
        return 2;
    }
    try {
        s.key_public = read_file(keys + "/hmac.pub");
        s.key_private = read_file(keys + "/hmac.priv");
        std::ofstream out(out_path);
        out << "op,side,round,ns\n";
        const op ops[] = {op::hmac_empty_pw, op::hmac_session,       op::hmac_clear_pw,     op::create_primary,
                          op::load,          op::salted_session_ecc, op::salted_session_rsa};
        const side sides[] = {side::tpmwire, side::esapi, side::floor, side::floor_reconnect};
        constexpr int side_count = 4;
        auto wanted = [&](side sd, op o) {
            if (!supports(sd, o)) return false;
            if (only_side.empty()) return true;
            // Appended, not operator+: g++ 12 -O3 warns falsely on that (GCC bug 105329).
            std::string list = ",", name = ",";
            list.append(only_side).append(",");
            name.append(name_of(sd)).append(",");
            return list.find(name) != std::string::npos;
        };
        for (op o : ops) {
            if (!only.empty() && name_of(o) != only) continue;
            for (side sd : sides)  // warm-up: caches, swtpm's first-use costs, lazy library init
                if (wanted(sd, o)) run_batch(s, sd, o, std::min(batch, 10));
            for (int r = 0; r < rounds; ++r) {
                for (int k = 0; k < side_count; ++k) {
                    side sd = sides[(k + r) % side_count];
                    if (!wanted(sd, o)) continue;
                    for (auto ns : run_batch(s, sd, o, batch))
                        out << name_of(o) << ',' << name_of(sd) << ',' << r << ',' << ns << '\n';
                }
            }
            std::cerr << "bench_tpm_commands: " << name_of(o) << " done\n";
        }
    } catch (const std::exception& e) {
        std::cerr << "bench_tpm_commands: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
