// Test-only reader for the SigV4 test suite's raw HTTP request files (.req).
#pragma once

#include "sigv4/request.hpp"

#include <filesystem>
#include <string>

namespace sigv4_test {

// The whole file, byte for byte.
std::string read_file(const std::filesystem::path& path);

// Parses "METHOD target HTTP/1.1\nName:value\n...\n\nbody". The target may
// hold spaces (normalize-path/get-space), so the method ends at the first
// space and the version starts at the last. A line starting with a space or
// tab continues the previous header (obsolete line folding): the suite
// (get-header-value-multiline) expects each folded line to count as one more
// value of that header, so it becomes another header with the same name.
atpc::sigv4::request parse_raw_request(const std::string& text);

}  // namespace sigv4_test
