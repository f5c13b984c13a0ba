#!/bin/sh
# National shape: generate every istituzione at SCALE, then time
# `sidisync bulk` with --jobs 1 and --jobs 2 (peak RSS from /usr/bin/time),
# and check every school's counts against expected.json.
#
#   sh benches/bulk_national.sh [SCALE] [WORKDIR]
#
# Needs GNU time (apt-get install -y time). Each run writes into a fresh
# folder (deleting many files just before creating many slows ext4 inode
# allocation down); the outputs are deleted at the end.
set -eu
SCALE=${1:-0.05}
W=${2:-$(mktemp -d)}
cargo build --release --quiet --bin sidisync
B=${CARGO_TARGET_DIR:-target}/release/sidisync
G="$W/gen"
[ -d "$G/sidi" ] || /usr/bin/time -f "gen: %e s, peak RSS %M KB" "$B" gen --out "$G" --national --scale "$SCALE" --quiet
echo "inputs: $(du -sh "$G" | cut -f1), $(ls "$G/sidi" | wc -l) exports"
export SOURCE_DATE_EPOCH=1764403200
for J in 1 2; do
    echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    O="$W/out-j$J-$$"
    /usr/bin/time -f "bulk --jobs $J: %e s wall, %U s user, %S s sys, peak RSS %M KB" \
        "$B" bulk --sidi-dir "$G/sidi" --local-dir "$G/locale" --out "$O" --jobs "$J" || test $? -eq 1
    echo "outputs: $(du -sh "$O" | cut -f1)"
done
python3 benches/check_expected.py "$G" "$W/out-j1-$$" | tail -1
# the packages do not depend on --jobs (summary: all but TEMPO_MS)
if diff -r -q -x summary.csv -x summary.html "$W/out-j1-$$" "$W/out-j2-$$" >/dev/null; then
    echo "packages: identical for --jobs 1 and 2"
else
    echo "packages DIFFER between --jobs 1 and 2:"
    diff -r -q -x summary.csv -x summary.html "$W/out-j1-$$" "$W/out-j2-$$" | head -5
fi
cut -d';' -f1-20,22- "$W/out-j1-$$/summary.csv" > "$W/s1"
cut -d';' -f1-20,22- "$W/out-j2-$$/summary.csv" > "$W/s2"
cmp "$W/s1" "$W/s2" && echo "summary.csv: identical but TEMPO_MS"
rm -rf "$W/out-j1-$$" "$W/out-j2-$$" "$W/s1" "$W/s2"
