#!/usr/bin/env bash
# Runs every fuzz target for a fixed time, one at a time, on one core.
#   fuzz/run.sh [seconds per target] [target...]
# Seeds are read from fuzz/corpus/<target>/ (committed, never written);
# inputs found while fuzzing go to fuzz/work/<target>/ (not committed) and
# crashes to fuzz/artifacts/<target>/. A summary line per target (time,
# executions, corpus size, crashes) is appended to fuzz/runs.log.
# Needs cargo-fuzz and a nightly toolchain (or RUSTC_BOOTSTRAP=1 on stable).
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-180}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(xml csv zip encoding cf profile decisions)

toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi

cargo "${toolchain[@]}" fuzz build -O || exit 2
bin=target/$(rustc -vV | sed -n 's/^host: //p')/release

status=0
for t in "${targets[@]}"; do
  mkdir -p "work/$t" "artifacts/$t"
  log="artifacts/$t/last-run.log"
  start=$(date +%s)
  # The binary built above, run directly: no rebuild between targets.
  "$bin/$t" "work/$t" "corpus/$t" \
    -max_total_time="$secs" -rss_limit_mb=2048 -artifact_prefix="artifacts/$t/" \
    -max_len=65536 -timeout=10 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  end=$(date +%s)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(find "artifacts/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  corpus=$(find "work/$t" -type f | wc -l)
  line="$(date -u +%Y-%m-%dT%H:%MZ) target=$t seconds=$((end - start)) execs=${execs:-?} corpus=$corpus artifacts=$crashes exit=$rc"
  echo "$line" | tee -a runs.log
  [ "$rc" = 0 ] || status=1
done
exit $status
