/* output.h: flow records (JSON Lines in the shape of Suricata's EVE flow
 * event, and text lines for people) and the end-of-run summary. */
#ifndef LW_OUTPUT_H
#define LW_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "audit/audit.h"
#include "inspect/inspect.h"
#include "flow/flow.h"
#include "util/jsonw.h"
#include "classify/rules.h"
#include "output/stats.h"

/* Each rule's label object, serialised once per ruleset (its fields never
 * change) and copied into every record that names the rule. */
struct label_cache {
	const struct ruleset *rs;
	char **json;               /* by rule index; NULL until first used */
	uint32_t *len;
};

struct writer;

struct output {
	struct writer *writer;     /* the record writer thread, or NULL */
	FILE *json;                /* JSON Lines, or NULL */
	const char *json_name;     /* for messages */
	FILE *text;                /* per-flow text lines (-v), or NULL */
	FILE *summary;             /* the text summary, or NULL */
	enum lang lang;
	const struct ruleset *rs;
	struct jsonw jw;
	int write_errors;          /* JSON records that could not be written */
	bool flush_each;           /* flush JSON after every record (live) */
	struct label_cache labels[2]; /* the rules in use and the ones before */
	int next_cache;            /* the slot a new ruleset replaces */
};

/* What is known of a flow when its record is written. */
struct flow_report {
	const struct flow *f;
	enum flow_end why;
	const uint32_t *labels;
	int nlabels;
	const struct audit_result *audit;
	const struct inspect_view *iv; /* what nDPI saw; NULL with --no-dpi */
	const struct ruleset *rs;  /* the rules `labels` index (the engine's:
				    * after a SIGHUP, not always the output's) */
};

void output_init(struct output *o, const struct ruleset *rs, enum lang lang);
void output_free(struct output *o);

/* Writes the record of a flow: on the writer thread once
 * output_start_writer() has started it (r is copied), else at once.  The
 * other output_* functions first wait for the records submitted before. */
void output_flow(struct output *o, const struct flow_report *r);

/* Starts the record writer thread (see writer.h); returns 0, or -1 (and
 * records are then written synchronously). */
int output_start_writer(struct output *o);

/* Returns once every record submitted so far is written (SIGHUP: before
 * the rules those records name are freed). */
void output_sync(struct output *o);

/* Extra run facts for the summary that stats does not hold. */
struct run_info {
	uint64_t flows_active_peak;
	uint64_t max_flows;
	const struct inspect_stats *insp; /* NULL with --no-dpi */
};

void output_summary(struct output *o, struct stats *s,
		    const struct run_info *ri);

/* Live figures for a periodic stats record. */
struct interim {
	uint64_t received, kernel_drops, iface_drops; /* from pcap_stats */
	uint64_t active_flows, evicted;
	double pps;                /* packets per second since the last record */
	uint64_t wall_us;          /* now */
};

/* A periodic stats line on stderr and, with JSON, a stats record with
 * "interim": true. */
void output_interim(struct output *o, const struct stats *s,
		    const struct interim *in);

/* Lists the loaded rules: a table for people, or JSON Lines. */
void output_rules(FILE *f, const struct ruleset *rs, enum lang lang,
		  bool json);

#endif
