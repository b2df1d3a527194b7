#!/bin/sh
# The captures in pcaps/ are the generator's output, byte for byte: running
# tools/pcapgen again gives identical files (deterministic, never edited by
# hand), and the demo and flags inventories match too.
. "$(dirname "$0")/lib.sh"
GEN="$top_builddir/tools/pcapgen/pcapgen"
[ -x "$GEN" ] || skip "tools/pcapgen/pcapgen is not built"

"$GEN" demo "$TMP/demo.pcap" "$TMP/demo.inventory" || fail "pcapgen demo"
"$GEN" rows "$RULES" "$TMP/rows.pcap" || fail "pcapgen rows"
"$GEN" flags "$TMP/flags.pcap" "$TMP/flags.inventory" || fail "pcapgen flags"
mkdir -p "$TMP/lt"
"$GEN" linktypes "$TMP/lt" || fail "pcapgen linktypes"
for f in demo.pcap demo.inventory rows.pcap flags.pcap flags.inventory; do
	check "$f is what pcapgen writes" cmp -s "$PCAPS/$f" "$TMP/$f"
done
for f in "$TMP"/lt/*.pcap; do
	b=$(basename "$f")
	check "$b is what pcapgen writes" cmp -s "$PCAPS/$b" "$f"
done
n=$(ls "$TMP"/lt/*.pcap | wc -l)
check "linktypes wrote captures ($n)" [ "$n" -ge 6 ]
finish
