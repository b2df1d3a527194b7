#!/bin/sh
# Large rule files, generated here: the port matcher's cap is enforced at
# load (a file:line error, by --check-rules too), a file within it loads,
# loading is linear (time and memory printed, not asserted), and a reload
# of a file over the cap keeps the daemon and its rules.
. "$(dirname "$0")/lib.sh"
DEMO="$PCAPS/demo.pcap"

# gen_rules SHAPE N: N rules of one generated role to stdout.
#   cover: four range items that partition 1-65535 at cut points that move
#          with the rule, so that the segments fill all 65,536 ports and every
#          rule covers each of them (the file of issue 15: 82,475 such rules,
#          16 MB, wrapped the old 32-bit offsets);
#   mixed: four single ports in five rules, a range of 2..501 ports in one.
gen_rules() {
	awk -v shape="$1" -v n="$2" 'BEGIN {
		print "[role gen]\nname.en = Generated\nname.ja = Generated\n"
		for (k = 1; k <= n; k++) {
			m = (k - 1) % 21843
			if (shape == "cover") {
				a = 2 + m; b = 21846 + m; c = 43690 + m
				port = "1-" a "," a + 1 "-" b "," b + 1 "-" c "," c + 1 "-65535"
				l4 = "tcp"
			} else if (k % 5 == 0) {
				lo = 1 + (k * 104729) % 65000
				port = lo "-" lo + 1 + k % 500; l4 = "udp"
			} else {
				port = 1 + (k * 7919) % 65535; l4 = "tcp,udp"
			}
			printf "[rule r%d]\ntable = server\nrole = gen\nl4 = %s\n", k, l4
			printf "port = %s\napp = tls\nrole.en = g\nrole.ja = g\n", port
			printf "service.en = s\nservice.ja = s\nprotocol.en = p\n"
			printf "protocol.ja = p\nnote.en = n\nnote.ja = n\n\n"
		}
	}'
}

# measure NAME FILE: --check-rules FILE, with its wall time and peak RSS
# printed (exit status in $rc, stdout in $TMP/o, stderr in $TMP/e).
measure() {
	/usr/bin/time -f '%e %M' -o "$TMP/time" "$LW" --check-rules "$2" \
		> "$TMP/o" 2> "$TMP/e"
	rc=$?
	read -r secs kib <<-EOT
	$(tail -n 1 "$TMP/time")
	EOT
	echo "measure: $1: $(wc -l < "$2") lines, $(($(wc -c < "$2") / 1024)) KiB:" \
	     "--check-rules exit $rc in ${secs} s, peak RSS $((kib / 1024)) MiB"
}
[ -x /usr/bin/time ] || skip "/usr/bin/time is not installed"

measure shipped "$RULES"
check "shipped rules: no problems" [ "$rc" = 0 ]

# Over the cap: a clear file:line error, at once, by --check-rules and by a
# run alike; no crash.
gen_rules cover 82475 > "$TMP/cover.rules"
measure "82,475 covering ranges" "$TMP/cover.rules"
check "82,475 covering ranges: --check-rules exits 2 (got $rc)" [ "$rc" = 2 ]
id=$(sed -n 's/.*cover\.rules:[0-9]*: rule \(r[0-9]*\): the port matcher would need more than 16777216 entries (64 MiB).*/\1/p' "$TMP/e")
line=$(grep -n "^\[rule $id\]\$" "$TMP/cover.rules" | cut -d: -f1)
if [ -n "$id" ] && grep -q "cover\.rules:$line: rule $id: " "$TMP/e"; then
	pass
else
	fail "82,475 covering ranges: no file:line of the rule over the cap"; cat "$TMP/e"
fi
expect_fail "a run with 82,475 covering ranges" 2 "cover\.rules:$line: rule $id: the port matcher" \
	"$LW" --rules "$TMP/cover.rules" -r "$DEMO"

# Within the cap: the same shape, fewer rules (about 12 million entries).
gen_rules cover 2000 > "$TMP/cover2k.rules"
measure "2,000 covering ranges" "$TMP/cover2k.rules"
check "2,000 covering ranges: loaded" grep -q "^2000 rules and 1 roles: no problems" "$TMP/o"

# Many small rules: loaded, in linear time.
for n in 25000 100000; do
	gen_rules mixed $n > "$TMP/mixed$n.rules"
	measure "$n mixed rules" "$TMP/mixed$n.rules"
	check "$n mixed rules: loaded" grep -q "^$n rules and 1 roles: no problems" "$TMP/o"
done
"$LW" --rules "$TMP/mixed25000.rules" --json "$TMP/m.json" -r "$DEMO" > /dev/null
check "25000 mixed rules: a run (exit $?)" [ $? = 0 ]

# A reload over the cap, live on lo: the rules in use stay, and why is said.
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the live reload (not root)"
else
	gen_rules mixed 100 > "$TMP/live.rules"
	"$LW" -i lo --rules "$TMP/live.rules" --stats-interval 0 --no-progress \
		'udp port 9' > "$TMP/live.out" 2> "$TMP/live.err" &
	pid=$!
	sleep 1
	cp "$TMP/cover.rules" "$TMP/live.rules"
	kill -HUP "$pid"
	i=0
	until grep -q "reload failed" "$TMP/live.err" || [ $i -ge 600 ] ||
	      ! kill -0 "$pid" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	check "reload over the cap: the daemon lives" kill -0 "$pid"
	check "reload over the cap: the reason is given" \
		grep -q "live\.rules:$line: rule $id: the port matcher" "$TMP/live.err"
	check "reload over the cap: the old rules are kept" \
		grep -q "reload failed: keeping the rules in use" "$TMP/live.err"
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	check "reload over the cap: exit 0 at SIGTERM (got $rc)" [ "$rc" = 0 ]
	[ "$nfail" = 0 ] || cat "$TMP/live.err"
fi
finish
