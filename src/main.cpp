// Placeholder until the CLI lands: prints the version.
#include <cstdio>

int main() {
    std::puts("aws-tpm-process-credential " ATPC_VERSION);
    return 0;
}
