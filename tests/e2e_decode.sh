#!/bin/sh
# Link types: pcapgen writes the same TCP and UDP exchange with each link
# type lyncwatch decodes (Linux cooked v1 and v2, raw IP, BSD loopback,
# Ethernet with 802.1Q and with QinQ).  Every one must give the same flows,
# with the same labels and counters, as the Ethernet-less raw IP capture,
# and no decode error; the VLAN captures carry their VLAN ids.  The IPv6
# capture with extension headers decodes with no error either.
. "$(dirname "$0")/lib.sh"
need_jq

flows() {
	"$LW" --no-progress --json - -r "$1" 2>/dev/null | jq -c 'select(.event_type == "flow")
	  | [.src_ip, .src_port, .dest_ip, .dest_port, .proto, .flow.pkts_toserver,
	     .flow.pkts_toclient, .flow.state, .community_id, [.lync.labels[].id]]' | sort
}
errors() {
	"$LW" --no-progress --json - -r "$1" 2>/dev/null | tail -n 1 |
	  jq '.stats.decode | .truncated + .invalid + .unsupported'
}

flows "$PCAPS/linktype-raw.pcap" > "$TMP/raw"
check "raw IP capture has flows" [ -s "$TMP/raw" ]
for lt in sll sll2 null vlan qinq; do
	f="$PCAPS/linktype-$lt.pcap"
	flows "$f" > "$TMP/$lt"
	check "$lt: same flows as raw IP" cmp -s "$TMP/raw" "$TMP/$lt"
	e=$(errors "$f")
	check "$lt: no decode errors (got $e)" [ "$e" -eq 0 ]
done
v=$("$LW" --json - -r "$PCAPS/linktype-vlan.pcap" 2>/dev/null | jq -c 'select(.event_type == "flow") | .vlan' | sort -u)
check "802.1Q flows carry one VLAN id ($v)" [ "$(echo "$v" | grep -c '^\[[0-9]*\]$')" -ge 1 ]
q=$("$LW" --json - -r "$PCAPS/linktype-qinq.pcap" 2>/dev/null | jq -c 'select(.event_type == "flow") | .vlan' | sort -u)
check "QinQ flows carry outer and inner ids ($q)" [ "$(echo "$q" | grep -c '^\[[0-9]*,[0-9]*\]$')" -ge 1 ]
e=$(errors "$PCAPS/linktype-ipv6ext.pcap")
check "IPv6 with extension headers: no decode errors (got $e)" [ "$e" -eq 0 ]
n=$("$LW" --json - -r "$PCAPS/linktype-ipv6ext.pcap" 2>/dev/null | jq -s 'map(select(.event_type == "flow" and (.src_ip | contains(":")))) | length')
check "IPv6 with extension headers: IPv6 flows ($n)" [ "$n" -ge 1 ]
finish
