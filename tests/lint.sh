#!/bin/sh
# tests/lint.sh: static analysis of src/**/*.c with cppcheck (Debian 12:
# 2.10) and clang-tidy (14), and the pipeline order of the includes.  The checks are in .clang-tidy and the cppcheck
# suppressions in tests/lint-suppressions.txt, each with its reason.
#
# Exit status: 0 no finding; 1 findings (printed as file:line: message
# [check]); 2 a tool is missing (Debian: apt-get install cppcheck
# clang-tidy).  Environment: CPPCHECK, CLANG_TIDY (the commands), JOBS
# (parallel clang-tidy runs, default: the number of CPUs).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cppcheck=${CPPCHECK:-cppcheck}
tidy=${CLANG_TIDY:-clang-tidy}
jobs=${JOBS:-$(nproc 2> /dev/null || echo 2)}

for t in "$cppcheck" "$tidy"; do
	command -v "$t" > /dev/null 2>&1 ||
		{ echo "lint: $t is not installed" >&2; exit 2; }
done
if ! deps=$(pkg-config --cflags libndpi libpcap hiredis); then
	echo "lint: pkg-config cannot find libndpi and libpcap" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lw-lint.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
# The few names of configure's config.h that the sources use.
printf '#define PACKAGE "lyncwatch"\n#define PACKAGE_VERSION "0"\n' > "$work/config.h"
defs="-DLW_PKGDATADIR=\"/usr/share/lyncwatch\" -DLW_SRCDIR=\"$top\""

cd "$top" || exit 2
status=0
sources=$(find src -name '*.c' | sort)

# The pipeline runs one way: a file includes headers only from its own or
# an earlier stage (util, capture, flow, classify, inspect, audit, output);
# the program at the top of src/ may include any.  Prints file:line for
# every include that points to a later stage.
stage() {
	case $1 in
	util/*) echo 0 ;; capture/*) echo 1 ;; flow/*) echo 2 ;;
	classify/*) echo 3 ;; inspect/*) echo 4 ;; audit/*) echo 5 ;;
	output/*) echo 6 ;; */*) echo 99 ;; *) echo 7 ;;
	esac
}
order=0
for f in $(find src -name '*.[ch]' | sort); do
	rel=${f#src/}
	own=$(stage "$rel")
	[ "$own" = 7 ] && continue
	grep -n '^#include "' "$f" | while IFS= read -r line; do
		hdr=$(printf '%s' "$line" | sed 's/^[0-9]*:#include "\(.*\)".*/\1/')
		case $hdr in */*) ;; *) continue ;; esac
		to=$(stage "$hdr")
		if [ "$to" -gt "$own" ]; then
			echo "$f:${line%%:*}: includes $hdr, a later stage [pipeline-order]"
		fi
	done > "$work/order.log"
	if [ -s "$work/order.log" ]; then
		cat "$work/order.log"
		order=1
	fi
done
[ "$order" -eq 0 ] && echo "lint: includes follow the pipeline" || status=1

echo "lint: $($cppcheck --version)"
# shellcheck disable=SC2086
if ! $cppcheck --enable=warning,style,performance,portability --std=c11 \
	--library=posix --inline-suppr --quiet --error-exitcode=1 \
	--suppressions-list=tests/lint-suppressions.txt \
	--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
	-I src -I "$work" $defs $sources; then
	status=1
fi

echo "lint: $($tidy --version | sed -n 's/.*LLVM version/clang-tidy/p')"
# shellcheck disable=SC2086
if ! printf '%s\n' $sources | xargs -P "$jobs" -I '{}' "$tidy" --quiet \
	--warnings-as-errors='*' '{}' -- -std=gnu11 -Isrc -I"$work" $defs $deps \
	> "$work/tidy.log" 2>&1; then
	status=1
fi
grep -E ': (warning|error): ' "$work/tidy.log" | sort -u
grep -q -E ': (warning|error): ' "$work/tidy.log" && status=1

if [ "$status" -eq 0 ]; then
	echo "lint: no findings"
else
	echo "lint: findings above"
fi
exit $status
