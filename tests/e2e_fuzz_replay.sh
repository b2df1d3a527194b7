#!/bin/sh
# The fuzz harnesses, built as plain programs (tests/fuzz/replay.c), over
# their seed corpora and every input that once crashed (tests/fuzz/regress):
# none may crash, leak under the sanitizer build, or break an invariant.
. "$(dirname "$0")/lib.sh"
FUZZ="$top_srcdir/tests/fuzz"
# An input that once hung a parser must fail, not hang the suite.
if command -v timeout > /dev/null 2>&1; then to="timeout -s KILL 600"; else to=; fi

for h in decode pcap rules inventory escape savefile; do
	bin="$top_builddir/tests/fuzz/replay_$h"
	[ -x "$bin" ] || { fail "$h: $bin is not built"; continue; }
	set -- "$FUZZ/corpus/$h"
	[ -d "$FUZZ/regress/$h" ] && set -- "$@" "$FUZZ/regress/$h"
	if $to "$bin" "$@" > "$TMP/out" 2> "$TMP/err"; then
		n=$(sed -n 's/.*: \([0-9]*\) input(s) replayed$/\1/p' "$TMP/out")
		check "$h: inputs replayed (${n:-none})" [ "${n:-0}" -gt 0 ]
	else
		fail "$h: replay exited $?"
		tail -n 40 "$TMP/err"
	fi
done
finish
