#!/bin/sh
# Codice fiscale throughput: sidisync vs python-stdnum 2.2 vs
# python-codicefiscale 0.12.1, on the same file of codes, one core each.
#
#   benches/cf_peers.sh [N] [PEER_SAMPLE]
#
# N codes (default 1,000,000) are generated once (60 % valid, 20 % omocodic,
# 20 % faulty) into target/cf_codes.txt. sidisync and python-stdnum validate
# all of them; python-codicefiscale (about 2,000 codes/s) validates the first
# PEER_SAMPLE (default 20,000) codes of the same file.
# Needs python3 with venv; the peers are installed into target/cf-peers-venv.
set -eu
N=${1:-1000000}
SAMPLE=${2:-20000}
cd "$(dirname "$0")/.."
FILE=target/cf_codes.txt
VENV=target/cf-peers-venv

cargo bench --bench cf_throughput --no-run
cargo bench -q --bench cf_throughput -- generate "$FILE" "$N"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q python-stdnum==2.2 python-codicefiscale==0.12.1
fi

PIN=""
if command -v taskset >/dev/null 2>&1; then PIN="taskset -c 0"; fi

echo "== sidisync (Rust, bench profile, 1 thread)"
$PIN cargo bench -q --bench cf_throughput -- run "$FILE" 5

cat > target/cf_peer_bench.py <<'PY'
import importlib, sys, time
path, mod, fn, limit, label = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
f = getattr(importlib.import_module(mod), fn)
codes = [c for c in open(path).read().split("\n")[:limit] if c]
t = time.perf_counter()
v = sum(1 for c in codes if f(c))
s = time.perf_counter() - t
print(f"{label}: {len(codes)} codes, {v} valid, {s:.3f} s, {len(codes)/s:.0f} codes/s")
PY

echo "== python-stdnum 2.2 (stdnum.it.codicefiscale.is_valid)"
$PIN "$VENV/bin/python" target/cf_peer_bench.py "$FILE" stdnum.it.codicefiscale is_valid "$N" "python-stdnum 2.2"
echo "== python-codicefiscale 0.12.1 (codicefiscale.codicefiscale.is_valid)"
$PIN "$VENV/bin/python" target/cf_peer_bench.py "$FILE" codicefiscale.codicefiscale is_valid "$SAMPLE" "python-codicefiscale 0.12.1"
