/* output.c: the table of sinks and the hand-off of records to them. */
#include <stdlib.h>
#include <string.h>

#include "output/certs.h"
#include "output/output.h"
#include "output/writer.h"

/* Every sink, in the order each record reaches them (the text summary
 * before the JSON stats record, JSON before the text line of a flow).
 * X(name) stands for sink_<name>_ops, defined in sink_<name>.c: a new sink
 * is that file, one X() here and its line in Makefile.am. */
#define SINKS(X) \
	X(summary) \
	X(json) \
	X(text) \
	X(redis) \
	X(prom) \
	X(report)

#define SINK_DECLARE(name) extern const struct sink_ops sink_##name##_ops;
#define SINK_ENTRY(name) &sink_##name##_ops,

SINKS(SINK_DECLARE)

static const struct sink_ops *const sink_table[] = { SINKS(SINK_ENTRY) };

#define NSINKS (sizeof(sink_table) / sizeof(sink_table[0]))

_Static_assert(NSINKS <= OUTPUT_MAX_SINKS, "OUTPUT_MAX_SINKS too small");

const char *sink_proto_name(uint8_t l4)
{
	return l4 == L4_TCP ? "TCP" : "UDP";
}

void sink_rule_location(const struct ruleset *rs, const struct rule *r,
			char *buf, size_t len)
{
	const char *path = rs->files[r->file], *slash = strrchr(path, '/');

	snprintf(buf, len, "%s:%d", slash ? slash + 1 : path, r->line);
}

int output_open(struct output *o, const struct output_cfg *cfg)
{
	memset(o, 0, sizeof(*o));
	o->cfg = *cfg;
	for (size_t i = 0; i < NSINKS; i++) {
		struct sink *s = &o->sinks[o->nsinks];
		int rc;

		*s = (struct sink){ .ops = sink_table[i], .cfg = &o->cfg,
				    .counters = &o->counters };
		rc = s->ops->open(s);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		o->nsinks++;
		if (s->ops->flow)
			o->records = true;
		if (s->ops->summary && o->certs == NULL &&
		    (o->certs = certs_new()) == NULL)
			return -1;
	}
	return 0;
}

void output_free(struct output *o)
{
	writer_free(o->writer);
	o->writer = NULL;
	for (int i = 0; i < o->nsinks; i++)
		if (o->sinks[i].ops->close)
			o->sinks[i].ops->close(&o->sinks[i]);
	o->nsinks = 0;
	certs_free(o->certs);
	o->certs = NULL;
}

bool output_wants_records(const struct output *o)
{
	return o->records;
}

bool output_wants_record(const struct output *o, const struct inspect_view *iv)
{
	return o->records || (o->certs != NULL && iv != NULL &&
			      (iv->tls || iv->tls_version || iv->ja3));
}

/* Hands one record to every sink (on the writer thread, when it runs). */
static void write_flow(void *ctx, const struct flow_record *r)
{
	struct output *o = ctx;

	if (r->why != END_FORCED)
		certs_add(o->certs, r);
	for (int i = 0; o->records && i < o->nsinks; i++)
		if (o->sinks[i].ops->flow)
			o->sinks[i].ops->flow(&o->sinks[i], r);
}

/* Live: the queue has run empty; each sink delivers what it holds (the
 * JSON file is flushed once per burst of records, not per record). */
static void writer_idle(void *ctx)
{
	struct output *o = ctx;

	for (int i = 0; i < o->nsinks; i++)
		if (o->sinks[i].ops->flush)
			o->sinks[i].ops->flush(&o->sinks[i], false);
}

#define WRITER_DEPTH 1024   /* records queued at most (~2.1 KB each) */
#define WRITER_BATCH 64     /* wake the writer this seldom ... */
#define WRITER_DELAY_MS 100 /* ... live: or this long after a record */

static unsigned records_ahead(void *ctx, const struct flow_record **out,
			      unsigned max)
{
	return writer_ahead(ctx, out, max);
}

int output_start_writer(struct output *o)
{
	if (o->writer == NULL &&
	    (o->writer = writer_new(WRITER_DEPTH, WRITER_BATCH, write_flow,
				    o)) != NULL && o->cfg.flush_each)
		writer_set_latency(o->writer, WRITER_DELAY_MS, writer_idle);
	for (int i = 0; o->writer && i < o->nsinks; i++) {
		o->sinks[i].ahead = records_ahead;
		o->sinks[i].ahead_ctx = o->writer;
	}
	return o->writer ? 0 : -1;
}

void output_flow(struct output *o, const struct flow_record *r)
{
	if (o->writer) {
		writer_submit(o->writer, r);
	} else {
		o->nsync++;
		write_flow(o, r);
		if (o->cfg.flush_each)
			writer_idle(o);
	}
}

void output_flows(struct output *o, const struct flow_record *const *r,
		  size_t n)
{
	if (o->writer) {
		writer_submit_many(o->writer, r, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		output_flow(o, r[i]);
}

void output_flows_lent(struct output *o, const struct flow_record *const *r,
		       size_t n, writer_release_fn release, void *ctx,
		       void *token)
{
	if (o->writer) {
		writer_submit_refs(o->writer, r, n, release, ctx, token);
		return;
	}
	output_flows(o, r, n);
	release(ctx, token);
}

/* Waits for the records submitted so far: what follows (a stats record,
 * the summary) comes after them.  Then each sink delivers what it holds
 * back, and *c gets the figures of the outputs. */
static void settle(struct output *o, bool final, struct out_counters *c)
{
	uint64_t n = 0;

	if (o->writer)
		writer_drain(o->writer);
	for (int i = 0; i < o->nsinks; i++)
		if (o->sinks[i].ops->flush)
			o->sinks[i].ops->flush(&o->sinks[i], final);
	*c = o->counters;
	if (o->writer)
		writer_counters(o->writer, &n, &c->queue_peak, &c->queue_waits);
	c->records = o->nsync + n;
}

void output_sync(struct output *o)
{
	struct out_counters c;

	settle(o, false, &c);
}

void output_summary(struct output *o, struct stats *s,
		    const struct run_info *ri)
{
	struct summary sm;
	struct out_counters c;

	settle(o, true, &c);
	if (summary_build(&sm, s, ri, o->cfg.lang))
		fprintf(stderr, "lyncwatch: summary: out of memory: traffic "
			"and violation tables left out\n");
	sm.out = c;
	sm.certs = certs_finish(o->certs, sm.last_us, o->cfg.cert_warn_days,
				&sm.ncerts, &sm.certs_counts);
	sm.cert_warn_days = o->cfg.cert_warn_days;
	for (int i = 0; i < o->nsinks; i++)
		if (o->sinks[i].ops->summary)
			o->sinks[i].ops->summary(&o->sinks[i], &sm);
	summary_free(&sm);
}

void output_interim(struct output *o, const struct interim *in)
{
	struct interim cur = *in;

	settle(o, false, &cur.out);
	for (int i = 0; i < o->nsinks; i++)
		if (o->sinks[i].ops->interim)
			o->sinks[i].ops->interim(&o->sinks[i], &cur);
}

int output_reopen(struct output *o)
{
	int rc = 0;
	struct out_counters c;

	settle(o, false, &c);
	for (int i = 0; i < o->nsinks; i++)
		if (o->sinks[i].ops->reopen && o->sinks[i].ops->reopen(&o->sinks[i]))
			rc = -1;
	return rc;
}

int output_write_errors(const struct output *o)
{
	int n = 0;

	for (int i = 0; i < o->nsinks; i++)
		n += o->sinks[i].write_errors;
	return n;
}
