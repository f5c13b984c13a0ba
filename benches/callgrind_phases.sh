#!/bin/sh
# Instruction counts per phase of examples/sync_phases (callgrind), for
# judging optimisations on a loaded machine where wall times are noisy.
#
#   sh benches/callgrind_phases.sh BIN OUTPREFIX [SCHOOL]
#
# BIN: target/release/examples/sync_phases; SCHOOL: a folder made by
# `target/release/examples/large_school DIR PUPILS SEED` (default
# /tmp/perf20/school). Prints the instructions of each phase, all threads
# (one dump per phase boundary; validate and plan share a segment, "plan
# alone" is counted on its own). Valgrind hides SHA-NI, so sha2 runs its
# software rounds there: they are left out of the phase counts (but not of
# "plan alone", whose op ids are SHA-256). Needs valgrind.
BIN=$1; OUT=$2; SCH=${3:-/tmp/perf20/school}
S=$(ls $SCH/sidi/*.xml); L=$(ls -d $SCH/locale/*)
rm -f $OUT $OUT.*
valgrind --tool=callgrind --callgrind-out-file=$OUT \
  --toggle-collect='std::sys::backtrace::__rust_begin_short_backtrace' \
  --toggle-collect='sha2::sha256::soft::unroll::compress' \
  --dump-after='sidisync::read::read_store' \
  --dump-after='sidisync::read::local::read_local' \
  --dump-after='sidisync::sync::engine::plan' \
  --dump-after='sidisync::write::package::write_package_with' \
  $BIN $S $L/alunni_locali.csv $L/classi_locali.csv 1 > $OUT.log 2>&1
for f in $(ls $OUT.* | grep -v log | sort -t. -k3 -n) $OUT; do
  printf "%-75s %14s\n" "$(grep '^desc: Trigger' $f | cut -d: -f3-)" "$(grep '^totals:' $f | cut -d' ' -f2)"
done
valgrind --tool=callgrind --callgrind-out-file=$OUT.plan --toggle-collect='sidisync::sync::engine::plan' \
  $BIN $S $L/alunni_locali.csv $L/classi_locali.csv 1 > /dev/null 2>&1
printf "%-75s %14s  (incl. soft sha256 of op ids)\n" "plan alone" "$(grep '^totals:' $OUT.plan | cut -d' ' -f2)"
