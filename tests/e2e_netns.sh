#!/bin/sh
# Real programs in a private pair of network namespaces, captured with
# tcpdump and audited by lyncwatch against an inventory: a mutual-TLS
# session (openssl s_server/s_client, client certificate) to 5061 is ok;
# cleartext HTTP (curl) to a server on 443 is an app-mismatch violation; a
# UDP datagram to 5061 is a wrong-transport violation.  Needs root, `ip
# netns`, ss, tcpdump, openssl, curl, python3 and jq (Debian: iproute2
# tcpdump openssl curl python3 jq); skipped, with the reason, otherwise.
# Addresses are from 198.18.0.0/15 (RFC 2544, benchmarking) on a veth pair
# between the two namespaces; there is no route out, and everything
# (namespaces, processes) is removed on exit.
. "$(dirname "$0")/lib.sh"
need_jq

[ "$(id -u)" -eq 0 ] || skip "not root (network namespaces need root)"
for p in ip ss tcpdump openssl curl python3 timeout; do
	command -v "$p" >/dev/null 2>&1 || skip "$p is not installed"
done

SRV=198.18.200.1
CLI=198.18.200.2
NS_S=lw-srv-$$
NS_C=lw-cli-$$

. "$(dirname "$0")/netns.sh"
# The link: lw0 (server) <-> lw1 (client), no IPv6 (no neighbour discovery
# or MLD in the capture), no default route.
netns_pair "$NS_S" "$NS_C" lw0 lw1
if ! { ip -n "$NS_S" addr add "$SRV/24" dev lw0 &&
       ip -n "$NS_C" addr add "$CLI/24" dev lw1; } 2>"$TMP/ns.err"; then
	skip "cannot address the veth pair: $(head -n 1 "$TMP/ns.err")"
fi

# A throwaway CA, and a server and a client certificate it signs (EC P-256).
C=$TMP/pki
mkdir "$C"
ossl() { timeout 10 openssl "$@" 2>>"$TMP/openssl.err"; }
printf 'basicConstraints=CA:FALSE\nsubjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$SRV" > "$C/srv.ext"
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' > "$C/cli.ext"
mkcerts() {
	ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$C/ca.key" -out "$C/ca.crt" -days 1 -subj /CN=lyncwatch-test-ca || return 1
	for w in srv cli; do
		ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$C/$w.key" -out "$C/$w.csr" -subj "/CN=lyncwatch-test-$w" &&
		ossl x509 -req -in "$C/$w.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" \
			-CAcreateserial -days 1 -extfile "$C/$w.ext" -out "$C/$w.crt" || return 1
	done
}
if ! mkcerts; then
	fail "openssl could not make the certificates"; cat "$TMP/openssl.err"; finish; exit
fi

# Servers (bounded by their timeouts and killed on exit): mutual TLS on 5061
# (-Verify: a client certificate is required), cleartext HTTP on 443.
mkdir "$TMP/www"
echo "not TLS" > "$TMP/www/index.html"
timeout -k 1 25 ip netns exec "$NS_S" openssl s_server -accept "$SRV:5061" -naccept 1 -rev \
	-cert "$C/srv.crt" -key "$C/srv.key" -CAfile "$C/ca.crt" -Verify 1 \
	-verify_return_error </dev/null >"$TMP/s_server.out" 2>&1 &
pids="$pids $!"
timeout -k 1 25 ip netns exec "$NS_S" python3 -m http.server 443 --bind "$SRV" --directory "$TMP/www" \
	>"$TMP/http.out" 2>&1 &
pids="$pids $!"
listening() { ip netns exec "$NS_S" ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
check "s_server listens on 5061" wait_for listening 5061
check "http.server listens on 443" wait_for listening 443

# The capture, on the server's side of the link.
timeout -k 1 25 ip netns exec "$NS_S" tcpdump -i lw0 -n -U --immediate-mode -Z root -w "$TMP/cap.pcap" \
	>"$TMP/tcpdump.out" 2>&1 &
tcpdump_pid=$!
pids="$pids $tcpdump_pid"
check "tcpdump is listening" wait_for grep -qs "listening on" "$TMP/tcpdump.out"

# The client's three flows.
printf 'OPTIONS sip:fe-test SIP/2.0\nCLOSE\n' |
	nsrun "$NS_C" 10 openssl s_client -connect "$SRV:5061" -quiet \
		-cert "$C/cli.crt" -key "$C/cli.key" -CAfile "$C/ca.crt" \
		-verify_return_error >"$TMP/s_client.out" 2>&1
rc=$?
# s_server -rev sends each line back reversed, and closes on CLOSE.
check "s_client: TLS session to 5061 (rc $rc)" grep -q "0.2/PIS" "$TMP/s_client.out"
check "s_server: client certificate verified" \
	grep -q "Peer certificate: CN = lyncwatch-test-cli" "$TMP/s_server.out"
nsrun "$NS_C" 10 curl -s --noproxy '*' -m 5 -o "$TMP/curl.out" "http://$SRV:443/"
rc=$?
check "curl: cleartext HTTP on 443 (rc $rc)" grep -q "not TLS" "$TMP/curl.out"
nsrun "$NS_C" 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"OPTIONS sip:fe-test SIP/2.0\r\n\r\n", (sys.argv[1], 5061))' "$SRV"
rc=$?
check "UDP datagram sent (rc $rc)" [ "$rc" -eq 0 ]

# Stop tcpdump (it flushes on SIGINT) and wait for it.
sleep 0.3
kill -INT "$tcpdump_pid" 2>/dev/null
i=0
while kill -0 "$tcpdump_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "tcpdump stopped" test $i -lt 50
check "capture written" test -s "$TMP/cap.pcap"

cat > "$TMP/inv" <<EOF
$SRV front-end fe-test
$CLI client    client-test
EOF
"$LW" --rules "$RULES" --inventory "$TMP/inv" --json - -r "$TMP/cap.pcap" \
	>"$TMP/flows.json" 2>"$TMP/lw.err" || fail "lyncwatch on the capture: $(cat "$TMP/lw.err")"

# flow PROTO PORT: the flow record(s) of the client to that server port.
flow() { jq -c --arg p "$1" --argjson d "$2" \
	'select(.event_type == "flow" and .proto == $p and .dest_port == $d)' "$TMP/flows.json"; }
flow TCP 5061 > "$TMP/tls.json"
flow TCP 443 > "$TMP/http.json"
flow UDP 5061 > "$TMP/udp.json"

# is FILE JQ-EXPR: the file holds exactly one flow, and the expression is true.
is() { [ "$(jq -s length "$1")" -eq 1 ] && [ "$(jq "$2" "$1")" = true ]; }

n=$(jq -s 'map(select(.event_type == "flow")) | length' "$TMP/flows.json")
check "three flows in the capture (got $n)" [ "$n" -eq 3 ]
check "one TLS flow to 5061" is "$TMP/tls.json" 'true'
check "TLS 5061: verdict ok" is "$TMP/tls.json" '.lync.verdict == "ok"'
check "TLS 5061: no flags" is "$TMP/tls.json" '.lync.flags == []'
check "TLS 5061: app_proto tls" is "$TMP/tls.json" '.app_proto | startswith("tls")'
check "TLS 5061: server by handshake" is "$TMP/tls.json" '.lync.server_side_by == "handshake"'
check "TLS 5061: client is src" is "$TMP/tls.json" ".src_ip == \"$CLI\" and .dest_ip == \"$SRV\""

check "one HTTP flow to 443" is "$TMP/http.json" 'true'
check "HTTP 443: verdict violation" is "$TMP/http.json" '.lync.verdict == "violation"'
check "HTTP 443: flags app-mismatch" is "$TMP/http.json" '.lync.flags == ["app-mismatch"]'
check "HTTP 443: app_proto http" is "$TMP/http.json" '.app_proto == "http"'
check "HTTP 443: server by handshake" is "$TMP/http.json" '.lync.server_side_by == "handshake"'
check "HTTP 443: client is src" is "$TMP/http.json" ".src_ip == \"$CLI\" and .dest_ip == \"$SRV\""

check "one UDP flow to 5061" is "$TMP/udp.json" 'true'
check "UDP 5061: verdict violation" is "$TMP/udp.json" '.lync.verdict == "violation"'
check "UDP 5061: flags wrong-transport" is "$TMP/udp.json" '.lync.flags | index("wrong-transport") != null'
check "UDP 5061: server by the bytes (the OPTIONS request's sender is the client)" is "$TMP/udp.json" '.lync.server_side_by == "wire"'
check "UDP 5061: client is src" is "$TMP/udp.json" ".src_ip == \"$CLI\" and .dest_ip == \"$SRV\""

if [ "$nfail" -ne 0 ]; then
	echo "--- lyncwatch flows:"; jq -c 'select(.event_type == "flow")
		| {proto, src: "\(.src_ip):\(.src_port)", dest: "\(.dest_ip):\(.dest_port)",
		   app_proto, verdict: .lync.verdict, flags: .lync.flags,
		   reason: .lync.reason, by: .lync.server_side_by}' "$TMP/flows.json"
	for f in s_server.out s_client.out http.out tcpdump.out lw.err; do
		echo "--- $f:"; cat "$TMP/$f" 2>/dev/null
	done
fi
finish
