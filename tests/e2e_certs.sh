#!/bin/sh
# Certificates and TLS health (issue 19), on real handshakes: certificates
# made here with openssl (a throwaway CA and `openssl ca -startdate
# -enddate` for validity in the past or the future), served by `openssl
# s_server` to `openssl s_client` in a private pair of network namespaces
# and captured with tcpdump.  Every certificate field lyncwatch writes is
# checked against tshark's own reading of the same handshake, and every
# finding is raised exactly where it should be and nowhere else.  Needs
# root, `ip netns`, ss, tcpdump, tshark, openssl and python3; skipped, with
# the reason, otherwise.  Addresses from 198.18.0.0/15 (RFC 2544).
# LW_CERTS_KEEP=FILE keeps a copy of the capture.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "not root (network namespaces need root)"
for p in ip ss tcpdump tshark openssl python3 timeout date; do
	command -v "$p" >/dev/null 2>&1 || skip "$p is not installed"
done

SRV=198.18.201.1
SRV2=198.18.201.3   # a second member of the pool
CLI=198.18.201.2
NS_S=lw-csrv-$$
NS_C=lw-ccli-$$

. "$(dirname "$0")/netns.sh"
netns_pair "$NS_S" "$NS_C" lwc0 lwc1
if ! { ip -n "$NS_S" addr add "$SRV/24" dev lwc0 &&
       ip -n "$NS_S" addr add "$SRV2/24" dev lwc0 &&
       ip -n "$NS_C" addr add "$CLI/24" dev lwc1; } 2>"$TMP/ns.err"; then
	skip "cannot address the veth pair: $(head -n 1 "$TMP/ns.err")"
fi

# ------------------------------------------------------------ certificates
C=$TMP/pki
mkdir "$C"
ossl() { timeout 10 openssl "$@" >>"$TMP/openssl.err" 2>&1; }
cat > "$C/ca.cnf" <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $C
database = $C/index.txt
new_certs_dir = $C
serial = $C/serial
default_md = sha256
policy = pol
unique_subject = no
copy_extensions = copy
[ pol ]
commonName = supplied
EOF
: > "$C/index.txt"
echo 01 > "$C/serial"
d() { date -u -d "$1" +%y%m%d%H%M%SZ; }
EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
# leaf NAME CN SANS START END [KEYSPEC]: a certificate the CA signs.
leaf() {
	# shellcheck disable=SC2086 # the key options are words
	ossl req -new ${6:-$EC} -nodes -keyout "$C/$1.key" -out "$C/$1.csr" \
		-subj "/CN=$2" -addext "subjectAltName=$3" &&
	ossl ca -batch -config "$C/ca.cnf" -cert "$C/ca.crt" -keyfile "$C/ca.key" \
		-in "$C/$1.csr" -out "$C/$1.crt" -notext -startdate "$4" -enddate "$5"
}
NOW_M1=$(d '-1 day'); YEAR=$(d '+365 days')
mkcerts() {
	# shellcheck disable=SC2086
	ossl req -x509 $EC -nodes -keyout "$C/ca.key" -out "$C/ca.crt" \
		-days 400 -subj /CN=lyncwatch-test-ca &&
	leaf good pool.lw.test "DNS:pool.lw.test,DNS:fe1.lw.test" "$NOW_M1" "$YEAR" &&
	leaf good2 pool.lw.test "DNS:pool.lw.test,DNS:fe2.lw.test" "$NOW_M1" "$YEAR" &&
	leaf expired pool.lw.test "DNS:pool.lw.test" 200101000000Z 210101000000Z &&
	leaf soon pool.lw.test "DNS:pool.lw.test" "$NOW_M1" "$(d '+10 days')" &&
	leaf notyet pool.lw.test "DNS:pool.lw.test" "$(d '+10 days')" "$YEAR" &&
	leaf other other.lw.test "DNS:other.lw.test" "$NOW_M1" "$YEAR" &&
	leaf rsa pool.lw.test "DNS:pool.lw.test" "$NOW_M1" "$YEAR" "-newkey rsa:2048" &&
	leaf client client.lw.test "DNS:client.lw.test" "$NOW_M1" "$YEAR" &&
	# shellcheck disable=SC2086
	ossl req -x509 $EC -nodes -keyout "$C/self.key" -out "$C/self.crt" \
		-days 400 -subj /CN=self.lw.test -addext "subjectAltName=DNS:self.lw.test"
}
if ! mkcerts; then
	fail "openssl could not make the certificates"; cat "$TMP/openssl.err"; finish; exit
fi

# ------------------------------------------------------------ servers
# serve ADDR PORT CERT [OPTIONS]: one s_server for one connection.
serve() {
	a=$1 port=$2 cert=$3; shift 3
	wait_for not_listening "$port" || fail "port $port still taken"
	timeout -k 1 30 ip netns exec "$NS_S" openssl s_server -accept "$a:$port" \
		-naccept 1 -www -cert "$C/$cert.crt" -key "$C/$cert.key" "$@" \
		</dev/null >"$TMP/s_server.$port.$cert.out" 2>&1 &
	pids="$pids $!"
	wait_for listening "$port" || fail "s_server ($cert) does not listen on $port"
}
not_listening() { ! listening "$1"; }
listening() { ip netns exec "$NS_S" ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
# hello ADDR PORT SNI [OPTIONS]: one handshake, then the client quits.
hello() {
	a=$1 port=$2 sni=$3; shift 3
	echo Q | nsrun "$NS_C" 10 openssl s_client -connect "$a:$port" \
		-servername "$sni" "$@" >"$TMP/s_client.$port.out" 2>&1
	grep -q "^New, [A-Z]" "$TMP/s_client.$port.out" ||
		fail "s_client to $a:$port: no handshake ($(tail -n 1 "$TMP/s_client.$port.out"))"
}

timeout -k 1 60 ip netns exec "$NS_S" tcpdump -i lwc0 -n -U --immediate-mode -Z root \
	-w "$TMP/cap.pcap" tcp >"$TMP/tcpdump.out" 2>&1 &
tcpdump_pid=$!
pids="$pids $tcpdump_pid"
check "tcpdump is listening" wait_for grep -qs "listening on" "$TMP/tcpdump.out"

T12=-tls1_2
LOW="-cipher DEFAULT:@SECLEVEL=0"
serve "$SRV" 7001 good;    hello "$SRV" 7001 pool.lw.test $T12
serve "$SRV" 7002 expired; hello "$SRV" 7002 pool.lw.test $T12
serve "$SRV" 7003 soon;    hello "$SRV" 7003 pool.lw.test $T12
serve "$SRV" 7004 notyet;  hello "$SRV" 7004 pool.lw.test $T12
serve "$SRV" 7005 self;    hello "$SRV" 7005 self.lw.test $T12
serve "$SRV" 7006 other;   hello "$SRV" 7006 pool.lw.test $T12
# shellcheck disable=SC2086
{ serve "$SRV" 7007 good $LOW -tls1_1; hello "$SRV" 7007 pool.lw.test $LOW -tls1_1; }
serve "$SRV" 7008 rsa -cipher AES128-SHA; hello "$SRV" 7008 pool.lw.test $T12 -cipher AES128-SHA
serve "$SRV" 7009 good;    hello "$SRV" 7009 fe1.lw.test $T12
serve "$SRV" 7009 good2;   hello "$SRV" 7009 fe2.lw.test $T12
serve "$SRV" 7010 good;    hello "$SRV" 7010 pool.lw.test -tls1_3
# mutual TLS: a client certificate the server requires, then one the
# server asks for and the client does not have (an empty Certificate)
serve "$SRV" 7011 good -Verify 1 -CAfile "$C/ca.crt" -no_ca_names
hello "$SRV" 7011 pool.lw.test $T12 -cert "$C/client.crt" -key "$C/client.key"
serve "$SRV" 7012 good -verify 1 -CAfile "$C/ca.crt" -no_ca_names; hello "$SRV" 7012 pool.lw.test $T12
serve "$SRV" 5061 good;    hello "$SRV" 5061 pool.lw.test $T12
serve "$SRV2" 5061 good2;  hello "$SRV2" 5061 pool.lw.test $T12

sleep 0.3
kill -INT "$tcpdump_pid" 2>/dev/null
i=0
while kill -0 "$tcpdump_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "capture written" test -s "$TMP/cap.pcap"
[ -n "${LW_CERTS_KEEP:-}" ] && cp "$TMP/cap.pcap" "$LW_CERTS_KEEP"

# ------------------------------------------------------------ lyncwatch
# The roles without host names (the names' own check is below).
cat > "$TMP/inv" <<EOF
$SRV  front-end
$SRV2 front-end
$CLI  client    client-test
EOF
# The same with the servers' names: fe1 by its FQDN, fe2 by a short name.
cat > "$TMP/inv-names" <<EOF
$SRV  front-end fe1.lw.test
$SRV2 front-end fe2
$CLI  client    client-test
EOF
"$LW" --rules "$RULES" --inventory "$TMP/inv" --json "$TMP/lw.json" \
	-r "$TMP/cap.pcap" >"$TMP/summary.txt" 2>"$TMP/lw.err" ||
	fail "lyncwatch on the capture: $(cat "$TMP/lw.err")"
"$LW" --rules "$RULES" --inventory "$TMP/inv" --cert-warn-days 5 --json "$TMP/lw5.json" \
	-r "$TMP/cap.pcap" >/dev/null 2>"$TMP/lw.err" ||
	fail "lyncwatch --cert-warn-days 5: $(cat "$TMP/lw.err")"

"$LW" --rules "$RULES" --inventory "$TMP/inv-names" --json "$TMP/lwn.json" \
	-r "$TMP/cap.pcap" >/dev/null 2>"$TMP/lw.err" ||
	fail "lyncwatch with the inventory's names: $(cat "$TMP/lw.err")"

# tshark's reading of the clients' Certificate messages: the client's port
# and the length of its certificate list.
tshark -r "$TMP/cap.pcap" -Y "tls.handshake.type == 11 && ip.src == $CLI" -T fields \
	-E separator='|' -e tcp.srcport -e tls.handshake.certificates_length \
	>"$TMP/tshark-cc.txt" 2>"$TMP/tshark.err" ||
	fail "tshark (client certificates): $(head -n 1 "$TMP/tshark.err")"

# tshark's reading: per server certificate message, the server, its port,
# the first certificate's DER (hex), its dNSNames and validity.
tshark -r "$TMP/cap.pcap" -Y "tls.handshake.type == 11 && ip.src != $CLI" -T fields -E separator='|' \
	-e ip.src -e tcp.srcport -e tls.handshake.certificate -e x509ce.dNSName \
	-e x509af.utcTime -e x509sat.uTF8String >"$TMP/tshark.txt" 2>"$TMP/tshark.err" ||
	fail "tshark: $(head -n 1 "$TMP/tshark.err")"

# Every field of every tls_server record against tshark, and the findings.
python3 - "$TMP/lw.json" "$TMP/tshark.txt" "$TMP/lw5.json" "$SRV" "$SRV2" \
	"$TMP/tshark-cc.txt" "$TMP/lwn.json" >"$TMP/py.out" 2>&1 <<'EOF'
import hashlib, json, sys
lw = [json.loads(l) for l in open(sys.argv[1])]
lw5 = [json.loads(l) for l in open(sys.argv[3])]
srv, srv2 = sys.argv[4], sys.argv[5]
lwn = [json.loads(l) for l in open(sys.argv[7])]
bad = []
def t2rfc(s):  # "2020-01-01 00:00:00 (UTC)" -> "2020-01-01T00:00:00Z"
    return s.replace(" (UTC)", "").replace(" ", "T") + "Z"
ts = {}
for line in open(sys.argv[2]):
    ip, port, der, names, times, utf8 = line.rstrip("\n").split("|")
    der = der.split(",")[0].replace(":", "")
    sha1 = hashlib.sha1(bytes.fromhex(der)).hexdigest()
    t = times.split(",")
    ts[(ip, int(port), sha1)] = dict(san=names.split(",") if names else [],
        not_before=t2rfc(t[0]), not_after=t2rfc(t[1]), cn=utf8.split(",")[1]) # issuer, then subject
recs = {(r["dest_ip"], r["dest_port"], r["tls_server"]["sha1"]): r["tls_server"]
        for r in lw if r["event_type"] == "tls_server"}
if set(recs) != set(ts):
    bad.append("servers differ: lyncwatch %s, tshark %s" % (sorted(recs), sorted(ts)))
for k in set(recs) & set(ts):
    r, t = recs[k], ts[k]
    for f in ("san", "not_before", "not_after"):
        if r[f] != t[f]:
            bad.append("%s %s: lyncwatch %r, tshark %r" % (k, f, r[f], t[f]))
    if not r["subject"].endswith("CN=" + t["cn"]):
        bad.append("%s subject %r, tshark CN %r" % (k, r["subject"], t["cn"]))
# The flow records carry the same facts.
for f in lw:
    tl = f.get("lync", {}).get("tls", {})
    if f["event_type"] == "flow" and "sha1" in tl:
        k = (f["dest_ip"], f["dest_port"], tl["sha1"])
        if k not in ts or tl["san"] != ts[k]["san"] or tl["not_after"] != ts[k]["not_after"]:
            bad.append("flow record %s differs from tshark" % (k,))
# Findings: exactly these, per port (and server for 5061).
want = {7001: [], 7002: ["expired"], 7003: ["expires_soon"],
        7004: ["not_yet_valid"], 7005: ["self_signed"], 7006: ["name_mismatch"],
        7007: ["obsolete_protocol"], 7008: ["weak_cipher"], 7009: ["rotated"],
        7011: [], 7012: [], 5061: ["pool_differs"]}
got = {}
for (ip, port, sha1), r in recs.items():
    got.setdefault(port, []).append(sorted(x["finding"] for x in r["findings"]))
for port, w in want.items():
    g = got.get(port)
    n = 2 if port in (7009, 5061) else 1
    if g != [sorted(w)] * n:
        bad.append("port %d: findings %r, want %r x %d" % (port, g, w, n))
if 7010 in got:
    bad.append("TLS 1.3 (certificate encrypted) gave an entry: %r" % got[7010])
st = [r for r in lw if r["event_type"] == "stats"][-1]["stats"]["tls"]
if st["tls13_encrypted"] != 1 or st["certificate_read"] != 14 or st["no_certificate"] != 0:
    bad.append("stats.tls %r" % st)
# Mutual TLS: each flow's client_cert against tshark's reading of the
# client's Certificate message ("none" for TLS 1.2 without one; TLS 1.3
# encrypts it: "hidden").
cc = {}
for line in open(sys.argv[6]):
    port, n = line.rstrip("\n").split("|")
    cc[int(port)] = "presented" if int(n) > 0 else "empty"
if sorted(cc.values()) != ["empty", "presented"]:
    bad.append("tshark's client certificates: %r" % cc)
for f in lw:
    if f["event_type"] != "flow":
        continue
    want = cc.get(f["src_port"], "hidden" if f["dest_port"] == 7010 else "none")
    got = f.get("lync", {}).get("tls", {}).get("client_cert")
    if got != want:
        bad.append("flow to %d: client_cert %r, want %r" % (f["dest_port"], got, want))
mt = {r["dest_port"]: r["tls_server"]["client_cert_flows"]
      for r in lw if r["event_type"] == "tls_server" and r["dest_port"] in (7011, 7012, 7001)}
if mt != {7001: 0, 7011: 1, 7012: 0}:
    bad.append("client_cert_flows %r" % mt)
# The inventory's names: fe1.lw.test must be among the names of the
# certificates fe1 presents; fe2, a short name, the first label of one.
n_host = 0
for r in lwn:
    if r["event_type"] != "tls_server":
        continue
    t = r["tls_server"]
    ev = [x["evidence"] for x in t["findings"] if x["finding"] == "name_mismatch"]
    hostmm = any("inventory name" in e for e in ev)
    n_host += hostmm
    want = r["dest_ip"] == srv and "fe1.lw.test" not in t["san"]
    if hostmm != want:
        bad.append("inventory name check on %s:%d (%r): %r" %
                   (r["dest_ip"], r["dest_port"], t["san"], ev))
    if t.get("inventory_name") != ("fe1.lw.test" if r["dest_ip"] == srv else "fe2"):
        bad.append("inventory_name of %s:%d: %r" % (r["dest_ip"], r["dest_port"], t.get("inventory_name")))
# expired, soon, notyet, self, other, rsa on fe1 and good2 on its 7009
if n_host != 7:
    bad.append("inventory name mismatches: %d, want 7" % n_host)
# --cert-warn-days 5: the certificate 10 days from expiry gives no finding.
soon5 = [r["tls_server"]["findings"] for r in lw5
         if r["event_type"] == "tls_server" and r["dest_port"] == 7003]
if soon5 != [[]]:
    bad.append("--cert-warn-days 5: %r" % soon5)
print("\n".join(bad) if bad else "ok")
sys.exit(1 if bad else 0)
EOF
rc=$?
check "tls_server records and findings match tshark and the plan ($(head -c 600 "$TMP/py.out"))" [ "$rc" -eq 0 ]
check "summary: certificate table" grep -q "^certificates by server and port" "$TMP/summary.txt"
check "summary: the expired certificate's finding" grep -q "! expired: .*not_after 2021-01-01T00:00:00Z" "$TMP/summary.txt"
check "summary: TLS 1.3 counted, no finding" grep -q "TLS 1.3 (encrypted) 1," "$TMP/summary.txt"
finish
