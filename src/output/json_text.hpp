// JSON string literals for every JSON the program writes (credential_process
// output, the served credentials), built in zeroizing storage because the
// values are secrets.
#pragma once

#include "tpmwire/bytes.hpp"

#include <string_view>

namespace atpc::output {

// Appends `s` as a JSON string literal: quotes, backslashes and control
// characters escaped.
void append_json_string(tpmwire::secret_string& out, std::string_view s);

// Appends ,"name":"value" (or "name":"value" when `first`).
void append_json_member(tpmwire::secret_string& out, std::string_view name, std::string_view value, bool first = false);

}  // namespace atpc::output
