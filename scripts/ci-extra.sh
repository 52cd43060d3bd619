#!/usr/bin/env bash
# What CI runs after scripts/test.sh: every test again under ASan+UBSan
# (g++), Release builds of every target with g++ 12 and clang 14, and a short
# libFuzzer run of each fuzz target (clang). Assumes scripts/test.sh ran
# (dependencies installed).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
phase() { echo "== $* ($(date -u +%T), ${SECONDS}s in)"; }

phase "function length (60 lines at most in src/ and tpmwire/)"
python3 scripts/function_lengths.py src tpmwire

phase "tests under AddressSanitizer + UndefinedBehaviorSanitizer (g++)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DATPC_SANITIZE=ON -DATPC_WERROR=ON
cmake --build build-asan -j"$jobs"
(cd build-asan && ctest -j"$jobs" --output-on-failure)

phase "Release, every target, g++ 12"
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DATPC_WERROR=ON -DATPC_BENCH=ON
cmake --build build-release -j"$jobs"

phase "Release, every target, clang 14"
cmake -S . -B build-clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release -DATPC_WERROR=ON -DATPC_BENCH=ON
cmake --build build-clang -j"$jobs"

phase "fuzz (clang, libFuzzer, ${ATPC_FUZZ_SECONDS:=30} s per target)"
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DATPC_FUZZ=ON -DATPC_TESTS=OFF
cmake --build build-fuzz -j"$jobs" --target fuzz_targets
for target in build-fuzz/tests/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus=$(mktemp -d)
  cp -r "tests/fuzz/corpus/${name#fuzz_}/." "$corpus/" 2>/dev/null || true
  echo "-- $name"
  "$target" -max_total_time="$ATPC_FUZZ_SECONDS" -print_final_stats=1 "$corpus" 2>&1 | tail -n 3
  rm -rf "$corpus"
done
phase "CI extras passed"
