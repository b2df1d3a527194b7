#!/bin/sh
# The catalogue of bad input (issue 6): malformed captures (written by
# tests/badpcap), rule files with every class of error, bad inventories,
# outputs that cannot be opened or written.  Each case checks the exit
# status, the message (naming the file, and the line or packet where there
# is one), and that what was read before the problem is still reported:
# its flows in --json, the stats record and the text summary.
. "$(dirname "$0")/lib.sh"
need_jq
BAD="$TMP/bad"
mkdir "$BAD" && "$top_builddir/tests/badpcap" "$BAD" || { fail "badpcap"; finish; exit 1; }

# lw NAME ARGS...: runs lyncwatch --json $TMP/NAME.json ARGS; the exit status
# in $rc, stdout in $TMP/NAME.out, stderr in $TMP/NAME.err.
lw() {
	n=$1; shift
	"$LW" --json "$TMP/$n.json" "$@" > "$TMP/$n.out" 2> "$TMP/$n.err"
	rc=$?
}

# status NAME WANT: the exit status of the last lw is WANT.
status() {
	if [ "$rc" -eq "$2" ]; then pass; else fail "$1: exit $rc, want $2"; cat "$TMP/$1.err"; fi
}

# says NAME PATTERN: stderr of NAME matches the (grep) pattern.
says() {
	if grep -q -- "$2" "$TMP/$1.err"; then pass; else
		fail "$1: stderr lacks '$2':"; cat "$TMP/$1.err"; fi
}

# saysf NAME STRING: stderr of NAME holds the fixed string.
saysf() {
	if grep -q -F -- "$2" "$TMP/$1.err"; then pass; else
		fail "$1: stderr lacks '$2':"; cat "$TMP/$1.err"; fi
}

# quiet NAME: nothing on stderr.
quiet() {
	if [ -s "$TMP/$1.err" ]; then fail "$1: unexpected stderr:"; cat "$TMP/$1.err"; else pass; fi
}

# stat NAME JQ WANT: the stats record of NAME.json gives WANT for .stats|JQ.
stat() {
	got=$(jq -c "select(.event_type == \"stats\") | .stats | $2" "$TMP/$1.json" 2> /dev/null)
	check "$1: stats $2 = $3 (got ${got:-no stats record})" [ "$got" = "$3" ]
}

# flows NAME JQ WANT: the flow records of NAME.json, as an array, give WANT.
flows() {
	got=$(jq -s -c "map(select(.event_type == \"flow\")) | $2" "$TMP/$1.json" 2> /dev/null)
	check "$1: flows $2 = $3 (got ${got:-nothing})" [ "$got" = "$3" ]
}

# summary NAME PATTERN: the text summary on stdout has a line matching it.
summary() {
	if grep -q -- "$2" "$TMP/$1.out"; then pass; else
		fail "$1: summary lacks '$2'"; cat "$TMP/$1.out"; fi
}

# The good flow that most captures start with: 4 packets, 226 bytes.
GOOD='[{"p":"TCP","port":5061,"pkts":4}]'
goodflow() { flows "$1" 'map({p: .proto, port: .dest_port, pkts: (.flow.pkts_toserver + .flow.pkts_toclient)})' "$GOOD"; }

# ------------------------------------------------------------ captures

lw nofile -r "$BAD/nonexistent.pcap"
status nofile 2; says nofile "lyncwatch: $BAD/nonexistent.pcap: .*No such file"

lw notcap -r "$RULES"
status notcap 2; says notcap "lync2013.rules: unknown file format"

lw hdr -r "$BAD/trunc-file-header.pcap"
status hdr 2
says hdr "trunc-file-header.pcap: truncated dump file; tried to read 24 file header bytes"
# The only input could not be opened: no summary, no stats record.
check "hdr: no text summary" [ ! -s "$TMP/hdr.out" ]
check "hdr: no stats record" [ ! -s "$TMP/hdr.json" ]

# A capture cut inside a record header, then inside a packet: the error
# names the file and the packet (the one after the last read); the flow
# read before it, the stats record and the summary are written.
lw rec -r "$BAD/trunc-record-header.pcap"
status rec 2
says rec "trunc-record-header.pcap: packet 5: truncated dump file; tried to read 16 header bytes, only got 8"
goodflow rec; stat rec .packets 4; summary rec '^flows *1:'

lw pkt -r "$BAD/trunc-packet.pcap"
status pkt 2
says pkt "trunc-packet.pcap: packet 5: truncated dump file; tried to read 60 captured bytes, only got 20"
goodflow pkt; stat pkt .packets 4; summary pkt '^flows *1:'

# The same from stdin ("-" is named), and followed by another file, which
# is still read: both files' packets are counted, the exit status is 2.
"$LW" --json "$TMP/stdin.json" -r - < "$BAD/trunc-packet.pcap" > "$TMP/stdin.out" 2> "$TMP/stdin.err"
rc=$?
status stdin 2; says stdin "lyncwatch: -: packet 5: truncated dump file"; stat stdin .packets 4
lw two -r "$BAD/trunc-packet.pcap" -r "$BAD/zero-length.pcap"
status two 2; says two "trunc-packet.pcap: packet 5:"; stat two .packets 10

# caplen > snaplen: libpcap keeps snaplen bytes; nothing is lost after it.
lw snap -r "$BAD/caplen-over-snaplen.pcap"
status snap 0; quiet snap
stat snap .packets 6; stat snap .decode.ok 6
flows snap 'map(select(.proto == "UDP")) | map([.flow.pkts_toserver, .flow.bytes_toserver])' '[[2,254]]'

# caplen beyond any link type's limit: an error at that packet.
lw huge -r "$BAD/caplen-huge.pcap"
status huge 2
says huge "caplen-huge.pcap: packet 5: invalid packet capture length 300000"
goodflow huge; stat huge .packets 4

# caplen > wire length: decoded over the smaller (the wire length); the
# bytes counted are the wire's.  54 of 64: the TCP header is whole; 30 of
# 54: the IP header is not (truncated).
lw wire -r "$BAD/caplen-over-wire.pcap"
status wire 0; quiet wire
stat wire .decode.ok 5; stat wire .decode.truncated 1
flows wire 'map([.flow.pkts_toclient, .flow.bytes_toclient])' '[[2,108]]'

# Zero-length records are counted as truncated; the rest is read.
lw zero -r "$BAD/zero-length.pcap"
status zero 0; quiet zero
stat zero .decode.truncated 2; goodflow zero

# An unsupported link type: a warning naming the file and the link type,
# every packet counted as unsupported; not an input error.
lw wifi -r "$BAD/linktype-ieee80211.pcap"
status wifi 0
says wifi "linktype-ieee80211.pcap: link type IEEE802_11 (105) is not supported"
stat wifi .decode.unsupported 2; flows wifi length 0
summary wifi 'unsupported 2, input 0)'

# IPv4 IHL 4 and 0: invalid.
lw ihl -r "$BAD/ipv4-bad-ihl.pcap"
status ihl 0; quiet ihl
stat ihl .decode.invalid 2; stat ihl .decode.ok 4; goodflow ihl
summary ihl '^errors *2 (truncated 0, invalid 2, unsupported 0, input 0)'

# Total length below the header: invalid.  Beyond the frame: a short
# capture, the TCP header is there (counted in its flow, as tcpdump's
# "truncated-ip"); with only the IP header captured: truncated.
lw totlen -r "$BAD/ipv4-bad-totlen.pcap"
status totlen 0; quiet totlen
stat totlen .decode.invalid 1; stat totlen .decode.truncated 1; stat totlen .decode.ok 5
flows totlen 'map(.flow.pkts_toserver)' '[4]'

# TCP data offset 4 (16 bytes) and 15 in a 40-byte datagram: invalid; 15
# in a 100-byte datagram captured short of it: truncated.
lw doff -r "$BAD/tcp-bad-doff.pcap"
status doff 0; quiet doff
stat doff .decode.invalid 2; stat doff .decode.truncated 1; goodflow doff

# IPv6: 9 extension headers (the limit is 8) and hop-by-hop after another
# header are invalid; 8 headers decode.
lw v6ext -r "$BAD/ipv6-ext-chain.pcap"
status v6ext 0; quiet v6ext
stat v6ext .decode.invalid 2; stat v6ext .decode.ok 1
flows v6ext 'map([.src_ip, .dest_port])' '[["2001:db8:1::3",3478]]'

# Fragments out of order and overlapping: the first fragment is classified
# (its UDP length covers the whole datagram), the rest counted; a first TCP
# fragment too short for the TCP header is invalid.
lw frag -r "$BAD/ipv4-fragments.pcap"
status frag 0; quiet frag
stat frag .decode.fragment 4; stat frag .decode.invalid 1; stat frag .decode.ok 1
flows frag 'map([.proto, .dest_port, .flow.pkts_toserver])' '[["UDP",3478,1]]'

# A capture with no packet: a summary and a stats record all the same.
lw empty -r "$BAD/empty.pcap"
status empty 0; quiet empty; stat empty .packets 0; summary empty '^packets *0 '

# ------------------------------------------------------------ rule files

# One file with an error of every class: each reported as file:line (or at
# the line of its section), all in one run, exit 2.
R="$BAD/all-errors.rules"
cat > "$R" <<'EOF'
key = outside
[role r1]
name.en = R1
name.ja = R1
colour = blue
name.en = again
implies = ghost
learn = 5061/sctp 99999/tcp
learn-unless = 1/tcp 2/tcp 3/tcp 4/tcp 5/tcp 6/tcp 7/tcp 8/tcp 9/tcp
[role r1]
name.en = x
name.ja = x
[role Bad_Key]
name.en = x
name.ja = x
[role r2]
name.en = x
[widget w]
[rule
[rule]
[rule a]
table = server
role = r1
role.en = R
role.ja = R
service.en = S
service.ja = S
l4 = tcp
port = 5061
protocol.en = P
protocol.ja = P
app = tls
note.en = N
note.ja = N
[rule a]
[rule bad id!]
table = nowhere
role = ghost
l4 = sctp
port = 0
app = quic
status = maybe
fallback = perhaps
role.en = x
frobnicate = 1
no equals sign
= value
[rule c]
role = r1
l4 = tcp
port = 6000-5000
[rule d]
l4 = tcp
port = 1,2,3,4,5
[rule e]
table = server
role = r1
role.en = R
role.ja = R
service.en = S
service.ja = S
l4 = tcp
port = none
protocol.en = P
protocol.ja = P
app = tls
note.en = N
note.ja = N
EOF
echo '[rule f]' >> "$R"                                  # line 69
printf 'note.en = %05000d\n' 0 >> "$R"                   # line 70
printf 'note.ja = a\0b\n' >> "$R"                        # line 71
lw rules --check-rules "$R"
status rules 2
while IFS= read -r want; do
	saysf rules "all-errors.rules:$want"
done <<'EOF'
1: key 'key' outside a [rule] or [role] section
5: unknown key 'colour' in [role]
6: key 'name.en' given twice
8: bad port '5061/sctp' (want PORT/tcp or PORT/udp)
8: bad port '99999/tcp'
9: more than 8 ports
10: duplicate role 'r1'
13: bad role key 'Bad_Key'
16: role r2: missing key 'name.ja'
18: unknown section 'widget' (want rule or role)
19: section header without ']'
20: bad section header (want [rule ID] or [role KEY])
35: duplicate rule id 'a'
36: bad rule id 'bad id!'
37: bad table 'nowhere' (want one of: server, hlb, dnslb, client)
36: rule bad id!: unknown role 'ghost'
39: bad l4 'sctp'
40: bad port '0' (want 1-65535, P-Q, or a comma list)
41: bad app 'quic'
42: bad status 'maybe'
43: bad fallback 'perhaps' (want yes or no)
36: rule bad id!: missing translation 'role.ja'
36: rule bad id!: missing key 'service.en' and 'service.ja'
45: unknown key 'frobnicate'
46: expected 'key = value'
47: bad key
51: reversed port range 6000-5000
48: rule c: missing key 'table'
48: rule c: missing key 'app'
54: too many port items (at most 4)
55: rule e: l4 none goes with port none and only with it
70: line longer than 4095 bytes
71: NUL byte in line
2: role r1: implies unknown role 'ghost'
EOF
says rules "lyncwatch: [0-9]* problem(s) in the rule"

# Rule errors at a run: exit 2 before anything is read or written.
lw rulesrun --rules "$R" -r "$PCAPS/demo.pcap"
status rulesrun 2; says rulesrun "all-errors.rules:1:"
check "rule errors: no JSON written" [ ! -s "$TMP/rulesrun.json" ]

# A file that cannot be opened; files with no rule that has a port.
lw norules --check-rules "$BAD/nonexistent.rules"
status norules 2; says norules "nonexistent.rules: cannot open: No such file"
printf '[role a]\nname.en = a\nname.ja = a\n' > "$BAD/roles-only.rules"
lw roleonly --check-rules "$BAD/roles-only.rules"
status roleonly 2; says roleonly "roles-only.rules: no rule with a port is loaded"

# More than 8 implied roles; more than RULES_MAX_ROLES (1024) roles.
{
	for i in 0 1 2 3 4 5 6 7 8; do printf '[role r%s]\nname.en = r\nname.ja = r\n' $i; done
	printf '[role big]\nname.en = b\nname.ja = b\nimplies = r0 r1 r2 r3 r4 r5 r6 r7 r8\n'
} > "$BAD/implies.rules"
lw implies --check-rules "$BAD/implies.rules"
status implies 2; says implies "implies.rules:28: role big: implies more than 8 roles"
i=0
while [ $i -le 1024 ]; do printf '[role r%s]\nname.en = r\nname.ja = r\n' $i; i=$((i + 1)); done > "$BAD/roles.rules"
lw manyroles --check-rules "$BAD/roles.rules"
status manyroles 2; says manyroles "roles.rules:3073: too many roles (at most 1024"

# Roles that all imply one another (cycles) with an inventory: answered at
# once (a walk without memory took 8^n steps: a hang).
{
	for i in 0 1 2 3 4 5 6 7 8; do
		printf '[role r%s]\nname.en = r\nname.ja = r\nimplies =' $i
		for k in 0 1 2 3 4 5 6 7 8; do [ $k = $i ] || printf ' r%s' $k; done
		echo
	done
	printf '[role x]\nname.en = x\nname.ja = x\n[rule x]\ntable = server\nrole = x\n'
	printf 'role.en = x\nrole.ja = x\nservice.en =\nservice.ja =\nl4 = tcp\n'
	printf 'port = 5061\nprotocol.en =\nprotocol.ja =\napp = tls\nnote.en =\nnote.ja =\n'
} > "$BAD/cycle.rules"
echo "198.19.1.101 r0" > "$BAD/cycle.inv"
if command -v timeout > /dev/null 2>&1; then to="timeout -s KILL 60"; else to=; fi
$to "$LW" --rules "$BAD/cycle.rules" --inventory "$BAD/cycle.inv" --json "$TMP/cycle.json" \
	-r "$BAD/trunc-packet.pcap" > /dev/null 2> "$TMP/cycle.err"
rc=$?
status cycle 2; says cycle "trunc-packet.pcap: packet 5:"; stat cycle .packets 4

# ------------------------------------------------------------ inventories

I="$BAD/bad.inv"
{
	echo '198.18.10.300     front-end     bad-address'        # 1
	echo '198.18.10.0/33    front-end     bad-prefix'         # 2
	echo '198.18.10.1/24    front-end     host-bits'          # 3
	echo '2001:db8::/129    client'                           # 4
	echo '198.18.10.1       no-such-role  x'                  # 5
	echo '198.18.10.2       front-end,,cms'                   # 6
	echo '198.18.10.3       front-end,front-end'              # 7
	echo '198.18.10.4'                                        # 8
	echo '198.18.10.5       front-end     name extra'         # 9
	echo '198.18.10.6       front-end,cms,director,mediation,edge,client,phone,unknown,all-servers'
	echo '198.18.10.7/x     front-end'                        # 11
	echo '198.18.10.8       front-end     dup'                # 12
	echo '198.18.10.8       director      dup'                # 13
	printf 'x\0y front-end\n'                                 # 14
	printf '198.18.1.1 client %05000d\n' 0                    # 15
} > "$I"
lw inv --inventory "$I" -r "$PCAPS/demo.pcap"
status inv 2
while IFS= read -r want; do
	saysf inv "bad.inv:$want"
done <<'EOF'
1: bad address '198.18.10.300' (want an IPv4 or IPv6 address)
2: bad prefix length '/33' (want 0-32)
3: host bits set in '198.18.10.1/24' (the network is 198.18.10.0/24)
4: bad prefix length '/129' (want 0-128)
5: unknown role 'no-such-role' (known: all-servers, front-end,
6: empty role in 'front-end,,cms'
7: role 'front-end' given twice
8: missing role (want ADDRESS[/PREFIX] ROLE[,ROLE...] [NAME])
9: unexpected 'extra' after the name
10: more than 8 roles
11: bad prefix length '/x' (want 0-32)
13: duplicate entry 198.18.10.8 (first at 
14: NUL byte in line
15: line longer than 4095 bytes
EOF
says inv "lyncwatch: 14 problem(s) in the rule or inventory files"
check "inventory errors: no JSON written" [ ! -s "$TMP/inv.json" ]
lw noinv --inventory "$BAD/nonexistent.inv" -r "$PCAPS/demo.pcap"
status noinv 2; says noinv "nonexistent.inv: cannot open: No such file"

# ------------------------------------------------------------ outputs

# Paths that cannot be opened: exit 2 before reading.
for out in "$BAD/nonexistent/x.json" "$BAD"; do
	"$LW" --json "$out" -r "$PCAPS/demo.pcap" > "$TMP/o.out" 2> "$TMP/o.err"
	rc=$?
	status o 2; says o "lyncwatch: $out: "
done
"$LW" --learn-inventory "$BAD/nonexistent/x.inv" -r "$PCAPS/demo.pcap" > "$TMP/o.out" 2> "$TMP/o.err"
rc=$?
status o 2; says o "lyncwatch: $BAD/nonexistent/x.inv: "

# A full disk: reported, exit 2; the text summary is still written.
"$LW" --json /dev/full -r "$PCAPS/demo.pcap" > "$TMP/full.out" 2> "$TMP/full.err"
rc=$?
status full 2; says full "lyncwatch: /dev/full: write error: No space left on device"
summary full '^flows *41:'
"$LW" --json - -r "$PCAPS/demo.pcap" > /dev/full 2> "$TMP/fullout.err"
rc=$?
status fullout 2; says fullout "write error: No space left on device"
"$LW" --learn-inventory /dev/full -r "$PCAPS/demo.pcap" > /dev/null 2> "$TMP/fulllearn.err"
rc=$?
status fulllearn 2; says fulllearn "lyncwatch: /dev/full: write error: No space left on device"

# The text summary and --list-rules to a full standard output: reported,
# exit 2 (output lost on stdout is no silent success).
check "summary to a full stdout: exit 2 and a message" sh -c \
	"'$LW' -r '$PCAPS/demo.pcap' > /dev/full 2> '$TMP/fullsum.err'; \
	 [ \$? -eq 2 ] && grep -q 'standard output: write error' '$TMP/fullsum.err'"
check "--list-rules to a full stdout: exit 2" sh -c \
	"'$LW' --list-rules > /dev/full 2> /dev/null; [ \$? -eq 2 ]"
finish
