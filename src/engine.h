/* engine.h: the pipeline of one thread, packet by packet: decode, flow
 * table, classify, inspect; and at each flow's end: labels, audit, stats,
 * inventory learning and the flow record.  Capture is the caller's: it
 * hands raw packets in, so offline files, live interfaces, workers and the
 * fuzzer drive the same code.
 */
#ifndef LW_ENGINE_H
#define LW_ENGINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "capture/capture.h"
#include "capture/decode.h"
#include "flow/flow.h"
#include "classify/hosts.h"
#include "classify/inventory.h"
#include "classify/learn.h"
#include "output/output.h"
#include "classify/portmatch.h"
#include "classify/rules.h"
#include "output/stats.h"

/* Called once per flow, as soon as a violation of it is decided (when the
 * flow starts, or when inspection ends), before the flow ends. */
typedef void (*engine_alert_fn)(void *ctx, const struct flow *f,
				const struct audit_result *ar);

/* Offline engines hand each record here instead of to the output (the
 * ordered merge, filework.h); r is the caller's until the call returns. */
typedef void (*engine_record_fn)(void *ctx, const struct flow_record *r);

/* Where on_record's consumer wants the next record filled (r is then that
 * pointer: nothing is copied), or NULL for the engine's own. */
typedef struct flow_record *(*engine_slot_fn)(void *ctx);

struct engine_cfg {
	struct flow_table_cfg ft;
	enum lang lang;
	bool audit_all;
	bool dpi;                    /* inspect with nDPI */
	bool media;                  /* measure RTP/RTCP streams (inspect/media.h) */
	struct media_limits media_limits; /* poor-media thresholds */
	struct hosts *hosts;         /* servers inferred from the capture, shared
				      * by the engines (the caller's); NULL: none */
	unsigned dpi_budget;         /* payload packets fed per flow */
	unsigned dpi_extra;          /* of them, after the app is confirmed */
	uint64_t dpi_extra_flows;    /* flows in that phase at once, at most */
	uint64_t max_inspect;        /* flows under inspection at once; 0: any */
	bool dpi_audit_only;         /* inspect only where nDPI can change the
				      * audit (--dpi-scope audit) */
	uint32_t active_timeout_s;   /* report a flow every this often; 0: never */
	engine_alert_fn on_alert;    /* NULL: no early announcements */
	void *alert_ctx;
	pthread_mutex_t *lock;       /* held around output, learner and alerts
				      * that workers share; NULL: one thread */
	bool clock_extern;           /* idle flows end only at engine_expire
				      * (offline: the reader's clock) */
	engine_record_fn on_record;  /* NULL: records go to the output */
	engine_slot_fn record_slot;  /* NULL: none (with on_record only) */
	void *record_ctx;
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

/* engine_packet in steps, for a batch of packets decoded ahead by the
 * reader, which hashed each packet of a flow (the low 32 bits of
 * flow_pkt_hash with the engine's seed, cfg.ft.seed): a few packets
 * before a packet runs, engine_prefetch_chain, engine_prefetch,
 * engine_prefetch_near and engine_prefetch_last, a packet or two apart,
 * fetch its flow toward the cache in steps (the chain, the flow, what it
 * points to, the media stream p updates); engine_decoded then does what
 * engine_packet does after decoding rp into *p (status st).  rp's bytes
 * must stay valid until then. */
void engine_prefetch_chain(const struct engine *e, uint32_t hash);
void engine_prefetch(const struct engine *e, uint32_t hash);
void engine_prefetch_near(const struct engine *e, uint32_t hash);
void engine_prefetch_last(const struct engine *e, uint32_t hash,
			  const struct pkt *p);
int engine_decoded(struct engine *e, const struct raw_packet *rp,
		   enum decode_status st, const struct pkt *p, uint32_t hash);

/* Whether engine_decoded may mark a host in the shared hosts table
 * (hosts_mark) while it runs the decoded packet p at clock pos (hosts.h):
 * only an endpoint whose port a rule documents exactly as the product's
 * own (any table but the client one, not shared, not a fallback), that
 * the inventory does not name a server and that has no mark from before
 * pos yet can be marked, by this flow's packets or at its end. */
bool engine_may_mark(const struct engine *e, const struct pkt *p, uint64_t pos);

/* The id of the next flow engine_packet creates (flow_table_next_id). */
void engine_next_id(struct engine *e, uint64_t id);

/* Uses another ruleset, matcher and inventory from now on (SIGHUP).  Flows
 * keep no rule indexes, so open flows are labelled by the new rules when
 * they end.  The old data must outlive the flows' records already written
 * (the caller keeps it).  Returns 0, or -1 when out of memory (the engine
 * then keeps the old rules). */
int engine_set_rules(struct engine *e, const struct ruleset *rs,
		     const struct portmatch *pm, const struct inventory *inv);

/* Ends flows idle at time now_us (live capture: also when no packet comes). */
void engine_expire(struct engine *e, uint64_t now_us);

/* Ends every flow still open with `why` (END_SHUTDOWN at the end of input). */
void engine_flush(struct engine *e, enum flow_end why);

struct stats *engine_stats(struct engine *e);

/* Adds the counters of src into dst (workers' stats into one summary);
 * both engines must have been given the same rules. */
void engine_merge_stats(struct engine *dst, const struct engine *src);

/* The worst verdict of any flow so far. */
enum verdict engine_worst(const struct engine *e);

/* Flow-table and nDPI figures for the summary; is is filled when nDPI runs.
 * Every field of *ri is set: what the engine does not know (hosts, rs,
 * the live capture counters) reads zero until the caller adds it. */
void engine_run_info(const struct engine *e, struct run_info *ri,
		     struct inspect_stats *is);

/* Flows open now; nDPI states live now and the most live at once since
 * the previous call (0 without nDPI). */
void engine_span(struct engine *e, uint64_t *flows, uint64_t *states,
		 uint64_t *states_top);

/* The flow table's counters now (active, evicted, ...). */
void engine_flow_stats(const struct engine *e, struct flow_table_stats *out);

#endif
