#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <thread>

extern char** environ;

namespace test {
namespace {

std::runtime_error sys_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

int make_memfd(const char* name) {
    int fd = ::memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) throw sys_error("memfd_create");
    return fd;
}

std::string read_all(int fd) {
    std::string data;
    if (fd < 0) return data;
    char buf[16384];
    off_t off = 0;
    for (;;) {
        ssize_t n = ::pread(fd, buf, sizeof buf, off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        data.append(buf, static_cast<std::size_t>(n));
        off += n;
    }
    return data;
}

std::string lookup(const std::string& program, std::string_view path) {
    if (program.find('/') != std::string::npos) return program;
    while (true) {
        auto colon = path.find(':');
        std::string_view dir = path.substr(0, colon);
        if (dir.empty()) dir = ".";
        // Built by appending: assigning or concatenating short literals trips
        // g++ 12's -Wrestrict at -O3 (GCC bug 105329).
        std::string candidate(dir);
        candidate += '/';
        candidate += program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string_view::npos) return {};
        path.remove_prefix(colon + 1);
    }
}

// The child's environment: ours, minus removed and overridden names, plus overrides.
std::vector<std::string> build_env(const env_map& changes) {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        std::string name(entry.substr(0, entry.find('=')));
        if (!changes.count(name)) out.emplace_back(entry);
    }
    for (const auto& [name, value] : changes)
        if (value) out.push_back(name + "=" + *value);
    return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

exit_status decode(int raw) {
    exit_status st;
    if (WIFEXITED(raw)) st.exit_code = WEXITSTATUS(raw);
    if (WIFSIGNALED(raw)) st.signal = WTERMSIG(raw);
    return st;
}

}  // namespace

std::string find_in_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    return lookup(program, path ? path : "/usr/bin:/bin");
}

process::process(spawn_options options) {
    if (options.argv.empty()) throw std::runtime_error("process: empty argv");
    name_ = options.argv[0];

    // Look the program up in the PATH the child will see.
    std::string path_value = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
    if (auto it = options.env.find("PATH"); it != options.env.end() && it->second) path_value = *it->second;
    std::string exe = lookup(name_, path_value);
    if (exe.empty()) throw std::runtime_error("process: " + name_ + " not found in PATH");

    int in_fd = -1;
    out_fd_ = make_memfd("stdout");
    err_fd_ = make_memfd("stderr");
    if (options.stdin_data) {
        in_fd = make_memfd("stdin");
        const std::string& data = *options.stdin_data;
        std::size_t done = 0;
        while (done < data.size()) {
            ssize_t n = ::write(in_fd, data.data() + done, data.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                ::close(in_fd);
                throw sys_error("process: writing stdin for " + name_);
            }
            done += static_cast<std::size_t>(n);
        }
        ::lseek(in_fd, 0, SEEK_SET);
    } else {
        in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in_fd < 0) throw sys_error("open /dev/null");
    }

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fd_, 1);
    posix_spawn_file_actions_adddup2(&actions, err_fd_, 2);
    // No descriptor of the test process (sockets, TPM connections) leaks in.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());

    // Own process group (so kill(-pid) reaches its children), default signal
    // dispositions and an empty mask whatever the test process set.
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> env = build_env(options.env);
    std::vector<char*> envp = c_strings(env);
    std::vector<char*> argv = c_strings(options.argv);
    int rc = ::posix_spawn(&pid_, exe.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(in_fd);
    if (rc != 0) {
        close_fd(out_fd_);
        close_fd(err_fd_);
        pid_ = -1;
        errno = rc;
        throw sys_error("process: cannot start " + exe);
    }
    // A pidfd lets wait_for() sleep in poll() instead of polling waitid().
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

process::~process() {
    if (pid_ > 0 && !status_) {
        ::kill(-pid_, SIGKILL);
        int raw = 0;
        while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
        }
    }
    close_fd(pidfd_);
    close_fd(out_fd_);
    close_fd(err_fd_);
}

void process::reap_if_exited(bool block) {
    if (status_ || pid_ <= 0) return;
    siginfo_t info{};
    int flags = WEXITED | WNOWAIT | (block ? 0 : WNOHANG);
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, flags) != 0) {
        if (errno == EINTR) continue;
        status_ = exit_status{};  // reaped elsewhere (ECHILD): nothing to report
        return;
    }
    if (info.si_pid == 0) return;  // still running
    // The leader is a zombie, so its pid (= the group id) cannot be reused
    // yet: kill whatever it left behind in its group, then reap it.
    ::kill(-pid_, SIGKILL);
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
    status_ = decode(raw);
    close_fd(pidfd_);
}

bool process::running() {
    reap_if_exited(false);
    return !status_;
}

std::optional<exit_status> process::wait_for(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        reap_if_exited(false);
        if (status_) return status_;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        if (pidfd_ >= 0) {
            pollfd p{pidfd_, POLLIN, 0};
            ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count() + 1, 1000)));
        } else {
            std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(2)));
        }
    }
}

exit_status process::wait() {
    reap_if_exited(true);
    return *status_;
}

void process::kill(int sig) {
    if (pid_ > 0 && !status_) ::kill(-pid_, sig);
}

exit_status process::stop(std::chrono::milliseconds grace) {
    kill(SIGTERM);
    kill(SIGCONT);  // a paused child only acts on SIGTERM once continued
    if (auto st = wait_for(grace)) return *st;
    kill(SIGKILL);
    return wait();
}

std::string process::out() const {
    return read_all(out_fd_);
}
std::string process::err() const {
    return read_all(err_fd_);
}

std::string run_result::describe() const {
    std::string s;
    if (timed_out)
        s = "timed out after " + std::to_string(elapsed.count()) + " ms";
    else if (signal)
        s = "killed by signal " + std::to_string(signal);
    else
        s = "exit code " + std::to_string(exit_code);
    std::string e = err.size() > 2000 ? err.substr(0, 2000) + "..." : err;
    while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
    if (!e.empty()) s += "; stderr: " + e;
    return s;
}

run_result run(const std::vector<std::string>& argv, const env_map& env, std::chrono::milliseconds timeout,
               std::optional<std::string> stdin_data) {
    return run(spawn_options{argv, env, std::move(stdin_data), {}}, timeout);
}

run_result run(spawn_options options, std::chrono::milliseconds timeout) {
    auto start = std::chrono::steady_clock::now();
    process p(std::move(options));
    run_result r;
    auto st = p.wait_for(timeout);
    if (!st) {
        r.timed_out = true;
        p.kill(SIGKILL);
        st = p.wait();
    }
    r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    r.exit_code = st->exit_code;
    r.signal = st->signal;
    r.out = p.out();
    r.err = p.err();
    return r;
}

}  // namespace test
