#include "version.hpp"

namespace atpc {
const char* version() noexcept { return ATPC_VERSION; }
}  // namespace atpc
