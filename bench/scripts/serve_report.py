#!/usr/bin/env python3
"""The `serve` benchmark's numbers (bench/serve.sh).

    serve_report.py --parse-wrk WRK_OUTPUT     prints "rps p50_us p99_us requests non2xx"
    serve_report.py RESULTS_DIR README.md      rewrites README's serve section from
                                               RESULTS_DIR/serve.csv and serve-run.txt
"""
import csv
import re
import statistics
import sys

UNITS = {"us": 1.0, "ms": 1000.0, "s": 1e6}


def parse_wrk(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    lat = {}
    for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M):
        lat[pct] = float(value) * UNITS[unit]
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors:.*", text)
    if errors:
        print("wrk: " + errors.group(0), file=sys.stderr)
    print(f"{rps:.0f} {lat['50']:.0f} {lat['99']:.0f} {requests} {int(bad.group(1)) if bad else 0}")


def verdicts(med, bad, before, after, calls, uses, run):
    ok = lambda met: "met" if met else "**not met**"
    ratios = [med("serve", c, "rps") / med("floor", c, "rps") for c in (1, 16, 64)]
    serve_p99, floor_p99 = med("serve", 64, "p99_us"), med("floor", 64, "p99_us")
    out = [
        f"- ≥ 0.8 × the floor's requests per second: {ok(min(ratios) >= 0.8)} (lowest {min(ratios):.2f}); the "
        f"server's own CPU per request is {med('serve', 64, 'cpu_us_per_request') / med('floor', 64, 'cpu_us_per_request'):.2f} "
        f"× the floor's at 64 clients, which other work on the machine disturbs less than requests per second.",
        f"- p99 ≤ 5 ms at 64 clients: {ok(serve_p99 <= 5000)} ({serve_p99 / 1000:.1f} ms; the floor "
        f"{floor_p99 / 1000:.1f} ms).",
    ]
    if floor_p99 > 5000:
        out[-1] += (f" The floor misses it too: on {run['cpus']} shared cores (load {run['load_end']}) the p99 is "
                    "the scheduler's, not the server's (p50 is under a millisecond), so the target is mis-set for "
                    "this machine; the comparison with the floor is what holds.")
    out += [
        f"- RSS flat within ±1 MiB over a million requests: {ok(abs(after - before) <= 1024)} "
        f"({(after - before) / 1024:+.2f} MiB).",
        f"- One TPM use per refresh: {ok(uses == calls)} ({uses} TPM uses, {calls} STS calls); no answer other "
        f"than 200: {ok(bad == 0)}.",
    ]
    return out


def report(results, readme):
    rows = list(csv.DictReader(open(f"{results}/serve.csv")))
    run = dict(line.split(" ", 1) for line in open(f"{results}/serve-run.txt").read().splitlines())
    med = lambda server, c, key: statistics.median(
        float(r[key]) for r in rows if r["server"] == server and r["clients"] == str(c))
    rounds = max(int(r["round"]) for r in rows)
    lines = [
        f"Measured {run['date']} at {run['commit']} on {run['cpus']} cores shared with other builds (load "
        f"{run['load_end']} at the end), {rounds} alternating {'round' if rounds == 1 else 'rounds'} per row, "
        f"medians; wrk with one thread and keep-alive connections, body {run['body_bytes']} bytes.",
        "",
        "| clients | floor req/s | serve req/s | serve / floor (target ≥ 0.8) | floor p50 / p99 | serve p50 / p99 (target p99 ≤ 5 ms at 64) | CPU per request: floor / serve |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in (1, 16, 64):
        f, s = med("floor", c, "rps"), med("serve", c, "rps")
        lines.append(
            f"| {c} | {f:,.0f} | {s:,.0f} | {s / f:.2f} | {med('floor', c, 'p50_us'):.0f} / "
            f"{med('floor', c, 'p99_us'):.0f} µs | {med('serve', c, 'p50_us'):.0f} / {med('serve', c, 'p99_us'):.0f} µs | "
            f"{med('floor', c, 'cpu_us_per_request'):.1f} / {med('serve', c, 'cpu_us_per_request'):.1f} µs |")
    bad = sum(int(r["non2xx"]) for r in rows if r["server"] == "serve") + int(run["long_non2xx"])
    before, after = int(run["rss_before_kib"]), int(run["rss_after_kib"])
    calls, uses = int(run["sts_calls"]), int(run["tpm_uses"])
    lines += [
        "",
        f"- RSS of `serve` over {int(run['long_requests']):,} more requests at 64 connections: "
        f"{before / 1024:.1f} → {after / 1024:.1f} MiB ({(after - before) / 1024:+.2f} MiB; peak "
        f"{int(run['hwm_kib']) / 1024:.1f} MiB).",
        f"- TPM uses: {uses} for {calls} STS calls ({calls - 1} background refreshes after the first fetch) "
        f"over the whole run; answers other than 200 from `serve`: {bad}.",
    ]
    lines += ["", "Against the targets:", ""] + verdicts(med, bad, before, after, calls, uses, run)
    text = open(readme).read()
    begin, end = "<!-- serve:begin -->", "<!-- serve:end -->"
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    open(readme, "w").write(head + begin + "\n" + "\n".join(lines) + "\n" + end + tail)


if __name__ == "__main__":
    if sys.argv[1] == "--parse-wrk":
        parse_wrk(sys.argv[2])
    else:
        report(sys.argv[1], sys.argv[2])
