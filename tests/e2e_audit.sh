#!/bin/sh
# The audit, flag by flag: pcaps/flags.pcap (tools/pcapgen flags) holds, for
# every flag, flows that raise it and near twins that do not; with
# pcaps/flags.inventory each flow must get its verdict and exactly its
# flags.  Then what changes the audit: no inventory (the scope rule),
# --audit-all, --no-dpi, --fail-on and its exit status, the stats record's
# violation groups, the reasons (what nDPI saw; Japanese with --lang ja),
# and --learn-inventory on the demo capture; --dpi-scope audit (nDPI only
# where it can change the audit) gives every flow the verdict and flags of
# a full inspection.
. "$(dirname "$0")/lib.sh"
need_jq
FLAGS="$PCAPS/flags.pcap"
INV="$PCAPS/flags.inventory"

# The address of a host of flags.inventory by name (hosts outside the
# inventory are listed there as comments: "#   ADDRESS NAME").
addr() {
	a=$(awk -v n="$1" '$3 == n { print ($1 == "#" ? $2 : $1); exit }' "$INV")
	[ -n "$a" ] || { echo "no host $1 in $INV" >&2; exit 99; }
	echo "$a"
}

# expect FILE NAME < TABLE: each line "CLIENT SERVER PORT PROTO VERDICT
# FLAGS" (FLAGS comma-separated, "-" for none) names exactly one flow of
# the JSON Lines FILE, which must have that verdict and exactly those flags.
expect() {
	file=$1 what=$2
	while read -r cl sv port proto verdict flags; do
		case $cl in ''|'#'*) continue ;; esac
		[ "$flags" = - ] && flags=
		got=$(jq -r --arg s "$(addr "$cl")" --arg d "$(addr "$sv")" \
			--argjson p "$port" --arg t "$proto" '
			select(.event_type == "flow" and .src_ip == $s and
			       .dest_ip == $d and .dest_port == $p and .proto == $t)
			| "\(.lync.verdict) \(.lync.flags | join(","))"' "$file")
		n=$(printf '%s\n' "$got" | grep -c .)
		if [ "$n" -ne 1 ]; then
			fail "$what: $cl -> $sv:$port/$proto: $n flows, want 1"
		elif [ "$got" != "$verdict $flags" ]; then
			fail "$what: $cl -> $sv:$port/$proto: got '$got', want '$verdict $flags'"
		else
			pass
		fi
	done
}

# run NAME ARGS...: lyncwatch --json on flags.pcap; output in $TMP/NAME.json,
# exit status in $rc.
run() {
	name=$1; shift
	"$LW" --json "$TMP/$name.json" "$@" > "$TMP/$name.out" 2> "$TMP/$name.err"
	rc=$?
}

# ------------------------------------------------ every flag, + and -
run inv --inventory "$INV" -r "$FLAGS"
check "lyncwatch --inventory flags.inventory exits 0 (got $rc)" [ "$rc" -eq 0 ]
nf=$(jq -s 'map(select(.event_type == "flow")) | length' "$TMP/inv.json")
check "flags.pcap has 20 flows (got $nf)" [ "$nf" -eq 20 ]
expect "$TMP/inv.json" inventory <<'EOF'
# undocumented-port: RDP and SSH to a Front End; the same to jump1, a host
# outside the inventory: SSH (22, no row at all) is unclassified; RDP
# (3389) falls in the clients' 1024-65535 catch-all rows, which describe
# media and file transfer: the own RDP check says what it is, a notice.
cl1  fe1        3389 TCP violation undocumented-port
cl1  fe1        22   TCP violation undocumented-port
cl1  jump1      22   TCP unclassified -
cl1  jump1      3389 TCP notice unexpected-app
# wrong-transport: SIP over UDP to 5061 (documented for TCP only); TLS on
# TCP 5061.
cl1  fe1        5061 UDP violation wrong-transport
cl1  fe1        5061 TCP ok -
# app-mismatch: cleartext HTTP on 443 (twice), cleartext SIP on 5061, SIP
# on the STUN port 3478; TLS on 443 and STUN on 3478 are ok.
cl1  fe1        443  TCP violation app-mismatch
cl2  fe1        443  TCP violation app-mismatch
cl2  fe1        5061 TCP violation app-mismatch
cl2  edge1-int  3478 UDP violation app-mismatch
cl3  fe1        443  TCP ok -
cl1  edge1-int  3478 UDP ok -
# role-mismatch: PSOM (8057, Front End rows only) to a Director, and to a
# Front End.
cl1  dir1       8057 TCP violation role-mismatch
cl1  fe1        8057 TCP ok -
# optional-port: SIP on 5060 (optional), TLS on 8058 (legacy); SIP on 5062
# (required).
dir1 fe1        5060 TCP notice optional-port
cl2  fe1        8058 TCP notice optional-port
dir1 fe1        5062 TCP ok -
# unverified: opaque bytes on 5061 (no own check fits, nDPI only guesses
# by port); SQL Browser (no nDPI dissector: the own SSRP check confirms
# it) and DCE/RPC on 135 are ok.
dir1 fe1        1434 UDP ok -
cl3  fe1        5061 TCP notice unverified
fe2  fe1        135  TCP ok -
EOF

# Every flag is raised at least once, and the counters agree.
got=$(jq -c 'select(.event_type == "stats") | .stats.flags' "$TMP/inv.json")
want='{"undocumented_port":2,"wrong_transport":1,"app_mismatch":4,"role_mismatch":1,"optional_port":2,"unverified":1,"unexpected_app":1,"poor_media":0}'
check "stats flags: $got" [ "$got" = "$want" ]
got=$(jq -c 'select(.event_type == "stats") | .stats.flows
	| [.unclassified, .ok, .notice, .violation]' "$TMP/inv.json")
check "stats verdicts unclassified/ok/notice/violation: $got" [ "$got" = "[1,7,4,8]" ]

# The stats record groups the violations by flag, server address and port
# (with the protocol), counting the flows of each group.
jq -r 'select(.event_type == "stats") | .stats.violations[]
	| "\(.flag) \(.dest_ip) \(.dest_port) \(.proto) \(.flows)"' \
	"$TMP/inv.json" | sort > "$TMP/groups.got"
sort > "$TMP/groups.want" <<EOF
undocumented-port $(addr fe1) 3389 TCP 1
undocumented-port $(addr fe1) 22 TCP 1
wrong-transport $(addr fe1) 5061 UDP 1
app-mismatch $(addr fe1) 443 TCP 2
app-mismatch $(addr fe1) 5061 TCP 1
app-mismatch $(addr edge1-int) 3478 UDP 1
role-mismatch $(addr dir1) 8057 TCP 1
EOF
if cmp -s "$TMP/groups.want" "$TMP/groups.got"; then
	pass
else
	fail "violation groups:"; diff "$TMP/groups.want" "$TMP/groups.got"
fi

# ------------------------------------------------------------ reasons
# An app-mismatch reason names what the own checks read on the wire and
# what nDPI saw (the flow's app_proto); lync.evidence says the same.
for t in "cl1 fe1 443 TCP http HTTP" "cl2 fe1 5061 TCP sip SIP" "cl2 edge1-int 3478 UDP sip SIP"; do
	# shellcheck disable=SC2086
	set -- $t
	r=$(jq -r --arg s "$(addr "$1")" --arg d "$(addr "$2")" --argjson p "$3" \
		--arg t "$4" --arg app "$5" --arg wire "$6" '
		select(.event_type == "flow" and .src_ip == $s and .dest_ip == $d
		       and .dest_port == $p and .proto == $t)
		| select(.app_proto == $app and
			 (.lync.reason | contains("but the bytes show " + $wire)) and
			 (.lync.reason | contains("nDPI: " + $app)) and
			 .lync.evidence.app == $app and .lync.evidence.by == "both")
		| .lync.reason' "$TMP/inv.json")
	check "app-mismatch reason of $1 -> $2:$3/$4 names $6 and $5 ('$r')" [ -n "$r" ]
done

# --lang ja: the reasons are Japanese (English ones have no kana or kanji).
run ja --lang ja --inventory "$INV" -r "$FLAGS"
japanese='[\\p{Hiragana}\\p{Katakana}\\p{Han}]'
sel='select(.event_type == "flow" and .dest_port == 443 and .lync.verdict == "violation") | .lync.reason'
n=$(jq -r "$sel | select(test(\"$japanese\"))" "$TMP/ja.json" | grep -c .)
check "--lang ja: the violations on 443 have Japanese reasons ($n)" [ "$n" -eq 2 ]
n=$(jq -r "$sel | select(test(\"$japanese\"))" "$TMP/inv.json" | grep -c .)
check "--lang en: no Japanese in the same reasons ($n)" [ "$n" -eq 0 ]
n=$(jq -r "select(.event_type == \"flow\") | .lync.reason | select(test(\"$japanese\"))" "$TMP/ja.json" | grep -c .)
check "--lang ja: every reason is Japanese ($n of 20)" [ "$n" -eq 20 ]

# ------------------------------------------------------------ scope
# Without an inventory, the undocumented-port positives are out of scope:
# SSH to fe1's 22 is unclassified, RDP to its 3389 raises nothing.  SIP on
# UDP 5061 (documented for TCP only, a Lync-specific port) is still the
# wrong transport.  The application checks apply on Lync-specific ports,
# and on a shared one (443) of a host seen serving one (fe1 serves TLS on
# 5061: "support": "host").
run noinv -r "$FLAGS"
expect "$TMP/noinv.json" "no inventory" <<'EOF'
cl1  fe1        22   TCP unclassified -
cl1  jump1      22   TCP unclassified -
cl1  fe1        5061 UDP violation wrong-transport
cl1  fe1        443  TCP violation app-mismatch
cl3  fe1        5061 TCP notice unverified
EOF
n=$(jq -s 'map(select(.event_type == "flow") | .lync.flags[]
	| select(. == "undocumented-port" or . == "role-mismatch")) | length' "$TMP/noinv.json")
check "no inventory: no undocumented-port, role-mismatch ($n)" [ "$n" -eq 0 ]
s=$(jq -r --arg d "$(addr fe1)" 'select(.event_type == "flow" and .dest_ip == $d
	and .dest_port == 443) | .lync.support' "$TMP/noinv.json" | sort -u | tr '\n' ' ')
check "no inventory: fe1's 443 flows are supported by the host ($s)" [ "$s" = "host " ]

# --audit-all (no inventory): the out-of-inventory SSH flow is now an
# undocumented port, and so is fe1's; the UDP 5061 datagram a wrong
# transport.
run all --audit-all -r "$FLAGS"
expect "$TMP/all.json" "--audit-all" <<'EOF'
cl1  jump1      22   TCP violation undocumented-port
cl1  fe1        22   TCP violation undocumented-port
cl1  fe1        5061 UDP violation wrong-transport
EOF

# --no-dpi: nDPI is off, lyncwatch's own wire checks are not: the same
# flags as with nDPI, decided by the wire alone.
run nodpi --no-dpi --inventory "$INV" -r "$FLAGS"
got=$(jq -c 'select(.event_type == "stats") | .stats.flags' "$TMP/nodpi.json")
want='{"undocumented_port":2,"wrong_transport":1,"app_mismatch":4,"role_mismatch":1,"optional_port":2,"unverified":1,"unexpected_app":1,"poor_media":0}'
check "--no-dpi flags: $got" [ "$got" = "$want" ]
expect "$TMP/nodpi.json" "--no-dpi" <<'EOF'
cl1  fe1        443  TCP violation app-mismatch
cl2  fe1        5061 TCP violation app-mismatch
dir1 fe1        1434 UDP ok -
cl1  dir1       8057 TCP violation role-mismatch
EOF
n=$(jq -s 'map(select(.event_type == "flow" and .lync.evidence.by != "wire"
	and .lync.evidence.by != "none")) | length' "$TMP/nodpi.json")
check "--no-dpi: every evidence is the wire's ($n others)" [ "$n" -eq 0 ]

# ------------------------------------------------------------ --fail-on
# The optional-port flows and the ok flows on 5062 and 135, nothing else
# (a trailing BPF expression, as one argument).
NOTICES='tcp port 5060 or tcp port 8058 or tcp port 5062 or tcp port 135'
OKS='tcp port 5062 or tcp port 135'
run f1 --inventory "$INV" --fail-on violation -r "$FLAGS"
check "--fail-on violation with violations: exit 1 (got $rc)" [ "$rc" -eq 1 ]
run f2 --inventory "$INV" -r "$FLAGS"
check "no --fail-on, violations: exit 0 (got $rc)" [ "$rc" -eq 0 ]
run f3 --inventory "$INV" --fail-on notice -r "$FLAGS" "$NOTICES"
v=$(jq -r 'select(.event_type == "flow") | .lync.verdict' "$TMP/f3.json" | sort | uniq -c | tr -s ' \n' ' ')
check "the notice filter keeps 2 notices and 2 oks (got:$v)" [ "$v" = " 2 notice 2 ok " ]
check "--fail-on notice with notices: exit 1 (got $rc)" [ "$rc" -eq 1 ]
run f4 --inventory "$INV" --fail-on violation -r "$FLAGS" "$NOTICES"
check "--fail-on violation with only notices and oks: exit 0 (got $rc)" [ "$rc" -eq 0 ]
run f5 --inventory "$INV" --fail-on notice -r "$FLAGS" "$OKS"
v=$(jq -r 'select(.event_type == "flow") | .lync.verdict' "$TMP/f5.json" | sort | uniq -c | tr -s ' \n' ' ')
check "the ok filter keeps 2 oks (got:$v)" [ "$v" = " 2 ok " ]
check "--fail-on notice with only oks: exit 0 (got $rc)" [ "$rc" -eq 0 ]

# ------------------------------------------------------------ --learn-inventory
# On the demo capture: the learnt file loads back, and every host it gives
# a role holds that role (or one implying it) in demo.inventory; fe1, the
# Director, the Mediation Server and the Persistent Chat server are found.
# (fe2 is not: in demo.pcap it never serves 444, so it is no Front End by
# the learn ports of lync2013.rules; if it is given a role, it must be
# front-end.)
DINV="$PCAPS/demo.inventory"
daddr() { awk -v n="$1" '!/^#/ && $3 == n && $1 ~ /\./ { print $1; exit }' "$DINV"; }
"$LW" --learn-inventory "$TMP/learnt.inv" -r "$PCAPS/demo.pcap" > /dev/null 2> "$TMP/learn.err"
rc=$?
check "--learn-inventory on demo.pcap: exit 0 (got $rc)" [ "$rc" -eq 0 ]
"$LW" --inventory "$TMP/learnt.inv" -r "$PCAPS/demo.pcap" > /dev/null 2> "$TMP/reload.err"
rc=$?
check "the learnt inventory loads back with --inventory (exit $rc)" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || cat "$TMP/reload.err"
# learnt ROLE of an address ("" when none).
learnt() { awk -v a="$1" '!/^#/ && $1 == a { print $2 }' "$TMP/learnt.inv"; }
for t in "fe1 front-end" "dir1 director" "med1 mediation" "pchat1 persistent-chat"; do
	# shellcheck disable=SC2086
	set -- $t
	got=$(learnt "$(daddr "$1")")
	check "learnt $1 ($(daddr "$1")) as $2 (got '$got')" [ "$got" = "$2" ]
done
got=$(learnt "$(daddr fe2)")
check "learnt fe2 as front-end or nothing (got '$got')" \
	[ -z "$got" -o "$got" = front-end ]
# Every learnt line against demo.inventory: the address is there, with
# each learnt role among its roles (front-end,cms holds front-end).
awk '!/^#/ && NF { print $1, $2 }' "$TMP/learnt.inv" | while read -r a roles; do
	have=$(awk -v a="$a" '!/^#/ && $1 == a { print $2 }' "$DINV")
	for r in $(echo "$roles" | tr , ' '); do
		case ",$have," in
		*",$r,"*) ;;
		*) echo "$a learnt $r, demo.inventory has '$have'" ;;
		esac
	done
done > "$TMP/learn.bad"
if [ -s "$TMP/learn.bad" ]; then
	fail "learnt roles that demo.inventory does not give:"; cat "$TMP/learn.bad"
else
	pass
fi
# --dpi-scope audit skips nDPI for flows whose audit it cannot change: same
# verdicts and flags as inspecting everything, in and out of scope, with
# and without --audit-all; some flows skipped, and those have no app_proto.
verdicts() { jq -c 'select(.event_type == "flow") | [.flow_id, .lync.verdict, .lync.flags]'; }
for run in "$FLAGS --inventory $INV" "$FLAGS" "$FLAGS --audit-all" \
	   "$PCAPS/demo.pcap --inventory $PCAPS/demo.inventory" \
	   "$PCAPS/demo.pcap" "$PCAPS/rows.pcap --audit-all"; do
	# shellcheck disable=SC2086  # $run is words on purpose
	"$LW" --json-truncate --json "$TMP/all.json" -r $run > /dev/null 2>&1
	# shellcheck disable=SC2086
	"$LW" --json-truncate --json "$TMP/audit.json" --dpi-scope audit -r $run > /dev/null 2>&1
	verdicts < "$TMP/all.json" > "$TMP/all.v"
	verdicts < "$TMP/audit.json" > "$TMP/audit.v"
	skipped=$(tail -n 1 "$TMP/audit.json" | jq .stats.ndpi.skipped)
	bare=$(jq -s '[.[] | select(.event_type == "flow" and .app_proto == null)] | length' "$TMP/audit.json")
	check "--dpi-scope audit, same verdicts and flags: $run" cmp -s "$TMP/all.v" "$TMP/audit.v"
	check "--dpi-scope audit skipped flows ($skipped) lack app_proto ($bare): $run" \
		test "$skipped" -gt 0 -a "$bare" -ge "$skipped"
done
finish
