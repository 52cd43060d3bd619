#!/usr/bin/env bash
# Installs everything the build, the tests, the demo and the benchmarks use,
# from Debian 12's archive only. Safe to run again.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  cmake make g++ clang lld libclang-rt-14-dev ccache pkg-config git ca-certificates openssl procps \
  libboost1.81-dev libsimdjson-dev libfmt-dev catch2 libssl-dev libexpat1-dev \
  swtpm swtpm-tools tpm2-tools libtss2-dev \
  awscli tinyproxy libbenchmark-dev gnuplot-nox valgrind wrk
# node and npm for the JavaScript SDK client of `serve`'s tests: Debian's
# unless a node with its own npm (e.g. NodeSource's) is already there.
if ! command -v npm >/dev/null 2>&1; then
  $SUDO apt-get install -y --no-install-recommends nodejs npm
fi
(cd "$(dirname "$0")/../tests/js" && npm install --no-audit --no-fund --loglevel=error)
# moto_server and boto3 come with the machine's python3 (not from apt).
if ! python3 -c 'import moto, boto3' 2>/dev/null; then
  echo "install-deps: python3 on PATH lacks moto/boto3; the STS tests need moto_server" >&2
  exit 1
fi
