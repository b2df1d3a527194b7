#!/bin/sh
# Every row of every table of the vendor's page is labelled from a packet:
# pcaps/rows.pcap (from tools/pcapgen) sends a flow to each port (lo and hi
# of a range) of each rule and L4 protocol.  For every rule with a port, at
# least one flow sent to one of its ports must carry its label; and every
# label on every flow must name a rule that covers the flow's server port
# and protocol.  Server sides of those flows must be the documented ports.
# A server-table range row (media) labels only a flow whose server is known
# (by the inventory, or seen serving a Lync-specific port), so the servers
# of rows.pcap get their row's role from an inventory made here: the server
# of the flows of the N-th rule (file order) is 198.18.N.x.
. "$(dirname "$0")/lib.sh"
need_jq

"$LW" --rules "$RULES" --list-rules --json - > "$TMP/rules.json" || fail "list-rules"
jq -rs 'to_entries[] | "198.18.\(.key + 1).0/24 \(.value.role_key)"' \
	"$TMP/rules.json" > "$TMP/rows.inventory"
"$LW" --rules "$RULES" --inventory "$TMP/rows.inventory" --json "$TMP/flows.json" \
	-r "$PCAPS/rows.pcap" >/dev/null || fail "lyncwatch on rows.pcap"

# Rules with a port that no flow labels.
jq -rn --slurpfile rules "$TMP/rules.json" --slurpfile flows "$TMP/flows.json" '
  def items: .port | split(",") | map(split("-") | map(tonumber)
             | {lo: .[0], hi: (.[1] // .[0])});
  ($flows | map(select(.event_type == "flow"))) as $f
  | $rules[] | select(.port != "none") | . as $r
  | ($r.l4 | split("/") | map(ascii_upcase)) as $protos
  | select([ $f[] | select((.proto as $p | $protos | index($p))
                           and (.dest_port as $d | [$r | items[] | $d >= .lo and $d <= .hi] | any)
                           and ([.lync.labels[].id] | index($r.id))) ] | length == 0)
  | "no flow labelled \($r.id) (\($r.l4) \($r.port))"' > "$TMP/missing.txt"
if [ -s "$TMP/missing.txt" ]; then
	fail "rules without a labelled flow:"; cat "$TMP/missing.txt"
else
	pass
fi

# Labels that do not cover the flow's server port and protocol.
jq -rn --slurpfile rules "$TMP/rules.json" --slurpfile flows "$TMP/flows.json" '
  ($rules | map({key: .id, value: .}) | from_entries) as $by
  | $flows[] | select(.event_type == "flow") | . as $fl
  | .lync.labels[] | $by[.id] as $r
  | select((($r.l4 | ascii_upcase | split("/") | index($fl.proto)) | not)
           or ([$r.port | split(",")[] | split("-") | map(tonumber)
                | $fl.dest_port >= .[0] and $fl.dest_port <= (.[1] // .[0])] | any | not))
  | "flow \($fl.flow_id) \($fl.proto) \($fl.dest_port) wrongly labelled \($r.id)"' > "$TMP/wrong.txt"
if [ -s "$TMP/wrong.txt" ]; then
	fail "wrong labels:"; head "$TMP/wrong.txt"
else
	pass
fi

# Count: the rules file has 91 rows, 90 with a port; all are labelled.
n=$(jq -s 'map(select(.port != "none")) | length' "$TMP/rules.json")
check "90 rules with ports" [ "$n" -eq 90 ]

# Every flow of rows.pcap is labelled: each one goes to a documented port.
# (A flow that only the clients' catch-all rows label, and whose bytes are
# neither media nor file transfer, is labelled but not judged.)
u=$(jq -s 'map(select(.event_type == "flow" and (.lync.labels | length) == 0)) | length' "$TMP/flows.json")
check "no unlabelled flow in rows.pcap (got $u)" [ "$u" -eq 0 ]
u=$(jq -s 'map(select(.event_type == "flow" and .lync.verdict == "unclassified"
	and ([.lync.labels[] | .fallback // false] | all | not))) | length' "$TMP/flows.json")
check "no flow of a documented row is unclassified (got $u)" [ "$u" -eq 0 ]
finish
