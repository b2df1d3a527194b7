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
	"$LW" --no-progress --json-truncate --json "$TMP/out.json" -r "$f" > "$TMP/out.txt" 2> "$TMP/err.txt"
	rc=$?
	check "$b: exit status 0 (got $rc: $(head -c 300 "$TMP/err.txt"))" [ "$rc" -eq 0 ]
	check "$b: no sanitizer report" sh -c "! grep -q 'Sanitizer' '$TMP/err.txt'"
	last=$(tail -n 1 "$TMP/out.json" | jq -r .event_type)
	check "$b: ends with a stats record" [ "$last" = stats ]
	nf=$(jq -s 'map(select(.event_type == "flow")) | length' "$TMP/out.json")
	ns=$(jq -s '.[-1].stats.flows.total' "$TMP/out.json")
	check "$b: one record per counted flow ($nf vs $ns)" [ "$nf" -eq "$ns" ]
done

# What nDPI must confirm on the documented ports of these captures, and the
# verdict lyncwatch gives them (no inventory: out of audit scope).
# app FILE PROTO PORT APP-PREFIX VERDICT
app() {
	f="$SHARED_PCAPS/$1"
	[ -f "$f" ] || { echo "note: $1 absent"; return; }
	got=$("$LW" --no-progress --json - -r "$f" 2>/dev/null | jq -r --arg p "$2" --argjson d "$3" \
		'select(.event_type == "flow" and .proto == $p and .dest_port == $d)
		 | "\(.app_proto) \(.lync.verdict)"' | sort -u)
	echo "$got" | grep -q "^$4[^ ]* $5\$" && pass ||
		fail "$1: $2 $3 should be $4 ($5), got: $(echo $got)"
}
app sip.pcap UDP 5060 sip unclassified             # UDP 5060: documented for TCP only
app stun.pcap UDP 3478 stun ok                     # cli-05, confirmed
app tls_alert.pcap TCP 443 tls ok                  # TLS on 443, confirmed
app http_ipv6.pcap TCP 443 tls ok
app dcerpc.pcap UDP 49155 dce_rpc ok               # in a media range: not checked out of scope
app smb_deletefile.pcap TCP 445 netbios.smbv23 ok  # srv-37, confirmed
app tls_port_80.pcapng TCP 80 tls violation        # TLS where HTTP is documented
# With --audit-all, SIP on UDP 5060 is a wrong transport.
w=$("$LW" --audit-all --json - -r "$SHARED_PCAPS/sip.pcap" 2>/dev/null |
	jq -r 'select(.event_type == "flow" and .dest_port == 5060) | .lync.flags[]' | sort -u)
check "sip.pcap --audit-all: wrong-transport on UDP 5060 ($w)" [ "$w" = wrong-transport ]
# DHCP on 67/68 (a fuzzed request: labelled by both DHCP rows).
d=$("$LW" --json - -r "$SHARED_PCAPS/dhcp-fuzz.pcapng" 2>/dev/null |
	jq -r 'select(.event_type == "flow") | [.lync.labels[].id] | join(",")')
check "dhcp-fuzz.pcapng: DHCP rows ($d)" [ "$d" = "cli-01,cli-12" ]
finish
