/* fuzz_pcap.c: the whole offline path over a capture file in memory.
 *
 * The input is a pcap or pcapng file.  libpcap reads it from fmemopen();
 * capture_next() hands each packet to engine_packet() with nDPI on, as
 * main.c does; engine_flush() ends the flows; the summary, the JSON and
 * text records, the alerts and the learnt inventory are written to
 * /dev/null.  The rules and the demo inventory are loaded once.
 *
 * The engines are made once and reused: starting nDPI costs about 50 ms,
 * which would hold the harness to some 15 inputs a second (nDPI's own
 * fuzz_ndpi_reader keeps its module too).  After each input every flow has
 * been ended, so flows never carry over; the counters, the flow ids, nDPI's
 * caches and the time of the next idle sweep do.  Two engines: English
 * without --audit-all, Japanese with it; the input's length picks one.
 *
 * Each packet is copied into a buffer of exactly caplen bytes first:
 * libpcap's own buffer is as large as the snapshot length, so a read past
 * caplen in it would go unnoticed.  The flow table and the learner are kept
 * small so that eviction and pruning are reached.
 *
 * With LW_FUZZ_VERBOSE set in the environment, the records and summaries
 * go to stderr instead (to look at what an input does when replayed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture/capture.h"
#include "engine.h"
#include "fuzz.h"
#include "inspect/inspect.h"
#include "classify/inventory.h"
#include "classify/learn.h"
#include "output/output.h"
#include "classify/portmatch.h"

#define FUZZ_MAX_FLOWS 64
#define FUZZ_MAX_HOSTS 16

struct pipeline {
	struct output out;
	struct learner *lr;
	struct engine *e;
	uint64_t alerts;
};

static struct ruleset rs;
static struct portmatch *pm;
static struct inventory *inv;
static struct pipeline pipes[2];

static void on_alert(void *ctx, const struct flow *f,
		     const struct audit_result *ar)
{
	struct pipeline *pl = ctx;

	FUZZ_CHECK(f != NULL && ar != NULL);
	pl->alerts++;
}

static void pipeline_init(struct pipeline *pl, enum lang lang, bool audit_all)
{
	struct engine_cfg ec = {
		.ft = { .max_flows = FUZZ_MAX_FLOWS, .tcp_idle_s = 300,
			.tcp_closed_s = 10, .udp_idle_s = 120, .seed = 1 },
		.lang = lang, .audit_all = audit_all,
		.dpi = true, .dpi_budget = INSPECT_DEFAULT_BUDGET,
		.media = true, .media_limits = { 1.0, 30.0, 100.0 },
		.active_timeout_s = 60, .on_alert = on_alert, .alert_ctx = pl,
	};

	FILE *sink = getenv("LW_FUZZ_VERBOSE") ? stderr : fuzz_devnull();
	struct output_cfg oc = { .json = sink, .json_name = "/dev/null",
				 .text = sink, .summary = sink, .diag = sink,
				 .lang = lang };

	if (output_open(&pl->out, &oc))
		abort();
	pl->lr = learn_new(&rs, FUZZ_MAX_HOSTS, 1);
	if (pl->lr == NULL)
		abort();
	pl->e = engine_new(&ec, &rs, pm, inv, &pl->out, pl->lr);
	if (pl->e == NULL)
		abort();
}

static void init_once(void)
{
	char path[4096];

	if (pm != NULL)
		return;
	fuzz_load_rules(&rs);
	pm = portmatch_build(&rs, stderr);
	inv = inventory_new(&rs);
	if (pm == NULL || inv == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/pcaps/demo.inventory", fuzz_top());
	if (inventory_load_file(inv, path, stderr) != 0)
		abort();
	pipeline_init(&pipes[0], LANG_EN, false);
	pipeline_init(&pipes[1], LANG_JA, true);
}

/* Every packet of the open capture through the engine, as main.c's loop;
 * after the 8th, the rules are reloaded (as on SIGHUP; the same ones). */
static void run_capture(struct engine *e, struct capture *cap)
{
	struct raw_packet rp;

	while (capture_next(cap, &rp) == CAPTURE_PACKET) {
		if (cap->pktno == 8)
			FUZZ_CHECK(engine_set_rules(e, &rs, pm, inv) == 0);
		uint8_t *copy = malloc(rp.caplen);

		if (copy == NULL && rp.caplen > 0)
			return;
		if (rp.caplen > 0)
			memcpy(copy, rp.data, rp.caplen);
		rp.data = copy;
		FUZZ_CHECK(engine_packet(e, cap->dlt, &rp) == 0);
		free(copy);
	}
}

static void run_pipeline(struct pipeline *pl, struct capture *cap)
{
	struct flow_table_stats fs;
	struct run_info ri = { 0 };
	struct inspect_stats is;

	run_capture(pl->e, cap);
	engine_flush(pl->e, END_SHUTDOWN);
	engine_flow_stats(pl->e, &fs);
	FUZZ_CHECK(fs.active == 0);
	FUZZ_CHECK(fs.peak_active <= FUZZ_MAX_FLOWS);
	engine_run_info(pl->e, &ri, &is);
	FUZZ_CHECK(is.live_states == 0);
	output_summary(&pl->out, engine_stats(pl->e), &ri);
	learn_write(pl->lr, fuzz_devnull());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct capture cap;
	void *copy;
	FILE *f;

	if (size == 0)
		return 0;
	init_once();
	/* fmemopen() wants a writable buffer; the input is const. */
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	f = fmemopen(copy, size, "rb");
	if (f == NULL) {
		free(copy);
		return 0;
	}
	memset(&cap, 0, sizeof(cap));
	cap.name = "fuzz.pcap";
	cap.size = -1;
	cap.p = pcap_fopen_offline_with_tstamp_precision(f,
			PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (cap.p == NULL) {
		fclose(f);      /* libpcap closes it only once it is open */
		free(copy);
		return 0;
	}
	cap.dlt = pcap_datalink(cap.p);
	run_pipeline(&pipes[size & 1], &cap);
	capture_close(&cap); /* closes f */
	free(copy);
	return 0;
}
