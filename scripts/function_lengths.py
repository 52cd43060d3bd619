#!/usr/bin/env python3
"""Lists C++ functions longer than a limit (default 60 lines).

usage: function_lengths.py [--max N] [--list] PATH...

A function's length is the number of lines from the line of its opening
brace to the line of its closing brace, as clang-tidy's
readability-function-size counts them. Functions are found by scanning the
source with comments and literals blanked: a brace that opens at namespace
or class scope after something shaped like `name(...)` is a function body.
Lambdas and local classes count toward the function that holds them.
Exits 1 when any function is longer than the limit.
"""
import pathlib
import re
import sys

CONTROL = re.compile(r"\b(if|for|while|switch|catch|return)\s*\($")
SCOPE = re.compile(r"\b(namespace|class|struct|union|enum)\b[^()]*$")


def blank(text):
    """Comments and string/char literals replaced by spaces (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c in "\"'" and not (c == "'" and i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum()):
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        else:
            out.append(c); i += 1
    return "".join(out)


def header_name(before):
    """The function's name when `before` (text since the last ; { or }) ends like a function header."""
    h = re.sub(r"\s+", " ", before).strip()
    h = re.sub(r"^(template ?<.*?> ?)+", "", h)
    if not h or SCOPE.search(h) or "=" in h.split("(")[0] and "operator" not in h:
        return None
    # Strip trailing qualifiers, trailing return types, member initializer lists.
    m = re.search(r"([~\w:<>]+|operator\s*\S+?)\s*\(", h)
    if not m or CONTROL.search(h.split(")")[0] + "("):
        return None
    if not re.search(r"\)", h):
        return None
    return m.group(1)


def functions(path):
    text = blank(path.read_text(errors="replace"))
    stack = []  # per open brace: ("scope"|"func"|"block", start line, name)
    last = 0    # index after the last ; { or } at the current level
    line = 1
    parens = 0  # braces inside parentheses are initializers, part of the header
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c in "([":
            parens += 1
        elif c in ")]":
            parens = max(parens - 1, 0)
        elif parens and c in "{};" and not any(k == "func" for k, _, _ in stack):
            continue
        elif c == ";":
            last = i + 1
        elif c == "{":
            inside = any(k == "func" for k, _, _ in stack)
            kind, name = "block", None
            if not inside:
                before = text[last:i]
                if SCOPE.search(re.sub(r"\s+", " ", before)) or re.search(r"\bextern\s*$", before):
                    kind = "scope"
                else:
                    name = header_name(before)
                    kind = "func" if name else "block"
            stack.append((kind, line, name))
            last = i + 1
        elif c == "}":
            if stack:
                kind, start, name = stack.pop()
                if kind == "func":
                    yield name, start, line, line - start + 1
            last = i + 1


def main(argv):
    limit, listing, paths = 60, False, []
    it = iter(argv)
    for a in it:
        if a == "--max":
            limit = int(next(it))
        elif a == "--list":
            listing = True
        else:
            paths.append(pathlib.Path(a))
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*")))
             if f.suffix in (".cpp", ".hpp", ".h", ".cc")]
    too_long = 0
    for f in files:
        for name, start, end, length in functions(f):
            if listing or length > limit:
                print(f"{f}:{start}: {name} is {length} lines" + (f" (limit {limit})" if length > limit else ""))
            too_long += length > limit
    if too_long:
        print(f"{too_long} function(s) longer than {limit} lines", file=sys.stderr)
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
