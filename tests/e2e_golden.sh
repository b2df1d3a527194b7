#!/bin/sh
# Golden outputs: each case of tests/golden/CASES is run and diffed with its
# checked-in output.  The CASES file says what each case proves.
. "$(dirname "$0")/lib.sh"
need_jq
G="$top_srcdir/tests/golden"
cd "$top_srcdir" || exit 99

mask_text() { sed -E 's/in [0-9.]+ s, [0-9]+ packets\/s/in X s, X packets\/s/; s/[0-9.]+ 秒、[0-9]+ パケット\/秒/X 秒、X パケット\/秒/;
	s/memory peak [0-9]+ bytes \(module [0-9]+\)/memory peak X bytes (module X)/; s/メモリ最大 [0-9]+ バイト \(モジュール [0-9]+\)/メモリ最大 X バイト (モジュール X)/'; }

grep -v '^#' "$G/CASES" | while IFS='|' read -r name kind args what; do
	name=$(echo $name); kind=$(echo $kind)
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	if [ "$kind" = json ]; then
		"$LW" --no-progress --json - $args 2>/dev/null | stable > "$TMP/$name.out"
		want="$G/$name.json"
	else
		"$LW" --no-progress $args 2>&1 | mask_text > "$TMP/$name.out"
		want="$G/$name.txt"
	fi
	if [ "${LW_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$TMP/$name.out" "$want"
		echo "updated $want"
	fi
	if diff -u "$want" "$TMP/$name.out" > "$TMP/$name.diff"; then
		echo "ok: $name:$what"
		echo pass >> "$TMP/results"
	else
		echo "FAIL: $name:$what"
		head -40 "$TMP/$name.diff"
		echo fail >> "$TMP/results"
	fi
done
npass=$(grep -c pass "$TMP/results")
nfail=$(grep -c fail "$TMP/results")
finish
