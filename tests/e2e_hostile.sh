#!/bin/sh
# Issue 15's reproductions of a hostile network and a hostile local user,
# each failing on the code before the fix:
#  1. packet bytes never reach a terminal raw: an HTTP flow to TCP 3389
#     whose Host holds 28 backspaces, "ok" and ESC[8m; Hosts with invalid
#     UTF-8, U+009B and Japanese; an inventory name with ESC.  The -v lines
#     hold no control byte, C1 control or invalid UTF-8; every JSON record
#     parses from strict UTF-8 (Python) with no raw control.
#  3. nDPI's memory is counted (reassembly included) and bounded: 2,000
#     flows each stopping inside a 16 KB TLS record; without a cap the
#     summary's memory peak counts their buffers (> 15 KB a flow); with
#     --max-inspect 1000 at most 1000 states live, the rest are counted as
#     held back, and the peak stays under 1000 x 17 KB over the module.
#  4. signals lose nothing: a SIGUSR1/SIGHUP flood while `-r -` reads a slow
#     pipe, and while --json - goes to a slow reader: same records as a
#     quiet run, every line valid JSON, exit 0.
#  5. output paths (as root, with nobody as the other user; skipped
#     otherwise): a directory symlink planted by nobody in a /tmp-like
#     directory, a symlink to a root-only file, a FIFO (refused, no hang),
#     a 0666 file (cut to 0640); the log is appended to, --json-truncate
#     empties it.
#  6. reloads do not leak: a live run (-i lo in a network namespace of its
#     own; root and unshare, skipped otherwise) takes 4,200 SIGHUPs of a
#     small rule file: none refused ("too many reloads" came after 4,096),
#     the process grows by less than 30 MB (every ruleset was kept: 41 KB
#     each), and it still exits 0.
#  7. -Z with -r (root only): the inputs (a 0600 file in a 0700 directory)
#     and outputs are opened as root, then the process runs as nobody.
# Needs python3 (tests/hostile.py crafts the captures and checks the bytes).
. "$(dirname "$0")/lib.sh"
need_jq
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
HP="python3 $top_srcdir/tests/hostile.py"
DEMO=$PCAPS/demo.pcap
INV=$PCAPS/demo.inventory
# has FILE JQ-EXPR: the expression is true of the whole file (slurped).
has() { [ "$(jq -s "$2" "$1" 2>/dev/null)" = true ]; }

# ------------------------------------------------ 1. escaping
bs=$(printf '\\x08%.0s' $(seq 28))
$HP http "$TMP/host.pcap" "a${bs}ok\\x1b[8m" 'caf\xff.test' 'x\xc2\x9b31m.test' \
	'x\xe6\x97\xa5.test' 'bad\xc0\xaf\xed\xa0\x80.test' 'rlo\xe2\x80\xaeexe.test'
sed 's/^\(198\.18\.10\.11 .*\) fe1$/\1 fe1\x1b[8m\xc2\x9b\xff/' "$INV" > "$TMP/esc.inventory"
check "inventory with ESC made" grep -q "$(printf 'fe1\033')" "$TMP/esc.inventory"
"$LW" -v --no-progress --inventory "$TMP/esc.inventory" -r "$TMP/host.pcap" \
	> "$TMP/host.txt" 2>&1
check "-v: six flows to 3389" [ "$(grep -c ' -> 198.18.10.11:3389 ' "$TMP/host.txt")" -eq 6 ]
check "-v: no control byte, C1 or invalid UTF-8 in the text" $HP clean "$TMP/host.txt"
check "-v: the backspaces shown as \\x08" grep -q 'host=a\\x08\\x08.*ok\\x1b\[8m' "$TMP/host.txt"
check "-v: U+009B shown as \\xc2\\x9b" grep -q 'host=x\\xc2\\x9b31m.test' "$TMP/host.txt"
check "-v: Japanese kept" grep -q "host=x$(printf '\346\227\245').test" "$TMP/host.txt"
check "-v: the inventory name escaped in the reason" \
	grep -q 'fe1\\x1b\[8m\\xc2\\x9b\\xff (198.18.10.11)' "$TMP/host.txt"
"$LW" --no-progress --json - --inventory "$TMP/esc.inventory" -r "$TMP/host.pcap" \
	-r "$DEMO" > "$TMP/host.json" 2>/dev/null
n=$($HP strict "$TMP/host.json" 2>"$TMP/strict.err")
check "JSON: every record strict UTF-8, no raw control ($n lines; $(cat "$TMP/strict.err"))" \
	[ "${n:-0}" -ge 48 ]
check "JSON: invalid byte as \\u00ff" grep -q 'caf\\u00ff.test' "$TMP/host.json"
check "JSON: U+009B as \\u009b" grep -q 'x\\u009b31m.test' "$TMP/host.json"

# ------------------------------------------------ 3. nDPI memory
$HP tlsflood "$TMP/flood.pcap" 2000 11
ndpi() { "$LW" --no-progress --json - -r "$TMP/flood.pcap" "$@" 2>/dev/null | tail -n 1 |
	jq -c '.stats.ndpi | [.peak_states, .limited, .memory_peak, .memory_module]'; }
# bounded STATES HELD MIN MAX -- PEAK_STATES LIMITED PEAK MODULE: the run
# kept STATES states, held back more than HELD packets, and nDPI's peak
# over the module lies in [MIN, MAX) bytes.
bounded() {
	[ "${5:-0}" -eq "$1" ] && [ "${6:-0}" -gt "$2" ] &&
		[ $((${7:-0} - ${8:-0})) -ge "$3" ] && [ $((${7:-0} - ${8:-0})) -lt "$4" ]
}
r=$(ndpi --max-inspect 0 | tr -d '[]' | tr , ' ')
# shellcheck disable=SC2086 # r is four numbers
check "no cap: 2000 states, memory peak counts the buffers ($r)" \
	bounded 2000 -1 $((2000 * 15000)) $((2000 * 17000)) $r
r=$(ndpi --max-inspect 1000 | tr -d '[]' | tr , ' ')
# shellcheck disable=SC2086
check "--max-inspect 1000: 1000 states, the rest held back, peak bounded ($r)" \
	bounded 1000 0 $((1000 * 15000)) $((1000 * 17000)) $r
check "--help states the default --max-inspect" sh -c "'$LW' --help | grep -q 'default 8192'"

# ------------------------------------------------ 4. signals
# flood PID: SIGUSR1 and SIGHUP to PID every few ms while it lives (from
# 0.5 s on: the run has started).
flood() {
	sleep 0.5
	while kill -USR1 "$1" 2>/dev/null && kill -HUP "$1" 2>/dev/null; do
		sleep 0.002
	done
}
"$LW" --no-progress --json - -r "$DEMO" 2>/dev/null | jq -c 'select(.event_type == "flow")
	| del(.lync.seconds)' > "$TMP/quiet.flows"
mkfifo "$TMP/in.fifo"
$HP slowcat "$DEMO" 512 0.01 > "$TMP/in.fifo" &
"$LW" --no-progress --json "$TMP/pipe.json" -r - < "$TMP/in.fifo" > "$TMP/pipe.out" 2> "$TMP/pipe.err" &
pid=$!
flood "$pid" &
wait "$pid"; rc=$?
check "-r - from a slow pipe under SIGUSR1/SIGHUP: exit 0 (got $rc; $(head -c 300 "$TMP/pipe.err"))" [ "$rc" -eq 0 ]
check "-r - under signals: 519 packets read" has "$TMP/pipe.json" \
	'map(select(.event_type == "stats")) | .[-1].stats.packets == 519'
jq -c 'select(.event_type == "flow") | del(.lync.seconds)' "$TMP/pipe.json" > "$TMP/pipe.flows"
check "-r - under signals: the same flow records as a quiet run" cmp -s "$TMP/quiet.flows" "$TMP/pipe.flows"

mkfifo "$TMP/out.fifo"
$HP slowread 4096 0.004 < "$TMP/out.fifo" > "$TMP/slow.json" &
rd=$!
set -- ; for i in 1 2 3 4 5 6 7 8 9 10; do set -- "$@" -r "$DEMO"; done
"$LW" --no-progress --json - "$@" 2>/dev/null | jq -c 'select(.event_type == "flow")
	| del(.lync.seconds)' > "$TMP/quiet10.flows"
"$LW" --no-progress --json - "$@" > "$TMP/out.fifo" 2> "$TMP/slow.err" &
pid=$!
flood "$pid" &
wait "$pid"; rc=$?
wait "$rd"
check "--json - to a slow reader under signals: exit 0 (got $rc; $(head -c 300 "$TMP/slow.err"))" [ "$rc" -eq 0 ]
n=$($HP strict "$TMP/slow.json" 2>"$TMP/strict.err")
want=$(($(wc -l < "$TMP/quiet10.flows") + 1))
check "--json - under signals: every line valid JSON (${n:-0} of $want; $(cat "$TMP/strict.err"))" \
	[ "${n:-0}" -eq "$want" ]
jq -c 'select(.event_type == "flow") | del(.lync.seconds)' "$TMP/slow.json" > "$TMP/slow.flows"
check "--json - under signals: the same flow records as a quiet run" cmp -s "$TMP/quiet10.flows" "$TMP/slow.flows"

# ------------------------------------------------ 6. reloads
cat > "$TMP/tiny.rules" <<'EOF'
[role all-servers]
name.en = All servers
name.ja = All servers

[rule t-01]
table = server
role = all-servers
role.en = All Servers
role.ja = All Servers
service.en = Test
service.ja = Test
l4 = tcp
port = 4444
protocol.en = TCP
protocol.ja = TCP
app = unspecified
status = required
note.en = a test
note.ja = a test
EOF
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 ||
   ! unshare -n true 2>/dev/null; then
	echo "SKIP (reloads): needs root and unshare -n (a live capture on a private lo)"
elif grep -q __asan_init "$LW" 2>/dev/null; then
	echo "SKIP (reloads): an AddressSanitizer build (its quarantine keeps what is freed; slow)"
else
	unshare -n sh -c "ip link set lo up; exec '$LW' --rules '$TMP/tiny.rules' -i lo \
		--no-progress --stats-interval 0" > /dev/null 2> "$TMP/hup.err" &
	pid=$!
	sleep 1
	r0=$(rss "$pid") n=0 i=0
	while [ "$n" -lt 4200 ] && [ "$i" -lt 3000 ] && kill -0 "$pid" 2>/dev/null; do
		j=0
		while [ $j -lt 200 ]; do kill -HUP "$pid" 2>/dev/null; j=$((j + 1)); done
		sleep 0.05
		n=$(grep -c '^lyncwatch: reloaded' "$TMP/hup.err")
		i=$((i + 1))
	done
	r1=$(rss "$pid")
	kill -TERM "$pid"; wait "$pid"; rc=$?
	check "reloads: 4,200 done ($n)" [ "$n" -ge 4200 ]
	check "reloads: none refused" sh -c "! grep -q 'too many reloads' '$TMP/hup.err'"
	check "reloads: grew ${r0:-?} -> ${r1:-?} kB (< 30 MB)" [ $((${r1:-999999} - ${r0:-0})) -lt 30000 ]
	check "reloads: exit 0 (got $rc)" [ "$rc" -eq 0 ]
fi

# ------------------------------------------------ 7. -Z with -r
if [ "$(id -u)" -ne 0 ] || ! getent passwd nobody >/dev/null 2>&1; then
	echo "SKIP (-Z with -r): needs root and the user nobody"
else
	mkdir -m 0700 "$TMP/z"
	cp "$DEMO" "$TMP/z/in.pcap"; chmod 0600 "$TMP/z/in.pcap"
	"$LW" -Z nobody -r "$TMP/z/in.pcap" --json "$TMP/z/z.json" > /dev/null 2>&1; rc=$?
	check "-Z nobody -r: exit 0 (got $rc)" [ "$rc" -eq 0 ]
	check "-Z nobody -r: 41 flow records" [ "$(grep -c '"event_type":"flow"' "$TMP/z/z.json")" -eq 41 ]
	check "-Z nobody -r: JSON created by root, 0640" [ "$(stat -c '%u %a' "$TMP/z/z.json")" = "0 640" ]
	# dropped: polled while it reads a slow pipe (about 5 s)
	is_nobody() {
		zpid=$(pgrep -n -f "^$LW -Z nobody -r -") &&
			grep -q '^Uid:[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534' "/proc/$zpid/status"
	}
	$HP slowcat "$DEMO" 512 0.04 | "$LW" -Z nobody -r - > /dev/null 2>&1 &
	k=0
	while [ $k -lt 40 ] && ! is_nobody; do sleep 0.1; k=$((k + 1)); done
	check "-Z nobody -r -: runs as uid 65534 while it reads" is_nobody
	wait
	expect_fail "-Z root -r refused" 2 "refusing to drop privileges to root" \
		"$LW" -Z root -r "$DEMO"
fi

# ------------------------------------------------ 5. output paths
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	echo "SKIP (output paths): needs root and setpriv (a second user, nobody)"
	finish; exit
fi
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
chmod 0755 "$TMP"
PUB=$TMP/pub SECRET=$TMP/secret
mkdir -m 1777 "$PUB"; mkdir -m 0700 "$SECRET"
echo precious > "$SECRET/keep.json"
nobody ln -s "$SECRET" "$PUB/lwdir"
expect_fail "a directory symlink planted by nobody" 2 "lwdir is a symbolic link" \
	"$LW" --json "$PUB/lwdir/x.json" -r "$DEMO"
check "nothing created through it" [ ! -e "$SECRET/x.json" ]
nobody ln -s "$SECRET/keep.json" "$PUB/keep.json"
expect_fail "a symlink to a root-only file" 2 "is a symbolic link" \
	"$LW" --json-truncate --json "$PUB/keep.json" -r "$DEMO"
check "its target kept" [ "$(cat "$SECRET/keep.json")" = precious ]
ln -s keep.json "$SECRET/link.json"
expect_fail "a symlink even in a root-only directory" 2 "is a symbolic link" \
	"$LW" --json "$SECRET/link.json" -r "$DEMO"
# A directory swapped for a symlink while lyncwatch opens: never followed.
mkdir -m 0777 "$PUB/swap"
( i=0; while [ $i -lt 400 ]; do
	nobody sh -c "mv '$PUB/swap' '$PUB/swap.d' 2>/dev/null; ln -s '$SECRET' '$PUB/swap' 2>/dev/null;
		rm -f '$PUB/swap' 2>/dev/null; mv '$PUB/swap.d' '$PUB/swap' 2>/dev/null"
	i=$((i + 1)); done ) &
swapper=$!
i=0
while [ $i -lt 60 ]; do
	"$LW" -c 1 --json "$PUB/swap/r.json" -r "$DEMO" > /dev/null 2>&1
	i=$((i + 1))
done
kill "$swapper" 2>/dev/null; wait "$swapper" 2>/dev/null
check "a swapped directory: nothing written into the root-only directory" [ ! -e "$SECRET/r.json" ]
nobody mkfifo "$PUB/fifo.json"
expect_fail "a FIFO refused, without hanging" 2 "FIFO" \
	timeout 10 "$LW" --json "$PUB/fifo.json" -r "$DEMO"
echo '{"old":1}' > "$TMP/log.json"; chmod 0666 "$TMP/log.json"
"$LW" --json "$TMP/log.json" -r "$DEMO" > /dev/null 2>&1
check "a 0666 log cut to 0640 ($(stat -c %a "$TMP/log.json"))" [ "$(stat -c %a "$TMP/log.json")" = 640 ]
check "the log appended to: yesterday's line first" [ "$(head -n 1 "$TMP/log.json")" = '{"old":1}' ]
check "the log appended to: 1 + 42 lines" [ "$(wc -l < "$TMP/log.json")" -eq 43 ]
"$LW" --json-truncate --json "$TMP/log.json" -r "$DEMO" > /dev/null 2>&1
check "--json-truncate: 42 lines" [ "$(wc -l < "$TMP/log.json")" -eq 42 ]
finish
