#!/bin/bash
# bench/live.sh: the live rate ladder (issue 14, item 5).  Called by run.sh;
# runs alone too:
#
#   LW=src/lyncwatch RULES=... INV=... CAP=deploy.pcap OUT=dir bash bench/live.sh
#
# The first LIVE_PKTS packets (default 500,000) of CAP are replayed with
# tcpreplay into one end of a veth pair between two private network
# namespaces (lwbench-rep-PID, lwbench-cap-PID), at fixed rates that climb
# (LIVE_RATES packets/s, then --topspeed), while on the other end listens
#   - lyncwatch -i, nDPI on, JSON records to a file, --workers 1, then 2;
#   - tcpdump -w /dev/null (its defaults), the reference of the kernel path.
# A step is lossless when the capture reports no kernel or interface drop
# (lyncwatch: the final stats record, .stats.capture; tcpdump: "dropped by
# kernel" and "dropped by interface").  The rate printed is the one
# tcpreplay reports having sent ("Rated: ... pps"): on a busy machine it
# falls short of the rate asked.  A listener climbs until its first
# loss (a first loss at the lowest rate tries LIVE_LOW once).  The offline
# rate of the same packets (lyncwatch -r, same options, wall time incl.
# start-up, median of 3) is printed next to it.
#
# Output: the table on stdout (also OUT/live.txt), raw lines per step in
# OUT/live-steps.txt.  Needs root, ip netns, tcpreplay, tcpdump and jq;
# otherwise prints why it is skipped and exits 0.  Namespaces and processes
# are removed on exit.
set -u
export LC_ALL=C

: "${LW:?LW is not set}" "${RULES:?}" "${INV:?}" "${CAP:?}" "${OUT:?}"
LIVE_PKTS=${LIVE_PKTS:-500000}
LIVE_RATES=${LIVE_RATES:-50000 75000 100000 150000 200000}
LIVE_LOW=${LIVE_LOW:-25000}
LIVE_WORKERS=${LIVE_WORKERS:-1 2}
LIVE_TCPDUMP=${LIVE_TCPDUMP:-1}
W=$OUT/live
mkdir -p "$W" || exit 2

skip() { echo "  live ladder skipped: $*" | tee "$OUT/live.txt"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root (a veth pair in private network namespaces)"
for t in ip tcpreplay tcpdump jq; do
	command -v "$t" > /dev/null 2>&1 || skip "$t is not installed"
done

NS_C=lwbench-cap-$$
NS_R=lwbench-rep-$$
IF_C=lwbcap0
IF_R=lwbrep0
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2> /dev/null
	for ns in $NS_C $NS_R; do
		for p in $(ip netns pids "$ns" 2> /dev/null); do kill -9 "$p" 2> /dev/null; done
		ip netns del "$ns" 2> /dev/null
	done
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

ip netns add "$NS_C" 2> /dev/null && ip netns add "$NS_R" 2> /dev/null ||
	skip "ip netns add failed"
for ns in $NS_C $NS_R; do
	ip netns exec "$ns" sh -c 'for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do
		echo 1 > "$f"; done' 2> /dev/null
	ip -n "$ns" link set lo up
done
{ ip -n "$NS_C" link add "$IF_C" type veth peer name "$IF_R" \
	netns "$NS_R" && ip -n "$NS_C" link set "$IF_C" up &&
  ip -n "$NS_R" link set "$IF_R" up; } 2> "$W/veth.err" ||
	skip "no veth pair: $(head -n 1 "$W/veth.err")"

# The packets replayed: the first LIVE_PKTS of CAP (kept while CAP is).
SLICE=$OUT/cap/live-$LIVE_PKTS.pcap
mkdir -p "$OUT/cap"
if [ ! -s "$SLICE" ] || [ "$SLICE" -ot "$CAP" ]; then
	tcpdump -r "$CAP" -c "$LIVE_PKTS" -w "$SLICE" 2> "$W/slice.err" ||
		skip "tcpdump could not cut $CAP: $(tail -n 1 "$W/slice.err")"
fi

LWARGS=(--rules "$RULES" --inventory "$INV" --no-progress --stats-interval 0
	--json-truncate)

# sockets PID: packet sockets the process holds in the capture namespace.
sockets() { ip netns exec "$NS_C" ss -0 -p 2> /dev/null | grep -c "pid=$1,"; }

# start_listener NAME WORKERS: lyncwatch (WORKERS > 0) or tcpdump (0) on
# IF_C, in the background; pid in $pid; returns once its sockets are open.
start_listener() {
	local name=$1 n=$2 i=0 want=$2
	if [ "$n" = 0 ]; then
		ip netns exec "$NS_C" tcpdump -n -i "$IF_C" -w /dev/null \
			> /dev/null 2> "$W/$name.err" &
		want=1
	else
		ip netns exec "$NS_C" "$LW" -i "$IF_C" "${LWARGS[@]}" --workers "$n" \
			--json "$W/$name.json" > /dev/null 2> "$W/$name.err" &
	fi
	pid=$!
	while [ "$(sockets "$pid")" -lt "$want" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	sleep 0.5
	kill -0 "$pid" 2> /dev/null
}

# stop_listener: SIGTERM, wait (killed after 30 s).
stop_listener() {
	local i=0
	kill -TERM "$pid" 2> /dev/null
	while kill -0 "$pid" 2> /dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	pid=
}

# drops NAME WORKERS: "RECEIVED DROPPED" of the finished listener.
drops() {
	if [ "$2" = 0 ]; then
		awk '/packets received by filter/ { r = $1 }
		     /dropped by kernel/ { d += $1 } /dropped by interface/ { d += $1 }
		     END { printf "%d %d\n", r, d }' "$W/$1.err"
	else
		jq -r 'select(.event_type == "stats" and (.stats.interim | not))
			| .stats.capture | "\(.received) \(.kernel_drops + .iface_drops)"' \
			"$W/$1.json" 2> /dev/null | tail -n 1
	fi
}

# step NAME WORKERS RATE: one replay at RATE packets/s (top: --topspeed);
# prints "RATE SENT_PPS RECEIVED DROPPED" and returns 0 when lossless.
step() {
	local name=$1 n=$2 rate=$3 how sent rd
	how=(--pps="$rate"); [ "$rate" = top ] && how=(--topspeed)
	if ! start_listener "$name" "$n"; then
		echo "$rate 0 0 start-failed"; return 1
	fi
	ip netns exec "$NS_R" tcpreplay -i "$IF_R" "${how[@]}" "$SLICE" \
		> "$W/$name.replay" 2>&1
	sent=$(sed -n 's/.*Rated: .* Mbps, \([0-9.]*\) pps.*/\1/p' "$W/$name.replay" | tail -n 1)
	sleep 1
	stop_listener
	rd=$(drops "$name" "$n")
	rm -f "$W/$name.json"
	echo "$rate ${sent:-0} ${rd:-0 unknown}"
	[ -n "$rd" ] && [ "${rd#* }" = 0 ]
}

# ladder LABEL WORKERS: climbs; prints "LABEL BEST_RATE BEST_SENT FIRST_LOSS".
ladder() {
	local label=$1 n=$2 r out low best=0 bestsent=0 loss=none first=1
	for r in $LIVE_RATES top; do
		out=$(step "$label-$r" "$n" "$r")
		echo "$label $out" | tee -a "$OUT/live-steps.txt" >&2
		if [ "${out##* }" = 0 ]; then
			best=$r; bestsent=${out#* }; bestsent=${bestsent%% *}
			first=0
			continue
		fi
		loss=$(echo "$out" | awk '{ printf "%s, %.0f pps: %s of %s", $1, $2, $4, $3 }')
		if [ $first = 1 ] && [ -n "$LIVE_LOW" ]; then
			low=$(step "$label-$LIVE_LOW" "$n" "$LIVE_LOW")
			echo "$label $low" | tee -a "$OUT/live-steps.txt" >&2
			if [ "${low##* }" = 0 ]; then
				best=$LIVE_LOW; bestsent=${low#* }; bestsent=${bestsent%% *}
			fi
		fi
		break
	done
	echo "$label $best $bestsent $loss"
}

# offline WORKERS: packets/s of lyncwatch -r on the slice, median of 3.
offline() {
	local i t0 t1
	for i in 1 2 3; do
		t0=$EPOCHREALTIME
		"$LW" -r "$SLICE" "${LWARGS[@]}" --workers "$1" --json "$W/offline.json" \
			> /dev/null 2> "$W/offline.err" || { echo nan; return; }
		t1=$EPOCHREALTIME
		awk -v a="$t0" -v b="$t1" -v n="$LIVE_PKTS" 'BEGIN { printf "%.0f\n", n / (b - a) }'
	done | sort -n | sed -n 2p
}

: > "$OUT/live-steps.txt"
OFF1=$(offline 1)
OFF2=nan
"$LW" -r "$SLICE" "${LWARGS[@]}" --workers 2 -c 1 --json /dev/null > /dev/null 2>&1 &&
	OFF2=$(offline 2)
rows=()
for n in $LIVE_WORKERS; do rows+=("$(ladder "lw$n" "$n")"); done
[ "$LIVE_TCPDUMP" = 1 ] && rows+=("$(ladder tcpdump 0)")
# The top speed of the replay with one lyncwatch worker listening (the
# target's cap), else with any lyncwatch.
TOP=$(awk '$1 == "lw1" && $2 == "top" { m = $3 } END { printf "%.0f\n", m }' "$OUT/live-steps.txt")
[ "$TOP" = 0 ] &&
	TOP=$(awk '$1 ~ /^lw/ && $2 == "top" && $3 > m { m = $3 } END { printf "%.0f\n", m }' "$OUT/live-steps.txt")
TOPALL=$(awk '$2 == "top" && $3 > m { m = $3 } END { printf "%.0f\n", m }' "$OUT/live-steps.txt")

fmt() { awk -v x="$1" 'BEGIN { if (x == "nan" || x == "") print "n/a"; else printf "%\047.0f\n", x }'; }
{
echo "  $(fmt "$LIVE_PKTS") packets of $(basename "$CAP") replayed into a veth pair (tcpreplay --pps R, then"
echo "  --topspeed); listener: lyncwatch -i (nDPI on, JSON to a file) or tcpdump -w /dev/null."
echo "  Offline, the same packets: lyncwatch -r $(fmt "$OFF1") packets/s (1 worker), $(fmt "$OFF2") (2 workers)"
printf '  %-22s %-12s %12s   %s\n' listener "lossless at" "(sent pps)" "first loss (rate asked, sent; dropped of received)"
for r in "${rows[@]}"; do
	set -- $r
	l=$1; best=$2; sent=$3; shift 3
	case $l in lw*) l="lyncwatch --workers ${l#lw}";; esac
	case $best in
	0) b="none";;
	top) b="top speed";;
	*) b="$(fmt "$best") pps";;
	esac
	printf '  %-22s %-12s %12s   %s\n' "$l" "$b" "$(fmt "$sent")" "$*"
done
echo "  top speed of tcpreplay: $(fmt "$TOP") pps with lyncwatch listening (0: no lyncwatch run got there), $(fmt "$TOPALL") with any listener"
} | tee "$OUT/live.txt"
# For run.sh's target: "LW1_LOSSLESS_SENT_PPS OFFLINE1 TOP_WITH_LW TOP_ANY
# LW1_LOSSLESS_AT_TOPSPEED(0|1)".
best1=$(printf '%s\n' "${rows[@]}" | awk '$1 == "lw1" { print $3 }')
attop=$(printf '%s\n' "${rows[@]}" | awk '$1 == "lw1" { print ($2 == "top") ? 1 : 0 }')
echo "${best1:-0} $OFF1 $TOP $TOPALL ${attop:-0}" > "$OUT/live.figures"
