#!/usr/bin/env bash
# The test command (README): installs what it needs, builds everything
# (RelWithDebInfo, warnings as errors) and runs every test under ctest, in
# parallel. What a contributor runs while working; CI runs it first, then
# scripts/ci-extra.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
phase() { echo "== $* ($(date -u +%T), ${SECONDS}s in)"; }

phase "installing dependencies"
scripts/install-deps.sh

phase "build (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATPC_WERROR=ON
cmake --build build -j"$jobs"

phase "tests"
# Each test starts its own peers on free ports with fresh state, so they run
# side by side.
(cd build && ctest -j"$jobs" --output-on-failure)
phase "all tests passed"
