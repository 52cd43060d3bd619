// Runs one command as a fresh process and measures it: CLOCK_MONOTONIC just
// before execve (taken in the child) and after wait4, and the child's
// rusage from wait4 (peak RSS, CPU). stdout and stderr are captured.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct child_result {
    std::int64_t exec_ns = 0;  // in the child, just before execve
    std::int64_t exit_ns = 0;  // in the parent, when wait4 returned
    int status = -1;           // as from wait4
    rusage usage{};
    std::string out, err;
};

// `env` entries NAME=VALUE are added to (or replace in) the launcher's environment.
child_result run_child(const std::vector<std::string>& argv, const std::vector<std::string>& env);

}  // namespace bench
