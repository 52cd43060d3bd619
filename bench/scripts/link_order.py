#!/usr/bin/env python3
"""Writes the program's function order (bench/link-order.txt) from callgrind runs.

usage: link_order.py PROGRAM CALLGRIND_OUT... > bench/link-order.txt

Lists, as mangled symbol names, every function of PROGRAM that ran in any
of the given callgrind profiles (recorded with --demangle=no), those that ran
in more profiles first, then in the order they were first seen. lld's
--symbol-ordering-file places them first and together, so a fetch touches as
few 64 KiB windows of the binary as it can.
"""
import os
import re
import sys


def functions(profile, program):
    """Function names callgrind attributes to the object `program`."""
    objects, names = {}, {}
    current = None
    for line in open(profile, encoding="utf-8", errors="replace"):
        m = re.match(r"^(c?ob)=\((\d+)\)(?: (.*))?", line)
        if m:
            kind, ident, name = m.groups()
            if name:
                objects[ident] = name.strip()
            if kind == "ob":
                current = objects.get(ident)
            continue
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?", line)
        if m:
            kind, ident, name = m.groups()
            if name:
                names[ident] = name.strip()
            if kind == "fn" and current and os.path.basename(current) == program:
                # callgrind marks recursion levels as name'2, name'3, and names
                # what has no symbol "0x…" or "(below main)": not for the linker.
                name = names[ident].split("'")[0]
                if not name.startswith(("0x", "(")):
                    yield name


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    program = os.path.basename(sys.argv[1])
    # Functions every run needs first, then those fewer runs need (a key
    # mode's own, an STS reply format's own): each run then touches as few
    # windows as it can, not only all runs together.
    runs, first_seen = {}, {}
    for profile in sys.argv[2:]:
        for name in set(functions(profile, program)):
            runs[name] = runs.get(name, 0) + 1
        for name in functions(profile, program):
            first_seen.setdefault(name, len(first_seen))
    order = sorted(runs, key=lambda n: (-runs[n], first_seen[n]))
    if len(order) < 100:
        sys.exit(f"link_order.py: only {len(order)} functions of {program} ran; did the fetches fail?")
    sys.stdout.write("".join(n + "\n" for n in order))


main()
