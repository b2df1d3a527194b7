/* workers.h: live capture on N threads.  Each worker owns a capture handle
 * on the interface and an engine (flow table, nDPI module); with N > 1 the
 * handles form one PACKET_FANOUT group, so each flow, both directions, goes
 * to one worker.  The caller's thread supervises: signals, reloads, stats.
 * Output, learner and alerts are shared under one mutex.
 */
#ifndef LW_WORKERS_H
#define LW_WORKERS_H

#include <pthread.h>
#include <stdint.h>

#include "capture/capture.h"
#include "engine.h"

struct workers_cfg {
	unsigned n;                      /* >= 1 */
	struct capture_live_cfg live;
	struct engine_cfg ec;            /* its lock is set by workers_open */
	const struct ruleset *rs;
	const struct portmatch *pm;
	const struct inventory *inv;
	struct output *out;
	struct learner *learner;         /* or NULL */
	uint64_t count;                  /* packets over all workers; 0: no limit */
};

/* Counters a worker publishes about once a second. */
/* The figures of a snapshot, summed over the workers: the one list that
 * declares and sums them. */
#define WORKERS_SNAP_SUMS(X) \
	X(pkts) X(bytes)     /* read */ \
	X(flows)             /* ended */ \
	X(decode_errors) X(violations) \
	X(active_flows) X(evicted) \
	X(received) X(kernel_drops) X(iface_drops) /* pcap_stats */

#define WORKERS_SNAP_DECLARE(name) uint64_t name;

struct workers_snap {
	WORKERS_SNAP_SUMS(WORKERS_SNAP_DECLARE)
};

struct workers;

/* Opens the captures (and the fanout group) and the engines; no thread
 * runs yet, so privileges may be dropped next.  NULL with err set. */
struct workers *workers_open(const struct workers_cfg *cfg, char *err,
			     size_t errlen);

/* Starts the threads; returns 0 or -1 with err set. */
int workers_start(struct workers *w, char *err, size_t errlen);

/* True when every worker has stopped by itself (-c reached, capture error). */
int workers_done(struct workers *w);

/* Makes each worker use these rules before its next packet.  Returns
 * their generation: 1 for the first set after the rules workers_open
 * got, then 2, 3, ... */
unsigned workers_set_rules(struct workers *w, const struct ruleset *rs,
			   const struct portmatch *pm, const struct inventory *inv);

/* The oldest rules generation a running worker still uses (0: the rules
 * of workers_open).  Rules replaced by generation g are no longer used by
 * any worker once this is >= g. */
unsigned workers_oldest_gen(struct workers *w);

/* The sum of the workers' last published counters. */
void workers_snapshot(struct workers *w, struct workers_snap *out);

/* Stops the threads, waits for them, ends every open flow (shutdown).
 * Returns the first capture error message, or NULL. */
const char *workers_stop(struct workers *w);

/* Merges every worker's stats into the first engine's and returns it (for
 * the summary); valid until workers_free. */
struct engine *workers_merged(struct workers *w);

/* Flow-table peaks and nDPI figures summed over the workers. */
void workers_run_info(struct workers *w, struct run_info *ri,
		      struct inspect_stats *is);

/* The mutex guarding the shared output, learner and alerter. */
pthread_mutex_t *workers_lock(struct workers *w);

void workers_free(struct workers *w);

#endif
