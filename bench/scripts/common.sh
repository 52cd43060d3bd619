# Shell helpers the benchmark scripts share (sourced by scripts that define log()).

# A free port p whose neighbour p+1 is free too (swtpm: data p, control p+1).
free_pair() {
    python3 -c '
import random, socket
for _ in range(500):
    p = random.randrange(20000, 60000, 2)
    try:
        for q in (p, p + 1):
            s = socket.socket(); s.bind(("127.0.0.1", q)); s.close()
    except OSError:
        continue
    print(p); break'
}
wait_port() {
    for _ in $(seq 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    log "nothing listens on port $1"; return 1
}

# A scratch directory ($work, also TMPDIR for the tools' scratch files, and
# XDG_STATE_HOME, so the program's pins of salt keys trusted on first use stay
# there) removed on exit with every process listed in $pids.
start_scratch() {  # name prefix
    work=$(mktemp -d "/tmp/$1.XXXXXX")
    pids=()
    trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
          for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
          rm -rf "$work"' EXIT
    export TMPDIR=$work XDG_STATE_HOME=$work/state
}
