#!/usr/bin/env bash
# Builds the consumer project against tpmwire twice: with add_subdirectory,
# and with find_package after installing tpmwire on its own. Then runs the
# installed consumers' clients against a swtpm started here (free loopback
# ports, fresh state directory); failing to start it fails the test.
set -euo pipefail
tpmwire_src=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
swtpm_pid=
cleanup() {
    if [ -n "$swtpm_pid" ]; then kill "$swtpm_pid" 2>/dev/null || true; wait "$swtpm_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
export CCACHE_DISABLE=1

# Both ports listening, and by our process (not another test's swtpm).
listening() {
    local pid=$1 port=$2
    ss -ltnpH "( sport = :$port or sport = :$((port + 1)) )" 2>/dev/null | grep -c "pid=$pid," | grep -qx 2
}

# Sets swtpm_pid and swtpm_port; retries on a port clash.
start_swtpm() {
    mkdir -p "$work/state"
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        local port=$((20000 + RANDOM % 40000))
        swtpm socket --tpm2 --server "type=tcp,port=$port,bindaddr=127.0.0.1" \
            --ctrl "type=tcp,port=$((port + 1)),bindaddr=127.0.0.1" \
            --flags not-need-init,startup-clear --tpmstate "dir=$work/state" >"$work/swtpm.log" 2>&1 &
        swtpm_pid=$!
        for _ in $(seq 500); do
            if ! kill -0 "$swtpm_pid" 2>/dev/null; then break; fi
            if listening "$swtpm_pid" "$port"; then swtpm_port=$port; return 0; fi
            sleep 0.01
        done
        kill "$swtpm_pid" 2>/dev/null || true
        wait "$swtpm_pid" 2>/dev/null || true
        swtpm_pid=
        grep -q "Address already in use" "$work/swtpm.log" || { echo "swtpm did not start:" >&2; cat "$work/swtpm.log" >&2; return 1; }
    done
    echo "swtpm: ports clashed 10 times in a row" >&2
    return 1
}

cmake -S "$here/consumer" -B "$work/sub" -DTPMWIRE_SOURCE="$tpmwire_src" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/sub" -j2 --target core_only >/dev/null
"$work/sub/core_only" >/dev/null

cmake -S "$tpmwire_src" -B "$work/lib" -DCMAKE_BUILD_TYPE=Release -DTPMWIRE_WERROR=ON -DCMAKE_INSTALL_PREFIX="$work/prefix" >/dev/null
cmake --build "$work/lib" -j2 >/dev/null
cmake --install "$work/lib" >/dev/null
cmake -S "$here/consumer" -B "$work/pkg" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/pkg" -j2 >/dev/null
"$work/pkg/core_only" >/dev/null

start_swtpm
"$work/pkg/with_client" "127.0.0.1:$swtpm_port"
"$work/pkg/with_instances" "127.0.0.1:$swtpm_port"
echo "tpmwire embeds with add_subdirectory and find_package; its client ran against swtpm"
