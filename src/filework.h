/* filework.h: capture files read on N engine threads.
 *
 * The caller's thread is the reader: it hands each packet of the files to
 * filework_packet, which decodes it as far as the flow key, picks the
 * engine by a symmetric hash of the key (both directions of a flow go to
 * one engine) and, in rounds of packets, hands each engine its share.
 * Engine 0 runs on the reader's thread, each round's batch as the round
 * ends, with the packets in the reader's read buffers (filework_release
 * keeps them until it is done) and a smaller share of the flows.  The
 * batches of engines 1 .. N-1 go to their threads through bounded queues
 * (when one is behind, the reader waits: nothing is dropped): a span of
 * the file that the engine reads, decodes and sorts itself, when the
 * reader's own reader reads a file (filework_file), or else the packets
 * of the engine's flows, copied.  Idle flows end on the reader's clock:
 * when one engine alone would sweep them (before a packet a
 * packet-second after the last sweep), every engine sweeps at that
 * packet's time.  Flow ids are run-wide packet numbers of the flows'
 * first packets, and the records meet in an ordered merge
 * (output/merge.h) in front of the output: 1 engine and N write the same
 * records in the same order.
 */
#ifndef LW_FILEWORK_H
#define LW_FILEWORK_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "engine.h"

#define FILEWORK_MAX 64 /* engines at most */

struct filework_cfg {
	unsigned n;                      /* engines, 1 .. FILEWORK_MAX */
	unsigned cores;                  /* the cores the process may run on */
	struct engine_cfg ec;            /* lock, clock, records: set here */
	const struct ruleset *rs;
	const struct portmatch *pm;
	const struct inventory *inv;
	struct output *out;
	struct learner *learner;         /* or NULL */
};

struct filework;

/* Sets up the engines and starts the threads of engines 1 .. N-1.  NULL
 * with err set. */
struct filework *filework_new(const struct filework_cfg *cfg, char *err,
			      size_t errlen);

/* Hands over the next packet of the input (link type dlt). */
void filework_packet(struct filework *w, int dlt, const struct raw_packet *rp);

/* capture_set_release's function (ctx: the filework): returns once the
 * engines are done with every packet from read buffers numbered n or
 * less (handing them the batches being filled when those hold such a
 * packet).  Reader thread only. */
void filework_release(void *ctx, uint32_t n);

/* The packets handed over from now on are the records of the file cr
 * tells of (a raw_packet with buf not 0 lies at its offset off there), or
 * of none known (NULL): the engines other than the reader's may read and
 * decode the records themselves.  Before the file is closed, the caller
 * calls this again (NULL, at least), which returns once the engines are
 * done with it.  Reader thread only. */
void filework_file(struct filework *w, const struct capture_records *cr);

/* Packets handed over so far (the run's packet number of the last). */
uint64_t filework_pkts(const struct filework *w);

/* Flows open now, about (each engine publishes after a batch). */
uint64_t filework_active(const struct filework *w);

/* Ends every open flow (END_SHUTDOWN), waits for the engines and the
 * merge, and returns the first engine with every engine's stats merged
 * into it; *ri and *is as engine_run_info gives them, over all engines. */
struct engine *filework_finish(struct filework *w, struct run_info *ri,
			       struct inspect_stats *is);

/* Stops the threads if still running; frees everything.  NULL ignored. */
void filework_free(struct filework *w);

#endif
