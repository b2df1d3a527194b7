#!/bin/bash
# bench/run.sh: lyncwatch's performance benchmark (`make bench`; see
# bench/README).  Needs top_srcdir and top_builddir in the environment (the
# Makefile sets them) and the programs `make bench` builds.
#
# Phase 1 writes the captures with tools/pcapgen (kept in bench/out/cap and
# reused while the pcapgen binary and the arguments are unchanged).
# Phase 2 runs what does not depend on wall time, two jobs at a time: the
# callgrind measurements (instructions per packet), the resource runs (peak
# RSS), the port-matcher micro-benchmark.  Phase 3 runs the timed rows
# alone, in alternating rounds, and keeps the median of each.  The table
# goes to stdout and to bench/out/results.txt.
#
# Environment: BENCH_OUT (default $top_srcdir/bench/out), BENCH_ROUNDS (3),
# BENCH_JOBS (2), BENCH_IPP_PACKETS (100000), BENCH_NO_INSTALL=1 (never
# apt-get a missing tool; its rows are skipped instead), BENCH_QUICK=1
# (small captures: a smoke test of this script, not a benchmark),
# BENCH_DEPLOY_FLOWS (100000: flows of the deployment-scale capture),
# BENCH_NO_LIVE=1 (no live ladder; bench/live.sh, which runs only as root).
set -u
export LC_ALL=C TZ=UTC

: "${top_srcdir:?top_srcdir is not set (run: make bench)}"
: "${top_builddir:?top_builddir is not set (run: make bench)}"
OUT=${BENCH_OUT:-$top_srcdir/bench/out}
ROUNDS=${BENCH_ROUNDS:-3}
JOBS=${BENCH_JOBS:-2}
IPP_PKTS=${BENCH_IPP_PACKETS:-100000}

GEN=$top_builddir/tools/pcapgen/pcapgen
LW=$top_builddir/src/lyncwatch
RAW=$top_builddir/bench/rawread
PMB=$top_builddir/bench/pmbench
SLICE=$top_builddir/bench/pktslice.so
RULES=$top_srcdir/classifiers/lync2013.rules
INV=$top_srcdir/bench/bench.inventory
CAP=$OUT/cap
W=$OUT/work
CG=$OUT/callgrind
T0=$EPOCHREALTIME
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------ parameters
# main: the Lync-like mix, 5M packets, 500k flows, 10k flows in progress,
# one packet every 80 us (400 s: flows end by timeouts as they would, and
# lyncwatch's table holds ~100k flows in the steady state).
MAIN_ARGS="5000000 500000 10000 80"
# big: 1M flows all alive at the end (6 s of packet time: nothing times
# out), for the memory target in full mode.
BIG_ARGS="6000000 1000000 1000000 1"
BIG_FLOWS=1000000
# table-N: N one-packet TCP flows, then the same 500k-packet mix (50k
# flows); the packet path is timed (or counted) on that mix.
TABLE_MIX="500000 50000 5000 4"
TABLE_SIZES="10000 100000 800000 1000000"
TABLE_A=100000                      # ratio targets: ~100k and ~800k flows
TABLE_B=800000
TABLE_FLAT="10000 100000 1000000"   # instructions/packet flatness
FLOOD_N=2000000
FLOOD_IPP_N=130000                  # the first 130k packets of the flood
FLOOD_MAX=100000
FLOOD_IPP_SLICES="0:2000,90000:2000,100000:2000,128000:2000"
if [ "${BENCH_QUICK:-0}" = 1 ]; then  # a smoke test of this script, ~1 min
	MAIN_ARGS="500000 50000 2000 80"
	BIG_ARGS="600000 100000 100000 1"
	BIG_FLOWS=100000
	TABLE_SIZES="10000 20000 80000 100000"
	TABLE_A=20000 TABLE_B=80000
	TABLE_FLAT="10000 100000"
	FLOOD_N=200000 FLOOD_IPP_N=130000
	IPP_PKTS=20000
fi
# ipp: a small capture of the same mix, every flow complete.
IPP_FLOWS=$((IPP_PKTS / 10))
IPP_ARGS="$IPP_PKTS $IPP_FLOWS 2000 80"
TABLE_TIMED="$TABLE_A $TABLE_B"
# deploy: the deployment-scale capture (pcapgen deploy: ~31.6 packets a
# flow, a third of the TCP flows mid-stream, SIP over TCP between servers).
DEPLOY_FLOWS=${BENCH_DEPLOY_FLOWS:-100000}
[ "${BENCH_QUICK:-0}" = 1 ] && DEPLOY_FLOWS=${BENCH_DEPLOY_FLOWS:-10000}

LWARGS=(--rules "$RULES" --inventory "$INV" --no-progress --json /dev/null)

mkdir -p "$CAP" "$W" "$CG" || exit 2
rm -f "$W"/* "$CG"/*.out*

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 2; }

for p in "$GEN" "$LW" "$RAW" "$PMB" "$SLICE"; do
	[ -e "$p" ] || die "$p is missing: run 'make bench'"
done

# ----------------------------------------------------------- the tools
# apt-get PACKAGE when COMMAND is missing (as root, unless forbidden).
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	[ "${BENCH_NO_INSTALL:-0}" = 1 ] && return 1
	[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
	say "bench: installing $2 for $1"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" \
			>/dev/null 2>&1; }
	command -v "$1" >/dev/null 2>&1
}
[ -x /usr/bin/time ] || need /usr/bin/time time || die "GNU time is needed (apt-get install time)"
HAVE_NDPI=1; need ndpiReader libndpi-bin || HAVE_NDPI=0
HAVE_VG=1; need valgrind valgrind || HAVE_VG=0
HAVE_JQ=1; need jq jq || HAVE_JQ=0

# ------------------------------------------------------------- helpers
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "nan" }'; }
fmt_int() { awk -v x="$1" 'BEGIN { if (x == "nan" || x == "") print "n/a"; else printf "%\047.0f\n", x }'; }
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (a == "nan" || b == "nan" || a == "" || b == "" || b + 0 == 0) print "n/a"; else printf f "\n", a / b }'; }
put() { printf '%s\n' "$2" >> "$W/$1"; }     # put FILE VALUE: one more sample
get() { [ -s "$W/$1" ] && median < "$W/$1" || echo nan; }

# gen NAME SCENE ARGS...: bench/out/cap/NAME.pcap, regenerated only when the
# pcapgen binary or the arguments changed; what pcapgen says about it in
# NAME.pcap.info.
gen() {
	local name=$1; shift
	local f=$CAP/$name.pcap key
	key="$(sha256sum < "$GEN" | cut -c1-64) $*"
	if [ -s "$f" ] && [ -e "$f.info" ] && [ "$(cat "$f.key" 2>/dev/null)" = "$key" ]; then
		say "bench: $name.pcap is up to date"
		return 0
	fi
	rm -f "$f" "$f.key" "$f.info"
	"$GEN" "$1" "$f" "${@:2}" > "$f.info" 2>&1 ||
		{ cat "$f.info" >&2; die "pcapgen $* failed"; }
	printf '%s\n' "$key" > "$f.key"
}

# Runs the functions named in "$@", $JOBS at a time; each one's output
# goes to $W/NAME.log.
run_jobs() {
	local j
	for j in "$@"; do
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
		say "bench: $j"
		( t0=$EPOCHREALTIME; "$j"
		  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }' \
			> "$W/$j.secs" ) > "$W/$j.log" 2>&1 &
	done
	wait
}

# callgrind NAME SLICES EXIT CMD...: runs CMD under callgrind with the
# slices of pktslice.so (EXIT: slices, eof or never); the instructions of
# each slice go to $W/NAME.ir, one line per slice, and the file of the
# last one to $W/NAME.file.  Callgrind writes a slice that ends before the
# program as NAME.out.K, and what runs until termination as NAME.out.
callgrind() {
	local name=$1 slices=$2 ex=$3 k f; shift 3
	rm -f "$CG/$name".out*
	LYNCWATCH_PCAP_READER=libpcap LWB_SLICES=$slices LWB_EXIT=$ex LD_PRELOAD=$SLICE \
		valgrind --tool=callgrind --instr-atstart=no \
		--callgrind-out-file="$CG/$name.out" "$@" > /dev/null 2> "$W/$name.vg" ||
		say "bench: callgrind $name failed (see $W/$name.vg)"
	: > "$W/$name.ir"
	for k in $(seq 16); do
		f=$CG/$name.out.$k
		[ -s "$f" ] || break
		grep -q 'Trigger: Client Request: slice' "$f" || continue
		awk '/^(summary|totals):/ { print $2; exit }' "$f" >> "$W/$name.ir"
		echo "$f" > "$W/$name.file"
	done
	case $slices in
	*:0) f=$CG/$name.out
	     awk '/^(summary|totals):/ { print $2; exit }' "$f" >> "$W/$name.ir"
	     echo "$f" > "$W/$name.file";;
	esac
}

# ------------------------------------------------------ phase 1: captures
say "bench: phase 1: captures in $CAP"
gen_main() { gen main bench $MAIN_ARGS; }
gen_big() { gen big bench $BIG_ARGS; }
gen_tables() { local n; for n in $TABLE_SIZES; do gen "table-$n" bench $TABLE_MIX "$n"; done; }
gen_small() { gen ipp bench $IPP_ARGS; gen flood flood $FLOOD_N; gen flood-ipp flood $FLOOD_IPP_N; }
gen_deploy() { gen deploy deploy "$CAP/deploy.inv" "$CAP/deploy.ans" "$DEPLOY_FLOWS"; }
run_jobs gen_big gen_main gen_tables gen_small gen_deploy
for f in main big ipp flood flood-ipp deploy; do
	[ -s "$CAP/$f.pcap" ] || die "capture $f.pcap was not written (see $W/gen_*.log)"
done

# ------------------------------------------- phase 2: counts and memory
say "bench: phase 2: instructions (callgrind), memory, port matcher"

# Instructions per packet over a whole capture of complete flows: every
# flow's record included, start-up excluded.
ipp_full() { callgrind ipp-full 0:0 never "$LW" -r "$CAP/ipp.pcap" "${LWARGS[@]}"; }
ipp_nodpi() { callgrind ipp-nodpi 0:0 never "$LW" -r "$CAP/ipp.pcap" "${LWARGS[@]}" --no-dpi; }
# pktslice.so watches pcap_next_ex: the runs above have libpcap read every
# record (LYNCWATCH_PCAP_READER=libpcap).  What lyncwatch's own reader of
# classic pcap files saves: two whole runs, start-up included (the same
# both ways), instructions to $W/ipp-reader-{own,libpcap}.ir.
ipp_reader() {
	local m
	for m in own libpcap; do
		LYNCWATCH_PCAP_READER=$m valgrind --tool=callgrind \
			--callgrind-out-file="$CG/ipp-reader-$m.out" "$LW" -r "$CAP/ipp.pcap" \
			"${LWARGS[@]}" --no-dpi > /dev/null 2> "$W/ipp-reader-$m.vg" ||
			say "bench: callgrind ipp-reader-$m failed (see $W/ipp-reader-$m.vg)"
		awk '/^(summary|totals):/ { print $2; exit }' "$CG/ipp-reader-$m.out" > "$W/ipp-reader-$m.ir"
	done
}
ipp_raw() {
	callgrind ipp-raw 0:0 never "$RAW" "$CAP/ipp.pcap"
	callgrind ipp-rawhash 0:0 never "$RAW" -m hash "$CAP/ipp.pcap"
}
# The same 100k packets of the mix against tables of 10k .. 1M flows.
flat() {
	local n m
	for n in $TABLE_FLAT; do
		for m in nodpi full; do
			callgrind "flat-$m-$n" "$((n + 200000)):100000" slices \
				"$LW" -r "$CAP/table-$n.pcap" "${LWARGS[@]}" \
				--max-flows 2000000 $([ $m = nodpi ] && echo --no-dpi)
		done
	done
}
# 1M concurrent flows in full mode: peak RSS at the end of the input (the
# flush that follows frees, it does not allocate).
big_rss() {
	/usr/bin/time -f '%M %e' -o "$W/big-base.time" "$LW" -r "$CAP/big.pcap" \
		"${LWARGS[@]}" --max-flows 1100000 -c 1 > /dev/null 2>&1
	LYNCWATCH_PCAP_READER=libpcap LWB_EXIT=eof LD_PRELOAD=$SLICE /usr/bin/time -f '%M %e' -o "$W/big.time" \
		"$LW" -r "$CAP/big.pcap" "${LWARGS[@]}" --max-flows 1100000 \
		> /dev/null 2> "$W/big.err"
}
# Issue 6: 2M distinct 5-tuples through a 100k-flow table, full mode.
flood_rss() {
	LYNCWATCH_PCAP_READER=libpcap LWB_EVERY=250000 LD_PRELOAD=$SLICE /usr/bin/time -f '%M %e' -o "$W/flood.time" \
		"$LW" -r "$CAP/flood.pcap" --rules "$RULES" --inventory "$INV" \
		--no-progress --max-flows $FLOOD_MAX --json - 2> "$W/flood.err" |
		tail -n 1 > "$W/flood.stats"
}
flood_ipp() {
	callgrind flood-ipp "$FLOOD_IPP_SLICES" slices "$LW" -r "$CAP/flood-ipp.pcap" \
		"${LWARGS[@]}" --max-flows $FLOOD_MAX
}
pm() { "$PMB" "$RULES" > "$W/pmbench.txt"; }
# The same lookups counted: instructions per lookup, one dump per case.
pm_count() {
	local f
	rm -f "$CG"/pmbench.out*
	valgrind --tool=callgrind --instr-atstart=no \
		--callgrind-out-file="$CG/pmbench.out" "$PMB" -c "$RULES" \
		> /dev/null 2> "$W/pmbench.vg"
	for f in "$CG"/pmbench.out.*; do
		awk '/^desc: Trigger: Client Request:/ { sub(/.*Request: /, ""); q = $0 }
		     /^(summary|totals):/ { n = q ~ /linear/ ? 64 : 65536
			printf "%s %.0f\n", q, $2 / n; exit }' "$f"
	done > "$W/pmbench.ipl"
}

T1=$EPOCHREALTIME
if [ "$HAVE_VG" = 1 ]; then
	run_jobs flood_rss ipp_full big_rss ipp_nodpi flat flood_ipp ipp_raw pm_count ipp_reader
else
	say "bench: valgrind is missing: no instruction counts"
	run_jobs flood_rss big_rss
fi
T2=$EPOCHREALTIME

# --------------------------------------------------- phase 3: timed rows
say "bench: phase 3: timed runs, $ROUNDS alternating rounds"

# timed KEY CMD...: one whole run; wall seconds to KEY.s, peak RSS (KiB)
# to KEY.rss, its stdout to $W/KEY.out.
timed() {
	local key=$1 t0 t1; shift
	t0=$EPOCHREALTIME
	if ! /usr/bin/time -f '%M' -o "$W/$key.rssnow" "$@" > "$W/$key.out" \
	     2> "$W/$key.err"; then
		say "bench: $key failed (see $W/$key.err)"
		return
	fi
	t1=$EPOCHREALTIME
	put "$key.s" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
	put "$key.rss" "$(tail -n 1 "$W/$key.rssnow")"
}
# slice_timed KEY FROM COUNT CMD...: the packets FROM+1 .. FROM+COUNT timed
# (pktslice.so), the process ends there; seconds to KEY.s, RSS to KEY.rss.
slice_timed() {
	local key=$1 from=$2 count=$3 line; shift 3
	LYNCWATCH_PCAP_READER=libpcap LWB_SLICES=$from:$count LWB_EXIT=slices LD_PRELOAD=$SLICE "$@" \
		> "$W/$key.out" 2> "$W/$key.err"
	line=$(grep '^pktslice: slice 1 ' "$W/$key.err") ||
		{ say "bench: $key failed (see $W/$key.err)"; return; }
	put "$key.s" "$(echo "$line" | awk '{ print $9 }')"
	put "$key.rss" "$(echo "$line" | awk '{ print $11 }')"
}

pm
# The record outputs (issue 17): the same --no-dpi run writing JSON Lines
# to a file, and records through Redis (RPUSH, pipelined) to a redis-server
# started here on a loopback port and stopped at the end.
REDIS_PORT=
if need redis-server redis-server && command -v redis-cli > /dev/null 2>&1; then
	REDIS_PORT=$((20000 + $$ % 10000))
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
		--appendonly no --daemonize yes --pidfile "$W/redis.pid" \
		> "$W/redis.log" 2>&1 || REDIS_PORT=
	i=0
	while [ -n "$REDIS_PORT" ] && ! redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 &&
	      [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fi
stop_redis() {
	[ -s "$W/redis.pid" ] && kill "$(cat "$W/redis.pid")" 2> /dev/null
	rm -f "$W/redis.pid"
}
trap stop_redis EXIT
# The deployment-scale capture: the references (rawread -m hash,
# ndpiReader) and lyncwatch with 1 and 2 workers, records to a JSON file.
# -r with --workers N is probed on the small capture: without it, the
# rows of 2 workers are skipped with a note.
DEP=$CAP/deploy.pcap
DEPARGS=(--rules "$RULES" --inventory "$CAP/deploy.inv" --no-progress --json-truncate)
DEP_WORKERS="1"
if "$LW" -r "$CAP/ipp.pcap" "${DEPARGS[@]}" --workers 2 -c 1 --json /dev/null \
	> /dev/null 2> "$W/workers-probe.err"; then
	DEP_WORKERS="1 2"
fi
deploy_round() {
	local n
	timed dep-hash "$RAW" -m hash "$DEP"
	# Two rows for what lyncwatch's heap in huge pages gives (LYNCWATCH_THP,
	# src/util/thp.c): the reference loop with glibc's same tunable, and
	# lyncwatch without it.  The targets keep the loop as it is.
	timed dep-hash-thp env GLIBC_TUNABLES=glibc.malloc.hugetlb=1 \
		"$RAW" -m hash "$DEP"
	timed dep-nodpi1-nothp env LYNCWATCH_THP=0 "$LW" -r "$DEP" \
		"${DEPARGS[@]}" --workers 1 --no-dpi --json "$W/dep-nodpi1-nothp.json"
	for n in $DEP_WORKERS; do
		timed "dep-full$n" "$LW" -r "$DEP" "${DEPARGS[@]}" --workers "$n" \
			--json "$W/dep-full$n.json"
		timed "dep-nodpi$n" "$LW" -r "$DEP" "${DEPARGS[@]}" --workers "$n" \
			--no-dpi --json "$W/dep-nodpi$n.json"
	done
	[ "$HAVE_NDPI" = 1 ] && timed dep-ndpi ndpiReader -i "$DEP" -q
}
# The slices take a second or less: two more rounds of them, for a median
# less at the mercy of a neighbour's burst.
SLICE_ROUNDS=$((ROUNDS < 5 ? 5 : ROUNDS))
for r in $(seq "$SLICE_ROUNDS"); do
	say "bench: round $r"
	M=$CAP/main.pcap
	if [ "$r" -le "$ROUNDS" ]; then
		timed main-raw "$RAW" "$M"
		timed main-hash "$RAW" -m hash "$M"
		timed main-nodpi "$LW" -r "$M" "${LWARGS[@]}" --no-dpi
		timed main-full "$LW" -r "$M" "${LWARGS[@]}"
		timed main-audit "$LW" -r "$M" "${LWARGS[@]}" --dpi-scope audit
		timed main-json "$LW" -r "$M" "${LWARGS[@]}" --no-dpi --json-truncate \
			--json "$W/records.json"
		if [ -n "$REDIS_PORT" ]; then
			redis-cli -p "$REDIS_PORT" DEL lwbench > /dev/null
			timed main-redis "$LW" -r "$M" "${LWARGS[@]}" --no-dpi \
				--redis "127.0.0.1:$REDIS_PORT" --redis-key lwbench \
				--redis-buffer 1000000
		fi
		[ "$HAVE_NDPI" = 1 ] && timed main-ndpi ndpiReader -i "$M" -q
	fi
	if [ "$r" -le "$ROUNDS" ]; then
		deploy_round
	fi
	for n in $TABLE_TIMED; do
		T=$CAP/table-$n.pcap
		slice_timed "t$n-raw" "$n" 500000 "$RAW" "$T"
		slice_timed "t$n-hash" "$n" 500000 "$RAW" -m hash "$T"
		slice_timed "t$n-nodpi" "$n" 500000 "$LW" -r "$T" "${LWARGS[@]}" \
			--max-flows 2000000 --no-dpi
	done
done

T3=$EPOCHREALTIME

# ------------------------------------------- phase 4: the live rate ladder
# Alone on the machine too: bench/live.sh (root only; it says why not).
if [ "${BENCH_NO_LIVE:-0}" = 1 ]; then
	echo "  live ladder skipped: BENCH_NO_LIVE=1" > "$OUT/live.txt"
else
	say "bench: phase 4: live rate ladder (bench/live.sh)"
	LIVE_ENV=()
	[ "${BENCH_QUICK:-0}" = 1 ] &&
		LIVE_ENV=(LIVE_PKTS=100000 "LIVE_RATES=50000 100000" LIVE_TCPDUMP=0)
	rm -f "$OUT/live.figures"
	env "${LIVE_ENV[@]}" LW="$LW" RULES="$RULES" INV="$CAP/deploy.inv" CAP="$DEP" \
		OUT="$OUT" bash "$top_srcdir/bench/live.sh" > /dev/null 2> "$W/live.log" ||
		echo "  live ladder failed (see $W/live.log)" > "$OUT/live.txt"
fi
T4=$EPOCHREALTIME

# --------------------------------------------------------------- report
say "bench: report"
MAIN_PKTS=$(awk '{ print $2 }' "$W/main-raw.out" | head -n 1)
MAIN_BYTES=$(awk '{ print $4 }' "$W/main-raw.out" | head -n 1)
MAIN_FLOWS=$(awk '{ print $6 }' "$W/main-hash.out" | head -n 1)
peak_of() { sed -n 's/^flow table peak \([0-9]*\) of.*/\1/p' "$W/$1.out" | head -n 1; }

pps() { local s; s=$(get "$1.s"); div "$2" "$s" "%.0f"; }
R_RAW=$(pps main-raw "$MAIN_PKTS")
R_HASH=$(pps main-hash "$MAIN_PKTS")
R_NODPI=$(pps main-nodpi "$MAIN_PKTS")
R_FULL=$(pps main-full "$MAIN_PKTS")
R_AUDIT=$(pps main-audit "$MAIN_PKTS")
R_NDPI=nan; [ "$HAVE_NDPI" = 1 ] && R_NDPI=$(pps main-ndpi "$MAIN_PKTS")
mb() { awk -v k="$1" 'BEGIN { if (k == "nan" || k == "") print "n/a"; else printf "%.0f", k / 1024 }'; }

row() { # NAME PPS RSSKEY NOTE
	local rss=nan
	[ -n "$3" ] && rss=$(get "$3.rss")
	printf '  %-27s %12s %8s %10s %8s MB  %s\n' "$1" "$(fmt_int "$2")" \
		"$(div "$2" "$R_RAW")" "$(div "$2" "$R_NDPI")" "$(mb "$rss")" "$4"
}

ir() { [ -s "$W/$1.ir" ] && sed -n "${2:-1}p" "$W/$1.ir" || echo nan; }
# rec_ir NAME: instructions per record in callgrind run NAME, from the
# functions' inclusive costs: engine.c's report_flow (packet thread: end of
# inspection, labels, audit, record, hand-off) and output.c's write_flow
# (writer thread: every sink), over write_flow's calls.  Prints "packet
# writer total records" (nan when the file is missing).
rec_ir() {
	local f
	f=$(cat "$W/$1.file" 2>/dev/null) && [ -s "$f" ] || { echo nan nan nan 0; return; }
	callgrind_annotate --inclusive=yes --tree=calling "$f" 2>/dev/null | awk '
	function num(s) { gsub(/,/, "", s); return s + 0 }
	/%\)  \*  .*:report_flow / { rf = num($1) }
	/%\)  \*  .*output\.c:write_flow / { wf = num($1) }
	/%\)  >  .*output\.c:write_flow \(/ { s = $0; sub(/.*write_flow \(/, "", s)
		sub(/x\).*/, "", s); n += num(s) }
	END { if (n > 0) printf "%.0f %.0f %.0f %d\n", rf / n, wf / n, (rf + wf) / n, n
	      else print "nan nan nan 0" }'
}
ipp() { div "$(ir "$1" "${3:-1}")" "$2" "%.0f"; }
spread() { # max/min - 1 of the arguments, in percent
	printf '%s\n' "$@" | awk '$1 != "n/a" { v = $1 + 0; if (n == 0 || v > mx) mx = v;
		if (n == 0 || v < mn) mn = v; n++ }
		END { if (n > 1 && mn > 0) printf "%.1f\n", (mx / mn - 1) * 100; else print "n/a" }'
}
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {
	if (v == "n/a" || v == "nan" || v == "") { print "n/a"; exit }
	ok = op == ">=" ? v + 0 >= t + 0 : v + 0 <= t + 0; print ok ? "MET" : "MISSED" }'; }

# The deploy capture's make-up, from pcapgen's line ("N packets, F flows,
# T TCP of which M mid-stream") and its answers file: TCP flows of a SIP
# class whose two ends are both servers of the inventory.
DEP_INFO=$(cat "$DEP.info" 2>/dev/null)
DEP_PKTS=$(echo "$DEP_INFO" | sed -n 's/.*: \([0-9]*\) packets.*/\1/p')
DEP_FLOWS_N=$(echo "$DEP_INFO" | sed -n 's/.* \([0-9]*\) flows.*/\1/p')
DEP_TCP=$(echo "$DEP_INFO" | sed -n 's/.* \([0-9]*\) TCP of which.*/\1/p')
DEP_MID=$(echo "$DEP_INFO" | sed -n 's/.*of which \([0-9]*\) mid-stream.*/\1/p')
DEP_SIPSRV=$(awk -F'\t' 'FNR == NR { if ($0 !~ /^#/ && NF == 0) next
		split($0, f, /[ \t]+/); if ($0 !~ /^#/ && f[2] !~ /^client/) srv[f[1]] = 1; next }
	$5 == "TCP" && $9 ~ /^sip/ && ($1 in srv) && ($3 in srv) { n++ }
	END { print n + 0 }' "$CAP/deploy.inv" "$CAP/deploy.ans" 2>/dev/null)
DEP_MIDPCT=$(div "$DEP_MID" "$DEP_TCP" "%.3f" | awk '{ if ($1 == "n/a") print "n/a"; else printf "%.1f", $1 * 100 }')
dpps() { local s; s=$(get "$1.s"); div "${DEP_PKTS:-nan}" "$s" "%.0f"; }
D_HASH=$(dpps dep-hash)
D_NDPI=nan; [ "$HAVE_NDPI" = 1 ] && D_NDPI=$(dpps dep-ndpi)
D_FULL1=$(dpps dep-full1); D_NODPI1=$(dpps dep-nodpi1)
D_HASH_THP=$(dpps dep-hash-thp); D_NODPI1_NOTHP=$(dpps dep-nodpi1-nothp)
D_FULL2=nan; D_NODPI2=nan
case $DEP_WORKERS in *2*) D_FULL2=$(dpps dep-full2); D_NODPI2=$(dpps dep-nodpi2);; esac
# drow NAME PPS KEY NOTE: packets/s, x hash, x ndpiReader, peak RSS.
drow() {
	printf '  %-30s %12s %8s %10s %8s MB  %s\n' "$1" "$(fmt_int "$2")" \
		"$(div "$2" "$D_HASH")" "$(div "$2" "$D_NDPI")" "$(mb "$(get "$3.rss")")" "$4"
}
# The live target: lossless with one worker at min(0.7 x its offline rate,
# the top speed of the replay with it listening); lossless at --topspeed
# meets it whatever the rate (L_TOP is then that run's).
read -r L_BEST L_OFF L_TOP L_TOPALL L_ATTOP < "$OUT/live.figures" 2>/dev/null ||
	L_BEST=nan L_OFF=nan L_TOP=nan L_TOPALL=nan L_ATTOP=0
[ "${L_TOP:-0}" = 0 ] && L_TOP=${L_TOPALL:-nan}
L_GOAL=$(awk -v o="$L_OFF" -v t="$L_TOP" 'BEGIN { if (o == "nan" || t == "nan" || o == "" || t == "") print "nan";
	else { g = 0.7 * o; if (t + 0 < g) g = t; printf "%.0f\n", g } }')
L_MET=$(verdict "$(div "$L_BEST" "$L_GOAL" "%.3f")" 1 '>=')
[ "${L_ATTOP:-0}" = 1 ] && L_MET=MET

{
echo "lyncwatch benchmark  $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr); load at start: $LOAD0"
echo "command: top_srcdir=$top_srcdir top_builddir=$top_builddir bash bench/run.sh  (make bench; rounds $ROUNDS)"
echo "lyncwatch: $("$LW" --version 2>/dev/null | head -n 1); nDPI $(pkg-config --modversion libndpi 2>/dev/null || echo '?')"
echo
echo "Captures (tools/pcapgen; bench/out/cap):"
echo "  main      pcapgen bench OUT $MAIN_ARGS: $(fmt_int "$MAIN_PKTS") packets, $(fmt_int "$MAIN_FLOWS") 5-tuples, $(fmt_int "$MAIN_BYTES") bytes;"
echo "            lyncwatch's table peaks at $(fmt_int "$(peak_of main-nodpi)") flows (steady state ~100k)"
echo "  table-N   N one-packet TCP flows, then pcapgen bench $TABLE_MIX (N = $TABLE_SIZES)"
echo "  big       pcapgen bench OUT $BIG_ARGS (all 1M flows alive at the end)"
echo "  ipp       pcapgen bench OUT $IPP_ARGS (every flow complete)"
echo "  flood     pcapgen flood OUT $FLOOD_N (SYN flood + UDP port sweep, one 5-tuple per packet)"
echo "  deploy    pcapgen deploy OUT INV ANS $DEPLOY_FLOWS: $(fmt_int "${DEP_PKTS:-nan}") packets, $(fmt_int "${DEP_FLOWS_N:-nan}") flows; $(fmt_int "${DEP_MID:-nan}") of $(fmt_int "${DEP_TCP:-nan}") TCP flows"
echo "            mid-stream ($DEP_MIDPCT%; wanted >= 30%), $(fmt_int "${DEP_SIPSRV:-nan}") SIP-over-TCP flows between inventory servers (wanted > 0)"
echo
echo "1. Throughput on main, whole runs (wall time incl. start-up and final records), median of $ROUNDS alternating runs"
printf '  %-27s %12s %8s %10s %11s  %s\n' "" "packets/s" "x raw" "x ndpiRdr" "peak RSS" ""
row "rawread (pcap_next_ex)" "$R_RAW" main-raw "physical limit"
row "rawread -m hash" "$R_HASH" main-hash "+ decode to L4, 5-tuple hash lookup"
row "lyncwatch --no-dpi" "$R_NODPI" main-nodpi "ports, flows, labels, audit, JSON to /dev/null"
row "lyncwatch" "$R_FULL" main-full "+ nDPI inspection of every flow"
row "lyncwatch --dpi-scope audit" "$R_AUDIT" main-audit "nDPI only where it can change a verdict"
if [ "$HAVE_NDPI" = 1 ]; then
	row "ndpiReader -i FILE -q" "$R_NDPI" main-ndpi "the peer (Debian libndpi-bin)"
else
	echo "  ndpiReader               skipped: libndpi-bin is not installed and could not be"
fi
echo "   Records (--no-dpi, the same run with its flow records written; records/s over the whole run):"
NREC=$( [ -s "$W/records.json" ] && grep -c '"event_type":"flow"' "$W/records.json" || echo nan)
for k in json redis; do
	sec=$(get "main-$k.s")
	printf '  %-27s %12s records/s  (%s records, %s s)\n' "lyncwatch --no-dpi --$k" \
		"$(fmt_int "$(div "$NREC" "$sec" "%.0f")")" "$(fmt_int "$NREC")" "$sec"
done
[ -n "$REDIS_PORT" ] || echo "  (--redis skipped: redis-server is not installed)"
echo
echo "2. Packet path against the table size: the 500,000 packets (50,000 flows) of the mix of table-N, timed"
echo "   after its N one-packet flows (pktslice.so; the process ends after the slice: no final records), median of $SLICE_ROUNDS"
printf '  %-10s %12s %12s %12s %9s %9s %9s\n' "table" "raw pps" "hash pps" "no-dpi pps" "x raw" "hash/raw" "RSS MB"
for n in $TABLE_TIMED; do
	a=$(pps "t$n-raw" 500000); b=$(pps "t$n-hash" 500000); c=$(pps "t$n-nodpi" 500000)
	printf '  %-10s %12s %12s %12s %9s %9s %9s\n' "$(fmt_int "$n")+" "$(fmt_int "$a")" \
		"$(fmt_int "$b")" "$(fmt_int "$c")" "$(div "$c" "$a")" "$(div "$b" "$a")" "$(mb "$(get "t$n-nodpi.rss")")"
done
echo
echo "3. Memory"
RSS_A=$(get "t$TABLE_A-nodpi.rss"); RSS_B=$(get "t$TABLE_B-nodpi.rss")
BPF=$(awk -v a="$RSS_A" -v b="$RSS_B" -v n=$((TABLE_B - TABLE_A)) 'BEGIN { if (a == "nan" || b == "nan") print "n/a"; else printf "%.0f", (b - a) * 1024 / n }')
echo "  flow table, --no-dpi: (RSS with $(fmt_int $TABLE_B) flows - RSS with $(fmt_int $TABLE_A)) / $(fmt_int $((TABLE_B - TABLE_A))) = $BPF bytes per flow"
BIG_RSS=$(awk '{ print $1 }' "$W/big.time" 2>/dev/null)
BASE_RSS=$(awk '{ print $1 }' "$W/big-base.time" 2>/dev/null)
echo "  full mode, $(fmt_int $BIG_FLOWS) concurrent flows (big, at the end of input): peak RSS $(mb "${BIG_RSS:-nan}") MB;"
echo "    $(div "$(awk -v k="${BIG_RSS:-0}" -v b="${BASE_RSS:-0}" 'BEGIN { print (k - b) * 1024 }')" $BIG_FLOWS "%.0f") bytes per flow over the $(mb "${BASE_RSS:-nan}") MB of the same run stopped after one packet (-c 1)"
echo "  (the chains grow with the flows, 8 bytes x the power of two >= the flows: 8 to 16 bytes of each flow's figure; struct flow itself is 200)"
echo "  main: peak RSS --no-dpi $(mb "$(get main-nodpi.rss)") MB, full $(mb "$(get main-full.rss)") MB, ndpiReader $(mb "$(get main-ndpi.rss)") MB"
echo
if [ "$HAVE_VG" = 1 ]; then
echo "4. Instructions per packet (callgrind Ir, start-up excluded)"
P=$IPP_PKTS
echo "  ipp ($(fmt_int "$P") packets, $(fmt_int "$IPP_FLOWS") flows, each flow's record included):"
echo "    rawread $(ipp ipp-raw "$P"), rawread -m hash $(ipp ipp-rawhash "$P"), lyncwatch --no-dpi $(ipp ipp-nodpi "$P"), lyncwatch $(ipp ipp-full "$P")"
echo "    (these read through libpcap, which the slices watch; lyncwatch's own reader of classic pcap files,"
echo "    its default, saves $(div "$(( $(cat "$W/ipp-reader-libpcap.ir" 2>/dev/null || echo 0) - $(cat "$W/ipp-reader-own.ir" 2>/dev/null || echo 0) ))" "$P" "%.0f") instructions per packet: whole --no-dpi runs $(fmt_int "$(cat "$W/ipp-reader-own.ir" 2>/dev/null)") own, $(fmt_int "$(cat "$W/ipp-reader-libpcap.ir" 2>/dev/null)") libpcap)"
echo "  per record, the same runs (inclusive costs: report_flow on the packet thread + write_flow, every sink, on the writer):"
for m in nodpi full; do
	read -r rp rw rt rn <<< "$(rec_ir "ipp-$m")"
	printf '    %-8s %s records: packet thread %s + writer %s = %s instructions per record\n' \
		"$m" "$(fmt_int "$rn")" "$(fmt_int "$rp")" "$(fmt_int "$rw")" "$(fmt_int "$rt")"
done
printf '  flatness: the same 100k packets of the mix after N flows (records of the flows still open not included)\n'
printf '    %-8s' mode; for n in $TABLE_FLAT; do printf ' %10s' "$(fmt_int "$n")"; done; printf ' %8s\n' spread
for m in nodpi full; do
	printf '    %-8s' "$m"; vals=()
	for n in $TABLE_FLAT; do v=$(ipp "flat-$m-$n" 100000); vals+=("$v"); printf ' %10s' "$v"; done
	printf ' %7s%%\n' "$(spread "${vals[@]}")"
done
fi
echo
echo "5. Resource bounds (issue 6): flood, $(fmt_int "$FLOOD_N") distinct 5-tuples, --max-flows $(fmt_int "$FLOOD_MAX"), full mode"
FL_RSS=$(awk '{ print $1 }' "$W/flood.time" 2>/dev/null)
FL_SECS=$(awk '{ print $2 }' "$W/flood.time" 2>/dev/null)
if [ "$HAVE_JQ" = 1 ] && [ -s "$W/flood.stats" ]; then
	EVICTED=$(jq -r '.stats.flows.evicted' "$W/flood.stats")
	PEAKF=$(jq -r '.stats.flows.peak_active' "$W/flood.stats")
	PEAKS=$(jq -r '.stats.ndpi.peak_states // "n/a"' "$W/flood.stats")
else
	EVICTED=$(grep -o '"evicted":[0-9]*' "$W/flood.stats" 2>/dev/null | head -n 1 | cut -d: -f2)
	PEAKF=n/a PEAKS=n/a
fi
echo "  peak RSS $(mb "${FL_RSS:-nan}") MB; evicted $(fmt_int "${EVICTED:-nan}") (.stats.flows.evicted); table peak $(fmt_int "${PEAKF:-nan}"); nDPI states peak $PEAKS; $(div "$FLOOD_N" "${FL_SECS:-nan}" "%.0f") packets/s (wall, run alongside phase 2)"
echo "  peak RSS (MB) / packets/s by 250k packets:"
awk '/^pktslice: at/ { n = $3; t = $6; kb = $8; printf "    %8d  %6.0f MB  %9.0f pkt/s\n", n, kb / 1024, (n - pn) / (t - pt); pn = n; pt = t }' "$W/flood.err" 2>/dev/null
if [ "$HAVE_VG" = 1 ]; then
	echo "  instructions per packet (callgrind, first $(fmt_int "$FLOOD_IPP_N") packets of the flood, slices of 2,000):"
	echo "    from 0 (empty table) $(ipp flood-ipp 2000 1), from 90k (filling) $(ipp flood-ipp 2000 2), from 100k (full: each packet evicts) $(ipp flood-ipp 2000 3), from 128k $(ipp flood-ipp 2000 4)"
fi
echo
echo "6. Port matcher (bench/pmbench: portmatch_lookup; ns per lookup, timed; instructions per lookup, callgrind;"
echo "   hits = rules returned per lookup)"
while read -r _ r q ns mlps hits; do
	ipl=$(awk -v k="$r $q" '$1 " " $2 == k { print $3 }' "$W/pmbench.ipl" 2>/dev/null)
	printf '  %-12s %-24s %-14s %-14s %-12s instructions=%s\n' "$r" "$q" "$ns" "$mlps" "$hits" "${ipl:-n/a}"
done < "$W/pmbench.txt"
echo
echo "7. Deployment-scale capture (deploy), whole runs, records to a JSON file, median of $ROUNDS alternating runs"
printf '  %-30s %12s %8s %10s %11s  %s\n' "" "packets/s" "x hash" "x ndpiRdr" "peak RSS" ""
drow "rawread -m hash" "$D_HASH" dep-hash "decode to L4 + 5-tuple hash: the --no-dpi reference"
drow "lyncwatch --workers 1" "$D_FULL1" dep-full1 "full mode (nDPI)"
drow "lyncwatch --no-dpi --workers 1" "$D_NODPI1" dep-nodpi1 ""
drow "  the same, LYNCWATCH_THP=0" "$D_NODPI1_NOTHP" dep-nodpi1-nothp "the heap in 4 KiB pages (not a target row)"
drow "  rawread -m hash, hugetlb=1" "$D_HASH_THP" dep-hash-thp "the loop with glibc's huge-page heap (not a target row)"
case $DEP_WORKERS in
*2*) drow "lyncwatch --workers 2" "$D_FULL2" dep-full2 "full mode (nDPI)"
     drow "lyncwatch --no-dpi --workers 2" "$D_NODPI2" dep-nodpi2 "";;
*)   echo "  lyncwatch --workers 2          skipped: this lyncwatch refuses -r with --workers 2 ($(head -n 1 "$W/workers-probe.err"))";;
esac
if [ "$HAVE_NDPI" = 1 ]; then
	drow "ndpiReader -i FILE -q" "$D_NDPI" dep-ndpi "the full-mode reference"
else
	echo "  ndpiReader                     skipped: libndpi-bin is not installed"
fi
echo
echo "8. Live rate ladder (bench/live.sh; the deploy capture's first packets)"
cat "$OUT/live.txt" 2>/dev/null || echo "  (no output)"
echo
echo "Targets"
V1=$(div "$(pps "t$TABLE_A-nodpi" 500000)" "$(pps "t$TABLE_A-raw" 500000)")
V1M=$(div "$R_NODPI" "$R_RAW")
V2=$(div "$(pps "t$TABLE_B-nodpi" 500000)" "$(pps "t$TABLE_B-raw" 500000)")
V3=$(div "$R_FULL" "$R_NDPI")
BIGMB=$(mb "${BIG_RSS:-nan}")
printf '  %-62s %-8s %s\n' "--no-dpi >= 0.6x raw, ~100k flows (table-$TABLE_A slice)" "$(verdict "$V1" 0.6 '>=')" "${V1}x"
printf '  %-62s %-8s %s\n' "--no-dpi >= 0.6x raw, ~100k flows (main, whole run)" "$(verdict "$V1M" 0.6 '>=')" "${V1M}x"
printf '  %-62s %-8s %s\n' "--no-dpi >= 0.45x raw, ~800k flows (table-$TABLE_B slice)" "$(verdict "$V2" 0.45 '>=')" "${V2}x"
H1=$(div "$(pps "t$TABLE_A-hash" 500000)" "$(pps "t$TABLE_A-raw" 500000)")
H1N=$(div "$(pps "t$TABLE_A-nodpi" 500000)" "$(pps "t$TABLE_A-hash" 500000)")
H2N=$(div "$(pps "t$TABLE_B-nodpi" 500000)" "$(pps "t$TABLE_B-hash" 500000)")
echo "    (the targets' reference, the bare decode+hash loop, itself reaches ${H1}x raw on this machine;"
echo "     against that loop --no-dpi reaches ${H1N}x at ~100k flows and ${H2N}x at ~800k)"
printf '  %-62s %-8s %s\n' "full mode >= 4x ndpiReader (main)" "$(verdict "$V3" 4 '>=')" "${V3}x"
V4=$(div "$D_FULL1" "$D_NDPI"); V5=$(div "$D_FULL2" "$D_NDPI")
V6=$(div "$D_NODPI1" "$D_HASH"); V7=$(div "$D_NODPI2" "$D_HASH")
printf '  %-62s %-8s %s\n' "deploy: full mode >= 6x ndpiReader, 1 worker" "$(verdict "$V4" 6 '>=')" "${V4}x"
printf '  %-62s %-8s %s\n' "deploy: full mode >= 10x ndpiReader, --workers 2" "$(verdict "$V5" 10 '>=')" "${V5}x"
printf '  %-62s %-8s %s\n' "deploy: --no-dpi >= 0.8x rawread -m hash, 1 worker" "$(verdict "$V6" 0.8 '>=')" "${V6}x"
printf '  %-62s %-8s %s\n' "deploy: --no-dpi >= 1.5x rawread -m hash, --workers 2" "$(verdict "$V7" 1.5 '>=')" "${V7}x"
printf '  %-62s %-8s %s\n' "deploy: >= 30% of TCP flows mid-stream, SIP/TCP between servers" \
	"$(awk -v p="$DEP_MIDPCT" -v n="${DEP_SIPSRV:-0}" 'BEGIN { if (p == "n/a") print "n/a"; else print (p + 0 >= 30 && n + 0 > 0) ? "MET" : "MISSED" }')" "$DEP_MIDPCT%, $(fmt_int "${DEP_SIPSRV:-nan}")"
printf '  %-62s %-8s %s\n' "live, 1 worker: lossless >= min(0.7x offline, top speed) pps" \
	"$L_MET" "$(fmt_int "$L_BEST") pps, goal $(fmt_int "$L_GOAL") (offline $(fmt_int "$L_OFF"), top $(fmt_int "$L_TOP")$([ "${L_ATTOP:-0}" = 1 ] && echo ', lossless at top speed'))"
printf '  %-62s %-8s %s\n' "flow table <= 200 bytes per flow (--no-dpi)" "$(verdict "$BPF" 200 '<=')" "$BPF B"
printf '  %-62s %-8s %s\n' "$(fmt_int $BIG_FLOWS) concurrent flows <= 512 MB RSS, full mode" "$(verdict "$BIGMB" 512 '<=')" "$BIGMB MB"
if [ "$HAVE_VG" = 1 ]; then
	for m in nodpi full; do
		vals=(); for n in $TABLE_FLAT; do vals+=("$(ipp "flat-$m-$n" 100000)"); done
		s=$(spread "${vals[@]}")
		printf '  %-62s %-8s %s\n' "instructions/packet flat, tables $(echo $TABLE_FLAT | tr ' ' /), $m (<= 20%)" "$(verdict "$s" 20 '<=')" "$s%"
	done
	read -r _ _ rt _ <<< "$(rec_ir ipp-nodpi)"
	printf '  %-62s %-8s %s\n' "record path <= 4,000 instructions per record (--no-dpi, ipp)" "$(verdict "$rt" 4000 '<=')" "$rt"
fi
echo
echo "Phase-2 jobs (seconds, two at a time): $(for f in "$W"/*.secs; do j=${f##*/}; printf '%s %s, ' "${j%.secs}" "$(cat "$f")"; done | sed 's/, $//')"
echo "Elapsed: $(awk -v a="$T0" -v b="$EPOCHREALTIME" -v t1="$T1" -v t2="$T2" -v t3="$T3" -v t4="$T4" 'BEGIN { printf "%.0f s (captures %.0f s, counts and memory %.0f s, timed rounds %.0f s, live %.0f s)", b - a, t1 - a, t2 - t1, t3 - t2, t4 - t3 }')  (logs and raw samples: $W; callgrind files: $CG)"
} > "$OUT/results.txt"

# Where the time goes: callgrind_annotate of the ipp runs.
if [ "$HAVE_VG" = 1 ]; then
	for m in full nodpi; do
		f=$(cat "$W/ipp-$m.file" 2>/dev/null) || continue
		{ callgrind_annotate "$f" 2>/dev/null | sed -n '/file:function/,$p' | head -n 32
		  echo; echo "inclusive:"
		  callgrind_annotate --inclusive=yes "$f" 2>/dev/null | sed -n '/file:function/,$p' | head -n 40
		} > "$OUT/profile-$m.txt"
	done
fi
cat "$OUT/results.txt"
