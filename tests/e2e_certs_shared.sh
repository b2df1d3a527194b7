#!/bin/sh
# Certificates in the shared real captures (../shared/pcaps) read as tshark
# reads them: selfsigned.pcap (self-signed, expired, no name at all for
# the SNI "localhost"), http_ipv6.pcap (www.ntop.org answered with
# shop.ntop.org's certificate; Facebook's is fine), tls_alert.pcap (a TLS
# 1.0 hello refused with an alert: no certificate, no finding).  And cut
# off handshakes give no finding: selfsigned.pcap without the segment that
# carries the certificate, and from the middle of the session.  Needs
# tshark, editcap and python3; skipped, with the reason, when they or the
# shared captures are absent.
. "$(dirname "$0")/lib.sh"

[ -d "$SHARED_PCAPS" ] || skip "no shared captures at $SHARED_PCAPS"
for p in tshark editcap python3; do
	command -v "$p" >/dev/null 2>&1 || skip "$p is not installed"
done
for f in selfsigned http_ipv6 tls_alert; do
	[ -r "$SHARED_PCAPS/$f.pcap" ] || skip "$SHARED_PCAPS/$f.pcap is absent"
done

# compare PCAP FINDINGS-JSON: lyncwatch's tls_server records against
# tshark's certificates, and the findings per server:port exactly.
compare() {
	rm -f "$TMP/lw.json"
	"$LW" --rules "$RULES" --json "$TMP/lw.json" -r "$1" >/dev/null 2>"$TMP/lw.err" ||
		{ echo "lyncwatch: $(cat "$TMP/lw.err")"; return 1; }
	tshark -r "$1" -Y "tls.handshake.type == 11" -T fields -E separator='|' \
		-e ip.src -e ipv6.src -e tcp.srcport -e tls.handshake.certificate \
		-e x509ce.dNSName -e x509af.utcTime >"$TMP/tshark.txt" 2>/dev/null ||
		{ echo "tshark failed"; return 1; }
	python3 - "$TMP/lw.json" "$TMP/tshark.txt" "$2" <<'EOF'
import hashlib, ipaddress, json, sys
lw = [json.loads(l) for l in open(sys.argv[1])]
want = json.loads(sys.argv[3])
bad = []
t2rfc = lambda s: s.replace(" (UTC)", "").replace(" ", "T") + "Z"
ts = {}
for line in open(sys.argv[2]):
    ip4, ip6, port, der, names, times = line.rstrip("\n").split("|")
    ip = str(ipaddress.ip_address(ip4 or ip6))
    sha1 = hashlib.sha1(bytes.fromhex(der.split(",")[0].replace(":", ""))).hexdigest()
    t = times.split(",")
    ts[(ip, int(port), sha1)] = dict(san=names.split(",") if names else [],
                                     not_before=t2rfc(t[0]), not_after=t2rfc(t[1]))
recs = {(r["dest_ip"], r["dest_port"], r["tls_server"]["sha1"]): r["tls_server"]
        for r in lw if r["event_type"] == "tls_server"}
if set(recs) != set(ts):
    bad.append("certificates: lyncwatch %s, tshark %s" % (sorted(recs), sorted(ts)))
for k in set(recs) & set(ts):
    for f in ("san", "not_before", "not_after"):
        if recs[k][f] != ts[k][f]:
            bad.append("%s %s: lyncwatch %r, tshark %r" % (k, f, recs[k][f], ts[k][f]))
got = {"%s:%d" % (k[0], k[1]): sorted(x["finding"] for x in r["findings"])
       for k, r in recs.items()}
if got != want:
    bad.append("findings %r, want %r" % (got, want))
print("; ".join(bad) if bad else "ok")
sys.exit(1 if bad else 0)
EOF
}

S=$SHARED_PCAPS
check "selfsigned.pcap" compare "$S/selfsigned.pcap" \
	'{"127.0.0.1:3001": ["expired", "name_mismatch", "self_signed"]}'
check "http_ipv6.pcap" compare "$S/http_ipv6.pcap" \
	'{"2a03:b0c0:3:d0::70:1001:443": ["name_mismatch"], "2a02:26f0:ad:197::236:443": []}'
check "tls_alert.pcap" compare "$S/tls_alert.pcap" '{}'
check "tls_alert.pcap: the refused hello counted without a certificate" \
	grep -q '"tls":{"handshakes":1,"certificate_read":0,"tls13_encrypted":0,"no_certificate":1' "$TMP/lw.json"

# Cut off: the certificate's segment lost (frame 7), or the capture
# starting after the handshake (frame 9 on): no certificate, no finding.
editcap "$S/selfsigned.pcap" "$TMP/lost.pcap" 7 >/dev/null 2>&1
check "lost certificate segment: no certificate, no finding" compare "$TMP/lost.pcap" '{}'
check "lost certificate segment: said so in the summary" sh -c \
	"'$LW' --rules '$RULES' -r '$TMP/lost.pcap' | grep -q 'certificate read 0, TLS 1.3 (encrypted) 0, none read 1 (resumed, or cut off'"
editcap -r "$S/selfsigned.pcap" "$TMP/mid.pcap" 9-1000 >/dev/null 2>&1
check "mid-stream: no certificate, no finding" compare "$TMP/mid.pcap" '{}'
finish
