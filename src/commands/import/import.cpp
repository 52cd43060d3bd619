// `aws-tpm-process-credential import`: flags → checks that need no TPM
// (--out writable, the secret's shape) → the TPM part (tpm/import.cpp)
// with the key file staged and committed through its hooks → the report.
#include "commands/commands.hpp"
#include "output/config_line.hpp"
#include "tpm/import.hpp"
#include "commands/import/import_options.hpp"
#include "cli/secret_input.hpp"
#include "files/staged_file.hpp"

#include "runner/bounded_run.hpp"
#include "base/error.hpp"
#include "output/process_output.hpp"
#include "tpm/failure.hpp"
#include "tpm/import_trust.hpp"
#include "tpm/lock.hpp"

#include "tpmwire/client/client.hpp"
#include "tpmwire/keyfile/keyfile.hpp"
#include "tpmwire/transports/open.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <unistd.h>

namespace atpc::commands {

using namespace files;
using namespace output;
using namespace tpm;

namespace net = boost::asio;

namespace {

std::string self_path() {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("aws-tpm-process-credential") : p.string();
}

import_plan plan_from(const import_options& o) {
    import_plan p;
    p.parent = o.use_ek_parent ? parent_kind::ek : o.parent ? parent_kind::persistent : parent_kind::h2;
    p.parent_handle = o.parent.value_or(0);
    p.parent_auth = tpmwire::bytes(o.parent_pass.begin(), o.parent_pass.end());
    // With the H-2 parent, the "parent" password is the owner's already.
    const auto& owner = !o.owner_pass.empty() || p.parent != parent_kind::h2 ? o.owner_pass : o.parent_pass;
    p.owner_auth = tpmwire::bytes(owner.begin(), owner.end());
    p.key_auth = tpmwire::bytes(o.key_pass.begin(), o.key_pass.end());
    p.pcrs = o.pcrs;
    p.address = o.address.to_string();
    p.salt_name = o.encrypt_with_name;
    if (o.ek_ca) p.ek_ca = std::make_shared<const ekcert::ca_bundle>(ekcert::ca_bundle::load(*o.ek_ca));
    p.trust_on_first_use = o.trust_on_first_use;
    p.persistent_handle = o.persistent_handle;
    p.force = o.force;
    p.lockout_reserve = o.lockout_reserve;
    return p;
}

// The TPM part, one TPM user at a time (tpm_lock). No overall deadline: each
// command has its own (key creation at least 30 s), the lock wait 60 s.
net::awaitable<imported_key> tpm_part(const import_options& o, const import_plan& plan,
                                      const tpmwire::bytes& hmac_key, const import_hooks& hooks,
                                      const tpm::trace_fn& trace) {
    auto ex = co_await net::this_coro::executor;
    const auto lock_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    auto lock = co_await tpm::tpm_lock::acquire(o.address, lock_deadline);
    tpmwire::client_options options;
    options.command_timeout = o.timeout;
    tpmwire::client tpm(ex, tpmwire::make_transport(ex, o.address), options);
    imported_key key = co_await import_key(tpm, plan, hmac_key, hooks, trace);
    tpm::trace_done(trace, tpm);
    co_return key;
}

imported_key run_tpm(const import_options& o, const import_plan& plan, const tpmwire::bytes& hmac_key,
                     const import_hooks& hooks, const tpm::trace_fn& trace) {
    return runner::run_bounded(tpm_part(o, plan, hmac_key, hooks, trace),
                                   std::chrono::steady_clock::time_point::max(),
                                   [] { return std::string("the import did not finish"); });
}

std::string parent_description(const import_options& o, const imported_key& k) {
    if (o.use_ek_parent)
        return k.ek_persistent ? "the RSA endorsement key at 0x81010001"
                               : "the RSA endorsement key (not persistent: re-created from template L-1 when used)";
    if (o.parent) return "the storage key at " + tpm::hex_handle(*o.parent);
    return "the H-2 ECC P-256 primary under the owner hierarchy (re-created from its template when used)";
}

// Why the key the secret was salted to is trusted.
std::string salt_trust_text(const import_options& o, const imported_key& k) {
    switch (k.salt_trust) {
        case trust_basis::name:
            return "verified against --tpm-session-encrypt-with-name, pinned in " + k.pins_file;
        case trust_basis::certificate:
            return "its certificate in NV chains to --ek-ca " + o.ek_ca.value_or("") + ", pinned in " + k.pins_file;
        case trust_basis::pin:
            return "the endorsement key pinned by an earlier verified import, in " + k.pins_file;
        case trust_basis::first_use:
            break;
    }
    return "trusted on first use (--trust-tpm-on-first-use), pinned in " + k.pins_file;
}

std::string report(const import_options& o, const cli::secret_input& secret, const imported_key& k,
                   const std::optional<std::string>& key_file) {
    std::string r = fmt::format("Imported the secret access key (read from {}) into the TPM at {} as an HMAC-SHA256 key.\n",
                                cli::describe(secret.source), o.address.to_string());
    r += fmt::format("key name:          {}\n", tpmwire::to_hex(k.name.buffer));
    r += fmt::format("parent:            {}, name {}\n", parent_description(o, k), tpmwire::to_hex(k.parent_name.buffer));
    r += fmt::format("session salted to: {} ({}; {})\n", tpmwire::to_hex(k.salt_name.buffer), k.salt_what,
                     salt_trust_text(o, k));
    if (k.persisted)
        r += fmt::format("persistent handle: {}{}\n", tpm::hex_handle(*o.persistent_handle),
                         k.replaced ? " (replacing the key that was there, --force)" : "");
    if (key_file)
        r += fmt::format("key file:          {} (TSS2 PRIVATE KEY, parent {}, mode 0600)\n", *key_file, tpm::hex_handle(k.file_parent));
    if (!o.pcrs.empty())
        r += fmt::format("policy:            PolicyPCR over the current SHA-256 values of PCR {}{}\n",
                         fmt::join(o.pcrs, ","), o.key_pass.empty() ? "" : ", then PolicyAuthValue");
    r += o.key_pass.empty()
             ? "password:          none (the key is noDA)\n"
             : "password:          set (the key counts wrong passwords against the TPM's dictionary-attack lockout); "
               "the process that runs credential_process needs TPM_KEY_AUTH in its environment\n";

    config_line_inputs in;
    in.program = self_path();
    in.tpm_path = o.tpm_path;
    in.access_key_id = o.access_key_id;
    in.pcrs = o.pcrs;
    in.ek_parent = o.use_ek_parent;
    in.salt_name = o.encrypt_with_name;
    r += "\nAdd to ~/.aws/config (with --aws-region, and --assumeRole=true --aws-arn=... to assume a role):\n";
    if (o.access_key_id.empty())
        r += fmt::format("(replace {} with the secret's access key id, or pass --aws-access-key-id to import)\n",
                         access_key_placeholder);
    if (k.persisted) {
        in.persistent_handle = o.persistent_handle;
        r += credential_process_line(in) + "\n";
    }
    if (key_file) {
        if (k.persisted) r += "or, with the key file:\n";
        in.persistent_handle.reset();
        in.key_file = key_file;
        r += credential_process_line(in) + "\n";
    }
    return r;
}

}  // namespace

int import_main(int argc, char** argv, const env_lookup& env) {
    import_options o = parse_import_options(argc, argv, env);
    if (o.help) {
        output::write_all(1, import_usage());
        return 0;
    }
    tpm::trace_fn trace = output::debug_trace(o.debug);

    // Everything that can be refused without the TPM is refused first.
    std::optional<std::string> key_file;
    std::optional<staged_file> file;
    if (o.out) {
        key_file = std::filesystem::absolute(*o.out).lexically_normal().string();
        file.emplace(*key_file, o.force ? existing::replace : existing::refuse, "--out " + *key_file);
        file->check_target();
    }
    const import_plan plan = plan_from(o);  // --ek-ca read here
    tpm::decide_trust(plan);                // an unverifiable TPM is refused before the secret is asked for
    const cli::secret_input secret = cli::read_secret(env);
    const tpmwire::bytes hmac_key = cli::hmac_key_bytes(secret.value);

    import_hooks hooks;
    hooks.prepare = [&](const imported_key& k) {
        if (!file) return;
        tpmwire::tss2_private_key pem;
        pem.type = tpmwire::keyfile_type::loadable;
        pem.emptyAuth = o.key_pass.empty();
        pem.parent = k.file_parent;
        pem.pubkey = k.pub;
        pem.privkey = k.priv;
        file->write(tpmwire::to_pem(pem));
        if (trace) trace("wrote the key file to a temporary file beside " + file->target());
    };
    hooks.commit = [&] {
        if (file) file->commit();
    };
    hooks.trusting = [](const std::string& line) {
        output::write_all(2, "aws-tpm-process-credential import: " + line + "\n");
    };
    const imported_key k = run_tpm(o, plan, hmac_key, hooks, trace);
    if (!output::write_all(1, report(o, secret, k, key_file)))
        throw error(fault::config, "cannot write the report to standard output (the key was imported)");
    return 0;
}

}  // namespace atpc::commands
