// Starts a program (posix_spawn, no shell) and stops it on destruction with
// SIGTERM, then SIGKILL after a grace period. For tinyproxy in the proxy test;
// tests/support's runner may replace this later.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace test {

class child_process {
public:
    explicit child_process(const std::vector<std::string>& argv);
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    pid_t pid() const { return pid_; }
    bool running();

private:
    pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
unsigned short free_port();

// Waits until 127.0.0.1:port accepts connections (true) or the time is up.
bool wait_for_port(unsigned short port, int timeout_ms);

}  // namespace test
