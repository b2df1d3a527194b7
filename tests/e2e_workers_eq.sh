#!/bin/sh
# -r with --workers N writes what --workers 1 writes: the same records in
# the same order (flow ids included) and the same summary, on every golden
# case, every shared capture (../shared/pcaps, when present), a deployment
# scene (tools/pcapgen deploy; with a filter), datagrams of up to 60,000
# bytes (tools/pcapgen jumbo), host marks made just before the records
# that rest on them (tools/pcapgen marks), several files, -c, and a
# capture cut short.  What may differ, and is dropped before comparing:
# the run's wall time and speed
# (stats.seconds, stats.packets_per_second, the summary's "in X s, X
# packets/s") and nDPI's memory (stats.ndpi.memory_peak/memory_module, the
# summary's "memory peak"): each engine has its own nDPI module, so N
# engines hold N modules' memory.  Nothing else is dropped.
. "$(dirname "$0")/lib.sh"
need_jq
cd "$top_srcdir" || exit 99
GEN="$top_builddir/tools/pcapgen/pcapgen"

mask_text() { sed -E 's/in [0-9.]+ s, [0-9]+ packets\/s/in X s, X packets\/s/; s/[0-9.]+ 秒、[0-9]+ パケット\/秒/X 秒、X パケット\/秒/;
	s/memory peak [0-9]+ bytes \(module [0-9]+\)/memory peak X bytes (module X)/; s/メモリ最大 [0-9]+ バイト \(モジュール [0-9]+\)/メモリ最大 X バイト (モジュール X)/'; }

# run TAG N ARGS...: records as written in $TMP/TAG.N.json, the summary
# in $TMP/TAG.N.txt, stderr in $TMP/TAG.N.err, the exit status in .rc.
run() {
	tag=$1 n=$2; shift 2
	"$LW" --no-progress --workers "$n" --json "$TMP/$tag.$n.raw" "$@" \
		> "$TMP/$tag.$n.sum" 2> "$TMP/$tag.$n.err"
	echo $? > "$TMP/$tag.$n.rc"
	stable < "$TMP/$tag.$n.raw" > "$TMP/$tag.$n.json"
	mask_text < "$TMP/$tag.$n.sum" > "$TMP/$tag.$n.txt"
}

# same TAG N: the run with N workers wrote what the run with 1 did.
same() {
	tag=$1 n=$2
	if ! [ -s "$TMP/$tag.1.json" ] || ! grep -q '"event_type":"stats"' "$TMP/$tag.1.json"; then
		fail "$tag: --workers 1 wrote no stats record"; return
	fi
	check "$tag: --workers $n: same exit status" cmp -s "$TMP/$tag.1.rc" "$TMP/$tag.$n.rc"
	check "$tag: --workers $n: exit 0 or 2 (not a sanitizer's)" \
		grep -qx '[02]' "$TMP/$tag.$n.rc"
	sort "$TMP/$tag.1.json" > "$TMP/$tag.1.sorted"
	sort "$TMP/$tag.$n.json" > "$TMP/$tag.$n.sorted"
	check "$tag: --workers $n: same records, sorted" \
		cmp -s "$TMP/$tag.1.sorted" "$TMP/$tag.$n.sorted"
	if ! cmp -s "$TMP/$tag.1.json" "$TMP/$tag.$n.json"; then
		fail "$tag: --workers $n: records differ as written"
		diff "$TMP/$tag.1.json" "$TMP/$tag.$n.json" | cut -c1-300 | head -6
	else
		pass
	fi
	if ! cmp -s "$TMP/$tag.1.txt" "$TMP/$tag.$n.txt"; then
		fail "$tag: --workers $n: summaries differ"
		diff "$TMP/$tag.1.txt" "$TMP/$tag.$n.txt" | head -10
	else
		pass
	fi
	check "$tag: --workers $n: same messages" cmp -s "$TMP/$tag.1.err" "$TMP/$tag.$n.err"
}

# eq TAG ARGS...: --workers 1 against --workers 2.
eq() {
	tag=$1; shift
	run "$tag" 1 "$@"
	run "$tag" 2 "$@"
	same "$tag" 2
}

# ------------------------------------------------ the golden cases
grep -v '^#' tests/golden/CASES | while IFS='|' read -r name kind args what; do
	name=$(echo $name)
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	eq "golden-$name" $args
	echo "$npass $nfail" > "$TMP/counts"
done
read -r npass nfail < "$TMP/counts"

# Three engines on one case; and the records are not trivially alike: the
# demo has flows that end at different points and ids from packet numbers.
run golden-demo 3 -r pcaps/demo.pcap
same golden-demo 3
check "demo: flow ids are the packet numbers of first packets (not 1..n)" \
	sh -c "jq -r 'select(.event_type==\"flow\") | .flow_id' '$TMP/golden-demo.1.json' | sort -n | tail -1 | grep -qv '^41\$'"

# Pinned to one core (taskset -c 0: lyncwatch counts the cores it may
# use): one engine by default, as with --workers 1.
if command -v taskset > /dev/null 2>&1 && taskset -c 0 true 2> /dev/null; then
	run pinned 1 -r pcaps/demo.pcap
	taskset -c 0 "$LW" --no-progress --json "$TMP/pinned.d.raw" -r pcaps/demo.pcap \
		> "$TMP/pinned.d.sum" 2> "$TMP/pinned.d.err"
	echo $? > "$TMP/pinned.d.rc"
	stable < "$TMP/pinned.d.raw" > "$TMP/pinned.d.json"
	mask_text < "$TMP/pinned.d.sum" > "$TMP/pinned.d.txt"
	same pinned d
else
	echo "SKIP: no taskset: the default on one core not compared"
fi

# ------------------------------------------------ timeouts, forced reports
# Idle flows end on the reader's clock, not on each engine's own packets.
eq timeouts --tcp-timeout 1 --udp-timeout 1 --tcp-closed-timeout 1 -r pcaps/demo.pcap
check "timeouts: flows end by idle timeout" grep -q '"reason":"timeout"' "$TMP/timeouts.2.json"
eq forced --active-timeout 1 -r pcaps/demo.pcap
check "forced: long flows are reported periodically" grep -q '"reason":"forced"' "$TMP/forced.2.json"

# ------------------------------------------------ -c, a capture cut short
eq count -c 300 -r pcaps/demo.pcap
check "-c 300: 300 packets" grep -q '"packets":300,' "$TMP/count.2.json"
size=$(wc -c < pcaps/demo.pcap)
head -c $((size * 2 / 3)) pcaps/demo.pcap > "$TMP/cut.pcap"
eq cut -r "$TMP/cut.pcap" -r pcaps/rows.pcap
check "cut: the error names the capture and the packet" \
	grep -q "cut.pcap.*packet [0-9]" "$TMP/cut.2.err"
check "cut: exit 2, the second file still read" \
	sh -c "[ \"\$(cat '$TMP/cut.2.rc')\" = 2 ] && grep -q '\"inputs\":2,' '$TMP/cut.2.json'"

# ------------------------------------------------ a deployment scene
if [ -x "$GEN" ]; then
	"$GEN" deploy "$TMP/d.pcap" "$TMP/d.inv" "$TMP/d.ans" 2000 2>/dev/null ||
		fail "pcapgen deploy"
	eq deploy --inventory "$TMP/d.inv" -r "$TMP/d.pcap"
	eq deploy-noinv -r "$TMP/d.pcap"
	# The other engines walk the file's records themselves, through
	# the filter: it must keep for them what it keeps for the reader.
	eq deploy-filter --inventory "$TMP/d.inv" -r "$TMP/d.pcap" "not port 443 and not udp port 3478"
	# Datagrams of up to 60,000 bytes: a round's records span megabytes
	# of the file, more than an engine's window of it holds at once.
	"$GEN" jumbo "$TMP/j.pcap" 2>/dev/null || fail "pcapgen jumbo"
	eq jumbo -r "$TMP/j.pcap"
	eq jumbo-filter -r "$TMP/j.pcap" "ip6 or udp dst portrange 50020-50031"
	# From one file to the next: the walk of one ends before the other's.
	eq jumbo-files -r "$TMP/j.pcap" -r "$TMP/d.pcap" -r "$TMP/j.pcap"
	check "jumbo: flows of the capture" grep -q '"event_type":"flow"' "$TMP/jumbo.2.json"
	# Media flows ended by a sweep the packet after another flow marks
	# their server (tools/pcapgen marks): what their labels rest on
	# comes from whichever engine made the mark.
	"$GEN" marks "$TMP/m.pcap" 2>/dev/null || fail "pcapgen marks"
	eq marks --udp-timeout 1 -r "$TMP/m.pcap"
	run marks 3 --udp-timeout 1 -r "$TMP/m.pcap"
	same marks 3
	check "marks: media flows' labels rest on their servers' marks" \
		sh -c "jq -r 'select(.event_type==\"flow\" and .dest_port==49852) | .lync.support' '$TMP/marks.1.json' | sort -u | grep -qx host"
else
	echo "SKIP: tools/pcapgen/pcapgen is not built: no deployment scene"
fi

# ------------------------------------------------ the shared captures
if [ -d "$SHARED_PCAPS" ]; then
	for f in "$SHARED_PCAPS"/*.pcap "$SHARED_PCAPS"/*.pcapng; do
		[ -f "$f" ] || continue
		eq "shared-$(basename "$f")" -r "$f"
	done
else
	echo "SKIP: $SHARED_PCAPS is absent: the shared captures are not compared"
fi
finish
