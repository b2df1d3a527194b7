/* engine.h: the pipeline of one thread, packet by packet: decode, flow
 * table, classify, inspect; and at each flow's end: labels, audit, stats,
 * inventory learning and the flow record.  Capture is the caller's: it
 * hands raw packets in, so offline files, live interfaces, workers and the
 * fuzzer drive the same code.
 */
#ifndef LW_ENGINE_H
#define LW_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "audit.h"
#include "capture.h"
#include "flow.h"
#include "inventory.h"
#include "learn.h"
#include "output.h"
#include "portmatch.h"
#include "rules.h"
#include "stats.h"

struct engine_cfg {
	struct flow_table_cfg ft;
	enum lang lang;
	bool audit_all;
	bool dpi;                    /* inspect with nDPI */
	unsigned dpi_budget;         /* payload packets fed per flow */
};

struct engine;

/* The ruleset, matcher, inventory (or NULL), output and learner (or NULL)
 * are the caller's and must outlive the engine.  NULL when out of memory
 * or when nDPI cannot start (a message is on stderr). */
struct engine *engine_new(const struct engine_cfg *cfg, const struct ruleset *rs,
			  const struct portmatch *pm, const struct inventory *inv,
			  struct output *out, struct learner *learner);
void engine_free(struct engine *e);

/* Processes one packet of link type dlt.  Returns 0, or -1 when out of
 * memory (the packet is counted, its flow is not tracked). */
int engine_packet(struct engine *e, int dlt, const struct raw_packet *rp);

/* Ends flows idle at time now_us (live capture: also when no packet comes). */
void engine_expire(struct engine *e, uint64_t now_us);

/* Ends every flow still open with `why` (END_SHUTDOWN at the end of input). */
void engine_flush(struct engine *e, enum flow_end why);

struct stats *engine_stats(struct engine *e);

/* The worst verdict of any flow so far. */
enum verdict engine_worst(const struct engine *e);

/* Flow-table and nDPI figures for the summary; is is filled when nDPI runs. */
void engine_run_info(const struct engine *e, struct run_info *ri,
		     struct inspect_stats *is);

/* Active flows now. */
uint64_t engine_active_flows(const struct engine *e);

#endif
