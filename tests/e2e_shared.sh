#!/bin/sh
# Real third-party captures (../shared/pcaps, see its PROVENANCE.md): every
# one is read to its end without a crash or a sanitizer report, and gives a
# JSON record per flow and a final stats record.  Skipped when the folder is
# absent (a fresh clone of the product has none).
. "$(dirname "$0")/lib.sh"
need_jq
[ -d "$SHARED_PCAPS" ] || skip "no $SHARED_PCAPS: the third-party captures are not here"

for f in "$SHARED_PCAPS"/*.pcap "$SHARED_PCAPS"/*.pcapng; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	"$LW" --no-progress --json "$TMP/out.json" -r "$f" > "$TMP/out.txt" 2> "$TMP/err.txt"
	rc=$?
	check "$b: exit status 0 (got $rc: $(head -c 300 "$TMP/err.txt"))" [ "$rc" -eq 0 ]
	check "$b: no sanitizer report" sh -c "! grep -q 'Sanitizer' '$TMP/err.txt'"
	last=$(tail -n 1 "$TMP/out.json" | jq -r .event_type)
	check "$b: ends with a stats record" [ "$last" = stats ]
	nf=$(jq -s 'map(select(.event_type == "flow")) | length' "$TMP/out.json")
	ns=$(jq -s '.[-1].stats.flows.total' "$TMP/out.json")
	check "$b: one record per counted flow ($nf vs $ns)" [ "$nf" -eq "$ns" ]
done
finish
