#!/bin/sh
# End-to-end benchmark of one large school (FORMATS/issue target: the whole
# `sidisync sync` of 60,000 pupils, XML form, against a drifted local export,
# takes no longer than `xmllint --stream --noout` on the same SIDI XML).
#
#   sh benches/large_school.sh [PUPILS] [SEED] [DIR]
#
# Builds the release binary and the generator example, generates the school
# (windows-1252 XML + local export, sidisync::gen::generate_large_school),
# then runs hyperfine on both commands in the same run and the two
# interleaved round by round (benches/interleave.py), prints the per-phase
# profile (examples/sync_phases.rs) and the peak memory of one sync
# (/usr/bin/time -v). Needs hyperfine, xmllint (libxml2-utils) and GNU time.
# Set KEEP=1 to keep DIR.
set -eu
PUPILS=${1:-60000}
SEED=${2:-1}
DIR=${3:-$(mktemp -d)}
RUNS=${RUNS:-10}
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}

cargo build --release --quiet --bin sidisync --example large_school --example sync_phases
BIN=$TARGET/release/sidisync
"$TARGET/release/examples/large_school" "$DIR/school" "$PUPILS" "$SEED" >/dev/null
SIDI=$(ls "$DIR"/school/sidi/*.xml)
LOCAL=$(ls -d "$DIR"/school/locale/*)
OUT=$DIR/out
export SOURCE_DATE_EPOCH=1760520600

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "SIDI XML: $(wc -c <"$SIDI") bytes; local: $(wc -c <"$LOCAL/alunni_locali.csv") bytes"

SYNC="$BIN --quiet sync --sidi $SIDI --local $LOCAL/alunni_locali.csv --local-classes $LOCAL/classi_locali.csv --out $OUT"
# sync exits 1 when the export has error findings (the generated drift has some)
hyperfine --warmup 2 --runs "$RUNS" -i \
    -n "sidisync sync ($PUPILS pupils)" "$SYNC" \
    -n "xmllint --stream --noout" "xmllint --stream --noout $SIDI"

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# the same two commands round after round: on a shared host whose speed
# drifts, the per-round ratio is the steadier figure (BENCHMARKS, tenth pass)
if command -v python3 >/dev/null; then
    echo "--- interleaved, $RUNS rounds: sync / xmllint round by round ---"
    python3 benches/interleave.py "$RUNS" sync="$SYNC" xmllint="xmllint --stream --noout $SIDI"
fi
echo "--- peak memory of one sync (/usr/bin/time -v) ---"
/usr/bin/time -v $SYNC 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed|User time|System time" || true
/usr/bin/time -v xmllint --stream --noout "$SIDI" 2>&1 >/dev/null | grep -E "Maximum resident" | sed 's/^/xmllint: /' || true
echo "--- phases one after the other (each may use every core), best of 3 (examples/sync_phases.rs) ---"
"$TARGET/release/examples/sync_phases" "$SIDI" "$LOCAL/alunni_locali.csv" "$LOCAL/classi_locali.csv" 3
[ "${KEEP:-0}" = 1 ] || rm -rf "$DIR"
