#!/usr/bin/env bash
# Builds the consumer project against tpmwire twice: with add_subdirectory,
# and with find_package after installing tpmwire on its own. Then runs the
# client against a swtpm address if one is given ($2).
set -euo pipefail
tpmwire_src=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CCACHE_DISABLE=1

cmake -S "$here/consumer" -B "$work/sub" -DTPMWIRE_SOURCE="$tpmwire_src" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/sub" -j2 --target core_only >/dev/null
"$work/sub/core_only" >/dev/null

cmake -S "$tpmwire_src" -B "$work/lib" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$work/prefix" >/dev/null
cmake --build "$work/lib" -j2 >/dev/null
cmake --install "$work/lib" >/dev/null
cmake -S "$here/consumer" -B "$work/pkg" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/pkg" -j2 >/dev/null
"$work/pkg/core_only" >/dev/null
if [ $# -ge 2 ]; then "$work/pkg/with_client" "$2"; fi
echo "tpmwire embeds with add_subdirectory and find_package"
