#include "cli/secret_input.hpp"

#include "base/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <termios.h>
#include <unistd.h>

namespace atpc::cli {

namespace {

constexpr std::size_t max_input = 4096;

[[noreturn]] void bad(const std::string& message) { throw error(fault::usage, message); }

bool secret_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '+' ||
           c == '=';
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void trim(tpmwire::secret_string& s) {
    std::size_t end = s.size();
    while (end > 0 && blank(s[end - 1])) --end;
    std::size_t start = 0;
    while (start < end && blank(s[start])) ++start;
    s.erase(end);
    s.erase(0, start);
}

// Reads up to max_input bytes (one line when `line`), into wiped storage.
tpmwire::secret_string read_fd(int fd, bool line) {
    tpmwire::secret_string out;
    out.reserve(max_input + 1);
    char buf[256];
    for (;;) {
        ssize_t n = ::read(fd, buf, line ? 1 : sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            tpmwire::secure_zero(buf, sizeof buf);
            bad(fmt::format("cannot read the secret from standard input: {}", std::strerror(errno)));
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > max_input) {
            tpmwire::secure_zero(buf, sizeof buf);
            bad("standard input is too long for a secret access key");
        }
        if (line && buf[0] == '\n') break;
    }
    tpmwire::secure_zero(buf, sizeof buf);
    return out;
}

// Terminal state to restore if a signal arrives while echo is off.
termios saved_termios;
volatile sig_atomic_t echo_off_fd = -1;

extern "C" void restore_and_reraise(int sig) {
    if (echo_off_fd >= 0) ::tcsetattr(echo_off_fd, TCSAFLUSH, &saved_termios);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

tpmwire::secret_string prompt(int fd) {
    static constexpr char text[] = "AWS secret access key (input hidden): ";
    if (::tcgetattr(fd, &saved_termios) != 0) bad(fmt::format("cannot read the terminal settings: {}", std::strerror(errno)));
    termios quiet = saved_termios;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    struct sigaction on_signal {}, old_int{}, old_term{}, old_hup{};
    on_signal.sa_handler = restore_and_reraise;
    sigemptyset(&on_signal.sa_mask);
    ::sigaction(SIGINT, &on_signal, &old_int);
    ::sigaction(SIGTERM, &on_signal, &old_term);
    ::sigaction(SIGHUP, &on_signal, &old_hup);
    echo_off_fd = fd;
    // Echo off before the prompt appears, so nothing typed after it is shown.
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
    (void)!::write(2, text, sizeof text - 1);
    std::exception_ptr failure;
    tpmwire::secret_string line;
    try {
        line = read_fd(fd, true);
    } catch (...) {
        failure = std::current_exception();
    }
    ::tcsetattr(fd, TCSAFLUSH, &saved_termios);
    echo_off_fd = -1;
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    ::sigaction(SIGHUP, &old_hup, nullptr);
    if (failure) std::rethrow_exception(failure);
    return line;
}

tpmwire::secret_string from_environment(const env_lookup& env) {
    tpmwire::secret_string out;
    if (auto v = env("AWS_SECRET_ACCESS_KEY")) {
        out.reserve(v->size() + 1);
        out.assign(v->data(), v->size());
        tpmwire::secure_zero(v->data(), v->size());
    }
    trim(out);
    return out;
}

}  // namespace

void check_secret(std::string_view s) {
    if (s.empty())
        bad("no secret access key: pipe it to standard input, type it at the prompt, or set AWS_SECRET_ACCESS_KEY");
    if (s.find('\n') != std::string_view::npos) bad("the secret access key must be one line");
    bool id_like = s.size() == 20 && (s.starts_with("AKIA") || s.starts_with("ASIA"));
    if (id_like) bad("that is an access key id (20 characters starting AKIA/ASIA), not the secret access key");
    if (s.size() == 44 && s.starts_with("AWS4"))
        bad("give the secret access key without the \"AWS4\" prefix: import adds it");
    if (s.size() != 40)
        bad(fmt::format("an AWS secret access key is 40 characters; got {}", s.size()));
    auto wrong = std::find_if(s.begin(), s.end(), [](char c) { return !secret_char(c); });
    if (wrong != s.end())
        bad(fmt::format("the secret access key has a character outside A-Z a-z 0-9 / + = at position {}",
                        wrong - s.begin() + 1));
}

secret_input read_secret(const env_lookup& env, int fd) {
    secret_input in;
    tpmwire::secret_string from_env = from_environment(env);
    if (::isatty(fd)) {
        if (!from_env.empty()) {
            in.value = std::move(from_env);
            in.source = secret_source::environment;
        } else {
            in.value = prompt(fd);
            in.source = secret_source::terminal;
        }
    } else {
        in.value = read_fd(fd, false);
        trim(in.value);
        in.source = secret_source::standard_input;
        if (in.value.empty() && !from_env.empty()) {
            in.value = std::move(from_env);
            in.source = secret_source::environment;
        } else if (!in.value.empty() && !from_env.empty() && in.value != from_env) {
            bad("standard input and AWS_SECRET_ACCESS_KEY hold different secrets: give only one");
        }
    }
    trim(in.value);
    check_secret(in.value);
    return in;
}

tpmwire::bytes hmac_key_bytes(std::string_view secret) {
    tpmwire::bytes key;
    key.reserve(4 + secret.size());
    for (char c : std::string_view("AWS4")) key.push_back(static_cast<tpmwire::byte>(c));
    for (char c : secret) key.push_back(static_cast<tpmwire::byte>(c));
    return key;
}

std::string_view describe(secret_source s) {
    switch (s) {
        case secret_source::terminal: return "the terminal";
        case secret_source::standard_input: return "standard input";
        case secret_source::environment: return "AWS_SECRET_ACCESS_KEY";
    }
    return "?";
}

}  // namespace atpc::cli
