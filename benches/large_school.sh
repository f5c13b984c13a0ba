#!/bin/sh
# One large school (60,000 pupils by default, plain XML, windows-1252, the
# generator's default drift): `sidisync sync` (read + validate + plan + write
# the package) against `xmllint --stream --noout` (libxml2's streaming
# parse, nothing else) on the same SIDI XML, in the same run.
#
#   sh benches/large_school.sh [PUPILS] [RUNS]
#
# Needs xmllint (libxml2-utils) and hyperfine (falls back to plain timing).
# Prints the file size, both timings and the ratio sync / xmllint.
set -eu
PUPILS=${1:-60000}
RUNS=${2:-5}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

cargo build --release --quiet --bin sidisync --example large_school
T=${CARGO_TARGET_DIR:-target}/release
"$T/examples/large_school" "$DIR/g" "$PUPILS" 1 >/dev/null
XML=$(ls "$DIR"/g/sidi/*.xml)
LOC=$(ls -d "$DIR"/g/locale/*)
echo "school: $(basename "$LOC"), $PUPILS pupils, $(wc -c < "$XML") bytes of XML ($(basename "$XML"))"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

SYNC="$T/sidisync sync --sidi $XML --local $LOC/alunni_locali.csv --local-classes $LOC/classi_locali.csv --out $DIR/pkg --quiet"
LINT="xmllint --stream --noout $XML"
# sync exits 1 when the export has error findings (the drift's faulty records)
SYNC_OK="$SYNC || test \$? -eq 1"

if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 1 --runs "$RUNS" --export-json "$DIR/h.json" \
        -n "xmllint --stream --noout" "$LINT" \
        -n "sidisync sync" "$SYNC_OK"
    python3 - "$DIR/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
x, s = r["xmllint --stream --noout"], r["sidisync sync"]
print(f"median: xmllint {x['median']:.3f} s, sync {s['median']:.3f} s, sync/xmllint = {s['median']/x['median']:.2f}")
PY
else
    for i in $(seq "$RUNS"); do
        a=$(date +%s.%N); sh -c "$LINT"; b=$(date +%s.%N)
        sh -c "$SYNC_OK"; c=$(date +%s.%N)
        echo "run $i: xmllint $(echo "$b - $a" | bc) s, sync $(echo "$c - $b" | bc) s"
    done
fi
/usr/bin/time -f "sync peak RSS: %M KB" sh -c "$SYNC_OK"
