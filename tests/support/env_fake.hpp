// A fake environment for the HTTPS and STS tests: a map, never the real process env.
#pragma once

#include <map>
#include <string>

#include "base/env.hpp"  // the program's src/ (tests that use this link atpc)

namespace test {

inline atpc::env_lookup fake_env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end() || it->second.empty()) return std::nullopt;
        return it->second;
    };
}

}  // namespace test
