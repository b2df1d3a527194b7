#!/bin/sh
# pcapgen deploy and its scorer, without lyncwatch: the scene is
# deterministic, its answers are well formed and hold every class of issue
# 13, and tests/score_deploy.py passes records that are the answers
# themselves and fails records that miss a violation or reverse the sides
# of peer-to-peer media (tests/e2e_deploy.sh scores lyncwatch itself).
. "$(dirname "$0")/lib.sh"
GEN="$top_builddir/tools/pcapgen/pcapgen"
SCORE="$top_srcdir/tests/score_deploy.py"
[ -x "$GEN" ] || skip "tools/pcapgen/pcapgen is not built"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

"$GEN" deploy "$TMP/d.pcap" "$TMP/d.inventory" "$TMP/d.answers" 3000 \
	2> "$TMP/gen" || fail "pcapgen deploy"
"$GEN" deploy "$TMP/e.pcap" "$TMP/e.inventory" "$TMP/e.answers" 3000 2>/dev/null
check "the capture is deterministic" cmp -s "$TMP/d.pcap" "$TMP/e.pcap"
check "the answers are deterministic" cmp -s "$TMP/d.answers" "$TMP/e.answers"
check "one answer per flow" [ "$(grep -vc '^#' "$TMP/d.answers")" -eq 3000 ]
check "a third of the TCP flows mid-stream" python3 -c '
import re, sys
m = re.search(r"(\d+) TCP of which (\d+) mid-stream", open(sys.argv[1]).read())
sys.exit(not (m and int(m.group(2)) * 100 >= 30 * int(m.group(1))))' "$TMP/gen"
for cls in sip-gw-med sip-fe-med sip-static-route-5060 sip-tls-client-pool \
	mtls-fe-fe psom-client-fe https-client-pool stun-client-edge \
	rtp-on-stun-port http-on-tls-port sip-clear-on-tls-port \
	sip-udp-on-tcp-port rdp-to-lync-server psom-to-director media-p2p \
	media-client-fe-audio media-gw-med sqlbrowser-fe dhcp-phone \
	dcerpc-fe-fe smb-fe-cms https-internet http-intranet dns \
	rdp-intranet tds-intranet http-8000-client; do
	check "class $cls is in the answers" \
		grep -q "	$cls\$" "$TMP/d.answers"
done
check "the inventory lists the clients" \
	grep -q '^198.19.0.0/16 *client' "$TMP/d.inventory"

# Records made from the answers (MUTATE: none, a missed violation, or
# three peer-to-peer flows with their sides reversed).
records() {
	python3 - "$TMP/d.answers" "$1" <<'PY'
import json, sys
mutate, n = sys.argv[2], 0
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    c = line.rstrip("\n").split("\t")
    src, dst = (c[0], int(c[1])), (c[2], int(c[3]))
    verdict, flags = c[5], [] if c[6] == "-" else c[6].split(",")
    if mutate == "miss" and verdict == "violation" and n == 0:
        verdict, flags, n = "ok", [], 1
    if mutate == "p2p" and c[8] == "media-p2p" and n < 3:
        src, dst, n = dst, src, n + 1
    print(json.dumps({"event_type": "flow", "proto": c[4],
        "src_ip": src[0], "src_port": src[1],
        "dest_ip": dst[0], "dest_port": dst[1],
        "lync": {"verdict": verdict, "flags": flags,
                 "labels": [] if c[7] == "-" else [{"id": c[7]}]}}))
PY
}
records none > "$TMP/perfect.json"
records miss > "$TMP/miss.json"
records p2p > "$TMP/p2p.json"
# score_fails NAME FILE PATTERN: --check exits 1 and says PATTERN.
score_fails() {
	python3 "$SCORE" "$TMP/d.answers" "$2" --check > "$TMP/o"
	rc=$?
	if [ "$rc" -ne 1 ]; then
		fail "$1: exit $rc, want 1"
	elif ! grep -q "below the thresholds: $3" "$TMP/o"; then
		fail "$1: no '$3' in:"; cat "$TMP/o"
	else
		pass
	fi
}
check "perfect records pass" \
	python3 "$SCORE" "$TMP/d.answers" "$TMP/perfect.json" --check > "$TMP/o"
score_fails "a missed violation fails" "$TMP/miss.json" "violation recall 0.98"
score_fails "reversed peer-to-peer sides fail" "$TMP/p2p.json" \
	"server side p2p 0.98"
finish
