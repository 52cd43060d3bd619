// Environment access, injected so tests never touch the real
// process environment. An empty value counts as unset, as in Go's getEnvAny
// and the AWS SDKs.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace atpc {

// Returns the value of a variable, or nullopt when it is unset or empty.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the process environment (getenv).
env_lookup process_environment();

// The first of `names` that is set and non-empty.
std::optional<std::string> first_set(const env_lookup& env, std::initializer_list<std::string_view> names);

}  // namespace atpc
