/* writer.h: the record writer thread.
 *
 * Formatting and writing a flow record costs about as much as a dozen
 * packets; on a machine with a second core it need not delay the packet
 * path.  The writer copies each record (a self-contained value, see
 * record.h) into a bounded FIFO (the submitter waits when it is full), or
 * queues a reference to one the submitter lends it, and hands them, in
 * order, to the formatting function on its own thread.  Records come out exactly as a synchronous writer would write
 * them, in the same order.
 */
#ifndef LW_WRITER_H
#define LW_WRITER_H

#include <stdint.h>

#include "output/record.h"

typedef void (*writer_fn)(void *ctx, const struct flow_record *r);

/* Called on the writer thread when the queue has run empty after records
 * were written (e.g. to flush the sinks' streams). */
typedef void (*writer_idle_fn)(void *ctx);

struct writer;

/* A writer thread with room for `depth` records, calling fn(ctx, record)
 * for each.  Once idle, the thread is woken when `batch` records wait (1:
 * at once; more: fewer wake-ups) or on writer_drain.  NULL on a bad size,
 * when out of memory or when the thread cannot start. */
struct writer *writer_new(unsigned depth, unsigned batch, writer_fn fn,
			  void *ctx);

/* Live output: a record is written at most about max_delay_ms after its
 * submission (a sleeping thread wakes at the first record and gathers the
 * rest of a batch for that long; 0: no bound, wait for `batch`), and
 * idle(ctx) runs each time the queue runs empty after records were written
 * (NULL: none).  Call before submitting; writer_drain waits for a running
 * idle function too. */
void writer_set_latency(struct writer *w, unsigned max_delay_ms,
			writer_idle_fn idle);

/* On the writer thread, inside fn: the records queued after the one fn
 * was given, in order, at most max of them, into out (each valid until fn
 * returns: a sink may prepare their work ahead); returns how many. */
unsigned writer_ahead(struct writer *w, const struct flow_record **out,
		      unsigned max);

/* Copies r into the queue; waits while it is full.  Callable from several
 * threads. */
void writer_submit(struct writer *w, const struct flow_record *r);

/* writer_submit of r[0..n) in order, under one lock (waking the thread
 * once, or when the queue is full). */
void writer_submit_many(struct writer *w, const struct flow_record *const *r,
			size_t n);

/* Called on the writer thread once the last record of a writer_submit_refs
 * call has been written: its records are the caller's again. */
typedef void (*writer_release_fn)(void *ctx, void *token);

/* Queues r[0..n) (n > 0) in order like writer_submit_many, without
 * copying them: they must stay valid and unchanged until
 * release(ctx, token) is called (once, on the writer thread, after the
 * last of them is written; release NULL: none, a later call's covers
 * them).  With a release, a sleeping thread is woken at once, batch or
 * not: the lender may be waiting for its records back. */
void writer_submit_refs(struct writer *w, const struct flow_record *const *r,
			size_t n, writer_release_fn release, void *ctx,
			void *token);

/* Returns once every record submitted so far has been written. */
void writer_drain(struct writer *w);

/* Records submitted, most waiting at once, submissions that waited for
 * room: since writer_new. */
void writer_counters(struct writer *w, uint64_t *records, uint64_t *peak,
		     uint64_t *waits);

/* Times the thread woke up to write (a measure of the hand-off's cost). */
uint64_t writer_wakeups(struct writer *w);

/* Drains, stops the thread, frees the writer.  NULL is ignored. */
void writer_free(struct writer *w);

#endif
