/* writer.h: the record writer thread.
 *
 * Formatting and writing a flow record costs about as much as a dozen
 * packets; on a machine with a second core it need not delay the packet
 * path.  The writer copies each record (a self-contained value, see
 * record.h) into a bounded FIFO (the submitter waits when it is full) and
 * hands the copies, in order, to the formatting function on its own
 * thread.  Records come out exactly as a synchronous writer would write
 * them, in the same order.
 */
#ifndef LW_WRITER_H
#define LW_WRITER_H

#include <stdint.h>

#include "output/record.h"

typedef void (*writer_fn)(void *ctx, const struct flow_record *r);

struct writer;

/* A writer thread with room for `depth` records, calling fn(ctx, record)
 * for each.  Once idle, the thread is woken when `batch` records wait (1:
 * at once, for live output; more: fewer wake-ups for a file) or on
 * writer_drain.  NULL on a bad size, when out of memory or when the
 * thread cannot start. */
struct writer *writer_new(unsigned depth, unsigned batch, writer_fn fn,
			  void *ctx);

/* Copies r into the queue; waits while it is full.  Callable from several
 * threads. */
void writer_submit(struct writer *w, const struct flow_record *r);

/* Returns once every record submitted so far has been written. */
void writer_drain(struct writer *w);

/* Records submitted, most waiting at once, submissions that waited for
 * room: since writer_new. */
void writer_counters(struct writer *w, uint64_t *records, uint64_t *peak,
		     uint64_t *waits);

/* Drains, stops the thread, frees the writer.  NULL is ignored. */
void writer_free(struct writer *w);

#endif
