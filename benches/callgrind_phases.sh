#!/bin/sh
# Instruction counts per phase of examples/sync_phases (callgrind), for
# judging optimisations on a loaded machine where wall times are noisy.
#
#   sh benches/callgrind_phases.sh BIN OUTPREFIX [SCHOOL]
#
# BIN: target/release/examples/sync_phases; OUTPREFIX: callgrind writes
# OUTPREFIX and OUTPREFIX.N (every OUTPREFIX.* is removed first, so do not
# send the output to such a name); SCHOOL: a folder made by
# `target/release/examples/large_school DIR PUPILS SEED` (default
# /tmp/perf20/school). Prints the instructions of each phase, all threads
# (one dump per phase boundary; validate and plan share a segment: a
# function toggle cannot count plan alone, whose parallel parts run on
# rayon's threads, where it is not on the stack). Valgrind hides SHA-NI, so
# sha2 runs its software rounds there: they are left out of the counts.
# Needs valgrind.
BIN=$1; OUT=$2; SCH=${3:-/tmp/perf20/school}
S=$(ls $SCH/sidi/*.xml); L=$(ls -d $SCH/locale/*)
rm -f $OUT $OUT.*
valgrind --tool=callgrind --callgrind-out-file=$OUT \
  --toggle-collect='std::sys::backtrace::__rust_begin_short_backtrace' \
  --toggle-collect='sha2::sha256::soft::unroll::compress' \
  --dump-after='sidisync::read::read_store' \
  --dump-after='sidisync::read::local::read_local' \
  --dump-after='sidisync::sync::engine::plan_indexed' \
  --dump-after='sidisync::write::package::write_package_with' \
  $BIN $S $L/alunni_locali.csv $L/classi_locali.csv 1 > $OUT.log 2>&1
for f in $(ls $OUT.* | grep -v log | sort -t. -k3 -n) $OUT; do
  printf "%-75s %14s\n" "$(grep '^desc: Trigger' $f | cut -d: -f3-)" "$(grep '^totals:' $f | cut -d' ' -f2)"
done
