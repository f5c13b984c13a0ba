#!/usr/bin/env bash
# Assembles BENCHMARKS.md from the per-area fragments in docs/bench-*.md.
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo "# Benchmarks"
  echo
  echo "Every figure below comes with the command that reproduces it. The machine"
  echo "is the project's standard one (2 cores, 24 GiB, shared with other work"
  echo "while some figures were taken: each section says so). Speed targets live"
  echo "here, never in timed unit tests."
  echo
  for f in docs/bench-single.md docs/bench-read.md docs/bench-sync.md docs/bench-cf.md docs/bench-bulk.md docs/bench-gen.md; do
    [ -f "$f" ] || continue
    # demote a leading top-level title to a section
    sed -e '1s/^# /## /' "$f"
    echo
  done
} > BENCHMARKS.md
