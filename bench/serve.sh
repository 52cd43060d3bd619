#!/bin/bash
# Benchmarks `serve`'s container endpoint against the floor (bench_serve_floor:
# the smallest Beast server answering the same body), and regenerates the
# "serve" section of bench/README.md from what it measured:
#
#   bench/serve.sh            # ~5 minutes plus the build
#   bench/serve.sh --quick    # a smoke run (numbers are noisy)
#
# wrk (one thread; -c 1, 16, 64 keep-alive connections) runs against each
# server in turn, alternating which goes first, for several rounds. Then
# `serve` alone takes a million requests more while its RSS is watched. The
# whole time, its STS (bench_sts_responder) hands out credentials expiring
# in 20.5 minutes, so `serve` refreshes about every 30 s, and a proxy in front
# of the swtpm counts TPM uses (bench_tpm_counter) against STS calls.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
results=$here/results
rounds=5 seconds=5
if [[ ${1:-} == --quick ]]; then rounds=1 seconds=2; fi
lifetime=1230  # seconds: 20 minutes and a half

log() { printf 'bench/serve: %s\n' "$*" >&2; }
command -v wrk >/dev/null || { log "needs wrk (apt-get install wrk)"; exit 1; }

log "building (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DATPC_BENCH=ON -DATPC_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target aws-tpm-process-credential bench_serve_floor bench_tpm_counter \
    bench_sts_responder >/dev/null
program=$build/aws-tpm-process-credential
bin=$build/bench

# start_scratch, free_pair, wait_port
source "$here/scripts/common.sh"
start_scratch atpc-bench-serve
cd "$work"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- peers: swtpm behind the counting proxy, the STS responder -------------
tpm_port=$(free_pair) sts_port=$(free_port) serve_port=$(free_port) floor_port=$(free_port)
mkdir state
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout tls-key.pem \
    -out tls-cert.pem -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
swtpm socket --tpm2 --server type=tcp,port=$tpm_port,bindaddr=127.0.0.1 \
    --ctrl type=tcp,port=$((tpm_port + 1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear \
    --tpmstate dir="$work/state" >swtpm.log 2>&1 &
pids+=($!)
"$bin/bench_sts_responder" "$sts_port" tls-cert.pem tls-key.pem "$lifetime" >responder.out 2>responder.log &
pids+=($!)
wait_port "$tpm_port"
wait_port "$sts_port"
printf 'BenchSecretOnlyForTheLocalResponder00000' |
    "$program" import --tpm-path="127.0.0.1:$tpm_port" --persistentHandle=0x81008003 --trust-tpm-on-first-use >/dev/null
"$bin/bench_tpm_counter" "$tpm_port" >counter.out &
counter_pid=$!
pids+=($counter_pid)
for _ in $(seq 100); do [[ -s counter.out ]] && break; sleep 0.05; done
proxy_port=$(head -1 counter.out)

# ---- the two servers -------------------------------------------------------
"$program" serve --tpm-path="127.0.0.1:$proxy_port" --persistentHandle=0x81008003 \
    --aws-access-key-id=AKIAIOSFODNN7EXAMPLE --sts-endpoint="https://127.0.0.1:$sts_port" \
    --ca-bundle=tls-cert.pem --listen="127.0.0.1:$serve_port" --token-file="$work/token" \
    >serve.out 2>serve.log &
serve_pid=$!
pids+=($serve_pid)
for _ in $(seq 200); do [[ $(wc -l <serve.out) -ge 2 ]] && break; sleep 0.05; done
token=$(cat token)
url=/v1/credentials
curl -sf -H "Authorization: $token" "http://127.0.0.1:$serve_port$url" >body.json
"$bin/bench_serve_floor" "$floor_port" body.json >floor.out &
floor_pid=$!
pids+=($floor_pid)
wait_port "$floor_port"
log "serve on $serve_port (body $(wc -c <body.json) bytes), floor on $floor_port"

rss_kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

# CPU time (user + system, clock ticks) a process has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One wrk run: prints "rps p50_us p99_us requests non2xx".
run_wrk() {  # port clients seconds
    wrk -t1 -c"$2" -d"$3"s --latency -H "Authorization: $token" "http://127.0.0.1:$1$url" >wrk.txt
    python3 "$here/scripts/serve_report.py" --parse-wrk wrk.txt
}

# run_wrk, plus the server's CPU time per request in microseconds: less
# sensitive than requests per second to other work on the machine.
measure() {  # server_pid port clients seconds
    local before after
    before=$(cpu_ticks "$1")
    read -r rps p50 p99 n bad < <(run_wrk "$2" "$3" "$4")
    after=$(cpu_ticks "$1")
    echo "$rps $p50 $p99 $n $bad $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$n" \
        'BEGIN {printf "%.1f", t * 1e6 / hz / n}')"
}

# ---- 1. throughput and latency, alternating ---------------------------------
mkdir -p "$results"
csv=$results/serve.csv
echo "server,clients,round,rps,p50_us,p99_us,requests,non2xx,cpu_us_per_request" >"$csv"
run_wrk "$serve_port" 16 2 >/dev/null  # warm-up, both
run_wrk "$floor_port" 16 2 >/dev/null
for c in 1 16 64; do
    for r in $(seq "$rounds"); do
        order="floor serve"
        ((r % 2 == 0)) && order="serve floor"
        for s in $order; do
            port=$floor_port pid=$floor_pid
            [[ $s == serve ]] && port=$serve_port pid=$serve_pid
            read -r rps p50 p99 n bad cpu < <(measure "$pid" "$port" "$c" "$seconds")
            echo "$s,$c,$r,$rps,$p50,$p99,$n,$bad,$cpu" >>"$csv"
            log "$s -c$c round $r: $rps req/s, p50 $p50 us, p99 $p99 us, $cpu us CPU per request"
        done
    done
done

# ---- 2. RSS over a million requests ----------------------------------------
rss_before=$(rss_kib "$serve_pid" VmRSS)
rate=$(awk -F, '$1 == "serve" && $2 == 64 {s += $4; n++} END {print s / n}' "$csv")
long=$(python3 -c "import math; print(math.ceil(1e6 / $rate / 4) + 1)")
log "a million requests more (at 64 connections, in runs of $long s)"
n=0 bad=0
while ((n < 1000000)); do
    read -r _ _ _ more more_bad < <(run_wrk "$serve_port" 64 "$long")
    n=$((n + more)) bad=$((bad + more_bad))
done
rss_after=$(rss_kib "$serve_pid" VmRSS)
hwm=$(rss_kib "$serve_pid" VmHWM)
sts_calls=$(grep -c . responder.log || true)
kill "$counter_pid"
wait "$counter_pid" || true
tpm_uses=$(awk 'NR == 2 {print $2}' counter.out)
cat >"$results/serve-run.txt" <<TXT
long_requests $n
long_non2xx $bad
rss_before_kib $rss_before
rss_after_kib $rss_after
hwm_kib $hwm
sts_calls $sts_calls
tpm_uses $tpm_uses
body_bytes $(wc -c <body.json)
cpus $(nproc)
load_end $(cut -d' ' -f1 /proc/loadavg)
date $(date -u +%Y-%m-%d)
commit $(git -C "$root" rev-parse --short=12 HEAD)
TXT
log "RSS $rss_before -> $rss_after KiB over $n requests; $sts_calls STS calls, $tpm_uses TPM uses"
python3 "$here/scripts/serve_report.py" "$results" "$here/README.md"
log "done: $here/README.md and $results/serve.csv"
