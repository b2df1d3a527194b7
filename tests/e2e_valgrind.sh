#!/bin/sh
# Valgrind memcheck over the end-to-end paths: the demo and flag captures
# with an inventory (nDPI, audit, learning), every row, the link types, a
# truncated capture (the error path), --no-dpi, and the third-party
# captures when present.  Any memcheck error or definite/indirect leak
# fails.  Skipped without valgrind, and in a sanitizer build (ASan and
# valgrind cannot run together: the sanitizer run covers it).
. "$(dirname "$0")/lib.sh"
command -v valgrind > /dev/null 2>&1 || skip "valgrind is not installed"
if ldd "$LW" 2> /dev/null | grep -q 'libasan'; then
	skip "built with --enable-sanitizers (the sanitizer run checks memory)"
fi

vg() {
	name=$1; shift
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$LW" --no-progress "$@" \
		> /dev/null 2> "$TMP/vg.err"
	rc=$?
	if [ "$rc" -eq 99 ] || grep -q '^==[0-9]*==' "$TMP/vg.err"; then
		fail "$name: memcheck reports:"; head -30 "$TMP/vg.err"
	else
		pass
	fi
}

vg "demo+flags with inventory and learning" --inventory "$PCAPS/demo.inventory" \
	--learn-inventory "$TMP/learnt" --json "$TMP/out.json" -v \
	-r "$PCAPS/demo.pcap" -r "$PCAPS/flags.pcap"
vg "rows" --json "$TMP/out.json" -r "$PCAPS/rows.pcap"
vg "rows, --no-dpi, --audit-all, ja" --no-dpi --audit-all --lang ja -v -r "$PCAPS/rows.pcap"
for f in "$PCAPS"/linktype-*.pcap; do
	vg "$(basename "$f")" --json "$TMP/out.json" -r "$f"
done
size=$(wc -c < "$PCAPS/demo.pcap")
head -c $((size / 2)) "$PCAPS/demo.pcap" > "$TMP/trunc.pcap"
vg "truncated capture" --json "$TMP/out.json" -r "$TMP/trunc.pcap"
vg "bad rule file" --check-rules "$TMP/trunc.pcap"
if [ -d "$SHARED_PCAPS" ]; then
	for f in stun.pcap sip.pcap http_ipv6.pcap tls_alert.pcap smb_deletefile.pcap; do
		[ -f "$SHARED_PCAPS/$f" ] && vg "shared $f" --json "$TMP/out.json" \
			--audit-all -r "$SHARED_PCAPS/$f"
	done
fi
finish
