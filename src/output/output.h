/* output.h: where records go.  The output owns the sinks (sink.h: JSON
 * Lines, text lines, the text summary, ...) and the record writer thread,
 * and hands each flow record, interim stats record and the summary to
 * every sink the configuration asks for. */
#ifndef LW_OUTPUT_H
#define LW_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "classify/rules.h"
#include "output/record.h"
#include "output/sink.h"
#include "output/stats.h"
#include "output/summary.h"
#include "output/writer.h"

#define OUTPUT_MAX_SINKS 8

struct writer;
struct certs;

struct output {
	struct output_cfg cfg;
	struct sink sinks[OUTPUT_MAX_SINKS]; /* the sinks that opened */
	int nsinks;
	bool records;              /* some sink writes flow records */
	struct writer *writer;     /* the record writer thread, or NULL */
	uint64_t nsync;            /* flow records written synchronously */
	struct out_counters counters; /* the sinks' own figures (sink.h) */
	struct certs *certs;       /* certificates seen (certs.h), or NULL */
};

/* Opens every sink that cfg asks for (cfg is copied; its files stay the
 * caller's).  Returns 0, or -1 when out of memory (then output_free). */
int output_open(struct output *o, const struct output_cfg *cfg);

/* Closes the sinks and stops the writer.  Safe on a zeroed output. */
void output_free(struct output *o);

/* True when some sink writes flow records (-v, --json). */
bool output_wants_records(const struct output *o);

/* True when the flow whose nDPI view is iv (NULL: --no-dpi) needs a
 * record: some sink writes records, or it holds a TLS handshake that the
 * certificate table (for the summaries) files. */
bool output_wants_record(const struct output *o, const struct inspect_view *iv);

/* Writes a flow record: on the writer thread once output_start_writer()
 * has started it (r is copied; the caller may reuse it at once), else at
 * once.  The other output_* functions first wait for the records
 * submitted before. */
void output_flow(struct output *o, const struct flow_record *r);

/* output_flow of r[0..n) in order (to the writer thread under one lock). */
void output_flows(struct output *o, const struct flow_record *const *r,
		  size_t n);

/* output_flows of r[0..n) (n > 0) without copying them: they stay the
 * caller's until release(ctx, token) is called, once, when the last is
 * written (on the writer thread, or before this returns without one). */
void output_flows_lent(struct output *o, const struct flow_record *const *r,
		       size_t n, writer_release_fn release, void *ctx,
		       void *token);

/* Starts the record writer thread (see writer.h); returns 0, or -1 (and
 * records are then written synchronously). */
int output_start_writer(struct output *o);

/* Returns once every record submitted so far is written (SIGHUP: before
 * the rules those records name are freed). */
void output_sync(struct output *o);

/* Builds the summary model from s and ri and hands it to every sink. */
void output_summary(struct output *o, struct stats *s,
		    const struct run_info *ri);

/* A periodic stats record: a line on stderr and, with JSON, a stats
 * record with "interim": true. */
void output_interim(struct output *o, const struct interim *in);

/* SIGHUP: every sink reopens what it owns.  Returns 0, or -1 when one
 * could not (the others did). */
int output_reopen(struct output *o);

/* Records that could not be written (write errors), over all sinks. */
int output_write_errors(const struct output *o);

/* Lists the loaded rules: a table for people, or JSON Lines. */
void output_rules(FILE *f, const struct ruleset *rs, enum lang lang,
		  bool json);

#endif
