#include "support/swtpm.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/ports.hpp"

namespace test {
namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out) throw std::runtime_error("swtpm: cannot write " + path.string());
}

std::string ms(std::chrono::milliseconds d) {
    return std::to_string(d.count()) + " ms";
}

}  // namespace

swtpm::swtpm(swtpm_options options)
    : options_(std::move(options)), dir_("atpc-swtpm"), root_(std::filesystem::absolute(dir_.path())) {
    // swtpm's option parser splits on ',' (dir=<path>,mode=...).
    if (root_.string().find(',') != std::string::npos)
        throw std::runtime_error("swtpm: the temporary directory path contains ',' (check TMPDIR): " + root_.string());
    std::filesystem::create_directory(state_dir());
    std::filesystem::create_directory(work_dir());
    setup();
    launch(0);
}

swtpm::~swtpm() = default;

// swtpm_setup with a private configuration, so it neither reads nor writes
// the system's swtpm-localca state (/var/lib/swtpm-localca).
void swtpm::setup() {
    bool ek = options_.with_ek || options_.ek_cert;
    if (!ek && options_.pcr_banks.empty()) return;
    const auto& d = root_;
    std::string localca = find_in_path("swtpm_localca");
    if (options_.ek_cert && localca.empty()) throw std::runtime_error("swtpm: swtpm_localca not found in PATH");
    write_file(d / "swtpm_setup.conf", "create_certs_tool = " + localca + "\n" +
                                           "create_certs_tool_config = " + (d / "swtpm-localca.conf").string() + "\n" +
                                           "create_certs_tool_options = " + (d / "swtpm-localca.options").string() +
                                           "\n");
    write_file(d / "swtpm-localca.conf", "statedir = " + (d / "localca").string() + "\n" +
                                             "signingkey = " + (d / "localca/signkey.pem").string() + "\n" +
                                             "issuercert = " + (d / "localca/issuercert.pem").string() + "\n" +
                                             "certserial = " + (d / "localca/certserial").string() + "\n");
    write_file(d / "swtpm-localca.options",
               "--platform-manufacturer atpc-test\n--platform-version 2.1\n--platform-model swtpm\n");

    std::vector<std::string> argv{"swtpm_setup", "--tpm2",
                                  "--tpmstate",  state_dir().string(),
                                  "--config",    (d / "swtpm_setup.conf").string(),
                                  "--pcr-banks", options_.pcr_banks.empty() ? "-" : options_.pcr_banks};
    if (ek) argv.push_back("--createek");
    if (options_.ek_cert) {
        std::filesystem::create_directory(d / "localca");
        std::filesystem::create_directory(ek_cert_dir());
        argv.insert(argv.end(),
                    {"--create-ek-cert", "--create-platform-cert", "--write-ek-cert-files", ek_cert_dir().string()});
    }
    // Its own temporary files (certificate requests) stay in this fixture.
    env_map env{{"TPM_PATH", std::nullopt}, {"TMPDIR", d.string()}};
    run_result r = run(spawn_options{argv, env, std::nullopt, work_dir().string()}, 60s);
    if (!r.ok()) throw std::runtime_error("swtpm_setup failed: " + r.describe() + "; stdout: " + r.out);
}

void swtpm::launch(std::uint16_t preferred_port) {
    constexpr int attempts = 10;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        std::uint16_t p = attempt == 0 && preferred_port ? preferred_port : free_tcp_port_pair().first;
        std::vector<std::string> argv{"swtpm",
                                      "socket",
                                      "--tpm2",
                                      "--server",
                                      "type=tcp,port=" + std::to_string(p) + ",bindaddr=127.0.0.1",
                                      "--ctrl",
                                      "type=tcp,port=" + std::to_string(p + 1) + ",bindaddr=127.0.0.1",
                                      "--flags",
                                      "not-need-init,startup-clear",
                                      "--tpmstate",
                                      "dir=" + state_dir().string()};
        proc_ = std::make_unique<process>(
            spawn_options{argv, {{"TPM_PATH", std::nullopt}}, std::nullopt, work_dir().string()});
        auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
        for (;;) {
            if (!proc_->running()) {
                std::string output = log();
                previous_log_ = output;
                proc_.reset();
                if (output.find("Address already in use") != std::string::npos) break;  // clash: new ports
                throw std::runtime_error("swtpm exited while starting on ports " + std::to_string(p) + "/" +
                                         std::to_string(p + 1) + ": " + output);
            }
            // Ready when OUR process listens on both ports (not merely when
            // something answers there: it could be another test's swtpm).
            auto listening = listening_ports(proc_->pid());
            if (listening.count(p) && listening.count(static_cast<std::uint16_t>(p + 1))) {
                port_ = p;
                return;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                std::string output = log();
                proc_.reset();
                throw std::runtime_error("swtpm did not listen on 127.0.0.1:" + std::to_string(p) + " and " +
                                         std::to_string(p + 1) + " within " + ms(options_.start_timeout) +
                                         "; its output: " + output);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    throw std::runtime_error("swtpm: ports clashed " + std::to_string(attempts) +
                             " times in a row; last output: " + previous_log_);
}

bool swtpm::running() {
    return proc_ && proc_->running();
}

void swtpm::stop() {
    if (!proc_) return;
    proc_->stop(2s);
    previous_log_ += proc_->out() + proc_->err();
    proc_.reset();
}

void swtpm::start() {
    if (!proc_) launch(port_);
}

void swtpm::restart(bool power_loss) {
    if (!power_loss && proc_) {
        run_result r = tool({"tpm2_shutdown", "-c"}, 10s);
        if (!r.ok())
            throw std::runtime_error("swtpm::restart: tpm2_shutdown -c failed (is a client still connected?): " +
                                     r.describe());
    }
    if (power_loss && proc_) proc_->kill(SIGKILL);
    stop();
    launch(port_);
}

void swtpm::pause() {
    if (proc_) proc_->kill(SIGSTOP);
}

void swtpm::resume() {
    if (proc_) proc_->kill(SIGCONT);
}

run_result swtpm::tool(std::vector<std::string> argv, std::chrono::milliseconds timeout, const env_map& env) const {
    env_map e = env;
    e["TPM2TOOLS_TCTI"] = tcti();
    return run(spawn_options{std::move(argv), std::move(e), std::nullopt, work_dir().string()}, timeout);
}

std::vector<std::uint32_t> swtpm::handles(const std::string& capability) const {
    run_result r = tool({"tpm2_getcap", capability}, 10s);
    if (!r.ok()) throw std::runtime_error("tpm2_getcap " + capability + " failed: " + r.describe());
    std::vector<std::uint32_t> out;
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
        auto at = line.find("- 0x");
        if (at == std::string::npos) continue;
        out.push_back(static_cast<std::uint32_t>(std::stoul(line.substr(at + 2), nullptr, 16)));
    }
    return out;
}

std::string swtpm::log() const {
    return previous_log_ + (proc_ ? proc_->out() + proc_->err() : std::string());
}

void swtpm::require_tool(std::vector<std::string> argv) const {
    auto r = tool(std::move(argv));
    INFO(r.describe());
    REQUIRE(r.ok());
}

void swtpm::flush_all() const {
    require_tool({"tpm2_flushcontext", "-t"});
    require_tool({"tpm2_flushcontext", "-l"});
}

void swtpm::check_no_leaks() const {
    CHECK(transient_handles().empty());
    CHECK(loaded_sessions().empty());
}

}  // namespace test
