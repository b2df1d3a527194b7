# tests/lib.sh: shared by the end-to-end tests (sourced, not run).
# Automake's test driver sets top_srcdir and top_builddir; run by hand from
# a build directory, they default to the source tree and the current folder.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
LW="$top_builddir/src/lyncwatch"
PCAPS="$top_srcdir/pcaps"
RULES="$top_srcdir/classifiers/lync2013.rules"
SHARED_PCAPS="$top_srcdir/../shared/pcaps"
export LC_ALL=C TZ=UTC

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lw-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

nfail=0
npass=0

fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
pass() { npass=$((npass + 1)); }
skip() { echo "SKIP: $*"; exit 77; }

# check NAME COMMAND...: runs the command, counts pass or fail.
check() {
	name=$1; shift
	if "$@"; then pass; else fail "$name"; fi
}

# expect_fail NAME STATUS PATTERN COMMAND...: exits STATUS, stderr matches PATTERN
# (stdout in $TMP/o, stderr in $TMP/e for later checks).
expect_fail() {
	name=$1 want=$2 pat=$3; shift 3
	"$@" > "$TMP/o" 2> "$TMP/e"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name: exit $rc, want $want"; cat "$TMP/e"
	elif ! grep -q -- "$pat" "$TMP/e"; then
		fail "$name: stderr lacks '$pat':"; cat "$TMP/e"
	else
		pass
	fi
}

need_jq() { command -v jq >/dev/null 2>&1 || skip "jq is not installed"; }

# need_live: root and the tools a live capture in network namespaces needs
# (the live and rotation tests); skips the test, saying why, otherwise.
need_live() {
	[ "$(id -u)" -eq 0 ] || skip "not root (network namespaces and live capture need root)"
	for p in ip ss tcpreplay tcpdump timeout; do
		command -v "$p" >/dev/null 2>&1 || skip "$p is not installed"
	done
}

# finish: prints the closing line and exits non-zero on any failure.
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}

# Drops the fields of a stats record that depend on the machine's speed
# and its heap (nDPI's memory, in bytes of malloc_usable_size).
stable() { jq -c 'del(.stats.seconds, .stats.packets_per_second, .stats.ndpi.memory_peak, .stats.ndpi.memory_module)'; }
