#!/bin/sh
# Times `xmllint --stream --noout` (libxml2's streaming reader, parsing only)
# next to sidisync's XML reader (parsing + model + findings + SHA-256) on the
# same generated export. Needs libxml2-utils (apt-get install -y libxml2-utils).
#
#   sh benches/xmllint_compare.sh [PUPILS] [ENCODING]
set -eu
PUPILS=${1:-50000}
ENC=${2:-UTF-8}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
FILE="$DIR/frequenze.xml"

cargo build --release --quiet --example read_bench
BIN=${CARGO_TARGET_DIR:-target}/release/examples/read_bench
"$BIN" gen-xml "$PUPILS" "$FILE" "$ENC"
SIZE=$(wc -c < "$FILE")
echo "file: $PUPILS pupils, $SIZE bytes, encoding $ENC"

if command -v xmllint >/dev/null 2>&1; then
    for i in 1 2 3; do
        START=$(date +%s.%N)
        xmllint --stream --noout "$FILE"
        END=$(date +%s.%N)
        echo "xmllint --stream --noout: $(echo "$END - $START" | bc) s"
    done
    if [ -f schemas/frequenze.xsd ]; then
        START=$(date +%s.%N)
        xmllint --stream --noout --schema schemas/frequenze.xsd "$FILE" 2>&1 | tail -1
        END=$(date +%s.%N)
        echo "xmllint --stream --noout --schema: $(echo "$END - $START" | bc) s"
    fi
else
    echo "xmllint not installed: apt-get install -y libxml2-utils"
fi
for i in 1 2 3; do
    "$BIN" read-one-core "$FILE"
    "$BIN" read "$FILE"
done
