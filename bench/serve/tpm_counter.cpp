// bench_tpm_counter: the launcher's TPM proxy (launcher/tpm_proxy.hpp) on
// its own, in front of a swtpm, for a long-running client: prints the port
// to use, then, on SIGTERM, how many connections and TPM commands went
// through. The program opens one connection per kDate, so connections
// count TPM uses.
//
//   bench_tpm_counter SWTPM_PORT
#include "launcher/tpm_proxy.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_tpm_counter SWTPM_PORT\n");
        return 2;
    }
    // Blocked before the proxy's thread starts, so only sigwait sees it.
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &term, nullptr);
    bench::tpm_proxy proxy(static_cast<std::uint16_t>(std::atoi(argv[1])));
    std::printf("%u\n", static_cast<unsigned>(proxy.port()));
    std::fflush(stdout);
    int signal = 0;
    sigwait(&term, &signal);
    const bench::proxy_stats s = proxy.snapshot();
    std::printf("connections %d commands %d\n", s.connections, s.commands);
    return 0;
}
