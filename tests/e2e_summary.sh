#!/bin/sh
# The summary, as text and as the JSON stats record, from one model: what
# each says and that they agree (issue 15 item 9, issue 17).
#  - every row of the text traffic table is a row of stats.traffic, with the
#    same numbers, "(no rule)" included, in both languages;
#  - the table has one header (issue 17: it was printed twice, as a title
#    and as the columns' names), which says that a flow counts under each
#    of its labels, and a row of distinct flows equal to flows.total and to
#    stats.traffic_distinct;
#  - an input that ends in an error (a truncated capture, exit 2) is an
#    error in both: "errors 1 (..., input 1)" and stats.input_errors 1;
#  - an input that cannot be opened (lyncwatch -r README) gives no summary
#    and no stats record, only its error and exit 2; with a good input
#    next to it, the summary is written and counts the error;
#  - every key of every JSON record (flows, stats, --list-rules) is
#    snake_case: decode and flag counters too (not_ip, app_mismatch);
#  - README's sample summary is what a run of the demo prints (timing
#    masked): the test fails when the code's output drifts from README.
. "$(dirname "$0")/lib.sh"
need_jq
DEMO="$PCAPS/demo.pcap"

# has FILE FILTER: the JQ filter is true of FILE's stats record.
has() { jq -e "select(.event_type == \"stats\") | .stats | $2" "$1" > /dev/null; }

# text_rows FILE: the traffic rows of a text summary as "table flows pkts bytes".
text_rows() {
	sed -n '/^  table /,/^[^ ]/p' "$1" | grep -v '^  table ' | grep '^  ' |
		awk '$1 != "all" { print $1, $2, $3, $4 }'
}
# json_rows FILE: the same from the stats record.
json_rows() {
	jq -r 'select(.event_type == "stats") | .stats.traffic[] |
		"\(.table) \(.flows) \(.pkts) \(.bytes)"' "$1"
}

for lang in en ja; do
	"$LW" --no-progress --lang $lang --json "$TMP/$lang.json" -r "$DEMO" > "$TMP/$lang.txt" 2>&1
	text_rows "$TMP/$lang.txt" > "$TMP/$lang.trows"
	json_rows "$TMP/$lang.json" > "$TMP/$lang.jrows"
	check "$lang: text and JSON traffic rows agree ($(wc -l < "$TMP/$lang.trows") rows)" \
		diff -u "$TMP/$lang.trows" "$TMP/$lang.jrows"
done
check "en: the JSON traffic table has the (no rule) row: 5 flows" has "$TMP/en.json" \
	'.traffic | map(select(.role == "(no rule)" and .table == "-")) | length == 1 and .[0].flows == 5'
check "ja: the JSON traffic table has the (no rule) row" has "$TMP/ja.json" \
	'.traffic | map(select(.role == "(規則なし)")) | length == 1' 

n=$(grep -c 'role / service' "$TMP/en.txt")
check "en: the traffic header names the columns once ($n)" [ "$n" -eq 1 ]
check "en: the header says how flows are counted" \
	grep -q '^traffic  *(a flow counts under each of its labels)$' "$TMP/en.txt"
check "en: a row of distinct flows: 41 flows, 519 packets" \
	grep -q '^  all  *41  *519  *[0-9]*  distinct flows$' "$TMP/en.txt"
all=$(awk '$1 == "all" { print $2, $3, $4 }' "$TMP/en.txt")
check "en: distinct flows ($all) = stats.traffic_distinct = flows.total" has "$TMP/en.json" \
	"(.traffic_distinct | \"\\(.flows) \\(.pkts) \\(.bytes)\") == \"$all\" and .traffic_distinct.flows == .flows.total"
check "en: the per-label rows sum to more than the distinct flows" has "$TMP/en.json" \
	'([.traffic[].flows] | add) > .traffic_distinct.flows'
# A truncated capture.
size=$(wc -c < "$DEMO")
head -c $((size * 2 / 3)) "$DEMO" > "$TMP/trunc.pcap"
"$LW" --no-progress --json "$TMP/trunc.json" -r "$TMP/trunc.pcap" > "$TMP/trunc.txt" 2> "$TMP/trunc.err"
rc=$?
check "truncated: exit 2 ($rc)" [ "$rc" -eq 2 ]
check "truncated: the error on stderr" grep -q 'trunc.pcap: packet [0-9]*: truncated dump file' "$TMP/trunc.err"
check "truncated: text summary counts the input error" \
	grep -q '^errors  *1 (truncated 0, invalid 0, unsupported 0, input 1)$' "$TMP/trunc.txt"
check "truncated: stats record counts the input error" has "$TMP/trunc.json" '.input_errors == 1'
check "demo: no input error" has "$TMP/en.json" '.input_errors == 0'

"$LW" --no-progress --json "$TMP/readme.json" -r "$top_srcdir/README" > "$TMP/readme.txt" 2> "$TMP/readme.err"
rc=$?
check "README: exit 2 ($rc)" [ "$rc" -eq 2 ]
check "README: unknown file format" grep -q 'README: unknown file format' "$TMP/readme.err"
check "README: no text summary" [ ! -s "$TMP/readme.txt" ]
check "README: no stats record" [ ! -s "$TMP/readme.json" ]
"$LW" --no-progress --json "$TMP/two.json" -r "$top_srcdir/README" -r "$DEMO" > "$TMP/two.txt" 2>/dev/null
check "README + demo: a summary counting the input error" \
	grep -q '^errors  *1 (.*input 1)$' "$TMP/two.txt"
check "README + demo: a stats record counting the input error" has "$TMP/two.json" '.input_errors == 1 and .inputs == 1'
# keys FILE: every key of every record of FILE that is not snake_case.
keys() { jq -r '[paths | .[] | strings] | .[]' "$1" | sort -u | grep -v '^[a-z0-9_]*$'; }
"$LW" --no-progress --json "$TMP/inv.json" --inventory "$PCAPS/demo.inventory" -r "$DEMO" > /dev/null 2>&1
"$LW" --list-rules --json - > "$TMP/rules.json"
for f in en inv rules; do
	bad=$(keys "$TMP/$f.json" | tr '\n' ' ')
	check "$f: every JSON key is snake_case (not: $bad)" [ -z "$bad" ]
done
check "inv: decode and flag keys renamed (not_ip, other_l4, app_mismatch)" has "$TMP/inv.json" \
	'(.decode | has("not_ip") and has("other_l4")) and (.flags | has("app_mismatch") and has("undocumented_port"))'
check "inv: flag names as values keep their hyphens" \
	jq -e -s 'map(select(.event_type == "flow") | .lync.flags[]) | index("app-mismatch") != null' "$TMP/inv.json" > /dev/null
# README: the indented block after "Always, a summary at the end (...)".
# (Timing and nDPI's heap figures vary by machine and build: masked.)
mask() { sed -E 's/in [0-9.]+ s, [0-9]+ packets\/s/in X s, X packets\/s/;
	s/memory peak [0-9]+ bytes \(module [0-9]+\)/memory peak X bytes (module X)/'; }
awk '/^Always, a summary at the end \(lyncwatch -r pcaps\/demo.pcap\):$/ { on = 1; next }
     on && /^    / { print substr($0, 5); seen = 1; next }
     on && seen { exit }' "$top_srcdir/README" | mask > "$TMP/readme.want"
(cd "$top_srcdir" && "$LW" --no-progress -r pcaps/demo.pcap) | mask > "$TMP/readme.got"
check "README's sample summary is a run of the demo ($(wc -l < "$TMP/readme.want") lines)" \
	diff -u "$TMP/readme.want" "$TMP/readme.got"
finish
