#pragma once

namespace atpc {
// From CMake: project(VERSION), the git commit and the build date (only
// version.cpp sees them, so a new commit recompiles one file).
const char* version() noexcept;
const char* version_commit() noexcept;
const char* version_build_date() noexcept;
}  // namespace atpc
