#!/usr/bin/env python3
"""Times commands round after round, interleaved, so that a noisy machine's
drift affects them alike (hyperfine runs each command's series in turn).

    python3 benches/interleave.py RUNS name='command' name='command' ...

One warm-up round, then RUNS rounds; prints median, min and quartiles of
the wall time per command. Exit statuses are ignored (sync exits 1 when the
export has error findings).
"""
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
cmds = [a.split("=", 1) for a in sys.argv[2:]]
res = {n: [] for n, _ in cmds}
for r in range(runs + 1):
    for n, c in cmds:
        t = time.perf_counter()
        subprocess.run(c, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        d = time.perf_counter() - t
        if r:
            res[n].append(d)
for n, _ in cmds:
    v = sorted(res[n])
    q = lambda f: v[min(len(v) - 1, int(len(v) * f))] * 1000
    print(f"{n:16s} median {statistics.median(v) * 1000:7.1f} ms  min {v[0] * 1000:7.1f}"
          f"  p25 {q(0.25):7.1f}  p75 {q(0.75):7.1f}")
