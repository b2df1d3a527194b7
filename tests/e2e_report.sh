#!/bin/sh
# The audit report (issue 16) as a browser shows it: pcaps/demo.pcap's
# report, in English and Japanese, rendered by headless Chromium (Debian's
# chromium package); every count of the DOM equals the JSON records and the
# stats record of the same run (tests/check_report.py: flows by verdict and
# flag, each violation group, the allow-list rows, the coverage rows, the
# unclassified rows); the page's one line of script ran (data-js="ok") and
# the console logged nothing (an error page proves the detector works); a
# screenshot is taken.  Skips when chromium is not installed.
. "$(dirname "$0")/lib.sh"
need_jq
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
	skip "chromium is not installed (apt-get install chromium)"

# render MODE FILE OUT: --dump-dom (OUT: the DOM) or --screenshot=OUT;
# the browser's log in OUT.log.  No network: any host resolves to nothing.
render() {
	DBUS_SESSION_BUS_ADDRESS=disabled: timeout 120 "$CHROMIUM" --headless \
		--no-sandbox --disable-gpu --disable-background-networking \
		--host-resolver-rules="MAP * ~NOTFOUND" --enable-logging=stderr \
		--v=0 --window-size=1280,4000 --user-data-dir="$TMP/profile" \
		$1 "file://$2" > "$3.out" 2> "$3.log"
}
# console_clean LOG: no message of the page's console (errors included).
console_clean() { ! grep -E ':CONSOLE|Uncaught' "$1"; }

printf '<!DOCTYPE html><html><body><script>undefinedFn();</script></body></html>' \
	> "$TMP/bad.html"
render --dump-dom "$TMP/bad.html" "$TMP/bad"
check "the console detector sees a script error" grep -q Uncaught "$TMP/bad.log"

"$LW" --rules "$RULES" --list-rules --json - > "$TMP/rules.json"
for lang in en ja; do
	"$LW" --rules "$RULES" --lang $lang -r "$PCAPS/demo.pcap" \
		--inventory "$PCAPS/demo.inventory" --json "$TMP/$lang.json" \
		--report "$TMP/$lang.html" --allow-list "$TMP/$lang.csv" \
		> /dev/null 2> "$TMP/lw" || { cat "$TMP/lw"; fail "lyncwatch --lang $lang"; continue; }
	check "$lang: the page is in its language" grep -q "<html lang=\"$lang\"" "$TMP/$lang.html"
	render --dump-dom "$TMP/$lang.html" "$TMP/$lang.dom"
	check "$lang: no console message" console_clean "$TMP/$lang.dom.log"
	if python3 "$top_srcdir/tests/check_report.py" "$TMP/$lang.dom.out" \
		"$TMP/$lang.json" "$TMP/rules.json" "$TMP/$lang.csv"; then
		pass
	else
		fail "$lang: the page's counts differ from the records"
	fi
done
render --screenshot="$TMP/en.png" "$TMP/en.html" "$TMP/shot"
check "a screenshot" [ -s "$TMP/en.png" ]
check "the screenshot is a PNG" sh -c "head -c 8 '$TMP/en.png' | od -c | grep -q 'P   N   G'"
check "no console message (screenshot)" console_clean "$TMP/shot.log"
finish
