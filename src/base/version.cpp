#include "base/version.hpp"

namespace atpc {
const char* version() noexcept { return ATPC_VERSION; }
const char* version_commit() noexcept { return ATPC_COMMIT; }
const char* version_build_date() noexcept { return ATPC_BUILD_DATE; }
}  // namespace atpc
