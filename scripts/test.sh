#!/usr/bin/env bash
# The test command: installs dependencies, builds, runs every test under
# ctest, then every test again under ASan+UBSan
# (g++), builds everything with clang 14, then a short libFuzzer run of each
# fuzz target (clang).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
phase() { echo "== $* ($(date -u +%T), ${SECONDS}s in)"; }

scripts/install-deps.sh

phase "build (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
phase "tests"
(cd build && ctest -j"$jobs" --output-on-failure)

phase "tests under AddressSanitizer + UndefinedBehaviorSanitizer (g++)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DATPC_SANITIZE=ON
cmake --build build-asan -j"$jobs"
(cd build-asan && ctest -j"$jobs" --output-on-failure)

phase "clang 14 builds everything warning-free too"
cmake -S . -B build-clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug
cmake --build build-clang -j"$jobs"

phase "fuzz (clang, libFuzzer, 30 s per target)"
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DATPC_FUZZ=ON -DATPC_TESTS=OFF
cmake --build build-fuzz -j"$jobs" --target fuzz_targets
for target in build-fuzz/tests/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus=$(mktemp -d)
  cp -r "tests/fuzz/corpus/${name#fuzz_}/." "$corpus/" 2>/dev/null || true
  echo "-- $name"
  "$target" -max_total_time=30 -print_final_stats=1 "$corpus" 2>&1 | tail -n 3
  rm -rf "$corpus"
done
phase "all tests passed"
