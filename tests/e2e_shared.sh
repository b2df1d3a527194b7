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

# What the audit says of the documented ports of these captures.  They are
# ordinary internet and LAN traffic: without an inventory, a shared port
# (443, 80, 445, 3478, 5060: rows marked `shared`) ties a flow to Lync by
# the port alone, so it is labelled but not judged (unclassified); with an
# inventory that makes the server a Lync server of the row's role, the same
# bytes are judged.  The clients' catch-all rows (1024-65535) accept only
# media and file transfer: TDS, DCE/RPC or TLS there is a notice.
# app FILE PROTO PORT APP-PREFIX VERDICT [FLAGS [ROLE]]
app() {
	f="$SHARED_PCAPS/$1"
	[ -f "$f" ] || { echo "note: $1 absent"; return; }
	inv=
	if [ -n "${7:-}" ]; then
		printf '0.0.0.0/0 %s\n::/0 %s\n' "$7" "$7" > "$TMP/any.inventory"
		inv="--inventory $TMP/any.inventory"
	fi
	# shellcheck disable=SC2086
	got=$("$LW" --no-progress --json - -r "$f" $inv 2>/dev/null | jq -r --arg p "$2" --argjson d "$3" \
		'select(.event_type == "flow" and .proto == $p and .dest_port == $d)
		 | "\(.app_proto) \(.lync.verdict) \(.lync.flags | join(","))"' | sort -u)
	want="$5 ${6:-}"
	echo "$got" | grep -q "^$4[^ ]* $want\$" && pass ||
		fail "$1: $2 $3 ${7:+(as $7) }should be $4 ($want), got: $(echo $got)"
}
app sip.pcap UDP 5060 sip unclassified             # UDP 5060: documented for TCP, shared
app stun.pcap UDP 3478 stun unclassified           # cli-05 by the port alone
app stun.pcap UDP 3478 stun ok "" edge             # ... of a known Edge
app tls_alert.pcap TCP 443 tls unclassified
app tls_alert.pcap TCP 443 tls ok "" front-end
app http_ipv6.pcap TCP 443 tls unclassified
app smb_deletefile.pcap TCP 445 netbios.smbv23 unclassified
app smb_deletefile.pcap TCP 445 netbios.smbv23 ok "" cms
app tls_port_80.pcapng TCP 80 tls unclassified     # TLS where HTTP is documented
app tls_port_80.pcapng TCP 80 tls violation app-mismatch front-end
app http_auth.pcap TCP 80 http ok "" front-end
app dcerpc.pcap UDP 34964 dce_rpc notice unexpected-app   # catch-all rows
app mssql_tds.pcap TCP 1433 mssql-tds notice unexpected-app
app rtp.pcapng UDP 6000 rtp ok                     # media between peers
app rtcp_multiple_pkts_in_the_same_datagram.pcap UDP 31601 rtcp ok
# With --audit-all, SIP on UDP 5060 is a wrong transport.
w=$("$LW" --audit-all --json - -r "$SHARED_PCAPS/sip.pcap" 2>/dev/null |
	jq -r 'select(.event_type == "flow" and .dest_port == 5060) | .lync.flags[]' | sort -u)
check "sip.pcap --audit-all: wrong-transport on UDP 5060 ($w)" [ "$w" = wrong-transport ]
# DHCP on 67/68 (a fuzzed request: labelled by both DHCP rows).
d=$("$LW" --json - -r "$SHARED_PCAPS/dhcp-fuzz.pcapng" 2>/dev/null |
	jq -r 'select(.event_type == "flow") | [.lync.labels[].id] | join(",")')
check "dhcp-fuzz.pcapng: DHCP rows ($d)" [ "$d" = "cli-01,cli-12" ]

# ------------------------------------------------------------ direction
# Captures whose sides are known: the client of each flow (src_*) and how
# the server side was decided.  side FILE PROTO CLIENT SERVER BY
side() {
	f="$SHARED_PCAPS/$1"
	[ -f "$f" ] || { echo "note: $1 absent"; return; }
	got=$("$LW" --no-progress --json - -r "$f" 2>/dev/null | jq -r --arg p "$2" --arg c "$3" --arg sv "$4" '
		select(.event_type == "flow" and .proto == $p)
		| ("\(.src_ip):\(.src_port)") as $s | ("\(.dest_ip):\(.dest_port)") as $d
		| select(($s == $c and $d == $sv) or ($s == $sv and $d == $c))
		| "\($s) \($d) \(.lync.server_side_by)"' | sort -u)
	[ "$got" = "$3 $4 $5" ] && pass ||
		fail "$1: $2 client $3, server $4 by $5; got: $(echo $got)"
}
# Classic STUN: the Binding Request's sender is the client.
side stun_classic.pcap UDP 172.16.63.224:55050 172.16.63.21:13958 wire
# MS Teams, one direction only: 3479 sends Binding Success Responses, so
# the Teams client (50006, inside the server media range) is the client.
side stun_msteams_unidir.pcapng UDP 10.0.0.1:50006 52.115.136.55:3479 wire
# TDS without its handshake on some flows: the pre-login/login sender is
# the client, whatever the ports.
side mssql_tds.pcap TCP 10.111.111.111:1111 10.0.0.1:1433 wire
side mssql_tds.pcap TCP 10.111.111.111:6666 10.0.0.1:1433 wire
# SIP over UDP: the REGISTER's sender.
side sip.pcap UDP 192.168.1.2:5060 212.242.33.35:5060 wire
# RTP between peers: the first sender is the client (no port is evidence).
side sip.pcap UDP 192.168.1.2:30000 212.242.33.36:40392 first-packet
side rtp.pcapng UDP 10.204.220.71:6000 10.204.220.171:6000 first-packet
side rtp.pcapng UDP 150.219.118.19:54234 192.113.193.227:50003 first-packet
side rtp.pcapng TCP 172.16.168.24:40252 172.16.168.64:5000 handshake
# DHCP: the request's sender (68) is the client.
side dhcp-fuzz.pcapng UDP 192.168.155.104:68 255.255.255.255:67 wire

# ------------------------------------------------ real bytes on Lync ports
# The same real payloads moved onto Lync's ports (tcprewrite --portmap):
# TLS on 5061/444/4443/8057 is ok; cleartext HTTP there is app-mismatch;
# SIP on UDP 5061 is the wrong transport, with and without an inventory.
if command -v tcprewrite > /dev/null 2>&1; then
	moved() { # FILE FROM TO OUT
		tcprewrite --portmap="$2:$3" -i "$SHARED_PCAPS/$1" -o "$TMP/$4" 2> "$TMP/tcprewrite.err" ||
			fail "tcprewrite $1: $(cat "$TMP/tcprewrite.err")"
	}
	verdicts() { # FILE PROTO PORT [ARGS...]
		f=$1 p=$2 d=$3; shift 3
		"$LW" --no-progress --json - -r "$TMP/$f" "$@" 2>/dev/null | jq -r --arg p "$p" --argjson d "$d" \
			'select(.event_type == "flow" and .proto == $p and .dest_port == $d and
				.flow.pkts_toclient > 0)
			 | "\(.lync.verdict) \(.lync.flags | join(","))"' | sort -u | tr '\n' ';'
	}
	for port in 5061 444 4443 8057; do
		moved tls_alert.pcap 443 "$port" "tls-$port.pcap"
		got=$(verdicts "tls-$port.pcap" TCP "$port")
		check "TLS (tls_alert.pcap) on TCP $port is ok ($got)" [ "$got" = "ok ;" ]
		moved http_auth.pcap 80 "$port" "http-$port.pcap"
		got=$(verdicts "http-$port.pcap" TCP "$port")
		check "HTTP (http_auth.pcap) on TCP $port is app-mismatch ($got)" \
			[ "$got" = "violation app-mismatch;" ]
	done
	moved sip.pcap 5060 5061 sip-5061.pcap
	got=$(verdicts sip-5061.pcap UDP 5061)
	check "SIP (sip.pcap) on UDP 5061: wrong-transport, no inventory ($got)" \
		[ "$got" = "violation wrong-transport;" ]
	printf '0.0.0.0/0 front-end\n' > "$TMP/fe.inventory"
	got=$(verdicts sip-5061.pcap UDP 5061 --inventory "$TMP/fe.inventory")
	check "SIP (sip.pcap) on UDP 5061: wrong-transport, with an inventory ($got)" \
		[ "$got" = "violation wrong-transport;" ]
else
	echo "note: tcprewrite (Debian: tcpreplay) is not installed: the moved-payload checks are skipped"
fi
finish
