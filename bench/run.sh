#!/bin/bash
# Runs every benchmark of bench/README.md and regenerates its results section
# and plot from what it measured. One command:
#
#   bench/run.sh            # full run, ~5 minutes plus the build
#   bench/run.sh --quick    # a smoke run with few iterations (numbers are noisy)
#   bench/run.sh --link-order  # regenerate bench/link-order.txt (needs valgrind)
#
# It builds the Release binaries in build-bench/ (BENCH_BUILD_DIR overrides),
# starts its own swtpm (fresh state), moto_server and minimal STS responder
# on free loopback ports, provisions keys with tpm2-tools, and stops
# everything it started on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
results=$here/results

# Per command: many short batches rather than a few long ones. The VM this
# runs on has slow and fast phases lasting seconds; short batches spread
# every side over both.
rounds_cmd=50 batch_cmd=20 iter_kdate=100 rounds_fetch=40
if [[ ${1:-} == --quick ]]; then rounds_cmd=2 batch_cmd=20 iter_kdate=10 rounds_fetch=3; fi
# --link-order: instead of measuring, record under callgrind which of the
# program's functions a fetch runs (every key mode, JSON and XML replies) and
# rewrite bench/link-order.txt, the function order the program is linked with.
link_order=false
if [[ ${1:-} == --link-order ]]; then link_order=true; fi

log() { printf 'bench: %s\n' "$*" >&2; }

# ---- build ------------------------------------------------------------------
log "building (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DATPC_BENCH=ON -DATPC_TESTS=OFF \
    >/dev/null
cmake --build "$build" -j2 --target aws-tpm-process-credential bench_tpm_commands bench_kdate bench_launch \
    bench_sts_responder bench_tls_floor >/dev/null
program=$build/aws-tpm-process-credential
bin=$build/bench

# ---- processes --------------------------------------------------------------
# start_scratch, free_pair, wait_port
source "$here/scripts/common.sh"
start_scratch atpc-bench

tpm_port=$(free_pair) moto_port=$(free_pair) sts_port=$(free_pair)
cd "$work"
mkdir -p state keys
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout tls-key.pem \
    -out tls-cert.pem -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null

log "moto_server on $moto_port, swtpm on $tpm_port/$((tpm_port + 1)), responder on $sts_port"
INITIAL_NO_AUTH_ACTION_COUNT=3 moto_server -H 127.0.0.1 -p "$moto_port" -c tls-cert.pem -k tls-key.pem \
    >moto.log 2>&1 &
pids+=($!)
swtpm socket --tpm2 --server type=tcp,port=$tpm_port,bindaddr=127.0.0.1 \
    --ctrl type=tcp,port=$((tpm_port + 1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear \
    --tpmstate dir="$work/state" >swtpm.log 2>&1 &
pids+=($!)
"$bin/bench_sts_responder" "$sts_port" tls-cert.pem tls-key.pem >responder.log 2>&1 &
pids+=($!)
wait_port "$tpm_port"
wait_port "$sts_port"
wait_port "$moto_port"

read -r access_key secret < <(python3 "$here/scripts/moto_setup.py" "https://127.0.0.1:$moto_port" tls-cert.pem)
[[ -n ${secret:-} ]] || { log "could not create the IAM user in moto (see $work/moto.log)"; exit 1; }
printf 'AWS4%s' "$secret" >keys/secret
printf '20250101' >keys/date
log "provisioning keys with tpm2-tools"
bash "$here/scripts/provision.sh" "$tpm_port" keys/secret keys >/dev/null
ek_name=$(cat keys/ek.name.hex)

# The key modes every fetch measurement runs: a name, then the program's
# flags for it, tab-separated.
T=$'\t'
key_modes=(
    "handle${T}--persistentHandle=0x81008003"
    "handle_password${T}--persistentHandle=0x81008002${T}--keyPass=pass123"
    "handle_pcr${T}--persistentHandle=0x81008004${T}--pcrs=23"
    "pem${T}--credential-file=keys/key.pem"
    "handle_ek_salted${T}--persistentHandle=0x81008003${T}--tpm-session-encrypt-with-name=$ek_name"
)

if $link_order; then
    command -v valgrind >/dev/null || { log "--link-order needs valgrind (apt-get install valgrind)"; exit 1; }
    log "recording the functions each fetch runs (callgrind)"
    n=0
    for url in "https://127.0.0.1:$sts_port" "https://127.0.0.1:$moto_port"; do
        for mode in "${key_modes[@]}"; do
            n=$((n + 1))
            IFS=$T read -r -a flags <<<"${mode#*"$T"}"
            valgrind --tool=callgrind --demangle=no --callgrind-out-file="cg.$n.out" "$program" \
                --aws-access-key-id="$access_key" --ca-bundle=tls-cert.pem --aws-region=us-east-1 \
                --tpm-path="127.0.0.1:$tpm_port" --sts-endpoint="$url" --timeout=60000 "${flags[@]}" \
                >"cg.$n.json" 2>"cg.$n.log" || { cat "cg.$n.log" >&2; exit 1; }
            grep -q '"Version":1' "cg.$n.json" || { log "fetch $n printed no credentials"; exit 1; }
        done
    done
    python3 "$here/scripts/link_order.py" "$program" cg.*.out >"$root/bench/link-order.txt"
    log "wrote $root/bench/link-order.txt ($(wc -l <"$root/bench/link-order.txt") functions); rebuild to use it"
    exit 0
fi

mkdir -p "$results"
load_start=$(cut -d' ' -f1 /proc/loadavg)
# ---- 1. per command ---------------------------------------------------------
log "per-command latency: $rounds_cmd rounds x $batch_cmd per side"
"$bin/bench_tpm_commands" --port "$tpm_port" --keys keys --rounds "$rounds_cmd" --batch "$batch_cmd" \
    --out "$results/commands.csv" 2>commands.log || { cat commands.log >&2; exit 1; }

# ---- the program's TPM part, in-process -------------------------------------
log "kDate per mode in-process: $iter_kdate iterations"
"$bin/bench_kdate" --port "$tpm_port" --keys keys --iterations "$iter_kdate" --out "$results/kdate.csv"

# ---- 2-4. whole fetch, cold start, floors -----------------------------------
common="--aws-access-key-id=$access_key${T}--ca-bundle=tls-cert.pem${T}--aws-region=us-east-1${T}--tpm-path=127.0.0.1:@TPM_PORT@"
{
    for sts in moto responder; do
        [[ $sts == moto ]] && url=https://127.0.0.1:$moto_port || url=https://127.0.0.1:$sts_port
        for mode in "${key_modes[@]}"; do
            echo "${mode%%"$T"*}/$sts${T}both${T}\"Version\":1${T}$program${T}$common${T}--sts-endpoint=$url${T}${mode#*"$T"}${T}@DEBUG@"
        done
    done
    echo "tls_floor${T}direct${T}\"AccessKeyId\"${T}$bin/bench_tls_floor${T}127.0.0.1${T}$sts_port${T}tls-cert.pem"
    echo "tools_hmac${T}both${T}-${T}TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=@TPM_PORT@${T}tpm2_hmac${T}-c${T}0x81008003${T}-g${T}sha256${T}--hex${T}keys/date"
    echo "tools_hmac_password${T}both${T}-${T}TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=@TPM_PORT@${T}tpm2_hmac${T}-c${T}0x81008002${T}-p${T}pass123${T}-g${T}sha256${T}--hex${T}keys/date"
    echo "tools_pem_pipeline${T}both${T}-${T}/bin/sh${T}$here/scripts/tools_pem_pipeline.sh${T}@TPM_PORT@${T}keys${T}$work"
    echo "tls_floor_load${T}direct${T}-${T}$bin/bench_tls_floor${T}--load-only"
    echo "program_version${T}direct${T}aws-tpm-process-credential${T}$program${T}--version"
    echo "bin_true${T}direct${T}-${T}/bin/true"
} >plan.tsv
log "whole fetch: $rounds_fetch rounds of every configuration, direct and through the TPM proxy"
"$bin/bench_launch" --plan plan.tsv --tpm-port "$tpm_port" --rounds "$rounds_fetch" --out "$results/fetch.csv" ||
    log "some runs failed: the report counts them per configuration"

# ---- the machine, then the report --------------------------------------------
{
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "commit: $(git -C "$root" rev-parse --short=12 HEAD)$(git -C "$root" diff --quiet HEAD -- src tpmwire 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
    echo "kernel: $(uname -sr)"
    echo "compiler: $(${CXX:-c++} --version | head -1)"
    echo "swtpm: $(swtpm --version 2>&1 | head -1 | sed 's/,.*//')"
    echo "tpm2-tss: $(dpkg-query -W -f='${Version}' libtss2-esys-3.0.2-0 2>/dev/null || echo '?')"
    echo "tpm2-tools: $(dpkg-query -W -f='${Version}' tpm2-tools 2>/dev/null || echo '?')"
    echo "openssl: $(openssl version)"
    echo "moto: $(python3 -c 'import moto; print(moto.__version__)')"
    echo "load: 1-minute load average $load_start at the start, $(cut -d' ' -f1 /proc/loadavg) at the end (other jobs on the machine inflate wall times; CPU times are less affected)"
    echo "settings: per-command ${rounds_cmd}x${batch_cmd}, kdate ${iter_kdate}, fetch ${rounds_fetch} rounds"
} >"$results/machine.txt"
python3 "$here/scripts/report.py" "$results" "$here/README.md"
log "done: $here/README.md and $results/"
