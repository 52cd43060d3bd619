#include "base/env.hpp"

#include <cstdlib>

namespace atpc {

env_lookup process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr || *v == '\0') return std::nullopt;
        return std::string(v);
    };
}

std::optional<std::string> first_set(const env_lookup& env, std::initializer_list<std::string_view> names) {
    for (auto n : names) {
        if (auto v = env(n); v && !v->empty()) return v;
    }
    return std::nullopt;
}

}  // namespace atpc
