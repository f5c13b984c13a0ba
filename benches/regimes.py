#!/usr/bin/env python3
"""Times three commands round after round, like interleave.py, and groups
the rounds by how fast the host was, to see how the ratio of the first
command to the second depends on the host's load.

    python3 benches/regimes.py RUNS now='command' ref='command' probe='command'

`now` is timed against `ref` (xmllint for the speed target); `probe` (the
start binary, say) only measures the host: the rounds are sorted by its
time and cut into quarters, which does not favour the lucky rounds of
either compared command. The rounds are also grouped by `ref`'s own time;
that grouping picks `ref`'s fast rounds and so leans against `now`, but it
shows what happens when `ref` runs at quiet-host speed. One warm-up round,
order reversed every other round, exit statuses ignored.
"""
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
cmds = [a.split("=", 1) for a in sys.argv[2:5]]
names = [n for n, _ in cmds]
if names != ["now", "ref", "probe"]:
    sys.exit("usage: regimes.py RUNS now='…' ref='…' probe='…'")
rounds = []
for r in range(runs + 1):
    t = {}
    for n, c in cmds if r % 2 == 0 else cmds[::-1]:
        a = time.monotonic()
        subprocess.run(c, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t[n] = time.monotonic() - a
    if r > 0:
        rounds.append(t)


def line(label, sel):
    ratio = statistics.median(t["now"] / t["ref"] for t in sel)
    probe = statistics.median(t["probe"] / t["ref"] for t in sel)
    print(
        f"{label}: {len(sel):3d} rounds, now/ref {ratio:.3f}, probe/ref {probe:.3f}, "
        f"now {1000 * statistics.median(t['now'] for t in sel):.0f} ms, "
        f"ref {1000 * statistics.median(t['ref'] for t in sel):.0f} ms"
    )


by_probe = sorted(rounds, key=lambda t: t["probe"])
q = max(1, len(by_probe) // 4)
for i in range(4):
    sel = by_probe[i * q : (i + 1) * q] if i < 3 else by_probe[3 * q :]
    if sel:
        lo, hi = 1000 * sel[0]["probe"], 1000 * sel[-1]["probe"]
        line(f"probe quarter {i + 1} ({lo:.0f}-{hi:.0f} ms)", sel)
by_ref = sorted(rounds, key=lambda t: t["ref"])
for i in range(4):
    sel = by_ref[i * q : (i + 1) * q] if i < 3 else by_ref[3 * q :]
    if sel:
        lo, hi = 1000 * sel[0]["ref"], 1000 * sel[-1]["ref"]
        line(f"ref quarter {i + 1} ({lo:.0f}-{hi:.0f} ms)", sel)
line("all", rounds)
