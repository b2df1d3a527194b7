#!/bin/sh
# tests/fuzz/run.sh [SECONDS]: builds every libFuzzer harness of tests/fuzz
# with clang, AddressSanitizer and UndefinedBehaviorSanitizer, and runs each
# for SECONDS (default 60) on a copy of its seed corpus (corpus/HARNESS and
# the regression inputs regress/HARNESS).
#
# Exit status: 0 when no harness found anything; 1 when one crashed, leaked,
# hit a sanitizer report, a broken invariant, a timeout or the memory limit
# (the input is kept in crashes/HARNESS/, the report is printed); 2 when
# the harnesses cannot be built (e.g. no libFuzzer runtime: Debian ships it
# in libclang-rt-14-dev).
#
# Environment: CC (default clang), FUZZ_HARNESSES (default "decode pcap
# rules inventory escape savefile"), FUZZ_CRASH_DIR (default tests/fuzz/crashes in the
# source tree), FUZZ_ARGS (extra libFuzzer flags, e.g. -jobs=2), FUZZ_LOGS
# (a directory to keep the libFuzzer logs in).
set -u

secs=${1:-60}
case $secs in
'' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cc=${CC:-clang}
harnesses=${FUZZ_HARNESSES:-"decode pcap rules inventory escape savefile"}
crashes=${FUZZ_CRASH_DIR:-$here/crashes}
export top_srcdir="$top"  # where the harnesses find the rules

work=$(mktemp -d "${TMPDIR:-/tmp}/lw-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-g -O1 -fno-omit-frame-pointer $san"
cppflags="-I$top/src -I$here -I$work -DLW_SRCDIR=\"$top\" -DLW_PKGDATADIR=\"$top/classifiers\""
if ! deps_cflags=$(pkg-config --cflags libndpi libpcap hiredis) ||
   ! deps_libs=$(pkg-config --libs libndpi libpcap hiredis); then
	echo "fuzz: pkg-config cannot find libndpi, libpcap and hiredis" >&2
	exit 2
fi

# The libFuzzer runtime is a separate package on Debian.
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\n'\
'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)'\
'{ (void)d; (void)n; return 0; }\n' > "$work/probe.c"
if ! $cc -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2> "$work/probe.log"; then
	cat "$work/probe.log" >&2
	echo "fuzz: $cc cannot link -fsanitize=fuzzer (Debian: apt-get install" \
	     "clang libclang-rt-14-dev)" >&2
	exit 2
fi

# A config.h with the few names the sources use (configure writes the real
# one into a build tree, which this script does without).
version=$(sed -n 's/^AC_INIT(\[lyncwatch\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
cat > "$work/config.h" <<EOF
#define PACKAGE "lyncwatch"
#define PACKAGE_NAME "lyncwatch"
#define PACKAGE_VERSION "${version:-0}"
#define PACKAGE_STRING "lyncwatch ${version:-0}"
#define VERSION "${version:-0}"
EOF

# The product's sources once, instrumented for coverage; main.c is not
# needed (the harnesses drive the stages themselves).
echo "fuzz: building with $cc"
objs=
for src in $(find "$top/src" -name '*.c' | sort); do
	name=$(printf '%s' "${src#"$top"/src/}" | sed 's|/|_|g; s|\.c$||')
	[ "$name" = main ] && continue
	# shellcheck disable=SC2086
	$cc $cflags -fsanitize=fuzzer-no-link $cppflags $deps_cflags \
		-c "$src" -o "$work/$name.o" || exit 2
	objs="$objs $work/$name.o"
done

# One line of figures from a libFuzzer log: runs, exec/s, coverage (edges)
# and features at the start (the seeds) and at the end, corpus size.
figures() {
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$1" | tail -n 1)
	re='.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*'
	init=$(grep 'INITED' "$1" | sed -n "s/$re/\1 \2/p" | tail -n 1)
	last=$(grep -E 'DONE|NEW|REDUCE|pulse' "$1" | sed -n "s/$re/\1 \2 \3/p" | tail -n 1)
	set -- $init $last
	if [ $# -eq 5 ]; then
		echo "${runs:-?} runs, ${rate:-?} exec/s, cov $1 -> $3, ft $2 -> $4, corpus $5"
	else
		echo "${runs:-?} runs, ${rate:-?} exec/s, no coverage line"
	fi
}

status=0
for h in $harnesses; do
	bin="$work/fuzz_$h"
	# shellcheck disable=SC2086
	if ! $cc $cflags -fsanitize=fuzzer $cppflags $deps_cflags \
		"$here/fuzz_$h.c" $objs $deps_libs -lm -o "$bin"; then
		echo "fuzz: cannot build fuzz_$h" >&2
		exit 2
	fi
	corpus="$work/corpus-$h"
	mkdir -p "$corpus" "$crashes/$h"
	for d in "$here/corpus/$h" "$here/regress/$h"; do
		[ -d "$d" ] && find "$d" -type f -exec cp {} "$corpus/" \;
	done
	dict=
	[ -f "$here/$h.dict" ] && dict="-dict=$here/$h.dict"
	log="$work/fuzz_$h.log"
	echo "fuzz: fuzz_$h for $secs s"
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=30 \
		-print_final_stats=1 -artifact_prefix="$crashes/$h/" \
		$dict ${FUZZ_ARGS:-} "$corpus" > "$log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] || grep -q -e '^==[0-9]*==ERROR' -e 'runtime error:' \
		-e 'invariant broken' "$log"; then
		status=1
		echo "FAIL: fuzz_$h (exit $rc): $(figures "$log")"
		grep -A 40 -e '^==[0-9]*==ERROR' -e 'runtime error:' \
			-e 'invariant broken' -e 'ALARM' "$log" | head -n 60
		grep -e 'Test unit written to' "$log"
		echo "  reproduce: the input above; replay it with" \
		     "tests/fuzz/replay_$h FILE, or keep it in tests/fuzz/regress/$h/"
	else
		echo "ok: fuzz_$h: $(figures "$log")"
		rmdir "$crashes/$h" 2> /dev/null
	fi
	[ -n "${FUZZ_LOGS:-}" ] && cp "$log" "$FUZZ_LOGS/"
done
rmdir "$crashes" 2> /dev/null
exit $status
