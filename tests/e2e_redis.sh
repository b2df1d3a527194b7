#!/bin/sh
# The Redis output (--redis) against a real redis-server started here, on a
# loopback port and on a unix socket in $TMP, stopped at the end: every
# record of a capture arrives once and in order (list, lpush and channel
# modes), exactly as the JSON file has it; Redis absent at start is exit 2;
# Redis killed in the middle of a run and started again: lyncwatch goes on,
# reconnects, and delivered + dropped = the records written before the
# final stats record (which says so, as does the text summary).
. "$(dirname "$0")/lib.sh"
command -v redis-server >/dev/null 2>&1 || skip "redis-server is not installed (Debian: redis-server)"
command -v redis-cli >/dev/null 2>&1 || skip "redis-cli is not installed (Debian: redis-tools)"
need_jq
GEN="$top_builddir/tools/pcapgen/pcapgen"
PORT=$((20000 + $$ % 20000))
SOCK="$TMP/redis.sock"
RPID=

# start_redis: a throw-away server on $PORT and $SOCK (no persistence),
# killed after 120 s at the latest.
start_redis() {
	timeout 120 redis-server --port "$PORT" --bind 127.0.0.1 \
		--unixsocket "$SOCK" --unixsocketperm 700 --save '' \
		--appendonly no --daemonize no > "$TMP/redis.log" 2>&1 3>&- &
	RPID=$!
	for _ in $(seq 50); do
		[ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ] && return 0
		sleep 0.1
	done
	cat "$TMP/redis.log"
	return 1
}
stop_redis() {
	[ -n "$RPID" ] || return 0
	kill "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=
}
trap 'stop_redis; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

start_redis || { fail "redis-server did not start"; finish; exit 1; }
R="redis-cli -p $PORT"

# ---- list mode over TCP: the list is the JSON file, line for line
"$LW" -r "$PCAPS/demo.pcap" --json "$TMP/a.json" --redis "127.0.0.1:$PORT" \
	--prom-file "$TMP/a.prom" > "$TMP/a.sum" 2> "$TMP/a.err" || { cat "$TMP/a.err"; fail "list run"; }
$R --raw lrange lyncwatch 0 -1 > "$TMP/a.redis"
check "list: every record once, in order" cmp -s "$TMP/a.json" "$TMP/a.redis"
check "list: records there" [ "$(wc -l < "$TMP/a.json")" -gt 10 ]
n=$(($(wc -l < "$TMP/a.json") - 1))
check "list: stats record counts them delivered" \
	[ "$(tail -1 "$TMP/a.json" | jq -c .stats.redis)" = \
	  "{\"delivered\":$n,\"dropped\":0,\"reconnects\":0,\"pending\":0}" ]
check "list: text summary says so" \
	grep -q "^redis      $n records delivered, 0 dropped, 0 reconnects" "$TMP/a.sum"
check "list: --prom-file says so" \
	grep -q "^lyncwatch_redis_delivered_records_total $n\$" "$TMP/a.prom"

# ---- lpush mode over the unix socket, with another key: reversed
"$LW" -r "$PCAPS/demo.pcap" --redis "unix:$SOCK" --redis-key lw-b \
	--redis-mode lpush > /dev/null 2> "$TMP/b.err" || { cat "$TMP/b.err"; fail "lpush run"; }
# The flow records are the same as the JSON file's; the stats record (the
# last) differs in its timing only.
flows() { grep -v '"event_type":"stats"' "$1"; }
flows "$TMP/a.json" > "$TMP/a.flows"
$R --raw lrange lw-b 0 -1 | tac > "$TMP/b.redis"
flows "$TMP/b.redis" > "$TMP/b.flows"
check "lpush over a unix socket: every flow record once, in order" \
	cmp -s "$TMP/a.flows" "$TMP/b.flows"
check "lpush: the stats record last" \
	[ "$(tail -1 "$TMP/b.redis" | jq -r .event_type)" = stats ]
check "lpush: one line per record" \
	[ "$(wc -l < "$TMP/b.redis")" -eq "$(wc -l < "$TMP/a.json")" ]

# ---- channel mode: a subscriber started before the run sees every record
timeout 20 redis-cli -s "$SOCK" --raw subscribe lw-c > "$TMP/c.sub" 2>&1 &
SUB=$!
for _ in $(seq 50); do
	[ "$($R pubsub numsub lw-c | tail -1)" = 1 ] && break
	sleep 0.1
done
"$LW" -r "$PCAPS/demo.pcap" --redis "unix:$SOCK" --redis-key lw-c \
	--redis-mode channel > /dev/null 2> "$TMP/c.err" || { cat "$TMP/c.err"; fail "channel run"; }
sleep 0.5
kill "$SUB" 2>/dev/null
wait "$SUB" 2>/dev/null
awk 'NR > 3 && (NR - 3) % 3 == 0' "$TMP/c.sub" > "$TMP/c.redis"
flows "$TMP/c.redis" > "$TMP/c.flows"
check "channel: every flow record once, in order" cmp -s "$TMP/a.flows" "$TMP/c.flows"
check "channel: one message per record" \
	[ "$(wc -l < "$TMP/c.redis")" -eq "$(wc -l < "$TMP/a.json")" ]

# ---- Redis absent at start: a clear error, exit 2
expect_fail "no Redis at start" 2 "cannot connect" \
	"$LW" -r "$PCAPS/demo.pcap" --redis "unix:$TMP/none.sock"
expect_fail "bad --redis" 2 "want HOST" "$LW" -r "$PCAPS/demo.pcap" --redis "h:99999"
expect_fail "bad --redis-mode" 2 "want list" "$LW" -r "$PCAPS/demo.pcap" \
	--redis "127.0.0.1:$PORT" --redis-mode stream

# ---- Redis killed mid-run and started again: a capture (3000 flows over
# 60 s of packet time, short timeouts: records all along) fed through a
# pipe, half of it, Redis killed, a quarter more (more records than
# --redis-buffer keeps: some are dropped), Redis back, the rest.
if [ -x "$GEN" ]; then
	"$GEN" bench "$TMP/d.pcap" 60000 3000 100 1000 > /dev/null 2>&1
	size=$(wc -c < "$TMP/d.pcap")
	mkfifo "$TMP/fifo"
	"$LW" -r - --json "$TMP/d.json" --redis "127.0.0.1:$PORT" --redis-key lw-d \
		--tcp-timeout 5 --udp-timeout 5 --tcp-closed-timeout 1 \
		--redis-buffer 200 < "$TMP/fifo" > "$TMP/d.sum" 2> "$TMP/d.err" &
	LWPID=$!
	exec 3> "$TMP/fifo"
	head -c $((size / 2)) "$TMP/d.pcap" >&3
	sleep 1
	check "records delivered before the loss" \
		[ "$($R llen lw-d)" -gt 0 ]
	stop_redis
	tail -c +$((size / 2 + 1)) "$TMP/d.pcap" | head -c $((size / 4)) >&3
	sleep 1
	check "lyncwatch keeps running without Redis" kill -0 "$LWPID"
	start_redis || fail "redis-server did not start again"
	sleep 0.5
	tail -c +$((size / 2 + size / 4 + 1)) "$TMP/d.pcap" >&3
	exec 3>&-
	wait "$LWPID"
	check "run with Redis lost: exit 0" [ $? -eq 0 ]
	written=$(($(wc -l < "$TMP/d.json") - 1))
	tail -1 "$TMP/d.json" | jq -c .stats.redis > "$TMP/d.stats"
	del=$(jq .delivered "$TMP/d.stats")
	drop=$(jq .dropped "$TMP/d.stats")
	check "delivered + dropped = records written ($del + $drop = $written)" \
		[ "$((del + drop))" -eq "$written" ]
	check "the loss was seen and counted as a reconnect" \
		[ "$(jq .reconnects "$TMP/d.stats")" -ge 1 ]
	check "records beyond --redis-buffer dropped and counted" [ "$drop" -gt 0 ]
	check "the loss was reported" grep -q "redis: .*retrying" "$TMP/d.err"
	check "text summary: delivered, dropped" \
		grep -q "^redis      $del records delivered, $drop dropped" "$TMP/d.sum"
	# What the new server got is the end of the JSON file, in order.
	$R --raw lrange lw-d 0 -1 > "$TMP/d.redis"
	got=$(wc -l < "$TMP/d.redis")
	check "records after the restart arrive" [ "$got" -gt 0 ]
	# Records dropped while Redis was away leave a gap: what the new
	# server got is the JSON file's flow records in order, each once, with
	# the gap, and its last ones contiguous to the end.
	flows "$TMP/d.redis" > "$TMP/d.rflows"
	flows "$TMP/d.json" > "$TMP/d.jflows"
	check "after the restart: records in order, once, the last ones all there" \
		python3 -c '
import sys
want = open(sys.argv[1]).read().splitlines()
got = open(sys.argv[2]).read().splitlines()
pos = {line: i for i, line in enumerate(want)}
idx = [pos.get(line, -1) for line in got]
ok = len(set(got)) == len(got) and min(idx) >= 0 and idx == sorted(idx)
ok = ok and idx[-1] == len(want) - 1
sys.exit(0 if ok else 1)' "$TMP/d.jflows" "$TMP/d.rflows"
else
	echo "SKIP: tools/pcapgen/pcapgen is not built: no kill-and-restart case"
fi
finish
