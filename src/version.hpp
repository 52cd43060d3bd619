#pragma once

namespace atpc {
// The program version, from CMake's project(VERSION).
const char* version() noexcept;
}  // namespace atpc
