/* alert.h: announcing violations as soon as they are decided, on a stream
 * (stderr) and/or syslog, at most one line per key and interval.
 *
 * A key is (flag, server address, server port, L4 protocol).  The first
 * alert of a key is written at once; the ones that follow within
 * interval_s seconds are counted, not written.  The next alert written for
 * that key says how many were held back:
 *
 *   lyncwatch: ALERT <flag> <TCP|UDP> <server>:<port>: <line> (N similar suppressed)
 *
 * and alert_flush() writes, for each key whose interval has passed with
 * alerts held back,
 *
 *   lyncwatch: ALERT <flag> <TCP|UDP> <server>:<port>: N similar suppressed in the last interval
 *
 * An IPv6 server is written as [addr]:port.  To syslog the same text goes
 * without the "lyncwatch: " prefix (the ident carries it), at LOG_WARNING.
 * The caller's text (a reason, which may name an inventory host or hold a
 * packet's bytes) is escaped with esc_text() (util/escape.h): controls,
 * escape sequences and invalid UTF-8 as \xNN, so one alert is always one
 * clean line.
 *
 * Keys live in a table of max_keys entries allocated by alert_new; no
 * alert allocates.  When the table is full the least recently alerted key
 * is replaced (its held-back count is written first) and the replacement
 * counted.
 *
 * With max_lines > 0 and interval_s > 0, at most max_lines ALERT lines (of
 * all keys together) are written per interval, so a scan of many ports
 * cannot flood the log.  An alert over that limit is counted (on its key
 * when the key is known, so its next line includes it) and the first one
 * of an interval writes
 *
 *   lyncwatch: ALERT rate limit: more than M lines in S s; counting the rest
 *
 * and the next alert_flush() or window writes
 *
 *   lyncwatch: ALERT rate limit: N alerts not written in the last interval
 *
 * The "suppressed" lines are not limited by max_lines: a key enters the
 * table only with an ALERT line, so there is at most one such line per key
 * and interval from alert_flush(), and one per ALERT line from eviction.
 *
 * Times are seconds on any clock that the caller uses throughout (packet
 * time for replays, a monotonic clock when live).  A clock that steps back
 * by more than interval_s starts the key's interval afresh.
 *
 * Not thread-safe: one alerter per thread, or the caller serialises.
 * openlog()/closelog() are process-wide: use syslog in one alerter only.
 */
#ifndef LW_ALERT_H
#define LW_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ALERT_DEFAULT_INTERVAL 60.0  /* seconds */
#define ALERT_DEFAULT_MAX_KEYS 4096
#define ALERT_MAX_KEYS (1u << 24)    /* largest max_keys accepted */
#define ALERT_LINE_MAX 1024          /* bytes of one line; longer is cut */

struct alert_cfg {
	FILE *stream;         /* e.g. stderr; NULL: none */
	bool use_syslog;      /* also syslog(LOG_WARNING | facility) */
	int facility;         /* LOG_DAEMON, LOG_LOCAL0, ...; 0: LOG_DAEMON */
	double interval_s;    /* >= 0: one line per key per interval; 0: every alert */
	size_t max_keys;      /* table size; 0: ALERT_DEFAULT_MAX_KEYS */
	unsigned max_lines;   /* lines of all keys per interval; 0: no limit */
	uint64_t seed;        /* hash seed (e.g. from /dev/urandom) */
};

struct alert_stats {
	uint64_t emitted;     /* ALERT lines written (each counts once) */
	uint64_t suppressed;  /* alerts held back (repeats, or over max_lines) */
	uint64_t rate_limited;/* of suppressed: held back by max_lines */
	uint64_t summaries;   /* "N similar suppressed" lines of flush/eviction */
	uint64_t evicted;     /* keys replaced because the table was full */
	uint64_t write_errors;/* failed writes to the stream */
	size_t keys;          /* keys in the table now */
};

struct alerter;

/* Returns NULL when out of memory or when cfg is invalid (interval_s
 * negative or not a number, max_keys > ALERT_MAX_KEYS). */
struct alerter *alert_new(const struct alert_cfg *cfg);

/*
 * One violation at time now_s.  flag_bit (0..255) and flag_name name the
 * flag (audit_flag_name(flag_bit)); ipver is 4 or 6; server is the
 * server's address in network order (IPv4 in the first 4 bytes); port is
 * in host order; l4 is the IP protocol number (6 TCP, 17 UDP); line is the
 * human sentence, e.g. the audit reason.
 */
void alert_violation(struct alerter *a, double now_s, int flag_bit,
		     const char *flag_name, int ipver, const uint8_t server[16],
		     uint16_t port, uint8_t l4, const char *line);

/* Writes the held-back count of every key whose interval has passed at
 * now_s, and starts its next interval.  Call it periodically, and at exit
 * with now_s = INFINITY, which writes every held-back count. */
void alert_flush(struct alerter *a, double now_s);

void alert_get_stats(const struct alerter *a, struct alert_stats *out);

/* Writes nothing (flush first); closes syslog when it opened it. */
void alert_free(struct alerter *a);

/* "daemon", "user", "local0".."local7" (any case) to LOG_*; -1 otherwise. */
int alert_facility_from_name(const char *name);

#endif
