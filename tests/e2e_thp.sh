#!/bin/bash
# The malloc heap in transparent huge pages (src/util/thp.c): lyncwatch
# runs itself again at once with glibc's tunable glibc.malloc.hugetlb=1 in
# GLIBC_TUNABLES (a page fault costs 12-20 us on a virtual machine; the
# deploy bench capture made 18,000 of them, 6,000 so).  Checked on the
# running process (same pid): its heap marked for huge pages (VmFlags
# "hg" in /proc/PID/smaps: glibc's madvise, whether or not the system then
# gives huge pages), with a user's own tunables too; not marked when the
# user set this tunable to 0, with LYNCWATCH_THP=0, with a preloaded
# library (valgrind's tools: an exec would leave them), or live (-i: a
# long-running monitor keeps the smaller, steadier heap); the exec failing
# (no /proc) and a setcap'd copy run by another user (glibc's secure mode)
# go on as started; the records the same either way.
. "$(dirname "$0")/lib.sh"

if grep -qa -e __asan_init -e __tsan_init "$LW"; then
	skip "a sanitizer's build: its own allocator, no exec"
fi
[ -r /proc/self/smaps ] || skip "no /proc"
[ -d /sys/kernel/mm/transparent_hugepage ] ||
	skip "a kernel without transparent huge pages"
v=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed -n 's/^glibc \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
set -- $v
[ $# -eq 2 ] && { [ "$1" -gt 2 ] || [ "$2" -ge 35 ]; } ||
	skip "glibc older than 2.35 (no glibc.malloc.hugetlb) or not glibc"

# held NAME ENV...: lyncwatch reading demo.pcap from a pipe that is held
# open until its JSON file is there (set-up done: any exec is behind);
# then 'hg' in $TMP/NAME.env when a mapping of the process is marked for
# huge pages, 'none' otherwise; its records in $TMP/NAME.json.
held() {
	local name=$1 pid i
	shift
	rm -f "$TMP/fifo" "$TMP/$name.json"
	mkfifo "$TMP/fifo"
	env "$@" "$LW" -r - --no-progress --json "$TMP/$name.json" \
		< "$TMP/fifo" > /dev/null 2> "$TMP/$name.err" &
	pid=$!
	exec 3> "$TMP/fifo"
	head -c 24 "$PCAPS/demo.pcap" >&3
	for i in $(seq 100); do
		[ -e "$TMP/$name.json" ] && break
		sleep 0.1
	done
	if grep -q '^VmFlags:.* hg' "/proc/$pid/smaps"; then
		echo hg
	else
		echo none
	fi > "$TMP/$name.env"
	tail -c +25 "$PCAPS/demo.pcap" >&3
	exec 3>&-
	wait "$pid" || { cat "$TMP/$name.err"; fail "$name: lyncwatch"; }
}

is() { [ "$(cat "$TMP/$1.env")" = "$2" ] ||
	{ echo "$1: '$(cat "$TMP/$1.env")', want '$2'"; false; }; }

held plain -u GLIBC_TUNABLES -u LYNCWATCH_THP -u LD_PRELOAD
check "the heap in huge pages" is plain hg
held others -u LD_PRELOAD GLIBC_TUNABLES=glibc.malloc.tcache_count=7
check "with the user's own tunables too" is others hg
held own -u LD_PRELOAD GLIBC_TUNABLES=glibc.malloc.hugetlb=0
check "the user's hugetlb=0 left alone" is own none
held off -u GLIBC_TUNABLES -u LD_PRELOAD LYNCWATCH_THP=0
check "LYNCWATCH_THP=0 runs as started" is off none
held preload -u GLIBC_TUNABLES LD_PRELOAD=libc.so.6
check "a preloaded library: run as started" is preload none
held empty -u GLIBC_TUNABLES LD_PRELOAD=
check "an empty LD_PRELOAD preloads nothing" is empty hg
# Live: as started (root and unshare -n: a capture on a private lo).
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 &&
   unshare -n true 2>/dev/null; then
	rm -f "$TMP/live.json"
	unshare -n sh -c "ip link set lo up; exec env -u GLIBC_TUNABLES \
		-u LD_PRELOAD -u LYNCWATCH_THP '$LW' -i lo --no-progress \
		--json '$TMP/live.json'" > /dev/null 2> "$TMP/live.err" &
	pid=$!
	for i in $(seq 100); do
		[ -e "$TMP/live.json" ] && break
		sleep 0.1
	done
	lpid=$(pgrep -n -f "^$LW -i lo") || lpid=$pid
	if grep -q '^VmFlags:.* hg' "/proc/$lpid/smaps"; then
		echo hg
	else
		echo none
	fi > "$TMP/live.env"
	kill -TERM "$lpid" 2>/dev/null
	wait "$pid"
	check "live (-i): run as started" is live none
	check "live (-i): it was running" test -e "$TMP/live.json"
else
	echo "SKIP (live): needs root and unshare -n"
fi
# The exec failing (no /proc: a mount namespace with an empty one): the
# program goes on as started, with the same records.
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 &&
   unshare -m true 2>/dev/null; then
	unshare -m sh -c "mount -t tmpfs none /proc && exec env \
		-u GLIBC_TUNABLES -u LD_PRELOAD -u LYNCWATCH_THP '$LW' \
		-r '$PCAPS/demo.pcap' --no-progress --json '$TMP/noproc.json'" \
		> /dev/null 2> "$TMP/noproc.err"
	rc=$?
	check "no /proc: exit 0 (got $rc; $(head -c 200 "$TMP/noproc.err"))" \
		[ "$rc" -eq 0 ]
	grep '"event_type":"flow"' "$TMP/noproc.json" > "$TMP/noproc.flows" 2>/dev/null
	check "no /proc: the same records" cmp -s "$TMP/noproc.flows" \
		<(grep '"event_type":"flow"' "$TMP/plain.json")
else
	echo "SKIP (no /proc): needs root and unshare -m"
fi
# A program with file capabilities (setcap, to capture without root) runs
# in glibc's secure mode, which drops the tunable: run by another user it
# must not start itself again and again (it did: a timeout here).
if [ "$(id -u)" -eq 0 ] && command -v setcap >/dev/null 2>&1 &&
   command -v setpriv >/dev/null 2>&1 && getent passwd nobody >/dev/null; then
	mkdir "$TMP/cap"
	cp "$LW" "$PCAPS/demo.pcap" "$RULES" "$TMP/cap/"
	chmod 755 "$TMP" "$TMP/cap" "$TMP/cap/lyncwatch"
	chmod 644 "$TMP/cap/demo.pcap" "$TMP/cap/lync2013.rules"
	if setcap cap_net_raw+ep "$TMP/cap/lyncwatch" 2>/dev/null; then
		timeout 20 setpriv --reuid=nobody --regid="$(id -g nobody)" \
			--clear-groups env -u GLIBC_TUNABLES -u LD_PRELOAD \
			-u LYNCWATCH_THP "$TMP/cap/lyncwatch" -r "$TMP/cap/demo.pcap" \
			--rules "$TMP/cap/lync2013.rules" --json - \
			> "$TMP/cap.json" 2> "$TMP/cap.err"
		rc=$?
		check "setcap'd, run by nobody: exit 0 (got $rc; $(head -c 200 "$TMP/cap.err"))" \
			[ "$rc" -eq 0 ]
		check "setcap'd, run by nobody: records written" \
			grep -q '"event_type":"flow"' "$TMP/cap.json"
	else
		echo "SKIP (setcap): this file system keeps no capabilities"
	fi
else
	echo "SKIP (setcap): needs root, setcap, setpriv and the user nobody"
fi
# The records (the run's statistics aside: its time and memory).
for n in plain off; do
	grep '"event_type":"flow"' "$TMP/$n.json" > "$TMP/$n.flows"
done
check "records written" test -s "$TMP/plain.flows"
check "the same records either way" cmp -s "$TMP/plain.flows" "$TMP/off.flows"
finish
