// Child processes for tests: real peers (swtpm, moto_server) and tools
// (tpm2-tools, openssl, python3, the program itself).
//
// Every child runs in its own process group, so killing it also kills what it
// started (pyenv shims, shells). stdout and stderr go to anonymous in-memory
// files (memfd), which never fill up and so never deadlock, however much a
// server logs; stdin is a string or /dev/null. The destructor SIGKILLs the
// whole group and reaps the child, so a failing assertion leaves no zombie or
// orphan behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace test {

using namespace std::chrono_literals;

// Changes to the inherited environment: a value sets the variable,
// std::nullopt removes it. Example: {{"TPM2TOOLS_TCTI", tcti}, {"AWS_PROFILE", std::nullopt}}.
using env_map = std::map<std::string, std::optional<std::string>>;

struct exit_status {
    int exit_code = -1;  // -1 when killed by a signal
    int signal = 0;      // 0 when it exited normally
    bool ok() const { return exit_code == 0; }
};

struct spawn_options {
    // (Every member has an initializer: designated initializers may omit any.)
    std::vector<std::string> argv = {};          // argv[0] is looked up in PATH when it has no '/'
    env_map env = {};                            // applied on top of this process's environment
    std::optional<std::string> stdin_data = {};  // std::nullopt: /dev/null
    std::string cwd = {};                        // empty: inherit
};

class process {
public:
    // Throws std::runtime_error when the program cannot be started.
    explicit process(spawn_options options);
    ~process();
    process(const process&) = delete;
    process& operator=(const process&) = delete;

    pid_t pid() const { return pid_; }
    const std::string& name() const { return name_; }

    // True while the child has not exited. Once it has, its group is killed
    // and it is reaped; status() then holds the result.
    bool running();
    // Waits up to `timeout`; std::nullopt if the child is still running.
    std::optional<exit_status> wait_for(std::chrono::milliseconds timeout);
    // Waits without limit.
    exit_status wait();
    const std::optional<exit_status>& status() const { return status_; }

    // Sends `sig` to the whole process group (no-op once reaped).
    void kill(int sig);
    // SIGTERM, then SIGKILL if still running after `grace`; returns the status.
    exit_status stop(std::chrono::milliseconds grace = 2s);

    // Everything written so far (safe to call while it runs).
    std::string out() const;
    std::string err() const;

private:
    void reap_if_exited(bool block);

    std::string name_;
    pid_t pid_ = -1;
    int pidfd_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    std::optional<exit_status> status_;
};

struct run_result {
    int exit_code = -1;  // -1 when killed by a signal (including on timeout)
    int signal = 0;
    bool timed_out = false;
    std::string out;
    std::string err;
    std::chrono::milliseconds elapsed{0};

    bool ok() const { return exit_code == 0; }
    // One line for test failure messages: exit code/signal and stderr.
    std::string describe() const;
};

// Runs a command to completion. On timeout the process group is SIGKILLed
// and the result has timed_out = true, signal = SIGKILL.
run_result run(const std::vector<std::string>& argv, const env_map& env = {}, std::chrono::milliseconds timeout = 60s,
               std::optional<std::string> stdin_data = std::nullopt);
// The same with every option (e.g. a working directory).
run_result run(spawn_options options, std::chrono::milliseconds timeout = 60s);

// The absolute path of `program` in PATH, or "" if absent.
std::string find_in_path(const std::string& program);

}  // namespace test
