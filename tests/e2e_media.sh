#!/bin/sh
# RTP stream measurement (src/inspect/media.c) against tshark's RTP
# analysis (tshark -o rtp.heuristic_rtp:TRUE -q -z rtp,streams): on the
# shared captures that carry RTP, and on captures derived from them by
# dropping, duplicating and reordering packets, every stream tshark lists
# has the same packet and lost counts in lyncwatch's JSON, and mean and max
# jitter within 2% or 0.05 ms where tshark knows the clock rate (its jitter
# is not 0) and lyncwatch did not estimate it.  T.38 is disabled in tshark:
# SDP makes it decode the RTP packets of a re-INVITEd port as (malformed)
# T.38.  Skipped when tshark, python3 or the shared captures are absent.
. "$(dirname "$0")/lib.sh"
need_jq
command -v tshark >/dev/null 2>&1 || skip "tshark is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
[ -d "$SHARED_PCAPS" ] || skip "no $SHARED_PCAPS: the third-party captures are not here"

# derive IN OUT: every 23rd frame dropped, every 31st sent twice, frames
# 17, 17+41, ... swapped with the next (their capture times kept in order).
derive() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
hdr, off, frames = d[:24], 24, []
e = '<' if d[:4] == b'\xd4\xc3\xb2\xa1' else '>'
while off + 16 <= len(d):
    ts, us, cl, wl = struct.unpack(e + 'IIII', d[off:off + 16])
    frames.append([(ts, us), d[off + 8:off + 16 + cl]])
    off += 16 + cl
out = []
for i, f in enumerate(frames):
    if i % 23 == 22:
        continue
    out.append(list(f))
    if i % 31 == 30:
        out.append(list(f))
for i in range(17, len(out) - 1, 41):
    out[i][1], out[i + 1][1] = out[i + 1][1], out[i][1]
with open(sys.argv[2], 'wb') as o:
    o.write(hdr)
    for (ts, us), rest in out:
        o.write(struct.pack(e + 'II', ts, us) + rest)
PY
}

# compare FILE: tshark's streams against lyncwatch's media arrays.
compare() {
	b=$(basename "$1")
	tshark --disable-protocol t38 -o rtp.heuristic_rtp:TRUE -q -z rtp,streams \
		-r "$1" > "$TMP/ts.txt" 2>/dev/null
	rm -f "$TMP/lw.json"            # --json appends
	"$LW" --no-progress --json "$TMP/lw.json" -r "$1" > /dev/null 2>&1
	jq -c 'select(.event_type == "flow" and .lync.media) | . as $f |
		.lync.media[] | select(.packets > 0) |
		(if .direction == "toserver" then [$f.src_ip, $f.src_port, $f.dest_ip, $f.dest_port]
		 else [$f.dest_ip, $f.dest_port, $f.src_ip, $f.src_port] end) +
		[.ssrc, .packets, .lost, .mean_jitter_ms, .max_jitter_ms, .clock_estimated]' \
		"$TMP/lw.json" > "$TMP/lw.txt"
	python3 - "$b" "$TMP/ts.txt" "$TMP/lw.txt" > "$TMP/cmp.txt" <<'PY'
import json, re, sys
name, ts, lw = sys.argv[1:]
ours = {}
for l in open(lw):
    v = json.loads(l)
    ours[(v[0], v[1], v[2], v[3], v[4])] = v[5:]
row = re.compile(r'^\s*\S+\s+\S+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+0x([0-9A-Fa-f]+)\s+.*?'
                 r'\s+(\d+)\s+(-?\d+) \(\S+%\)\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S+)\s+(\S+)\s*X?\s*$')
n = 0
for l in open(ts):
    m = row.match(l)
    if not m:
        continue
    n += 1
    k = (m[1], int(m[2]), m[3], int(m[4]), int(m[5], 16))
    pk, lost, mj, xj = int(m[6]), int(m[7]), float(m[8]), float(m[9])
    tag = '%s %s:%s>%s:%s 0x%s' % (name, m[1], m[2], m[3], m[4], m[5])
    if k not in ours:
        print('FAIL %s: not in lyncwatch' % tag)
        continue
    p, lo, omj, oxj, est = ours[k]
    ok = p == pk and lo == lost
    near = lambda a, b: abs(a - b) <= max(0.05, 0.02 * abs(b))
    if xj > 0 and not est:
        ok = ok and near(omj, mj) and near(oxj, xj)
    print('%s %s: packets %d/%d lost %d/%d mean jitter %.3f/%.3f max %.3f/%.3f' %
          ('ok' if ok else 'FAIL', tag, p, pk, lo, lost, omj, mj, oxj, xj))
print('streams %d' % n)
PY
	cat "$TMP/cmp.txt"
	check "$b: tshark lists RTP streams" sh -c "! grep -q '^streams 0' '$TMP/cmp.txt'"
	check "$b: every stream agrees with tshark" sh -c "! grep -q '^FAIL' '$TMP/cmp.txt'"
}

for f in rtp.pcapng FAX-Call-t38-CA-TDM-SIP-FB-1.pcap sip.pcap; do
	[ -f "$SHARED_PCAPS/$f" ] || { echo "note: $f absent"; continue; }
	compare "$SHARED_PCAPS/$f"
done
for f in FAX-Call-t38-CA-TDM-SIP-FB-1.pcap sip.pcap; do
	[ -f "$SHARED_PCAPS/$f" ] || continue
	derive "$SHARED_PCAPS/$f" "$TMP/derived-$f"
	compare "$TMP/derived-$f"
done

# RTCP: each source's last report block, as lyncwatch keeps it per
# direction, is one tshark reads, and the sources are the same.
f="$SHARED_PCAPS/rtcp_multiple_pkts_in_the_same_datagram.pcap"
if [ -f "$f" ]; then
	tshark -r "$f" -T fields -e rtcp.ssrc.identifier -e rtcp.ssrc.cum_nr \
		-e rtcp.ssrc.jitter > "$TMP/rtcp_ts.txt" 2>/dev/null
	rm -f "$TMP/lw.json"
	"$LW" --no-progress --json "$TMP/lw.json" -r "$f" > /dev/null 2>&1
	jq -r 'select(.lync.media) | .lync.media[] | select(.rtcp) |
		"\(.ssrc) \(.rtcp.cumulative_lost) \(.rtcp.jitter_ts)"' "$TMP/lw.json" \
		> "$TMP/rtcp_lw.txt"
	python3 - "$TMP/rtcp_ts.txt" "$TMP/rtcp_lw.txt" > "$TMP/rtcp.txt" <<'PY'
import sys
theirs = set()
for l in open(sys.argv[1]):
    f = l.rstrip('\n').split('\t')
    if len(f) < 3 or not f[1]:
        continue
    cum, jit = f[1].split(','), f[2].split(',')
    ids = f[0].split(',')[:len(cum)]   # block SSRCs, then SDES chunks'
    for s, c, j in zip(ids, cum, jit):
        theirs.add((int(s, 16), int(c), int(j)))
ours = set(tuple(int(x) for x in l.split()) for l in open(sys.argv[2]))
for t in sorted(ours):
    print('%s block ssrc 0x%08x cumulative lost %d jitter %d' %
          ('ok' if t in theirs else 'FAIL', *t))
if {t[0] for t in ours} != {t[0] for t in theirs} or not ours:
    print('FAIL sources: ours %s, tshark %s' % (sorted({t[0] for t in ours}),
                                                sorted({t[0] for t in theirs})))
PY
	cat "$TMP/rtcp.txt"
	check "rtcp: the report blocks agree with tshark" \
		sh -c "! grep -q '^FAIL' '$TMP/rtcp.txt'"
fi

# (--json appends: a new file for each run.)
# poor-media: the FAX call's stream toward the gateway lost 91.5% of its
# sequence (the T.38 leg in between): a notice naming it, unless the loss
# threshold is above that.
f="$SHARED_PCAPS/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap"
if [ -f "$f" ]; then
	"$LW" --no-progress --json "$TMP/p1.json" -r "$f" > /dev/null 2>&1
	jq -r 'select(.lync.flags // [] | index("poor-media")) | .lync.verdict + " " + .lync.reason' \
		"$TMP/p1.json" > "$TMP/poor.txt"
	check "FAX: poor-media notice ($(cat "$TMP/poor.txt"))" \
		grep -q '^notice .*poor media on RTP stream 0x0eaf0eaf: loss 91.5%' "$TMP/poor.txt"
	"$LW" --no-progress --lang ja --json "$TMP/p2.json" -r "$f" > /dev/null 2>&1
	check "FAX: poor-media in Japanese" grep -q 'RTP ストリーム 0x0eaf0eaf のメディア品質が低い: 損失 91.5%' "$TMP/p2.json"
	"$LW" --no-progress --media-loss 95 --json "$TMP/p3.json" -r "$f" > /dev/null 2>&1
	n=$(jq -s 'map(select(.lync.flags // [] | index("poor-media"))) | length' "$TMP/p3.json")
	check "FAX: no poor-media with --media-loss 95 ($n)" [ "$n" -eq 0 ]
	"$LW" --no-progress --media-loss 95 --media-jitter 1 --json "$TMP/p4.json" -r "$f" > /dev/null 2>&1
	check "FAX: poor-media on jitter with --media-jitter 1" grep -q 'jitter 1.4 ms' "$TMP/p4.json"
fi
"$LW" --media-loss 101 -r /dev/null > /dev/null 2>&1
check "--media-loss 101 is refused" [ $? -eq 2 ]

# --no-media: no media array.
"$LW" --no-progress --no-media --json "$TMP/nm.json" -r "$SHARED_PCAPS/sip.pcap" > /dev/null 2>&1
n=$(jq -s 'map(select(.lync.media)) | length' "$TMP/nm.json")
check "--no-media writes no media array ($n)" [ "$n" -eq 0 ]
n=$(jq -s 'map(select(.lync.media)) | length' "$TMP/lw.json")
check "without it, the RTCP flows have one ($n)" [ "$n" -gt 0 ]
finish
