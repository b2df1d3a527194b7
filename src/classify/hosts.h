/* hosts.h: the hosts a capture showed serving a product-specific port.
 *
 * Without an inventory, "this address serves HTTPS" says nothing about
 * Lync: the port is everybody's.  But an address that was seen serving a
 * port that only Lync's tables document (SIP/TLS, PSOM, ..., every exactly
 * documented port of a server or load-balancer row that is not `shared`),
 * with the bytes confirming the row's application, is a Lync server, and
 * its other documented ports are Lync traffic too.  This table keeps those
 * addresses and what showed it (the first such port and rule), so labels
 * can say how strongly they are supported and the summary can list the
 * inferred servers.
 *
 * One table is shared by every engine thread: hosts_mark() takes a lock,
 * hosts_find() takes none (an entry, once published, never moves).
 * Bounded: at most HOSTS_MAX hosts; further ones are counted in
 * `dropped`, never kept.
 *
 * Offline engines (filework.h) see the table as one engine alone would:
 * each sets a view (hosts_view) before each step of the reader's clock.
 * A mark made at clock pos is seen by lookups whose bound is above pos,
 * once every other engine has made its marks below that bound (the wait
 * function); of several marks of one host the earliest (pos, then
 * first_us, port, rule) is kept.  Without a view (live) a mark is seen at
 * once and the first one is kept.
 */
#ifndef LW_HOSTS_H
#define LW_HOSTS_H

#include <stdbool.h>
#include <stdint.h>

#define HOSTS_MAX 16384

/* One inferred server. */
struct host_seen {
	uint8_t addr[16];        /* network order; IPv4 in the first 4 bytes */
	uint8_t ipver;           /* 4 or 6 */
	uint8_t l4;              /* L4 of the port that showed it */
	uint16_t port;           /* that port, host order */
	uint32_t rule;           /* a rule (index) documenting it exactly */
	uint64_t first_us;       /* packet time of the showing flow's start */
};

struct hosts;

/* Returns once every other engine has made its marks below bound. */
typedef void (*hosts_wait_fn)(void *ctx, uint64_t bound);

/* The calling thread's view from now on: its marks are made at pos,
 * its lookups see the marks below bound (waiting first with wait(ctx,
 * bound) when the answer could change).  wait NULL: no view. */
void hosts_view(uint64_t pos, uint64_t bound, hosts_wait_fn wait, void *ctx);

/* Returns NULL when out of memory. */
struct hosts *hosts_new(void);
void hosts_free(struct hosts *h);

/* Records that addr served (l4, port), documented by rule, in a flow that
 * started at first_us.  A host already known keeps its first entry (with
 * a view: its earliest, see above).  Thread safe. */
void hosts_mark(struct hosts *h, int ipver, const uint8_t addr[16],
		uint8_t l4, uint16_t port, uint32_t rule, uint64_t first_us);

/* Whether addr has a mark made below pos (offline: an item's clock),
 * which no mark at pos or later can replace (hosts_mark keeps the
 * earliest).  Marks below pos made by other engines that have not run
 * yet may be missing: false then, which errs on the side of "may still
 * mark".  Thread safe, lock free.  h may be NULL. */
bool hosts_marked_below(const struct hosts *h, int ipver,
			const uint8_t addr[16], uint64_t pos);

/* The entry of addr (existence only: its fields may still be replaced by
 * an earlier mark while engines run), or NULL.  Thread safe, lock free
 * (with a view it may wait for other engines).  h may be NULL. */
const struct host_seen *hosts_find(const struct hosts *h, int ipver,
				   const uint8_t addr[16]);

/* The hosts in a stable order (IPv4 before IPv6, then by address), for
 * the summary; *n is set to their number.  Returns a new array (free()
 * it), or NULL when there are none or out of memory.  Call when no thread
 * marks any more. */
struct host_seen *hosts_sorted(const struct hosts *h, uint32_t *n);

/* Hosts not kept because the table was full. */
uint64_t hosts_dropped(const struct hosts *h);

#endif
