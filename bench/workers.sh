#!/bin/sh
# bench/workers.sh: live throughput with --workers 1 and 2 on this machine.
#
# tcpreplay sends pcaps/demo.pcap, looped with --unique-ip (every loop a new
# set of addresses, so new flows), as fast as it can into one end of a veth
# pair in a private network namespace; lyncwatch captures on the other end.
# For each worker count, median of RUNS runs: packets lyncwatch processed
# per second of replay, and the share the kernel dropped (pcap_stats).
# Both share this machine's cores with tcpreplay, so the figures are a
# lower bound of what a dedicated sensor does.  Needs root and tcpreplay.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
LW="$top_builddir/src/lyncwatch"
LOOPS=${LOOPS:-400}
RUNS=${RUNS:-3}
OUT=${OUT:-$top_builddir/bench/out}
mkdir -p "$OUT"

if [ "$(id -u)" != 0 ] || ! command -v tcpreplay >/dev/null 2>&1; then
	echo "workers: skipped (needs root and tcpreplay)"
	exit 0
fi
NS=lwbw$$
cleanup() {
	ip netns del "${NS}a" 2>/dev/null
	ip netns del "${NS}b" 2>/dev/null
}
trap cleanup EXIT INT TERM
ip netns add "${NS}a" && ip netns add "${NS}b" || { echo "workers: skipped (ip netns)"; exit 0; }
ip link add "${NS}x" type veth peer name "${NS}y"
ip link set "${NS}x" netns "${NS}a"
ip link set "${NS}y" netns "${NS}b"
for n in a b; do
	ip netns exec "$NS$n" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
done
ip -n "${NS}a" link set "${NS}x" up
ip -n "${NS}b" link set "${NS}y" up

# CPU seconds (user + system, all threads) a process has used.
cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}

# One run: prints "PROCESSED RECEIVED DROPPED SECONDS CPU-SECONDS".
run_once() {
	ip netns exec "${NS}a" "$LW" -i "${NS}x" --workers "$1" --no-progress \
		--stats-interval 0 --json-truncate --json "$OUT/workers.json" 'tcp or udp' \
		> /dev/null 2> "$OUT/workers.err" &
	pid=$!
	i=0
	while [ $i -lt 50 ] && ! ss -0 -p 2>/dev/null | grep -q "pid=$pid"; do
		sleep 0.1; i=$((i + 1))
	done
	sleep 0.5
	t0=$(date +%s.%N)
	ip netns exec "${NS}b" tcpreplay -q -i "${NS}y" --topspeed --loop "$LOOPS" \
		--unique-ip "$top_srcdir/pcaps/demo.pcap" > /dev/null 2>&1
	t1=$(date +%s.%N)
	sleep 1
	cpu=$(cpu_s $pid)
	kill -TERM $pid
	wait $pid
	jq -rs --arg s "$(echo "$t1 - $t0" | bc -l)" \
		--arg cpu "$cpu" \
		'(map(select(.event_type == "stats" and .stats.interim)) | last) as $i
		 | "\(.[-1].stats.packets) \($i.stats.received) \($i.stats.kernel_drops) \($s) \($cpu)"' \
		"$OUT/workers.json"
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# packets/s: processed per second of replay (bounded by the sender when it
# is slower than lyncwatch); capacity: packets per CPU-second of lyncwatch
# times the workers (what the workers could take with a core each).
printf '%-8s %12s %9s %14s %16s %8s\n' workers "packets/s" dropped \
	"CPU s/Mpkt" "capacity pkt/s" "vs 1"
base=""
for w in 1 2; do
	: > "$OUT/workers.$w"
	r=0
	while [ $r -lt "$RUNS" ]; do
		run_once "$w" >> "$OUT/workers.$w"
		r=$((r + 1))
	done
	pps=$(awk '{printf "%.0f\n", $1 / $4}' "$OUT/workers.$w" | median)
	drop=$(awk '{ if ($2 + $3 > 0) printf "%.1f%%\n", 100 * $3 / ($2 + $3); else print "0%" }' \
		"$OUT/workers.$w" | sort -n | median)
	cpm=$(awk '{printf "%.2f\n", $5 / ($1 / 1e6)}' "$OUT/workers.$w" | sort -n | median)
	cap=$(awk -v w="$w" '{printf "%.0f\n", w * $1 / $5}' "$OUT/workers.$w" | sort -n | median)
	[ -n "$base" ] || base=$cap
	printf '%-8s %12s %9s %14s %16s %7.2fx\n' "$w" "$pps" "$drop" "$cpm" "$cap" \
		"$(echo "$cap / $base" | bc -l)"
done
