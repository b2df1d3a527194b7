#!/bin/sh
# bench/ndpimem.sh: nDPI's memory in the worst case of issue 15 point 3:
# FLOWS (default 60000) TCP flows to 443, each stopping inside a TLS record
# of 16 KB after 11 segments of 1400 bytes, so that nDPI holds every one
# in its reassembly buffer and no flow ends.  Runs lyncwatch with the
# default --max-inspect and with none; prints nDPI's memory peak (heap
# bytes through set_ndpi_malloc, the summary's figure), the states held
# back, and the process's maximum RSS.  Needs python3 and GNU time;
# the capture (about 0.97 GB for 60000 flows) is written to ${TMPDIR:-/tmp}.
# Usage: top_srcdir=.. top_builddir=.. sh bench/ndpimem.sh [FLOWS [SEGS [LEN [SEGLEN]]]]
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
LW=$top_builddir/src/lyncwatch
flows=${1:-60000} segs=${2:-11} len=${3:-16384} seglen=${4:-1400}
pcap=$(mktemp "${TMPDIR:-/tmp}/lw-ndpimem.XXXXXX")
trap 'rm -f "$pcap"' EXIT
python3 "$top_srcdir/tests/hostile.py" tlsflood "$pcap" "$flows" "$segs" "$len" "$seglen"
echo "ndpimem: $flows flows, a $len-byte TLS record cut after $segs segments of $seglen bytes ($(($(stat -c %s "$pcap") / 1000000)) MB)"
for mi in default 0; do
	set -- --no-progress -r "$pcap"
	[ "$mi" = default ] || set -- --max-inspect "$mi" "$@"
	out=$(/usr/bin/time -f 'maxrss %M' "$LW" "$@" 2>&1)
	peak=$(echo "$out" | sed -n 's/.*memory peak \([0-9]*\) bytes (module \([0-9]*\)).*/\1 \2/p')
	held=$(echo "$out" | sed -n 's/.* \([0-9]*\) packets held back at --max-inspect.*/\1/p')
	states=$(echo "$out" | sed -n 's/.*peak \([0-9]*\) states,.*/\1/p')
	rss=$(echo "$out" | sed -n 's/^maxrss //p')
	set -- $peak
	echo "ndpimem: --max-inspect $mi: nDPI memory peak $(($1 / 1000000)) MB" \
	     "(module $(($2 / 1000000)) MB; $((($1 - $2) / states)) bytes a state over $states states)," \
	     "$held packets held back, max RSS $((rss / 1000)) MB"
done
