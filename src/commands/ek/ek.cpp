// `aws-tpm-process-credential ek`: flags → the TPM's endorsement keys and
// their NV certificates (tpm/ek.hpp), read under the per-TPM lock → each
// certificate checked against its key and, with --ek-ca, its CAs → the
// report, and the RSA EK's certificate and public key written as PEM. The
// names printed are what --tpm-session-encrypt-with-name takes.
#include "commands/commands.hpp"
#include "commands/ek/ek_options.hpp"

#include "base/error.hpp"
#include "ekcert/ek_certificate.hpp"
#include "files/staged_file.hpp"
#include "output/process_output.hpp"
#include "runner/bounded_run.hpp"
#include "tpm/ek.hpp"
#include "tpm/lock.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/transports/open.hpp"

#include <fmt/format.h>

namespace atpc::commands {

using namespace tpm;
namespace net = boost::asio;

namespace {

// One kind of EK as the TPM presents it.
struct ek_entry {
    const ek_slot* slot = nullptr;
    std::optional<endorsement_key_found> key;
    std::optional<ekcert::certificate> certificate;
};

// The RSA EK first (what --useEKParent, key files with parent 0x81010001 and
// the files written here are about), then the ECC ones.
std::vector<const ek_slot*> display_order() {
    std::vector<const ek_slot*> out{&rsa_ek_slot()};
    for (const ek_slot& s : ek_slots())
        if (&s != &rsa_ek_slot()) out.push_back(&s);
    return out;
}

// The RSA EK is always there (made from L-1 when not persistent); an ECC
// one when persistent, or made from L-2 when its certificate is in NV.
net::awaitable<std::vector<ek_entry>> read_all(tpmwire::client& tpm, progress& p) {
    std::vector<ek_entry> out;
    std::optional<std::uint16_t> nv_buffer;
    const tpmwire::bytes_view no_auth;  // the endorsement hierarchy's empty password
    const std::vector<const ek_slot*> order = display_order();
    for (const ek_slot* slot : order) {
        ek_entry e;
        e.slot = slot;
        e.certificate = co_await read_ek_certificate(tpm, p, *slot, nv_buffer);
        const bool create = slot == &rsa_ek_slot() || e.certificate.has_value();
        e.key = co_await present_ek(tpm, p, *slot, no_auth, create);
        if (e.key && !e.key->key.persistent) co_await tpm.flush(e.key->key.handle);  // swtpm has 3 object slots
        out.push_back(std::move(e));
    }
    co_return out;
}

net::awaitable<std::vector<ek_entry>> tpm_part(const ek_options& o, const trace_fn& trace) {
    auto ex = co_await net::this_coro::executor;
    const auto lock_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    auto lock = co_await tpm_lock::acquire(o.address, lock_deadline);
    tpmwire::client_options options;
    options.command_timeout = o.timeout;
    tpmwire::client tpm(ex, tpmwire::make_transport(ex, o.address), options);
    progress p;
    p.trace = trace;
    try {
        auto entries = co_await tpm.scoped(read_all(tpm, p));
        trace_done(trace, tpm);
        co_return entries;
    } catch (const tpmwire::error& e) {
        throw explain(e, p, {});
    }
}

// "NV index 0x01c00002 (issuer …): certifies this key; verifies against --ek-ca …", and whether it verified.
std::string certificate_line(const ek_entry& e, const std::optional<ekcert::ca_bundle>& cas, bool& verified) {
    const std::string where = "NV index " + hex_handle(e.slot->certificate);
    if (!e.certificate) return "none in " + where;
    std::string line = fmt::format("{} (issuer {})", where, e.certificate->issuer());
    if (!e.key) return line + ", of an endorsement key the TPM does not present";
    const bool same = ekcert::same_key(*e.certificate, e.key->key.publicArea);
    line += same ? ", certifies this key" : ", does NOT certify this key (its public key is another)";
    if (!cas) return line + "; not checked against a CA (no --ek-ca)";
    const std::string why = ekcert::verify(*e.certificate, *cas);
    verified = verified || (same && why.empty());
    return line + (why.empty() ? "; verifies against --ek-ca " + cas->path()
                               : "; does not verify against --ek-ca " + cas->path() + ": " + why);
}

std::string report(const ek_options& o, const std::vector<ek_entry>& entries, const std::optional<ekcert::ca_bundle>& cas,
                   bool& verified) {
    std::string r = "Endorsement keys of the TPM at " + o.address.to_string() + ":\n";
    for (const ek_entry& e : entries) {
        if (!e.key) {
            r += fmt::format("{} endorsement key: none (no persistent key at {}; certificate: {})\n", e.slot->label,
                             hex_handle(e.slot->persistent), certificate_line(e, cas, verified));
            continue;
        }
        r += fmt::format("{} endorsement key: {}\n  name: {}\n  certificate: {}\n", e.slot->label, e.key->what,
                         tpmwire::to_hex(e.key->key.name.buffer), certificate_line(e, cas, verified));
    }
    r += "A name above is what --tpm-session-encrypt-with-name takes (import, credential_process).\n";
    return r;
}

// The RSA EK's certificate and public key, as the flags ask.
std::string write_files(const ek_options& o, const ek_entry& rsa, const std::optional<ekcert::ca_bundle>& cas) {
    std::string r;
    if (o.out_cert) {
        if (!rsa.certificate || !ekcert::same_key(*rsa.certificate, rsa.key->key.publicArea))
            throw error(fault::tpm, "--out-cert: the TPM has no certificate of its RSA endorsement key in NV index " +
                                        hex_handle(rsa.slot->certificate) + " (see the report above)");
        if (cas && !ekcert::verify(*rsa.certificate, *cas).empty())
            throw error(fault::tpm, "--out-cert: not written, the RSA endorsement key's certificate does not verify "
                                    "against --ek-ca " + cas->path());
        files::staged_file f(*o.out_cert, files::existing::replace, "--out-cert " + *o.out_cert);
        f.write(rsa.certificate->pem());
        f.commit();
        r += "Wrote the RSA endorsement key's certificate to " + *o.out_cert + " (PEM).\n";
    }
    if (o.out_public) {
        files::staged_file f(*o.out_public, files::existing::replace, "--out-public " + *o.out_public);
        f.write(ekcert::public_key_pem(rsa.key->key.publicArea));
        f.commit();
        r += "Wrote the RSA endorsement key's public key to " + *o.out_public + " (PEM, SubjectPublicKeyInfo).\n";
    }
    return r;
}

}  // namespace

cli::flag_table ek_rows(ek_options& o) {
    cli::flag_table own{
        {.name = "out-cert", .placeholder = "file",
         .help = "write the RSA endorsement key's certificate (from NV index 0x01C00002) here as PEM; with --ek-ca "
                 "only when it verifies",
         .set = [&o](std::string_view v) { o.out_cert = cli::non_empty(v); }},
        {.name = "out-public", .placeholder = "file",
         .help = "write the RSA endorsement key's public key here as PEM (SubjectPublicKeyInfo)",
         .set = [&o](std::string_view v) { o.out_public = cli::non_empty(v); }},
        cli::ek_ca_row(o),
    };
    return cli::join({{cli::tpm_path_row(o), cli::timeout_row(o)}, own, cli::common_rows(o)});
}

std::string ek_usage() {
    ek_options unused;
    return "Usage: aws-tpm-process-credential ek [--tpm-path=…] [--out-cert=FILE] [--out-public=FILE] [--ek-ca=FILE]\n"
           "\n"
           "Prints the names of the TPM's endorsement keys (RSA, and ECC when present), whether each has a\n"
           "certificate in NV whose key is the EK's and, with --ek-ca, whether it chains to those CAs. The\n"
           "names are what --tpm-session-encrypt-with-name takes. Writes the RSA EK's certificate and public\n"
           "key as PEM when asked. With --ek-ca, exits 1 when no certificate verifies.\n"
           "\n"
           "Flags (-flag and --flag, -flag=value and -flag value):\n" +
           cli::flag_help(ek_rows(unused));
}

int ek_main(int argc, char** argv, const env_lookup& env) {
    ek_options o;
    cli::refuse_trailing(cli::parse_flags(argc, argv, ek_rows(o), env));
    if (o.help) {
        output::write_all(1, ek_usage());
        return 0;
    }
    try {
        o.address = tpmwire::parse_tpm_address(o.tpm_path);
    } catch (const tpmwire::error& e) {
        cli::usage_error(std::string("--tpm-path: ") + e.what());
    }
    std::optional<ekcert::ca_bundle> cas;
    if (o.ek_ca) cas = ekcert::ca_bundle::load(*o.ek_ca);
    const trace_fn trace = output::debug_trace(o.debug);
    const std::vector<ek_entry> entries = runner::run_bounded(
        tpm_part(o, trace), std::chrono::steady_clock::time_point::max(), [] { return std::string("ek did not finish"); });
    bool verified = false;
    if (!output::write_all(1, report(o, entries, cas, verified)))
        throw error(fault::config, "cannot write the report to standard output");
    output::write_all(1, write_files(o, entries.front(), cas));
    if (cas && !verified)
        throw error(fault::tpm, "no endorsement key certificate of this TPM verifies against --ek-ca " + cas->path() +
                                    " (see the report above): check that the file holds the TPM manufacturer's CA "
                                    "and intermediate certificates");
    return 0;
}

}  // namespace atpc::commands
