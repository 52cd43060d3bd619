"""The per-command latency plot: one panel per command, the cumulative
distribution of each side's latencies (log-scaled microseconds), via gnuplot."""
import os
import subprocess
import tempfile

COLOURS = {"tpmwire": "#1b9e77", "esapi": "#d95f02", "floor": "#7570b3", "floor_reconnect": "#e7298a"}
TITLES = {"tpmwire": "tpmwire", "esapi": "tpm2-tss ESAPI", "floor": "floor (kept-open socket)",
          "floor_reconnect": "floor, reconnect per command"}


def per_command(samples, ops, sides, png):
    with tempfile.TemporaryDirectory() as tmp:
        script = [
            "set terminal pngcairo size 1600,800 font 'sans,9'" if _has_cairo() else "set terminal png size 1600,800",
            f"set output '{png}'",
            "set multiplot layout 2,4 title 'Per-command latency on swtpm: cumulative distribution'",
            "set termoption noenhanced", "set logscale x", "set xlabel 'microseconds'", "set ylabel 'fraction of commands'",
            "set yrange [0:1]", "set grid", "set key bottom right",
        ]
        for op in ops:
            plots = []
            for side in sides:
                xs = sorted(samples.get((op, side), []))
                if not xs:
                    continue
                path = os.path.join(tmp, f"{op}.{side}.dat")
                with open(path, "w") as f:
                    for i, ns in enumerate(xs):
                        f.write(f"{ns / 1000:.3f} {(i + 1) / len(xs):.5f}\n")
                plots.append(f"'{path}' using 1:2 with lines lw 2 lc rgb '{COLOURS[side]}' title '{TITLES[side]}'")
            script += [f"set title '{op}'", "plot " + ", ".join(plots)]
        script.append("unset multiplot")
        subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True)


def _has_cairo():
    out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
    return "pngcairo" in (out.stdout + out.stderr)
