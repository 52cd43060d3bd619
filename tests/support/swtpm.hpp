// A real TPM 2.0 per fixture: swtpm 0.7.1 on two free loopback ports with a
// fresh state directory, removed (with the process) by the destructor.
//
//     test::swtpm tpm;                         // or swtpm({.with_ek = true})
//     auto r = tpm.tool({"tpm2_getrandom", "8", "--hex"});
//     REQUIRE(r.ok());
//     client.connect(tpm.host(), tpm.port());  // our own transport
//
// Started as `swtpm socket --tpm2 --server type=tcp,port=P,bindaddr=127.0.0.1
// --ctrl type=tcp,port=P+1,bindaddr=127.0.0.1 --flags not-need-init,startup-clear
// --tpmstate dir=<state>`: the TPM is already started (TPM2_Startup answers
// TPM_RC_INITIALIZE). P+1 must be the control port because tpm2-tss's swtpm
// TCTI derives it (it sends SET_LOCALITY there before every command).
//
// ONE CLIENT AT A TIME: swtpm serves a single connection and ignores others
// until it closes. tpm2-tss's swtpm TCTI (what tool() uses) opens a new
// connection per command, so a tool run while our own client keeps its
// connection open waits until the tool's timeout. Close (or never open) our
// client's connection before tool(), restart() or the handle helpers.
//
// No resource manager: transient objects and sessions stay loaded until
// flushed (3 object slots), and the tools' context files keep them loaded.
// transient_handles()/loaded_sessions() let tests assert that nothing leaked.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace test {

struct swtpm_options {
    // Run `swtpm_setup --createek` first: persistent RSA-2048 EK at 0x81010001
    // and ECC EK (NIST P-384 in swtpm 0.7.1) at 0x81010016. ≈ 0.6 s.
    bool with_ek = false;
    // Also EK and platform certificates in NV (0x01c00002 RSA, 0x01c00016 ECC,
    // 0x01c08000 platform), issued by a swtpm-localca made in this fixture's
    // directory (no system state used); DER copies in ek_cert_dir(). Implies with_ek. ≈ 1.2–2 s.
    bool ek_cert = false;
    // Active PCR banks, e.g. "sha256" (runs swtpm_setup --pcr-banks). Empty:
    // the swtpm default, sha1+sha256+sha384+sha512, also when with_ek is set.
    std::string pcr_banks = {};
    // How long start (and restart) may take before failing.
    std::chrono::milliseconds start_timeout = std::chrono::seconds(5);
};

class swtpm {
public:
    // Starts it (retrying on a port clash). Throws std::runtime_error.
    explicit swtpm(swtpm_options options = {});
    ~swtpm();
    swtpm(const swtpm&) = delete;
    swtpm& operator=(const swtpm&) = delete;

    std::string host() const { return "127.0.0.1"; }
    std::uint16_t port() const { return port_; }
    std::uint16_t ctrl_port() const { return static_cast<std::uint16_t>(port_ + 1); }
    std::string tcti() const { return "swtpm:host=127.0.0.1,port=" + std::to_string(port_); }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    // The swtpm process (-1 while stopped).
    pid_t pid() const { return proc_ ? proc_->pid() : -1; }
    // The TPM's state (tpm2-00.permall). Keep other files out of it.
    std::filesystem::path state_dir() const { return root_ / "state"; }
    // Scratch directory, the working directory of tool(): relative file names land here.
    std::filesystem::path work_dir() const { return root_ / "work"; }
    // With ek_cert: ek-rsa2048.crt and ek-secp384r1.crt (DER), and
    // ../localca/swtpm-localca-rootca-cert.pem, issuercert.pem (the CA chain).
    std::filesystem::path ek_cert_dir() const { return root_ / "ek-certs"; }

    bool running();
    // SIGTERM (SIGKILL after 2 s). State stays; start() brings it back.
    void stop();
    // Starts again with the same state, on the same ports when they are still
    // free (else new ones: read port()/tcti() again).
    void start();
    // A reboot keeping NV and persistent objects; PCRs, transient objects and
    // sessions are gone. Orderly (TPM2_Shutdown(CLEAR) first, via tpm2_shutdown)
    // unless power_loss: then SIGKILL, and after using a DA-protected
    // authorization the TPM counts a failure on the next start, as real ones do.
    void restart(bool power_loss = false);
    // SIGSTOP / SIGCONT: a paused TPM accepts connections but never answers.
    void pause();
    void resume();

    // Runs a tpm2-tools command with TPM2TOOLS_TCTI=tcti(), cwd work_dir().
    run_result tool(std::vector<std::string> argv, std::chrono::milliseconds timeout = std::chrono::seconds(30),
                    const env_map& env = {}) const;

    // tool() that must succeed (REQUIRE, with the tool's output on failure).
    void require_tool(std::vector<std::string> argv) const;
    // tpm2_flushcontext -t and -l: the tools leave objects and their own
    // sessions loaded on a TPM without a resource manager (3 slots of each).
    void flush_all() const;
    // CHECKs that no transient object or loaded session is left.
    void check_no_leaks() const;

    // `tpm2_getcap <capability>` parsed: the handles it lists ("- 0x80000000"
    // lines). Throws if the tool fails.
    std::vector<std::uint32_t> handles(const std::string& capability) const;
    std::vector<std::uint32_t> transient_handles() const { return handles("handles-transient"); }
    std::vector<std::uint32_t> loaded_sessions() const { return handles("handles-loaded-session"); }
    std::vector<std::uint32_t> saved_sessions() const { return handles("handles-saved-session"); }
    std::vector<std::uint32_t> persistent_handles() const { return handles("handles-persistent"); }

    // swtpm's own stdout+stderr so far (for failure messages).
    std::string log() const;

private:
    void setup();
    void launch(std::uint16_t preferred_port);

    swtpm_options options_;
    temp_dir dir_;                // declared before proc_: outlives the process
    std::filesystem::path root_;  // dir_ made absolute (TMPDIR may be relative)
    std::unique_ptr<process> proc_;
    std::uint16_t port_ = 0;
    std::string previous_log_;
};

}  // namespace test
