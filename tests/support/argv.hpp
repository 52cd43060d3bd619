// A mutable argv for in-process parsing: the parser overwrites secrets and
// unused arguments in place, as it does in the real argv (what
// /proc/<pid>/cmdline shows), and the tests read the array back.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace test {

struct argv_array {
    std::vector<std::vector<char>> storage;
    std::vector<char*> ptrs;

    // argv[0] is `program`.
    explicit argv_array(std::vector<std::string> args, std::string program = "aws-tpm-process-credential") {
        args.insert(args.begin(), std::move(program));
        for (auto& a : args) storage.emplace_back(a.c_str(), a.c_str() + a.size() + 1);
        for (auto& s : storage) ptrs.push_back(s.data());
    }
    int argc() const { return static_cast<int>(ptrs.size()); }
    char** argv() { return ptrs.data(); }
    // Argument i as the process would now show it (up to the first NUL).
    std::string at(std::size_t i) const { return std::string(storage[i].data()); }
    // True when every byte of argument i is zero.
    bool wiped(std::size_t i) const {
        for (std::size_t b = 0; b + 1 < storage[i].size(); ++b)
            if (storage[i][b] != '\0') return false;
        return true;
    }
    // True when `s` occurs anywhere in the arguments' bytes.
    bool shows(std::string_view s) const {
        for (const auto& a : storage)
            if (std::string_view(a.data(), a.size()).find(s) != std::string_view::npos) return true;
        return false;
    }
};

// An environment lookup over a fixed map.
inline auto fixed_env(std::map<std::string, std::string> vars = {}) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace test
