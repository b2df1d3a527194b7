# netns.sh: two private network namespaces joined by a veth pair, for the
# tests that need real sockets or a live capture.  Sourced after lib.sh;
# the test sets $pids (its background jobs) as it goes.
#
#   netns_pair NS1 NS2 IF1 IF2   creates both namespaces (IPv6 off, so the
#                                kernel sends nothing of its own; lo up) and
#                                the veth pair IF1 (in NS1) <-> IF2 (in NS2),
#                                both up; skips the test, with the reason,
#                                when the machine cannot
#   nsrun NS SECONDS CMD...      a command in a namespace, bounded in time
#                                (not for background jobs: $! would be the
#                                pid of timeout)
#   wait_for [-n TENTHS] CMD...  until CMD succeeds (default 5 s)
#
# On exit, even after a failure: stops the jobs in $pids, then anything
# still running in the namespaces, deletes them and removes $TMP.

pids=
NETNS_LIST=

netns_cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for ns in $NETNS_LIST; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
	done
	for p in $pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
	done
	for ns in $NETNS_LIST; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap netns_cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE

nsrun() {
	ns=$1; secs=$2; shift 2
	timeout -k 1 "$secs" ip netns exec "$ns" "$@"
}

wait_for() {
	lim=50
	if [ "$1" = -n ]; then lim=$2; shift 2; fi
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -ge "$lim" ] && return 1
		sleep 0.1
	done
}

netns_pair() {
	for ns in "$1" "$2"; do
		ip netns add "$ns" 2>"$TMP/ns.err" ||
			skip "ip netns is unavailable: $(head -n 1 "$TMP/ns.err")"
		NETNS_LIST="$NETNS_LIST $ns"
	done
	ip netns exec "$1" true 2>"$TMP/ns.err" ||
		skip "ip netns exec is unavailable: $(head -n 1 "$TMP/ns.err")"
	for ns in "$1" "$2"; do
		# shellcheck disable=SC2016 # $f expands in the namespace's shell
		ip netns exec "$ns" sh -c 'for f in /proc/sys/net/ipv6/conf/default/disable_ipv6 \
			/proc/sys/net/ipv6/conf/all/disable_ipv6; do [ -w "$f" ] && echo 1 > "$f"; done; :'
		ip -n "$ns" link set lo up
	done
	if ! { ip -n "$1" link add "$3" type veth peer name "$4" netns "$2" &&
	       ip -n "$1" link set "$3" up &&
	       ip -n "$2" link set "$4" up; } 2>"$TMP/ns.err"; then
		skip "cannot set up a veth pair between namespaces: $(head -n 1 "$TMP/ns.err")"
	fi
}
