/* sink.h: the interface every output implements.
 *
 * A sink is one file src/output/sink_<name>.c that defines a
 * `const struct sink_ops sink_<name>_ops` and is listed once in the table
 * of output.c.  The output hands every record to each sink that opened:
 * flow records on the writer thread (in order, one at a time), interim
 * stats and the summary on the caller's thread after the records before
 * them.  A sink reads only what it is handed (the record, the summary
 * model, the interim figures) and the files of its configuration: never
 * the engine.  Calls are per record, never per packet.
 */
#ifndef LW_SINK_H
#define LW_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "classify/rules.h"
#include "output/record.h"
#include "output/summary.h"

/* Where the outputs go; the files are opened and closed by the caller. */
struct output_cfg {
	FILE *json;                /* JSON Lines, or NULL */
	const char *json_name;     /* for messages */
	FILE *text;                /* per-flow text lines (-v), or NULL */
	FILE *summary;             /* the text summary, or NULL */
	FILE *diag;                /* live stats lines (stderr) */
	enum lang lang;
	bool flush_each;           /* live: records delivered without delay */
	bool json_notes;           /* labels carry the vendor's note */
	const char *redis;         /* --redis HOST[:PORT] or unix:PATH, or NULL */
	const char *redis_key;     /* the list or channel */
	int redis_mode;            /* enum redis_mode */
	unsigned redis_buffer;     /* records held back while Redis is away */
	const char *prom;          /* --prom-file PATH, or NULL */
	/* Opens an output file safely (privdrop_open_output's contract;
	 * flags: OUTPUT_TRUNCATE); NULL: the sinks open no file. */
	int (*open_file)(const char *path, int flags, FILE **f, char *err,
			 size_t errlen);
	unsigned cert_warn_days;   /* --cert-warn-days: the expires_soon window */
	const char *report;        /* --report FILE.html, or NULL */
	const char *allow_list;    /* --allow-list FILE.csv, or NULL */
	unsigned report_top;       /* --report-top: rows of a section */
	const char *inventory;     /* --inventory FILE (named in the report) */
	const char *const *inputs; /* the -r files (named in the report) */
	int ninputs;
	const struct ruleset *rs;  /* the rules at the start (the report's
				    * coverage before any record) */
};

#define OUTPUT_TRUNCATE 0x1        /* == PRIVDROP_TRUNCATE */

enum redis_mode { REDIS_RPUSH, REDIS_LPUSH, REDIS_PUBLISH };

struct sink {
	const struct sink_ops *ops;
	const struct output_cfg *cfg;
	void *priv;                /* the sink's own state */
	struct out_counters *counters; /* the output's, for the summary */
	int write_errors;          /* records that could not be written */
	/* On the writer thread, inside `flow`: the records queued after the
	 * one given (writer_ahead), for work a sink does better several at a
	 * time (eve.c's Community IDs); NULL when there is no writer thread. */
	unsigned (*ahead)(void *ctx, const struct flow_record **out,
			  unsigned max);
	void *ahead_ctx;
};

struct sink_ops {
	const char *name;
	/* Returns 1 when cfg asks for this sink and it is ready (s->priv
	 * set), 0 when cfg does not ask for it, -1 when out of memory. */
	int (*open)(struct sink *s);
	/* Each operation may be NULL: the sink has nothing to write then. */
	void (*flow)(struct sink *s, const struct flow_record *r);
	void (*interim)(struct sink *s, const struct interim *in);
	void (*summary)(struct sink *s, const struct summary *sm);
	/* Delivers what the sink holds back (batches), on the caller's
	 * thread with no record in flight: before interim stats, the summary
	 * (final: last attempt, what remains is counted as lost) and a
	 * reopen.  Figures go into *s->counters. */
	void (*flush)(struct sink *s, bool final);
	/* SIGHUP: reopen what the sink owns.  Returns 0 or -1. */
	int (*reopen)(struct sink *s);
	/* Frees s->priv (not the configured files). */
	void (*close)(struct sink *s);
};

/* Picks the English or Japanese form of a message. */
#define SINK_TR(s, en, ja) ((s)->cfg->lang == LANG_JA ? (ja) : (en))

/* "TCP" or "UDP". */
const char *sink_proto_name(uint8_t l4);

/* "file:line" of a rule, with the file's base name (records do not depend
 * on where the rules are installed). */
void sink_rule_location(const struct ruleset *rs, const struct rule *r,
			char *buf, size_t len);

#endif
