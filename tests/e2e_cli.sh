#!/bin/sh
# The command line: exit statuses, error messages that name the file, line
# or packet, nothing lost on a truncated capture, stdin, -c, output errors.
. "$(dirname "$0")/lib.sh"
need_jq
DEMO="$PCAPS/demo.pcap"


expect_fail "missing file" 2 "/nonexistent.pcap: " "$LW" -r /nonexistent.pcap
expect_fail "not a capture" 2 "lync2013.rules: unknown file format" "$LW" -r "$RULES"
expect_fail "no input" 2 "nothing to read" "$LW"
expect_fail "bad option" 2 "Try 'lyncwatch --help'" "$LW" --bogus
expect_fail "bad -c" 2 "bad number 'x'" "$LW" -c x -r "$DEMO"
expect_fail "bad --lang" 2 "want en or ja" "$LW" --lang fr -r "$DEMO"
expect_fail "bad filter" 2 "filter 'not a filter ((('" "$LW" -r "$DEMO" -f "not a filter ((("
expect_fail "json dir missing" 2 "/nonexistent/x.json: .*No such file" \
	"$LW" --json /nonexistent/x.json -r "$DEMO"
expect_fail "json full disk" 2 "/dev/full: write error" "$LW" --json /dev/full -r "$DEMO"

# Rule files: every problem as file:line, exit 2.
printf '[rule a]\ntable = nowhere\nport = 0\n' > "$TMP/bad.rules"
expect_fail "check-rules bad" 2 "bad.rules:2: bad table 'nowhere'" "$LW" --check-rules "$TMP/bad.rules"
grep -q "bad.rules:3: bad port '0'" "$TMP/e" && pass || fail "second problem reported"
expect_fail "bad --rules at run" 2 "bad.rules:2:" "$LW" --rules "$TMP/bad.rules" -r "$DEMO"
"$LW" --check-rules "$RULES" > "$TMP/o" && grep -q "91 rules" "$TMP/o" && pass || fail "check-rules good"

check "--help exits 0" "$LW" --help > /dev/null
check "--version" sh -c "'$LW' --version | grep -q '^lyncwatch [0-9]'"

# -c COUNT and stdin.
n=$("$LW" -c 10 --json - -r "$DEMO" | tail -n 1 | jq .stats.packets)
check "-c 10 reads 10 packets (got $n)" [ "$n" = 10 ]
"$LW" --json - -r "$DEMO" | stable > "$TMP/file.json"
"$LW" --json - -r - < "$DEMO" | stable > "$TMP/stdin.json"
check "-r - (stdin) gives what the file gives" cmp -s "$TMP/file.json" "$TMP/stdin.json"

# nDPI's feeding options: bounds checked; each one takes effect (the stats
# record's counters move as the option says).
expect_fail "bad --dpi-packets" 2 "--dpi-packets: bad number '0'" "$LW" --dpi-packets 0 -r "$DEMO"
expect_fail "bad --dpi-extra" 2 "--dpi-extra: bad number '-1'" "$LW" --dpi-extra -1 -r "$DEMO"
expect_fail "bad --dpi-scope" 2 "--dpi-scope: want all or audit, not 'some'" "$LW" --dpi-scope some -r "$DEMO"
expect_fail "bad --max-inspect" 2 "--max-inspect: bad number 'x'" "$LW" --max-inspect x -r "$DEMO"
fed() { "$LW" --json - -r "$DEMO" "$@" | tail -n 1 | jq .stats.ndpi.pkts_fed; }
f24=$(fed) f0=$(fed --dpi-extra 0) f1=$(fed --dpi-packets 1)
check "--dpi-extra 0 feeds fewer packets ($f0 < $f24)" [ "$f0" -lt "$f24" ]
check "--dpi-packets 1 feeds one per flow at most ($f1 <= 41)" [ "$f1" -le 41 ]
cut=$("$LW" --json - -r "$DEMO" --dpi-extra-flows 0 | tail -n 1 | jq .stats.ndpi.extra_cut)
check "--dpi-extra-flows 0 cuts every metadata phase ($cut > 0)" [ "$cut" -gt 0 ]
# (On a capture with concurrent TLS handshakes: on the demo, nDPI stops
# reading each flow as soon as the own checks have named it, so no two
# states are ever alive at once.)
GEN="$top_builddir/tools/pcapgen/pcapgen"
if [ -x "$GEN" ] && "$GEN" deploy "$TMP/d.pcap" "$TMP/d.inv" "$TMP/d.ans" 300 2>/dev/null; then
	lim=$("$LW" --json - -r "$TMP/d.pcap" --max-inspect 1 2>/dev/null | tail -n 1 |
		jq '.stats.ndpi | [.limited, .peak_states] | @tsv' -r)
	check "--max-inspect 1: limited > 0 and peak 1 ($lim)" sh -c "[ '${lim#*	}' = 1 ] && [ '${lim%	*}' -gt 0 ]"
	wd=$("$LW" --json - -r "$TMP/d.pcap" 2>/dev/null | tail -n 1 | jq .stats.ndpi.wire_done)
	check "flows no longer fed to nDPI once the own checks decided ($wd > 0)" [ "$wd" -gt 0 ]
else
	fail "pcapgen deploy (built by make check) did not run"
fi

# A truncated capture: the flows and summary read so far are written, the
# error names the file and the packet, and the exit status is 2.
size=$(wc -c < "$DEMO")
head -c $((size * 2 / 3)) "$DEMO" > "$TMP/trunc.pcap"
expect_fail "truncated capture" 2 "trunc.pcap: packet [0-9]*: truncated" \
	"$LW" --json "$TMP/t.json" -r "$TMP/trunc.pcap"
nf=$(jq -s 'map(select(.event_type == "flow")) | length' "$TMP/t.json")
np=$(tail -n 1 "$TMP/t.json" | jq .stats.packets)
pk=$(sed -n 's/.*packet \([0-9]*\):.*/\1/p' "$TMP/e")
check "truncated: flows still written ($nf)" [ "$nf" -gt 0 ]
check "truncated: the packet named is the one after the last read ($pk vs $np)" [ "$pk" -eq $((np + 1)) ]
head -c 10 "$DEMO" > "$TMP/hdr.pcap"
expect_fail "truncated file header" 2 "hdr.pcap: " "$LW" -r "$TMP/hdr.pcap"

# The README's site.rules (a site's media range, on the shipped roles):
# --check-rules site.rules works as the man page shows it, --rules-add
# loads it on top of the shipped rules, --rules alone replaces them.
sed -n '/^in site.rules:/,/^    lyncwatch/p' "$top_srcdir/README" |
	sed -n 's/^    //; /^\[rule/,/^note\.ja/p' > "$TMP/site.rules"
"$LW" --check-rules "$TMP/site.rules" > "$TMP/o" 2> "$TMP/e" &&
	grep -q "^92 rules" "$TMP/o" && grep -q "on top of the shipped rules" "$TMP/e" &&
	pass || fail "check-rules site.rules: $(cat "$TMP/o" "$TMP/e")"
n=$("$LW" --rules-add "$TMP/site.rules" --list-rules --json - | jq -s 'length')
check "--rules-add: 91 shipped rules and the site's ($n)" [ "$n" = 92 ]
expect_fail "--rules site.rules replaces the shipped rules" 2 \
	"site.rules:1: rule site-client-media: unknown role 'client'" \
	"$LW" --rules "$TMP/site.rules" -r "$DEMO"
"$LW" --help | grep -q -- "--rules-add FILE" && "$LW" --help | grep -q "replaces them" &&
	pass || fail "--help: --rules replaces, --rules-add adds"

# Leaner records: no note by default; --json-notes puts each label's note
# back, the one --list-rules --json lists for its rule id.
"$LW" -r "$DEMO" --json "$TMP/lean.json" > /dev/null 2>&1
"$LW" -r "$DEMO" --json "$TMP/notes.json" --json-notes > /dev/null 2>&1
check "records carry no note by default" \
	[ "$(jq -s '[.[].lync.labels[]? | has("note")] | any' "$TMP/lean.json")" = false ]
"$LW" --list-rules --json - | jq -c '{(.id): .note_en}' | jq -s add > "$TMP/notes.byid"
check "--json-notes: every label's note is its rule's, as listed" \
	[ "$(jq -s --slurpfile n "$TMP/notes.byid" '[.[].lync.labels[]?] |
		(length > 0) and all(.note == $n[0][.id])' "$TMP/notes.json")" = true ]
check "--json-notes: otherwise the same records" \
	[ "$(jq -c 'del(.lync.labels[]?.note) | del(.stats.seconds, .stats.packets_per_second, .stats.ndpi.memory_peak, .stats.ndpi.memory_module)' "$TMP/notes.json" | md5sum)" = \
	  "$(jq -c 'del(.stats.seconds, .stats.packets_per_second, .stats.ndpi.memory_peak, .stats.ndpi.memory_module)' "$TMP/lean.json" | md5sum)" ]
finish
