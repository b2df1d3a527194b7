#!/bin/sh
# Live capture end to end: lyncwatch -i on one end of a veth pair between two
# private network namespaces, pcaps/demo.pcap replayed into the other end
# with tcpreplay.  What it proves:
#  - the live run finds the same flows as the offline run of the same file
#    (5-tuple, rule ids, verdict, flags, packets each way), with and without
#    an inventory, with no kernel drops at --topspeed with the defaults, and
#    with --workers 2 (one PACKET_FANOUT group);
#  - SIGTERM (SIGINT) ends every open flow (reason "shutdown"), writes the
#    summary stats record and exits 0;
#  - violations are announced on stderr (ALERT) while the run goes on; the
#    shutdown stats line and record count the flows the shutdown ended
#    (they said "violations 0" after the ALERT lines);
#  - the BPF expression, -c, -p and -s are honoured; idle flows end by their
#    timeout while the link is quiet;
#  - --stats-interval writes interim stats records (kernel_drops,
#    iface_drops, received) and lines that keep up with the traffic; the
#    final summary (text and stats record) has them too; SIGUSR1
#    writes one at once, with the counts of that moment;
#  - SIGHUP with a broken rule or inventory file keeps the rules in use
#    (file:line on stderr) and goes on labelling; SIGHUP with a fixed file
#    switches, flows that end afterwards carry the new rules' ids, and every
#    record names the rules that labelled it (the new file moves indexes);
#  - -Z nobody: ids, groups and capabilities really dropped (every thread),
#    the JSON file created before the drop (root, 0640); -Z root refused; a
#    missing interface, a bad filter and a capture without privileges exit 2
#    with a message that names the interface; so does the interface
#    disappearing under a capture, after writing the flows and summary.
# Needs root, `ip netns`, ss (iproute2), tcpreplay, tcpdump (to split the
# capture), timeout and jq; setpriv (util-linux) for one check.  Skipped,
# with the reason, otherwise.  No address is configured on the veth pair
# and IPv6 is off in both namespaces, so the kernel adds no packet of its
# own; the replayed packets carry the demo's addresses (198.18.0.0/15,
# 2001:db8::/32, DHCP broadcasts) and never leave the pair.  Namespaces and
# processes are removed on exit; LW_KEEP=DIR copies the work files (JSON,
# stderr of every run) to DIR first.
. "$(dirname "$0")/lib.sh"
need_jq

need_live

DEMO=$PCAPS/demo.pcap
INV=$PCAPS/demo.inventory
NS_A=lw-cap-$$          # lyncwatch
NS_B=lw-rep-$$          # tcpreplay
IF_A=lwcap0
IF_B=lwrep0
lw_pid=
lw_rc=

. "$(dirname "$0")/netns.sh"
[ -n "${LW_KEEP:-}" ] && trap 'cp -r "$TMP" "$LW_KEEP"; netns_cleanup' EXIT
netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
ip netns exec "$NS_A" ss -0 -b >/dev/null 2>&1 ||
	skip "ss cannot list packet sockets (ss -0 -b)"

# The pieces of the demo replayed separately by the SIGHUP test.
split_demo() {
	tcpdump -r "$DEMO" -w "$TMP/$1.pcap" "$2" 2>>"$TMP/split.err" &&
		[ -s "$TMP/$1.pcap" ]
}
if ! { split_demo tcp1 'tcp and not port 8000 and not port 5061' &&
       split_demo tcp2 'tcp port 5061' && split_demo udp 'udp' &&
       split_demo web 'tcp port 8000'; }; then
	fail "tcpdump could not split demo.pcap: $(cat "$TMP/split.err")"; finish; exit
fi

# ------------------------------------------------------------ helpers

# The flows of a JSON Lines file, one sorted line each: key, rule ids,
# verdict, flags, packets each way.
flowset() {
	jq -c 'select(.event_type == "flow")
		| [.proto, .src_ip, .src_port, .dest_ip, .dest_port,
		   [.lync.labels[].id], .lync.verdict, .lync.flags,
		   .flow.pkts_toserver, .flow.pkts_toclient]' "$1" | sort
}
nflows() { jq -s 'map(select(.event_type == "flow")) | length' "$1"; }
# The record of the flow to PORT over PROTO: flow_to FILE PROTO PORT
flow_to() {
	jq -c --arg p "$2" --argjson d "$3" \
		'select(.event_type == "flow" and .proto == $p and .dest_port == $d)' "$1"
}
# has FILE JQ-EXPR: the expression is true of the whole file (slurped).
has() { [ "$(jq -s "$2" "$1" 2>/dev/null)" = true ]; }
same_flows() {
	if cmp -s "$1" "$2"; then return 0; fi
	echo "--- flows that differ (< offline, > live):"; diff "$1" "$2" | grep '^[<>]'
	return 1
}

# capturing PID N: N packet sockets of PID carry a real BPF program (not
# libpcap's one-instruction placeholder): the capture is open and filtered.
capturing() {
	ip netns exec "$NS_A" ss -0 -b -p 2>/dev/null | awk -v p="pid=$1," -v n="$2" '
		index($0, p) { mine = 1; next }
		mine && /bpf filter \(/ { if ($0 !~ /bpf filter \(1\)/) ok++ }
		{ mine = 0 }
		END { exit !(ok >= n) }'
}

# start_lw NAME ARGS...: lyncwatch -i IF_A ARGS in NS_A, in the background;
# stdout and stderr in $TMP/NAME.out and NAME.err; returns once it captures.
# LW_SOCKETS: how many capture sockets to wait for (--workers).
start_lw() {
	name=$1; shift
	ip netns exec "$NS_A" "$LW" -i "$IF_A" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	lw_pid=$!
	pids="$pids $lw_pid"
	if wait_for capturing "$lw_pid" "${LW_SOCKETS:-1}"; then
		sleep 0.2
		return 0
	fi
	fail "$name: lyncwatch did not start capturing"; cat "$TMP/$name.err"
	return 1
}

# stop_lw [SIGNAL]: signals lyncwatch (TERM) and waits up to 10 s; lw_rc is
# its exit status ("hung" if it had to be killed).
stop_lw() {
	kill -"${1:-TERM}" "$lw_pid" 2>/dev/null
	i=0
	while kill -0 "$lw_pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$lw_pid" 2>/dev/null; then
		kill -9 "$lw_pid" 2>/dev/null
		wait "$lw_pid" 2>/dev/null
		lw_rc=hung
	else
		wait "$lw_pid"
		lw_rc=$?
	fi
}

# stop_ok NAME [SIGNAL]: stops lyncwatch (default SIGTERM); it must exit 0.
stop_ok() {
	stop_lw "${2:-TERM}"
	check "$1: SIG${2:-TERM}: exit 0 (got $lw_rc)" [ "$lw_rc" = 0 ]
}

# replay FILE [TCPREPLAY-OPTION...]: the file into IF_B as fast as it goes.
replay() {
	f=$1; shift
	nsrun "$NS_B" 20 tcpreplay -q -i "$IF_B" --topspeed "$@" "$f" >>"$TMP/tcpreplay.out" 2>&1 ||
		{ echo "--- tcpreplay $f:"; tail -n 5 "$TMP/tcpreplay.out"; return 1; }
}

stats_lines() { grep -c '^lyncwatch: stats: ' "$1"; }
more_stats_lines() { [ "$(stats_lines "$1")" -gt "$2" ]; }
# more_lines PATTERN FILE N: more than N lines of FILE hold PATTERN.
more_lines() { [ "$(grep -c -- "$1" "$2")" -gt "$3" ]; }
rules_ok() { "$LW" --check-rules "$1" >/dev/null; }
promiscuity() { ip -n "$NS_A" -d link show "$IF_A" | sed -n 's/.* promiscuity \([0-9]*\).*/\1/p'; }
alive() { kill -0 "$lw_pid" 2>/dev/null; }
gone() { ! kill -0 "$lw_pid" 2>/dev/null; }
# empty FILE: FILE is empty, else shown.
empty() { [ ! -s "$1" ] || { cat "$1"; false; }; }
# starts_with FILE PREFIX-FILE: FILE begins with the bytes of PREFIX-FILE.
starts_with() { head -c "$(wc -c <"$2")" "$1" | cmp -s - "$2"; }

# The offline runs that the live ones must match.
offline() {
	out=$1; shift
	"$LW" --json - -r "$DEMO" "$@" >"$TMP/$out.json" 2>"$TMP/$out.err" ||
		fail "offline $out: $(cat "$TMP/$out.err")"
	flowset "$TMP/$out.json" >"$TMP/$out.flows"
}
offline off 'tcp or udp'
offline offinv --inventory "$INV" 'tcp or udp'
offline offudp 'udp'
n_off=$(nflows "$TMP/off.json")
n_udp=$(nflows "$TMP/offudp.json")
udp_pkts=$(jq -s 'map(select(.event_type == "stats"))[-1].stats.packets' "$TMP/offudp.json")
check "offline: 41 flows in demo.pcap (got $n_off)" [ "$n_off" -eq 41 ]
check "offline: 15 UDP flows (got $n_udp)" [ "$n_udp" -eq 15 ]

# ------------------------------------------------ 1. live == offline
# The defaults (snaplen, kernel buffer), at --topspeed.
if start_lw plain --json "$TMP/plain.json" --stats-interval 1 'tcp or udp'; then
	p=$(promiscuity)
	check "plain: $IF_A is promiscuous while captured (promiscuity $p)" [ "${p:-0}" -ge 1 ]
	check "plain: replay" replay "$DEMO"
	# An interim record written after the replay counts all 519 packets.
	check "plain: interim stats catch up with the replay (519 packets) within 3 s" \
		wait_for -n 30 has "$TMP/plain.json" \
		'any(.[]; .event_type == "stats" and .stats.interim == true and .stats.packets == 519)'
	stop_ok plain
	flowset "$TMP/plain.json" >"$TMP/plain.flows"
	n=$(nflows "$TMP/plain.json")
	check "plain: SIGTERM flushed every flow ($n of $n_off records)" [ "$n" -eq "$n_off" ]
	check "plain: same flows, labels, verdicts, flags and packets as offline" \
		same_flows "$TMP/off.flows" "$TMP/plain.flows"
	check "plain: every flow ended by the shutdown" has "$TMP/plain.json" \
		'map(select(.event_type == "flow")) | length > 0 and all(.flow.reason == "shutdown")'
	check "plain: final stats record (not interim), 519 packets" has "$TMP/plain.json" \
		'map(select(.event_type == "stats" and .stats.interim != true)) | length == 1 and .[0].stats.packets == 519'
	check "plain: interim stats record with kernel_drops, iface_drops, received" \
		has "$TMP/plain.json" 'map(select(.event_type == "stats" and .stats.interim == true))
			| length >= 1 and all(.stats | (.kernel_drops | type) == "number" and
			  (.iface_drops | type) == "number" and (.received | type) == "number")'
	drops=$(jq -s 'map(select(.event_type == "stats" and .stats.interim == true))[-1].stats
		| "\(.kernel_drops) \(.iface_drops) \(.received)"' "$TMP/plain.json")
	check "plain: no kernel drops at --topspeed with the default buffer (drops kernel, iface, received: $drops)" \
		has "$TMP/plain.json" 'map(select(.event_type == "stats" and .stats.interim == true))[-1].stats
			| .kernel_drops == 0 and .iface_drops == 0 and .received >= 519'
	check "plain: stats line on stderr" grep -q '^lyncwatch: stats: .* drops kernel [0-9]* interface [0-9]*' \
		"$TMP/plain.err"
	check "plain: the final stats record has the capture counters (received >= 519, no drops)" \
		has "$TMP/plain.json" 'map(select(.event_type == "stats" and .stats.interim != true))[0].stats.capture
			| .received >= 519 and .kernel_drops == 0 and .iface_drops == 0'
	check "plain: the text summary has the capture counters" \
		grep -q '^capture    received [0-9]*, dropped by the kernel 0, by the interface 0$' "$TMP/plain.out"
fi

# ------------------------------------------------ 2. inventory and alerts
if start_lw inv --inventory "$INV" --json "$TMP/inv.json" 'tcp or udp'; then
	check "inv: replay" replay "$DEMO"
	for a in "app-mismatch TCP \[2001:db8:10::11\]:443" "wrong-transport UDP 198.18.10.11:5061" \
	         "undocumented-port TCP 198.18.10.12:3389"; do
		check "inv: live ALERT $a (before SIGTERM)" \
			wait_for -n 30 grep -q "^lyncwatch: ALERT $a: " "$TMP/inv.err"
	done
	stop_ok inv
	flowset "$TMP/inv.json" >"$TMP/inv.flows"
	check "inv: same flows and verdicts as offline with the inventory" \
		same_flows "$TMP/offinv.flows" "$TMP/inv.flows"
	check "inv: three violations" has "$TMP/inv.json" \
		'map(select(.event_type == "flow" and .lync.verdict == "violation")) | length == 3'
	last=$(grep '^lyncwatch: stats: ' "$TMP/inv.err" | tail -n 1)
	check "inv: the shutdown stats line counts the flows ended by the shutdown: $last" \
		sh -c "echo '$last' | grep -q 'flows active [0-9]* ended 41 .*, violations 3\$'"
	check "inv: the last interim stats record agrees with the summary" has "$TMP/inv.json" \
		'(map(select(.event_type == "stats" and .stats.interim == true))[-1].stats) as $i |
		 (map(select(.event_type == "stats" and .stats.interim != true))[0].stats) as $f |
		 $i.violations == $f.flows.violation and $i.flows_ended == $f.flows.total'
fi

# ------------------------------------------------ 3. BPF, SIGUSR1
# --udp-timeout 1: the UDP flows end while the link is quiet.
if start_lw udp --json "$TMP/udp.json" --stats-interval 0 --udp-timeout 1 'udp'; then
	check "udp: replay" replay "$DEMO"
	check "udp: idle flows end by --udp-timeout 1 while the link is quiet (within 4 s)" \
		wait_for -n 40 has "$TMP/udp.json" \
		"map(select(.event_type == \"flow\" and .flow.reason == \"timeout\")) | length == $n_udp"
	n0=$(stats_lines "$TMP/udp.err")
	check "udp: --stats-interval 0: no periodic stats line ($n0)" [ "$n0" -eq 0 ]
	kill -USR1 "$lw_pid"
	check "udp: SIGUSR1: a stats line at once (within 1 s)" \
		wait_for -n 10 more_stats_lines "$TMP/udp.err" "$n0"
	got=$(grep '^lyncwatch: stats: ' "$TMP/udp.err" | tail -n 1)
	check "udp: SIGUSR1 stats line counts the $udp_pkts UDP packets replayed seconds before: $got" \
		grep -q "^lyncwatch: stats: $udp_pkts packets" "$TMP/udp.err"
	check "udp: still running after SIGUSR1" alive
	stop_ok udp
	n=$(nflows "$TMP/udp.json")
	check "udp: BPF 'udp': $n_udp flows (got $n)" [ "$n" -eq "$n_udp" ]
	check "udp: BPF 'udp': no TCP record" has "$TMP/udp.json" \
		'all(.[]; .event_type != "flow" or .proto == "UDP")'
	flowset "$TMP/udp.json" >"$TMP/udp.flows"
	check "udp: same flows as offline 'udp'" same_flows "$TMP/offudp.flows" "$TMP/udp.flows"
fi

# ------------------------------------------------ 4. SIGHUP
# Replayed in four parts: tcp1 (TCP but 5061 and 8000) after a failed
# reload, ended (closed) before the good one; tcp2 (TCP 5061) just before
# the good reload, ended after it; udp, open until the end; web (TCP 8000)
# after the good reload.
cp "$RULES" "$TMP/a.rules"
cp "$INV" "$TMP/inv"
# A broken copy: the first "port = 5061" (srv-03) becomes 99999.
ln=$(grep -n '^port *= *5061$' "$RULES" | head -n 1 | cut -d: -f1)
sed "${ln}s/5061/99999/" "$RULES" >"$TMP/a.rules.bad"
# The fixed file: two site rules, for TCP 8000 (web1) and UDP 53 (dns1),
# then the original.  Put first, they move every other rule's index: a
# record must still name the rules that labelled it.
: >"$TMP/a.rules.fixed"
for r in "site-x tcp 8000 http" "site-y udp 53 unspecified"; do
	# shellcheck disable=SC2086 # split into id, l4, port, app
	set -- $r
	cat >>"$TMP/a.rules.fixed" <<EOF
[rule $1]
table       = client
role        = client
role.en     = Clients (site rule $1)
role.ja     = クライアント (サイトのルール $1)
service.en  = e2e_live
service.ja  = e2e_live
l4          = $2
port        = $3
protocol.en = $2
protocol.ja = $2
app         = $4
note.en     = added by tests/e2e_live.sh
note.ja     = tests/e2e_live.sh が追加

EOF
done
cat "$RULES" >>"$TMP/a.rules.fixed"
check "hup: the fixed rule file is good" rules_ok "$TMP/a.rules.fixed"

# --tcp-closed-timeout 1: closed TCP flows end a second after their close.
if start_lw hup --rules "$TMP/a.rules" --inventory "$TMP/inv" --tcp-closed-timeout 1 \
		--json "$TMP/hup.json" 'tcp or udp'; then
	cp "$TMP/a.rules.bad" "$TMP/a.rules"
	kill -HUP "$lw_pid"
	check "hup: broken file: 'keeping the rules in use'" \
		wait_for -n 30 grep -q "keeping the rules in use" "$TMP/hup.err"
	check "hup: broken file: a.rules:$ln: on stderr" grep -q "a.rules:$ln: " "$TMP/hup.err"
	check "hup: still running after the failed reload" alive
	# The same with a broken inventory (the rules good again).
	cp "$RULES" "$TMP/a.rules"
	cp "$INV" "$TMP/inv.bad"
	echo "198.18.99.99 no-such-role bogus" >>"$TMP/inv.bad"
	iln=$(wc -l <"$TMP/inv.bad")
	cp "$TMP/inv.bad" "$TMP/inv"
	kill -HUP "$lw_pid"
	check "hup: broken inventory: 'keeping the rules in use' again" \
		wait_for -n 30 more_lines "keeping the rules in use" "$TMP/hup.err" 1
	check "hup: broken inventory: inv:$iln: on stderr" \
		grep -q "/inv:$iln: unknown role" "$TMP/hup.err"
	cp "$INV" "$TMP/inv"
	check "hup: replay tcp1" replay "$TMP/tcp1.pcap"
	sleep 1.5
	check "hup: replay udp" replay "$TMP/udp.pcap"
	want=$(jq -s 'map(select(.event_type == "flow" and .proto == "TCP" and
		.dest_port != 8000 and .dest_port != 5061 and .flow.state == "closed")) | length' \
		"$TMP/offinv.json")
	wait_for -n 30 has "$TMP/hup.json" \
		"map(select(.event_type == \"flow\")) | length >= $want"
	cp "$TMP/hup.json" "$TMP/hup.before.json"
	n=$(nflows "$TMP/hup.before.json")
	check "hup: the $want closed tcp1 flows ended before the good reload (got $n)" [ "$n" -eq "$want" ]
	flowset "$TMP/hup.before.json" >"$TMP/hup.before.flows"
	comm -23 "$TMP/hup.before.flows" "$TMP/offinv.flows" >"$TMP/hup.wrong"
	check "hup: ... labelled by the rules kept in use, as offline" \
		empty "$TMP/hup.wrong"

	check "hup: replay tcp2" replay "$TMP/tcp2.pcap"
	cp "$TMP/a.rules.fixed" "$TMP/a.rules"
	kill -HUP "$lw_pid"
	check "hup: fixed file: 'reloaded'" wait_for -n 30 grep -q "reloaded" "$TMP/hup.err"
	sleep 1.5
	check "hup: replay web" replay "$TMP/web.pcap"
	sleep 0.3
	stop_ok hup
	n=$(nflows "$TMP/hup.json")
	check "hup: $n_off flow records (got $n)" [ "$n" -eq "$n_off" ]
	flow_to "$TMP/hup.json" TCP 8000 >"$TMP/hup.web"
	check "hup: the flow replayed after the reload carries site-x: $(jq -c '[.lync.labels[].id]' "$TMP/hup.web")" \
		has "$TMP/hup.web" 'length == 1 and (.[0].lync.labels | map(.id) | index("site-x") != null)'
	flow_to "$TMP/hup.json" UDP 53 >"$TMP/hup.dns"
	check "hup: the 3 DNS flows, open across the reload, carry site-y: $(jq -c '[.lync.labels[].id]' "$TMP/hup.dns" | tr '\n' ' ')" \
		has "$TMP/hup.dns" 'length == 3 and all(.lync.labels | map(.id) | index("site-y") != null)'
	check "hup: the records written before the reload are unchanged" \
		starts_with "$TMP/hup.json" "$TMP/hup.before.json"
	# Every other flow: the same rule ids as offline (the site rules do
	# not cover them), whichever rules were in use when it ended.
	flowset "$TMP/hup.json" | grep -v -e '^\["TCP",[^]]*,8000,' -e '^\["UDP",[^]]*,53,' \
		>"$TMP/hup.flows"
	grep -v -e '^\["TCP",[^]]*,8000,' -e '^\["UDP",[^]]*,53,' "$TMP/offinv.flows" >"$TMP/offinv.other"
	check "hup: flows that ended around the reload name the right rules" \
		same_flows "$TMP/offinv.other" "$TMP/hup.flows"
fi

# ------------------------------------------------ 5. --workers 2, -c
LW_SOCKETS=2
if start_lw workers --workers 2 --json "$TMP/workers.json" 'tcp or udp'; then
	check "workers: replay" replay "$DEMO"
	sleep 0.3
	stop_ok workers INT
	flowset "$TMP/workers.json" >"$TMP/workers.flows"
	check "workers: --workers 2: same flows as offline" \
		same_flows "$TMP/off.flows" "$TMP/workers.flows"
	check "workers: final stats record counts 519 packets and 41 flows" has "$TMP/workers.json" \
		'map(select(.event_type == "stats" and .stats.interim != true)) | length == 1 and
		 .[0].stats.packets == 519 and .[0].stats.flows.total == 41'
fi
LW_SOCKETS=1

if start_lw count -c 100 --json "$TMP/count.json" 'tcp or udp'; then
	check "count: replay 100 packets" replay "$DEMO" --limit=100
	check "count: -c 100 stops by itself after the 100th packet (within 3 s)" \
		wait_for -n 30 gone
	stop_ok count
	check "count: final stats record counts 100 packets" has "$TMP/count.json" \
		'map(select(.event_type == "stats" and .stats.interim != true)) | length == 1 and
		 .[0].stats.packets == 100'
fi

# -p and -s: the interface left as it is; 64 bytes kept of each packet
# (a SYN with options is longer: truncated).
if start_lw opts -p -s 64 --json "$TMP/opts.json" 'tcp or udp'; then
	p=$(promiscuity)
	check "opts: -p: $IF_A not promiscuous (promiscuity $p)" [ "${p:-1}" -eq 0 ]
	check "opts: replay" replay "$DEMO"
	sleep 0.3
	stop_ok opts
	check "opts: -s 64: 519 packets, the SYNs (with options) truncated" has "$TMP/opts.json" \
		'map(select(.event_type == "stats" and .stats.interim != true)) | length == 1 and
		 .[0].stats.packets == 519 and .[0].stats.decode.truncated > 0'
fi

# ------------------------------------------------ 6. privileges
# status_all PID FIELD VALUE: in every thread, FIELD's values all VALUE.
status_all() {
	n=0
	for t in /proc/"$1"/task/*/status; do
		awk -v f="$2:" -v v="$3" '$1 == f { for (i = 2; i <= NF; i++) if ($i != v) bad = 1; seen = 1 }
			END { exit !(seen && !bad) }' "$t" || { grep "^$2:" "$t"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}
uid_is_nobody() { status_all "$lw_pid" Uid 65534; }
no_group0() { ! grep -h '^Groups:' /proc/"$1"/task/*/status | grep -qw 0; }
if start_lw z -Z nobody --json "$TMP/z.json" 'tcp or udp'; then
	if wait_for -n 30 uid_is_nobody; then pass; else fail "-Z nobody: uid never became 65534"; fi
	for f in "Uid 65534" "Gid 65534" "CapEff 0000000000000000" "CapPrm 0000000000000000" \
		 "CapInh 0000000000000000" "CapAmb 0000000000000000" "NoNewPrivs 1"; do
		# shellcheck disable=SC2086 # split into field and value
		set -- $f
		check "-Z nobody: $1 is $2 in every thread" status_all "$lw_pid" "$1" "$2"
	done
	check "-Z nobody: not in group 0" no_group0 "$lw_pid"
	check "-Z nobody: JSON file owned by root, mode 0640 ($(stat -c '%U %a' "$TMP/z.json"))" \
		[ "$(stat -c '%u %a' "$TMP/z.json")" = "0 640" ]
	check "-Z nobody: replay" replay "$DEMO"
	sleep 0.3
	stop_ok "-Z nobody"
	n=$(nflows "$TMP/z.json")
	check "-Z nobody: records written after the drop ($n of $n_off)" [ "$n" -eq "$n_off" ]
fi

expect_fail "-Z root refused" 2 "refusing to drop privileges to root" \
	nsrun "$NS_A" 10 "$LW" -i "$IF_A" -Z root 'tcp or udp'
expect_fail "-i nosuch0" 2 "nosuch0: no such interface" \
	nsrun "$NS_A" 10 "$LW" -i nosuch0 'tcp or udp'
expect_fail "-i with a bad filter" 2 "$IF_A: filter 'not a filter (((': " \
	nsrun "$NS_A" 10 "$LW" -i "$IF_A" 'not a filter ((('
if ! command -v setpriv >/dev/null 2>&1; then
	echo "SKIP (one check): setpriv is not installed: capture without privileges"
elif ! setpriv --reuid=65534 --regid=65534 --clear-groups "$LW" --rules "$RULES" \
		--check-rules >/dev/null 2>&1; then
	echo "SKIP (one check): nobody cannot run $LW or read $RULES"
else
	expect_fail "capture as nobody: exit 2, names $IF_A" 2 "^lyncwatch: $IF_A: .*ermission" \
		nsrun "$NS_A" 10 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$LW" --rules "$RULES" -i "$IF_A" 'tcp or udp'
fi

# The interface removed under a running capture: exit 2, a message naming
# it, the open flows and the summary still written.
if ip -n "$NS_A" link add lwgone0 type veth peer name lwgone1 2>/dev/null &&
   ip -n "$NS_A" link set lwgone0 up && ip -n "$NS_A" link set lwgone1 up; then
	IF_KEEP=$IF_A IF_A=lwgone0
	if start_lw gone --json "$TMP/gone.json" 'tcp or udp'; then
		ip -n "$NS_A" link del lwgone0
		check "gone: stops by itself when the interface goes away (within 3 s)" \
			wait_for -n 30 gone
		stop_lw TERM
		check "gone: exit 2 (got $lw_rc)" [ "$lw_rc" = 2 ]
		check "gone: the message names lwgone0" grep -q "^lyncwatch: lwgone0: " "$TMP/gone.err"
		check "gone: final stats record written" has "$TMP/gone.json" \
			'map(select(.event_type == "stats" and .stats.interim != true)) | length == 1'
	fi
	IF_A=$IF_KEEP
fi

# Flow ids unique across the workers of one run (EVE consumers join on
# flow_id), as they are offline.
for f in off workers; do
	[ -s "$TMP/$f.json" ] && check "$f: every flow_id unique" has "$TMP/$f.json" \
		'map(select(.event_type == "flow") | .flow_id) | length > 1 and length == (unique | length)'
done

if [ "$nfail" -ne 0 ]; then
	for f in plain inv udp hup workers count opts z gone; do
		[ -s "$TMP/$f.err" ] || continue
		echo "--- lyncwatch stderr ($f):"; grep -v '^  ' "$TMP/$f.err" | head -n 30
	done
fi
finish
