#!/bin/sh
# Log rotation, live: lyncwatch -i on one end of a veth pair between two
# private network namespaces (tests/netns.sh), the TCP part of
# pcaps/demo.pcap replayed into the other end; its records written, the
# --json file is moved away (as logrotate does) and SIGHUP sent; then the
# UDP part.  The records after the SIGHUP go to a new file at the old path,
# those before stay in the moved one: together they are the flows of the
# offline run, none lost, none twice.  --prom-file is written again at its
# path after being moved away.  Needs root, ip netns, tcpreplay, tcpdump,
# timeout and jq; skipped, with the reason, otherwise.
. "$(dirname "$0")/lib.sh"
need_jq
need_live

NS_A=lw-rotc-$$
NS_B=lw-rotr-$$
IF_A=lwrotc0
IF_B=lwrotr0
. "$(dirname "$0")/netns.sh"
netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
ip netns exec "$NS_A" ss -0 -b >/dev/null 2>&1 ||
	skip "ss cannot list packet sockets (ss -0 -b)"

DEMO=$PCAPS/demo.pcap
tcpdump -r "$DEMO" -w "$TMP/tcp.pcap" tcp 2>/dev/null &&
	tcpdump -r "$DEMO" -w "$TMP/udp.pcap" udp 2>/dev/null ||
	{ fail "tcpdump could not split demo.pcap"; finish; exit 1; }

# The flows, one sorted line each (key, rule ids, verdict, packets).
flowset() {
	jq -c 'select(.event_type == "flow")
		| [.proto, .src_ip, .src_port, .dest_ip, .dest_port,
		   [.lync.labels[].id], .lync.verdict,
		   .flow.pkts_toserver, .flow.pkts_toclient]' "$@" | sort
}
nflows() { cat "$@" | jq -s 'map(select(.event_type == "flow")) | length'; }
capturing() {
	ip netns exec "$NS_A" ss -0 -b -p 2>/dev/null | awk -v p="pid=$1," '
		index($0, p) { mine = 1; next }
		mine && /bpf filter \(/ { if ($0 !~ /bpf filter \(1\)/) ok++ }
		{ mine = 0 }
		END { exit !(ok >= 1) }'
}
replay() {
	nsrun "$NS_B" 20 tcpreplay -q -i "$IF_B" --topspeed "$1" > /dev/null 2>&1
}

"$LW" -r "$DEMO" --json "$TMP/off.json" 'tcp or udp' > /dev/null 2>&1
flowset "$TMP/off.json" > "$TMP/off.flows"

ip netns exec "$NS_A" "$LW" -i "$IF_A" --json "$TMP/r.json" \
	--prom-file "$TMP/r.prom" --stats-interval 1 --tcp-closed-timeout 1 \
	'tcp or udp' > "$TMP/r.out" 2> "$TMP/r.err" &
lw_pid=$!
pids="$pids $lw_pid"
wait_for capturing "$lw_pid" || { fail "lyncwatch did not start capturing"; cat "$TMP/r.err"; finish; exit 1; }
sleep 0.2

check "replay the TCP part" replay "$TMP/tcp.pcap"
# Closed TCP flows end a second after their close: wait for their records.
check "records before the rotation" wait_for -n 50 sh -c "[ \$(grep -c '\"event_type\":\"flow\"' '$TMP/r.json') -gt 0 ]"
sleep 1.5
mv "$TMP/r.json" "$TMP/r.json.1"
mv "$TMP/r.prom" "$TMP/r.prom.1"
kill -HUP "$lw_pid"
check "SIGHUP: outputs reopened" wait_for -n 30 grep -q "outputs reopened" "$TMP/r.err"
check "a new file at the old path" [ -f "$TMP/r.json" ]
check "replay the UDP part" replay "$TMP/udp.pcap"
check "--prom-file written again at its path" wait_for -n 30 test -s "$TMP/r.prom"
sleep 0.5
kill -TERM "$lw_pid"
wait "$lw_pid"
check "exit 0" [ $? -eq 0 ]

before=$(nflows "$TMP/r.json.1")
after=$(nflows "$TMP/r.json")
check "records in the moved file ($before)" [ "$before" -gt 0 ]
check "records in the new file ($after)" [ "$after" -gt 0 ]
check "the summary in the new file" \
	[ "$(tail -n 1 "$TMP/r.json" | jq -r '.event_type + (.stats.interim | tostring)')" = statsnull ]
flowset "$TMP/r.json.1" "$TMP/r.json" > "$TMP/live.flows"
check "none lost, none twice: the offline run's flows" \
	cmp -s "$TMP/off.flows" "$TMP/live.flows"
check "flow ids once each" [ "$(cat "$TMP/r.json.1" "$TMP/r.json" |
	jq -s '[.[] | select(.event_type == "flow") | .flow_id] | (length == (unique | length))')" = true ]
check "the moved file: whole lines only" \
	sh -c "jq -c . '$TMP/r.json.1' > /dev/null"
finish
