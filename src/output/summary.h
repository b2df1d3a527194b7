/* summary.h: the end-of-run summary and the periodic stats, as models.
 *
 * The summary is built once from the stats (summary_build) and rendered by
 * every sink that prints one: the text summary and the JSON stats record
 * read the same rows, so they cannot drift.  Texts are in the output
 * language; nothing in it points into the engine (rule texts point into an
 * immutable ruleset).
 */
#ifndef LW_SUMMARY_H
#define LW_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "capture/decode.h"
#include "classify/hosts.h"
#include "inspect/inspect.h"
#include "classify/rules.h"
#include "output/certs.h"
#include "output/stats.h"

/* What the outputs did: filled by the output (output.c), not from the
 * stats.  Redis figures count EVE records (flow and stats records). */
struct out_counters {
	uint64_t records;            /* flow records handed to the writer */
	uint64_t queue_peak;         /* records waiting at once, at most */
	uint64_t queue_waits;        /* submissions that waited for room */
	bool redis;                  /* --redis: the figures below are set */
	uint64_t redis_delivered;    /* records Redis acknowledged */
	uint64_t redis_dropped;      /* records given up (buffer full, lost) */
	uint64_t redis_reconnects;   /* connections made again after a loss */
	uint64_t redis_pending;      /* records held back, not yet sent */
};

/* A row of the traffic table: one (table, role, service) group. */
struct summary_row {
	const char *table;           /* "server", ...; "-" for no rule */
	const char *role, *service;  /* rule texts; service may be "" */
	bool no_rule;                /* the flows no rule labels */
	uint64_t flows, pkts, bytes;
};

/* Extra run facts that stats does not hold. */
struct run_info {
	uint64_t flows_active_peak;
	uint64_t max_flows;
	const struct inspect_stats *insp; /* NULL with --no-dpi */
	const struct hosts *hosts;   /* inferred Lync servers, or NULL */
	const struct ruleset *rs;    /* the rules their entries index */
	bool live;                   /* a live capture: the counters below are set */
	uint64_t received, kernel_drops, iface_drops; /* pcap_stats, at the end */
};

struct summary {
	uint64_t pkts, bytes;        /* read from the inputs */
	int inputs;
	double seconds, pps;         /* wall time of the run, packets/s */
	uint64_t last_us;            /* last packet time (record timestamp) */
	uint64_t decode[DECODE_NSTATUS];
	uint64_t decode_errors;      /* truncated + invalid + unsupported */
	uint64_t input_errors;       /* inputs not opened or not read to the end */
	uint64_t errors;             /* decode_errors + input_errors */
	uint64_t flows, verdict[VERDICT_N], flag_flows[FLAG_N];
	uint64_t verdict_by[VERDICT_N][EV_N]; /* by evidence source */
	uint64_t evicted, peak_active, max_flows;
	uint64_t media_limited;      /* packets not measured: media blocks full */
	bool live;                   /* a live capture: the counters below are set */
	uint64_t received, kernel_drops, iface_drops; /* pcap_stats, at the end */
	bool dpi;                    /* nDPI ran: insp is set */
	struct inspect_stats insp;
	struct summary_row *rows;    /* groups with flows, then no rule: a
				      * flow counts under each of its labels */
	int nrows;
	struct summary_row distinct; /* every flow once ("all") */
	struct summary_row port_only; /* labelled by the port alone, not
				      * judged: in no row above */
	struct host_seen *hosts;     /* servers inferred from the capture, in
				      * address order */
	const char **host_rule;      /* the id of each one's rule, or "?" */
	uint32_t nhosts;
	uint64_t hosts_not_kept;
	struct viol_group *viol;     /* violations, sorted (stats_violations) */
	uint32_t nviol;
	uint64_t viol_not_kept;
	struct out_counters out;     /* the outputs, up to this record */
	const struct cert_entry *certs; /* by server, port, fingerprint */
	uint32_t ncerts;
	struct certs_counts certs_counts;
	unsigned cert_warn_days;
};

/* Builds *sm from s and ri, texts in `lang`.  Returns 0, or -1 when out of
 * memory (rows and violations are then empty). */
int summary_build(struct summary *sm, struct stats *s,
		  const struct run_info *ri, enum lang lang);
void summary_free(struct summary *sm);

/* The figures of a periodic stats record (live). */
struct interim {
	uint64_t pkts, bytes;        /* read so far */
	uint64_t flows_ended, decode_errors, violations;
	uint64_t received, kernel_drops, iface_drops; /* from pcap_stats */
	uint64_t active_flows, evicted;
	double pps;                  /* packets per second since the last record */
	uint64_t wall_us;            /* now, µs since the epoch */
	struct out_counters out;     /* set by output_interim */
};

#endif
