#!/bin/sh
# The audit report and the allow-list as files (issue 16), no browser
# needed (tests/e2e_report.sh renders the page in Chromium):
# - the page is self-contained: no URL of another origin, no external
#   script, style sheet, font or image, in English and Japanese;
# - the allow-list CSV of a capture whose answers are known (pcapgen
#   deploy): every documented flow covered by exactly one row, no row
#   without a flow (tests/check_allowlist.py);
# - bad input: a path that cannot be written is an error at start-up,
#   before any packet is read (exit 2, the path named, no flow record);
# - a run killed mid-way leaves the previous complete page; a run stopped
#   by SIGTERM writes a new complete one (PATH.tmp renamed over PATH).
. "$(dirname "$0")/lib.sh"
need_jq
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
GEN="$top_builddir/tools/pcapgen/pcapgen"

for lang in en ja; do
	"$LW" --lang $lang -r "$PCAPS/demo.pcap" --inventory "$PCAPS/demo.inventory" \
		--report "$TMP/$lang.html" > /dev/null 2>&1 || fail "$lang: lyncwatch"
	check "$lang: no URL with a scheme" sh -c "! grep -n '://' '$TMP/$lang.html'"
	check "$lang: no src= or href= but #anchors" \
		sh -c "! grep -nEo '[[:space:]](src|href|xlink:href)=\"[^#][^\"]*\"' '$TMP/$lang.html'"
	check "$lang: no <link>, <img>, <iframe>, url() or @import" \
		sh -c "! grep -niE '<link|<img|<iframe|<object|<embed|url\(|@import' '$TMP/$lang.html'"
	check "$lang: one page, complete" sh -c "tail -1 '$TMP/$lang.html' | grep -q '</html>'"
done
# ... which the grep would see: a page with a link fails it.
sed 's|<footer>|<footer><a href="https://example.org/">x</a>|' "$TMP/en.html" > "$TMP/bad.html"
check "the URL check sees a link" grep -q '://' "$TMP/bad.html"

# The allow-list against the known answers.
if [ -x "$GEN" ]; then
	"$GEN" deploy "$TMP/d.pcap" "$TMP/d.inventory" "$TMP/d.answers" 3000 2> /dev/null ||
		fail "pcapgen deploy"
	"$LW" -r "$TMP/d.pcap" --inventory "$TMP/d.inventory" --json "$TMP/d.json" \
		--allow-list "$TMP/d.csv" > /dev/null 2>&1 || fail "lyncwatch on deploy"
	if python3 "$top_srcdir/tests/check_allowlist.py" "$TMP/d.answers" \
		"$TMP/d.csv" "$TMP/d.json"; then
		pass
	else
		fail "the allow-list against the answers"
	fi
	# A row missing: the check fails.
	sed 2d "$TMP/d.csv" > "$TMP/d2.csv"
	check "the check sees a missing row" sh -c "! python3 '$top_srcdir/tests/check_allowlist.py' \
		'$TMP/d.answers' '$TMP/d2.csv' '$TMP/d.json' > /dev/null"
else
	echo "SKIP (part): tools/pcapgen/pcapgen is not built: no allow-list check"
fi

# Bad paths: exit 2 at start-up, the path named, no packet read (the
# JSON output, opened before, holds no record).
for opt in --report --allow-list; do
	expect_fail "$opt in a missing directory" 2 "$opt $TMP/none/x" \
		"$LW" -r "$PCAPS/demo.pcap" --json "$TMP/j.json" --json-truncate \
		$opt "$TMP/none/x"
	check "$opt: no packet read" [ ! -s "$TMP/j.json" ]
	mkdir -p "$TMP/dir"
	expect_fail "$opt on a directory" 2 "not a regular file" \
		"$LW" -r "$PCAPS/demo.pcap" $opt "$TMP/dir"
done

# Signals.  A first complete page; a run killed (SIGKILL) while it reads
# leaves it as it was; a run stopped by SIGTERM replaces it, complete.
"$LW" -r "$PCAPS/demo.pcap" --report "$TMP/s.html" > /dev/null 2>&1
cp "$TMP/s.html" "$TMP/s0.html"
# stopped SIG: lyncwatch reads a FIFO that stays open after the capture
# (it waits for more), and gets SIG.
stopped() {
	"$LW" -r "$TMP/fifo" --report "$TMP/s.html" > /dev/null 2>&1 &
	pid=$!
	exec 3> "$TMP/fifo"
	cat "$PCAPS/flags.pcap" >&3
	sleep 1
	kill -"$1" "$pid"
	wait "$pid" 2> /dev/null
	exec 3>&-
}
mkfifo "$TMP/fifo"
stopped KILL
check "SIGKILL: the previous page stays" cmp -s "$TMP/s.html" "$TMP/s0.html"
stopped TERM
check "SIGTERM: a new page" sh -c "! cmp -s '$TMP/s.html' '$TMP/s0.html'"
check "SIGTERM: the new page is complete" sh -c "tail -1 '$TMP/s.html' | grep -q '</html>'"
check "no temporary file left" [ ! -e "$TMP/s.html.tmp" ]

# Live (root, on lo): the page is rewritten at each stats interval (an
# interim page, data-final="0", counting the packets so far), and every
# read of it while it is rewritten finds a complete page.
if [ "$(id -u)" -eq 0 ] && command -v timeout >/dev/null 2>&1; then
	"$LW" -i lo --stats-interval 1 --report "$TMP/l.html" \
		--allow-list "$TMP/l.csv" "udp port 9" > /dev/null 2>&1 &
	pid=$!
	sleep 2
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5): s.sendto(b"x", ("127.0.0.1", 9))'
	partial=0
	for i in $(seq 30); do
		[ -e "$TMP/l.html" ] && ! tail -1 "$TMP/l.html" | grep -q '</html>' &&
			partial=$((partial + 1))
		sleep 0.1
	done
	check "live: every read finds a complete page" [ "$partial" -eq 0 ]
	check "live: an interim page" grep -q 'data-final="0"' "$TMP/l.html"
	check "live: it counts the packets so far" grep -q 'data-packets="[1-9]' "$TMP/l.html"
	check "live: the CSV too" [ -s "$TMP/l.csv" ]
	kill -TERM "$pid"
	wait "$pid"
	check "live: the final page at the end" grep -q 'data-final="1"' "$TMP/l.html"
else
	echo "SKIP (part): not root: no live capture on lo"
fi
finish
