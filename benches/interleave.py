#!/usr/bin/env python3
"""Times commands round after round, interleaved, so that a noisy machine's
drift affects them alike (hyperfine runs each command's series in turn).

    python3 benches/interleave.py RUNS name='command' name='command' ...

One warm-up round, then RUNS rounds, every other one in reverse order (on
a VM whose freed pages go back to the host after a while, a command that
runs right after another process freed its memory faults in cheaper
pages: a few percent faster in second place than in first). Prints per
command the median, min and quartiles of the wall time, and the median
and min of the CPU time (user + system) and the median of the minor page
faults, both from `getrusage` of the child. Exit statuses are ignored
(sync exits 1 when the export has error findings).

With more than one command, each command's wall time is also divided by
the last-named command's in the same round, and the median and quartiles
of those ratios are printed: on a host whose speed drifts over minutes (a
shared VM), the ratio within a round moves much less than either time.
"""
import resource
import statistics
import subprocess
import sys
import time


def quantile(v, f):
    """The value at fraction `f` of the sorted list `v`."""
    return v[min(len(v) - 1, int(len(v) * f))]


runs = int(sys.argv[1])
cmds = [a.split("=", 1) for a in sys.argv[2:]]
res = {n: ([], [], []) for n, _ in cmds}
for r in range(runs + 1):
    # every other round in reverse order: a command right after a sync runs
    # on pages that sync just freed and is a few percent faster for it
    for n, c in cmds if r % 2 == 0 else cmds[::-1]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(c, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        d = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if r:
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            res[n][0].append(d)
            res[n][1].append(cpu)
            res[n][2].append(after.ru_minflt - before.ru_minflt)
for n, _ in cmds:
    wall, cpu, faults = res[n]
    v = sorted(wall)
    print(f"{n:16s} median {statistics.median(v) * 1000:7.1f} ms  min {v[0] * 1000:7.1f}"
          f"  p25 {quantile(v, 0.25) * 1000:7.1f}  p75 {quantile(v, 0.75) * 1000:7.1f}"
          f"  | cpu median {statistics.median(cpu) * 1000:7.1f} ms  min {min(cpu) * 1000:7.1f}"
          f"  | faults {statistics.median(faults):8.0f}")
if len(cmds) > 1:
    ref = cmds[-1][0]
    for n, _ in cmds[:-1]:
        r = sorted(a / b for a, b in zip(res[n][0], res[ref][0]))
        print(f"{n:16s} / {ref}: ratio median {statistics.median(r):.3f}"
              f"  p25 {quantile(r, 0.25):.3f}  p75 {quantile(r, 0.75):.3f}  (per round)")
