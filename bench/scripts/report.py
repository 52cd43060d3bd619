"""Turns bench/results/*.csv into the results section of bench/README.md and
the per-command plot. Every number in that section comes from here.

usage: report.py RESULTS_DIR README.md
"""
import collections
import csv
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import plot  # noqa: E402

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"

OPS = [  # op, what exactly each side does
    ("hmac_empty_pw", "TPM2_HMAC, persistent key, empty password (TPM_RS_PW on every side)"),
    ("hmac_session", "TPM2_HMAC, persistent key with password, through an HMAC session "
                     "(unsalted, unbound, no parameter encryption, started once per batch)"),
    ("hmac_clear_pw", "TPM2_HMAC, same key, password sent in clear in TPM_RS_PW "
                      "(what `tpm2_hmac -p` does; tpmwire refuses to)"),
    ("create_primary", "TPM2_CreatePrimary, H-2 ECC P-256 under owner (flushed, untimed)"),
    ("load", "TPM2_Load of the HMAC key under the H-2 primary (flushed, untimed)"),
    ("salted_session_ecc", "TPM2_StartAuthSession salted to the H-2 primary (ECDH P-256), AES-128-CFB"),
    ("salted_session_rsa", "TPM2_StartAuthSession salted to the RSA-2048 EK (OAEP), AES-128-CFB"),
]
SIDES = ["tpmwire", "esapi", "floor", "floor_reconnect"]
MODES = [  # mode, description, target TPM commands (issue 7, raised by issue 13: salting and the guard; None: none)
    ("handle_noda", "persistent handle, no password, noDA key (as `import` makes it)", 2),
    ("handle", "persistent handle, no password, DA key (tpm2_import's default: + the lockout guard)", 3),
    ("handle_password", "persistent handle, password (DA key), salted to the pinned ECC EK", 5),
    ("handle_pcr", "persistent handle, PolicyPCR(sha256:23), salted to the pinned ECC EK", 5),
    ("handle_pcr_password", "persistent handle, PolicyPCR + password, salted to the pinned ECC EK", 7),
    ("pem", "TSS2 PRIVATE KEY file (H-2 parent, DA key, salted to the parent)", 7),
    ("pem_password", "TSS2 PRIVATE KEY file with a password, salted to the pinned ECC EK", 8),
    ("handle_ek_salted", "persistent handle (DA key), session salted to the RSA EK checked by name", None),
]
TOOLS = [
    ("tools_hmac", "`tpm2_hmac` on the persistent key"),
    ("tools_hmac_password", "`tpm2_hmac -p` on the password key"),
    ("tools_pem_pipeline", "`tpm2_createprimary`, `tpm2_load`, `tpm2_hmac`, 3 x `tpm2_flushcontext -t` (sh script)"),
]
RSS_TARGET_KIB = 10 * 1024


def median(xs):
    s = sorted(xs)
    n = len(s)
    return (s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2) if n else float("nan")


def p99(xs):
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, -(-99 * len(s) // 100) - 1))] if s else float("nan")


def us(ns):
    v = ns / 1000
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def ms(ns):
    return f"{ns / 1e6:.2f}"


def verdict(ok):
    return "met" if ok else "**missed**"


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def machine_section(results):
    lines = ["### Machine and run", ""]
    with open(os.path.join(results, "machine.txt")) as f:
        for line in f:
            if ":" in line:
                k, v = line.rstrip("\n").split(":", 1)
                lines.append(f"- {k}: {v.strip()}")
    return lines


def command_section(results):
    samples = collections.defaultdict(list)
    for r in read_csv(os.path.join(results, "commands.csv")):
        samples[(r["op"], r["side"])].append(int(r["ns"]))
    n = max((len(v) for v in samples.values()), default=0)
    out = ["### 1. Per TPM command", "",
           f"Microseconds, median / p99, {n} timed commands per side, alternating batches on one swtpm. "
           "*floor*: the same command bytes on a kept-open blocking socket, only the write and the read timed; "
           "*reconnect*: the floor plus a TCP connect and close per command, which is what tpm2-tss's swtpm "
           "TCTI does. For the HMAC session the floor's bytes are marshalled and the response verified outside "
           "the timed region (the nonces roll), so the TPM does the same work on every side.", "",
           "| command | tpmwire | ESAPI | floor | reconnect | tpmwire / floor (target <= 1.10) | ESAPI / floor "
           "| share of ESAPI's excess that is reconnecting | tpmwire below ESAPI |",
           "|---|---|---|---|---|---|---|---|---|"]
    for op, what in OPS:
        med = {s: median(samples[(op, s)]) for s in SIDES if samples.get((op, s))}
        cell = {s: f"{us(med[s])} / {us(p99(samples[(op, s)]))}" if s in med else "n/a" for s in SIDES}
        floor = med.get("floor")
        ratio_t = f"{med['tpmwire'] / floor:.2f} ({verdict(med['tpmwire'] / floor <= 1.10)})" if "tpmwire" in med else "n/a"
        ratio_e = f"{med['esapi'] / floor:.2f}"
        excess = med["esapi"] - floor
        share = f"{100 * (med['floor_reconnect'] - floor) / excess:.0f} %" if excess > 0 else "n/a"
        below = verdict(med["tpmwire"] < med["esapi"]) if "tpmwire" in med else "n/a"
        out.append(f"| {what} | {cell['tpmwire']} | {cell['esapi']} | {cell['floor']} | {cell['floor_reconnect']} "
                   f"| {ratio_t} | {ratio_e} | {share} | {below} |")
    out += ["", "![Per-command latency distributions](results/per-command.png)"]
    return out, samples


def kdate_section(results):
    rows = collections.defaultdict(list)
    for r in read_csv(os.path.join(results, "kdate.csv")):
        rows[(r["mode"], r["variant"])].append(r)
    floors = {}
    out = ["### 2. The program's TPM part, in-process", "",
           "`atpc::tpm::compute_kdate` (what the CLI runs, flushes included), a fresh client and connection "
           "each time; kDate checked against OpenSSL's HMAC every time. Microseconds, median / p99. "
           "*TPM floor*: connect plus the write-to-response time of each command, measured by a blocking floor "
           "transport under the same client.", "",
           "| mode | TPM commands (client / wire) | tpmwire, its asio transport | tpmwire, floor transport "
           "| TPM floor | tpmwire / TPM floor |", "|---|---|---|---|---|---|"]
    for mode, what, _ in MODES:
        a, b = rows.get((mode, "asio"), []), rows.get((mode, "blocking"), [])
        if not a or not b:
            continue
        ta = [int(r["total_ns"]) for r in a]
        tb = [int(r["total_ns"]) for r in b]
        fl = [int(r["io_ns"]) + int(r["connect_ns"]) for r in b]
        floors[mode] = median(fl)
        cc = sorted({r["commands_client"] for r in a + b})
        cw = sorted({r["commands_wire"] for r in b})
        out.append(f"| {what} | {'/'.join(cc)} / {'/'.join(cw)} | {us(median(ta))} / {us(p99(ta))} "
                   f"| {us(median(tb))} / {us(p99(tb))} | {us(median(fl))} / {us(p99(fl))} "
                   f"| {median(ta) / median(fl):.2f} |")
    return out, floors


def fetch_section(results, tpm_floor):
    runs = collections.defaultdict(list)
    for r in read_csv(os.path.join(results, "fetch.csv")):
        runs[(r["label"], r["variant"])].append(r)

    def col(label, variant, key, ok_only=True):
        return [int(r[key]) for r in runs.get((label, variant), [])
                if r[key] != "" and (r["ok"] == "1" or not ok_only)]

    def failures(label):
        return sum(1 for v in ("direct", "proxied") for r in runs.get((label, v), []) if r["ok"] != "1")

    def cpu(label):  # ns; rusage's user+sys sum is exact even where the split is sampled
        return [1000 * (int(r["user_us"]) + int(r["sys_us"])) for r in runs.get((label, "direct"), [])
                if r["ok"] == "1"]

    tls = col("tls_floor", "direct", "wall_ns")
    true = col("bin_true", "direct", "wall_ns")
    version = col("program_version", "direct", "wall_ns")
    tls_load = col("tls_floor_load", "direct", "wall_ns")
    out = ["### 3. The whole credential fetch, a fresh process each time", "",
           "As `credential_process` runs it. Wall time from just before `execve` to `wait4`; peak RSS from "
           "`wait4`'s rusage (the largest of all runs); TPM commands counted on the wire by a proxy in front of "
           "swtpm, and by the program itself (`--debug`: \"TPM: done, N commands\"). Cold start, TPM phase and "
           "after-TPM come from the proxied runs (with `--debug`), wall time and RSS from the direct ones. "
           "Milliseconds, median / p99.", "",
           "| mode | STS | wall | CPU (user+sys) | TPM commands wire / self (target) | exec to first TPM byte "
           "| TPM phase | after the TPM | peak RSS MiB (target <= 10) | failed runs |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    ratios = []
    for mode, what, target in MODES:
        for sts in ("responder", "moto"):
            label = f"{mode}/{sts}"
            wall = col(label, "direct", "wall_ns")
            if not wall:
                continue
            wire = sorted({str(x) for x in col(label, "proxied", "tpm_commands_wire")})
            own = sorted({str(x) for x in col(label, "proxied", "tpm_commands_self")})
            count_ok = target is not None and wire and max(map(int, wire)) <= target
            tgt = f"<= {target}, {verdict(count_ok)}" if target is not None else "no target"
            first = col(label, "proxied", "first_tpm_byte_ns")
            span = col(label, "proxied", "tpm_span_ns")
            after = col(label, "proxied", "after_tpm_ns")
            rss = max(col(label, "direct", "maxrss_kib") + col(label, "proxied", "maxrss_kib"))
            out.append(f"| {what} | {sts} | {ms(median(wall))} / {ms(p99(wall))} | {ms(median(cpu(label)))} "
                       f"| {'/'.join(wire)} / "
                       f"{'/'.join(own)} ({tgt}) | {ms(median(first))} / {ms(p99(first))} "
                       f"| {ms(median(span))} / {ms(p99(span))} | {ms(median(after))} / {ms(p99(after))} "
                       f"| {rss / 1024:.1f} ({verdict(rss <= RSS_TARGET_KIB)}) | {failures(label)} |")
            if sts == "responder" and mode in tpm_floor and tls:
                ratios.append((what, median(wall), median(tls), tpm_floor[mode], median(cpu(label))))
    rss_tls = max(col("tls_floor", "direct", "maxrss_kib"), default=0)
    rss_true = max(col("bin_true", "direct", "maxrss_kib"), default=0)
    rss_version = max(col("program_version", "direct", "maxrss_kib"), default=0)
    out += ["", "For scale, same launcher: "
                f"`bench_tls_floor` (section 4) {ms(median(tls))} ms wall, {ms(median(cpu('tls_floor')))} ms CPU, "
                f"peak RSS {rss_tls / 1024:.1f} MiB, of which starting (`--load-only`) {ms(median(tls_load))} ms wall, "
                f"{ms(median(cpu('tls_floor_load')))} ms CPU; "
                f"`aws-tpm-process-credential --version` (loading and starting the program, no work) "
                f"{ms(median(version))} ms wall, {ms(median(cpu('program_version')))} ms CPU, "
                f"peak RSS {rss_version / 1024:.1f} MiB; "
                f"`/bin/true` {ms(median(true))} ms wall, peak RSS {rss_true / 1024:.1f} MiB (the measuring floor).", ""]

    out += ["### 4. The whole fetch against its floor", "",
            "Floor = a fresh-process TLS client with the same trust setup (`bench_tls_floor`: TLS 1.2+, verify "
            "against the one CA file, IP checked against the certificate; one connect, handshake, POST and reply "
            "against the minimal responder) plus the mode's TPM floor from section 2. Milliseconds, medians. "
            "The floor is sequential; the program opens the STS connection while the TPM works, so a ratio "
            "can fall below 1.", "",
            "| mode | fetch (responder) | TLS client floor | TPM floor | floor | fetch / floor (target <= 1.2) "
            "| CPU: fetch / TLS client (information) |",
            "|---|---|---|---|---|---|---|"]
    tls_cpu = median(cpu("tls_floor"))
    for what, wall, tls_med, tpm, fetch_cpu in ratios:
        floor = tls_med + tpm
        out.append(f"| {what} | {ms(wall)} | {ms(tls_med)} | {ms(tpm)} | {ms(floor)} "
                   f"| {wall / floor:.2f} ({verdict(wall / floor <= 1.2)}) | {fetch_cpu / tls_cpu:.2f} |")

    out += ["", "### Reference: the original tool's README steps with tpm2-tools", "",
            "The TPM half only (tpm2-tools cannot sign an STS request). Fresh processes, same swtpm; tpm2-tss's "
            "swtpm TCTI opens one TCP connection per command. Milliseconds, median / p99.", "",
            "| pipeline | wall | TPM commands on the wire | TCP connections | exec to first TPM byte "
            "| peak RSS MiB | failed runs |", "|---|---|---|---|---|---|---|"]
    for label, what in TOOLS:
        wall = col(label, "direct", "wall_ns")
        if not wall:
            continue
        wire = sorted({str(x) for x in col(label, "proxied", "tpm_commands_wire")})
        conns = sorted({str(x) for x in col(label, "proxied", "tpm_connections")})
        first = col(label, "proxied", "first_tpm_byte_ns")
        rss = max(col(label, "direct", "maxrss_kib"))
        out.append(f"| {what} | {ms(median(wall))} / {ms(p99(wall))} | {'/'.join(wire)} | {'/'.join(conns)} "
                   f"| {ms(median(first))} | {rss / 1024:.1f} | {failures(label)} |")
    return out


def main():
    results, readme = sys.argv[1], sys.argv[2]
    lines = [BEGIN, "", "*Generated by `bench/run.sh` (bench/scripts/report.py); do not edit by hand.*", ""]
    lines += machine_section(results) + [""]
    section, samples = command_section(results)
    lines += section + [""]
    section, floors = kdate_section(results)
    lines += section + [""]
    lines += fetch_section(results, floors) + ["", END]
    with open(readme) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit(f"report.py: {readme} has no {BEGIN} ... {END} markers")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(readme, "w") as f:
        f.write(head + "\n".join(lines) + tail)
    plot.per_command(samples, [o for o, _ in OPS], SIDES, os.path.join(results, "per-command.png"))


if __name__ == "__main__":
    main()
