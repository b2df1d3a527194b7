/* main.c: the wiring of the stages, the read loops (files and a live
 * interface), signals, reloads and the exit status.  The only file that
 * knows every stage; options are parsed by options.c.  About 800 lines as
 * one file on purpose: it is the one place where the stages meet, and what
 * it holds (set-up, the two read loops, the reload that swaps rules under
 * running workers, the teardown) shares the one `struct app`. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* sched_getaffinity */
#endif
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "audit/alert.h"
#include "audit/audit.h"
#include "capture/capture.h"
#include "capture/decode.h"
#include "engine.h"
#include "filework.h"
#include "inspect/inspect.h"
#include "classify/hosts.h"
#include "classify/inventory.h"
#include "classify/learn.h"
#include "options.h"
#include "output/output.h"
#include "classify/portmatch.h"
#include "privdrop.h"
#include "classify/rules.h"
#include "output/stats.h"
#include "util/thp.h"
#include "workers.h"

#define EXIT_THRESHOLD 1 /* --fail-on reached */
#define EXIT_INPUT 2     /* usage or input error */
#define LIVE_TIMEOUT_MS 200 /* a live read returns at least this often */
#define MAX_RETIRED 4096    /* rule sets replaced, not yet freed */

/* Rules, matcher and inventory: what a SIGHUP replaces as one. */
struct ruledata {
	struct ruleset rs;
	struct portmatch *pm;
	struct inventory *inv;       /* NULL without --inventory */
};

/* What one run holds: the loaded data, the outputs and the engine. */
struct app {
	const struct config *cfg;
	struct ruledata *rd;
	/* Replaced by SIGHUP, freed once every worker has adopted the new
	 * rules and the records they labelled are written (free_retired). */
	struct ruledata *retired[MAX_RETIRED];
	unsigned retired_gen[MAX_RETIRED]; /* the generation that replaced it */
	int nretired;
	/* The learner's rules (the first loaded): its ruleset stays to the end. */
	struct ruledata *pinned;
	struct learner *learner;     /* NULL without --learn-inventory */
	/* -r with -Z: every input opened before the drop (pre_rc[i]: 0 when
	 * pre[i] is open and not yet read, else nonzero). */
	struct capture *pre;
	int *pre_rc;
	struct filework *fw;         /* files: the reader's engines */
	int files;                   /* files: inputs read */
	uint64_t input_errors;       /* files: inputs not read */
	struct workers *workers;     /* live: the capture threads and engines */
	struct alerter *alerter;     /* live: early announcements of violations */
	struct hosts *hosts;         /* servers inferred from the capture */
	struct output out;
	FILE *json;
	FILE *learn_out;
};

/* Set by signal handlers, read by the loops. */
static volatile sig_atomic_t g_stop, g_reload, g_stats;
static struct capture *volatile g_cap;

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		g_reload = 1;
	} else if (sig == SIGUSR1) {
		g_stats = 1;
	} else {
		g_stop = 1;
		if (g_cap)
			capture_break(g_cap);
	}
}

/* SIGHUP and SIGUSR1 restart an interrupted system call (SA_RESTART): a
 * read of `-r -` from a pipe or a write to a slow pipe goes on as if the
 * signal had not come.  They are caught from the start (a reload asked
 * for during loading happens once the run starts; it is not a kill).
 * SIGINT and SIGTERM, caught once loading is done, interrupt a call, so
 * that a run blocked on its input ends; the loops then see g_stop.  The
 * other threads (workers, writer) block every signal. */
static void install_signals(bool stop_too)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (stop_too) {
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		return;
	}
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ loading */

/* The installed rule file; else, for a binary run from its build tree, the
 * one beside it or the one in the source tree it was built from. */
static const char *default_rules(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	snprintf(buf, len, "%s/%s", LW_PKGDATADIR, "lync2013.rules");
	if (access(buf, R_OK) == 0)
		return buf;
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, len, "%s/../classifiers/lync2013.rules", exe);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	snprintf(buf, len, "%s/classifiers/lync2013.rules", LW_SRCDIR);
	if (access(buf, R_OK) == 0)
		return buf;
	snprintf(buf, len, "%s/%s", LW_PKGDATADIR, "lync2013.rules");
	return buf;
}

/* Frees what only engines use: the matcher and the inventory. */
static void ruledata_trim(struct ruledata *rd)
{
	portmatch_free(rd->pm);
	rd->pm = NULL;
	inventory_free(rd->inv);
	rd->inv = NULL;
}

static void ruledata_free(struct ruledata *rd)
{
	if (rd == NULL)
		return;
	portmatch_free(rd->pm);
	inventory_free(rd->inv);
	ruleset_free(&rd->rs);
	free(rd);
}

/* The rule files of a run: the shipped file unless --rules names others,
 * then every --rules-add file on top.  Returns the number of problems. */
static int load_rule_files(struct ruleset *rs, const struct config *c,
			   FILE *errs)
{
	char def[PATH_MAX + 64];
	int n = 0;

	if (c->nrules == 0)
		n += rules_load_file(rs, default_rules(def, sizeof(def)), errs);
	for (int i = 0; i < c->nrules; i++)
		n += rules_load_file(rs, c->rules[i], errs);
	for (int i = 0; i < c->nrules_add; i++)
		n += rules_load_file(rs, c->rules_add[i], errs);
	return n;
}

/* Loads rules, builds the matcher, loads the inventory.  Problems go to
 * errs as file:line; returns NULL after any.  *unknown_roles (when not
 * NULL): the role names the rule files used without declaring them. */
static struct ruledata *ruledata_load(const struct config *c, bool need_matcher,
				      FILE *errs, int *unknown_roles)
{
	struct ruledata *rd = calloc(1, sizeof(*rd));
	int n;

	if (rd == NULL)
		return NULL;
	ruleset_init(&rd->rs);
	n = load_rule_files(&rd->rs, c, errs);
	if (unknown_roles)
		*unknown_roles = rd->rs.unknown_roles;
	if (n == 0)
		n += rules_finish(&rd->rs, errs);
	if (n == 0 && c->inventory) {
		rd->inv = inventory_new(&rd->rs);
		n += rd->inv ? inventory_load_file(rd->inv, c->inventory, errs) : 1;
	}
	if (n == 0 && need_matcher && (rd->pm = portmatch_build(&rd->rs, errs)) == NULL)
		n++;
	if (n) {
		fprintf(errs, "lyncwatch: %d problem(s) in the rule or inventory "
			"files\n", n);
		ruledata_free(rd);
		return NULL;
	}
	return rd;
}

/* SIGHUP: new rules and inventory, or the old ones kept on any problem. */
static void reload(struct app *a)
{
	struct ruledata *rd;

	g_reload = 0;
	/* Log rotation: the outputs' files again (no record in flight). */
	pthread_mutex_lock(workers_lock(a->workers));
	fputs(output_reopen(&a->out) ? "lyncwatch: SIGHUP: an output could "
	      "not be reopened: writing on where it was\n" :
	      "lyncwatch: SIGHUP: outputs reopened\n", stderr);
	pthread_mutex_unlock(workers_lock(a->workers));
	fprintf(stderr, "lyncwatch: SIGHUP: reloading rules and inventory\n");
	if (a->nretired == MAX_RETIRED) {
		fprintf(stderr, "lyncwatch: too many reloads; restart to reload\n");
		return;
	}
	rd = ruledata_load(a->cfg, true, stderr, NULL);
	if (rd == NULL) {
		fprintf(stderr, "lyncwatch: reload failed: keeping the rules in use\n");
		return;
	}
	/* Records name the ruleset they were labelled with: the output keeps
	 * no rules of its own. */
	a->retired_gen[a->nretired] =
		workers_set_rules(a->workers, &rd->rs, rd->pm, rd->inv);
	a->retired[a->nretired++] = a->rd;
	a->rd = rd;
	fprintf(stderr, "lyncwatch: reloaded %d rules%s\n", rd->rs.nrules,
		rd->inv ? " and the inventory" : "");
}

/* ------------------------------------------------------------ alerts */

static void on_alert(void *ctx, const struct flow *f, const struct audit_result *ar)
{
	struct app *a = ctx;

	for (int b = 0; b < FLAG_N; b++)
		if ((ar->flags & (1u << b)) &&
		    audit_verdict(1u << b, true) == VERDICT_VIOLATION)
			alert_violation(a->alerter, wall_now(), b, audit_flag_name(b),
					f->key.ipver, flow_server_addr(f),
					flow_server_port(f), f->key.l4, ar->reason);
}

static int setup_alerts(struct app *a)
{
	const struct config *c = a->cfg;
	/* Under a service manager stderr is the journal already: with
	 * --syslog, do not write every alert twice. */
	struct alert_cfg ac = {
		.stream = c->use_syslog && !isatty(STDERR_FILENO) ? NULL : stderr,
		.use_syslog = c->use_syslog, .interval_s = 60.0, .max_keys = 4096,
		.max_lines = 100, .seed = c->ft.seed,
	};

	ac.facility = alert_facility_from_name(c->syslog_facility ?
					       c->syslog_facility : "daemon");
	if (ac.facility < 0) {
		fprintf(stderr, "lyncwatch: --syslog-facility: unknown facility "
			"'%s' (want daemon, user, local0 .. local7)\n",
			c->syslog_facility);
		return -1;
	}
	a->alerter = alert_new(&ac);
	return a->alerter ? 0 : -1;
}

/* ------------------------------------------------------------ setup */

/* Opens an output file ("-": stdout) as privdrop.h says: mode 0640, no
 * symbolic link followed, appended to unless flags has PRIVDROP_TRUNCATE. */
static FILE *open_out(const char *name, int flags)
{
	char err[512];
	FILE *f;

	if (strcmp(name, "-") == 0)
		return stdout;
	if (privdrop_open_output(name, flags, &f, err, sizeof(err)) != 0) {
		fprintf(stderr, "lyncwatch: %s\n", err);
		return NULL;
	}
	return f;
}

static struct engine_cfg engine_config(struct app *a)
{
	const struct config *c = a->cfg;
	struct engine_cfg ec = {
		.ft = c->ft, .lang = c->lang, .audit_all = c->audit_all,
		.dpi = !c->no_dpi, .dpi_budget = c->dpi_packets,
		.media = !c->no_media, .media_limits = c->media,
		.hosts = a->hosts,
		.dpi_extra = c->dpi_extra,
		.dpi_extra_flows = c->dpi_extra_flows,
		.dpi_audit_only = c->dpi_audit_only, .max_inspect = c->max_inspect,
		.active_timeout_s = c->active_timeout_s,
			.on_alert = a->alerter ? on_alert : NULL, .alert_ctx = a,
	};
	return ec;
}

/* -r with -Z: opens every input (a failure is reported when its turn
 * comes), then drops to the user while this is the only thread. */
static int drop_for_files(struct app *a)
{
	const struct config *c = a->cfg;
	char err[512];

	a->pre = calloc((size_t)c->nfiles, sizeof(*a->pre));
	a->pre_rc = calloc((size_t)c->nfiles, sizeof(*a->pre_rc));
	if (a->pre == NULL || a->pre_rc == NULL)
		return -1;
	for (int i = 0; i < c->nfiles; i++)
		a->pre_rc[i] = capture_open_file(&a->pre[i], c->files[i], c->filter);
	if (privdrop_to(c->user, err, sizeof(err)) != 0) {
		fprintf(stderr, "lyncwatch: %s\n", err);
		return -1;
	}
	return 0;
}

/* The number of engines reading files: --workers, else one per core but
 * one (the reader and the writer have threads of their own; at most
 * FILEWORK_MAX).  One with --learn-inventory, whose tables depend on
 * the order flows end in, and, without --workers, when a limit that each
 * engine applies to its own flows (--max-flows, --max-inspect,
 * --dpi-extra-flows) is given: it then holds for the run. */
/* The cores this process may run on (taskset, cgroups' cpusets), at
 * least 1. */
static long usable_cores(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    (n = CPU_COUNT(&set)) > 0)
		return n;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

static unsigned file_engines(const struct config *c)
{
	long cores = usable_cores();
	struct config d;

	options_defaults(&d);
	if (c->learn)
		return 1;
	if (!c->workers && (c->ft.max_flows != d.ft.max_flows ||
			    c->max_inspect != d.max_inspect ||
			    c->dpi_extra_flows != d.dpi_extra_flows))
		return 1;
	if (c->workers)
		return c->workers < FILEWORK_MAX ? c->workers : FILEWORK_MAX;
	cores--;
	return cores < 1 ? 1 : cores > FILEWORK_MAX ? FILEWORK_MAX : (unsigned)cores;
}

static int open_filework(struct app *a)
{
	struct filework_cfg fc = {
		.n = file_engines(a->cfg), .cores = (unsigned)usable_cores(),
		.ec = engine_config(a), .rs = &a->rd->rs, .pm = a->rd->pm,
		.inv = a->rd->inv, .out = &a->out, .learner = a->learner,
	};
	char err[512];

	a->fw = filework_new(&fc, err, sizeof(err));
	if (a->fw == NULL)
		fprintf(stderr, "lyncwatch: %s\n", err);
	return a->fw ? 0 : -1;
}

static int setup(struct app *a)
{
	const struct config *c = a->cfg;
	bool json_stdout = c->json && strcmp(c->json, "-") == 0;
	struct output_cfg oc;

	a->pinned = c->learn ? a->rd : NULL;
	if (c->learn && ((a->learn_out = open_out(c->learn, PRIVDROP_TRUNCATE)) == NULL ||
			 (a->learner = learn_new(&a->rd->rs, LEARN_MAX_HOSTS,
						 c->ft.seed)) == NULL))
		return -1;
	if ((a->hosts = hosts_new()) == NULL)
		return -1;
	if (c->json && (a->json = open_out(c->json, c->json_truncate ? PRIVDROP_TRUNCATE : 0)) == NULL)
		return -1;
	oc = (struct output_cfg){
		.json = a->json, .json_name = c->json,
		.text = c->verbose ? (json_stdout ? stderr : stdout) : NULL,
		.summary = json_stdout ? stderr : stdout, .diag = stderr,
		.lang = c->lang, .flush_each = c->iface != NULL,
		.json_notes = c->json_notes, .redis = c->redis, .redis_key = c->redis_key,
		.redis_mode = c->redis_mode, .redis_buffer = c->redis_buffer,
		.prom = c->prom, .cert_warn_days = c->cert_warn_days,
		.report = c->report, .allow_list = c->allow_list,
		.report_top = c->report_top, .inventory = c->inventory,
		.inputs = c->files, .ninputs = c->nfiles,
		.rs = &a->rd->rs, .open_file = privdrop_open_output };
	if (output_open(&a->out, &oc))
		return -1;
	if (!c->iface && c->user && drop_for_files(a))
		return -1;
	/* Records are formatted and written on their own thread (live: once
	 * privileges are dropped, which wants one thread); should it not
	 * start, output_flow writes them itself. */
	if (!c->iface && output_wants_records(&a->out))
		(void)output_start_writer(&a->out);
	if (c->iface)
		return setup_alerts(a);
	return open_filework(a);
}

/* Flushes and closes an output; reports a write error (e.g. a full disk)
 * instead of truncating silently. */
static int close_out(FILE **fp, const char *name, bool errors_before)
{
	bool bad = errors_before;

	if (*fp == NULL)
		return 0;
	if (fflush(*fp) != 0 || ferror(*fp))
		bad = true;
	if (*fp != stdout && fclose(*fp) != 0)
		bad = true;
	*fp = NULL;
	if (bad)
		fprintf(stderr, "lyncwatch: %s: write error: %s\n", name,
			strerror(errno ? errno : EIO));
	return bad ? -1 : 0;
}

static int close_learn(struct app *a)
{
	bool bad = false;

	if (a->learner == NULL)
		return 0;
	bad = learn_write(a->learner, a->learn_out) != 0;
	return close_out(&a->learn_out, a->cfg->learn, bad);
}

static void teardown(struct app *a)
{
	workers_free(a->workers);
	filework_free(a->fw);
	alert_free(a->alerter);
	learn_free(a->learner);
	hosts_free(a->hosts);
	if (a->learn_out && a->learn_out != stdout)
		fclose(a->learn_out);
	if (a->json && a->json != stdout)
		fclose(a->json);
	output_free(&a->out);
	for (int i = 0; a->pre && i < a->cfg->nfiles; i++)
		if (a->pre_rc[i] == 0)
			capture_close(&a->pre[i]);
	free(a->pre);
	free(a->pre_rc);
	for (int i = 0; i < a->nretired; i++)
		if (a->retired[i] != a->pinned)
			ruledata_free(a->retired[i]);
	if (a->pinned != a->rd)
		ruledata_free(a->pinned);
	ruledata_free(a->rd);
}

/* ------------------------------------------------------------ files */

static bool progress_on(const struct config *c)
{
	return c->progress == 1 || (c->progress == -1 && isatty(STDERR_FILENO));
}

static void progress(struct app *a, const struct capture *cap, double t0)
{
	double secs = stats_now() - t0;
	int64_t off = capture_offset(cap);

	fprintf(stderr, "\r\033[K%s: ", cap->name);
	if (off >= 0 && cap->size > 0)
		fprintf(stderr, "%.1f MB (%.0f%%), ", (double)off / 1e6,
			100.0 * (double)off / (double)cap->size);
	fprintf(stderr, "%" PRIu64 " packets, %.0f packets/s, %" PRIu64 " flows",
		cap->pktno, secs > 0 ? (double)cap->pktno / secs : 0.0,
		filework_active(a->fw));
}

/* Reads one capture file to its end; returns 0, or -1 after an input
 * error (what was read before is kept). */
static int run_file(struct app *a, int i, uint64_t *left)
{
	const char *name = a->cfg->files[i];
	struct capture cap;
	struct capture_records recs;
	struct raw_packet rp;
	bool show = progress_on(a->cfg);
	double t0 = stats_now(), last = t0;
	int rc = CAPTURE_END;

	if (a->pre ? (cap = a->pre[i], a->pre_rc[i]) :
	    capture_open_file(&cap, name, a->cfg->filter)) {
		fprintf(stderr, "lyncwatch: %s\n", cap.err);
		a->input_errors++;
		return -1;
	}
	if (!decode_link_supported(cap.dlt))
		fprintf(stderr, "lyncwatch: %s: link type %s (%d) is not supported: "
			"its packets are counted as unsupported\n", name,
			pcap_datalink_val_to_name(cap.dlt) ?
			pcap_datalink_val_to_name(cap.dlt) : "?", cap.dlt);
	a->files++;
	capture_set_release(&cap, filework_release, a->fw);
	filework_file(a->fw, capture_records(&cap, &recs) ? &recs : NULL);
	g_cap = &cap;
	while (*left && !g_stop && (rc = capture_next(&cap, &rp)) == CAPTURE_PACKET) {
		(*left)--;
		filework_packet(a->fw, cap.dlt, &rp);
		if (show && (cap.pktno & 0xffff) == 0 && stats_now() - last > 0.5) {
			last = stats_now();
			progress(a, &cap, t0);
		}
	}
	g_cap = NULL;
	if (show)
		fprintf(stderr, "\r\033[K");
	if (rc == CAPTURE_ERROR && g_stop)
		rc = CAPTURE_END;       /* a read cut by SIGINT/SIGTERM: stopped */
	if (rc == CAPTURE_ERROR) {
		fprintf(stderr, "lyncwatch: %s\n", cap.err);
		a->input_errors++;
	}
	filework_file(a->fw, NULL);
	capture_close(&cap);
	if (a->pre)
		a->pre_rc[i] = -1;
	return rc == CAPTURE_ERROR ? -1 : 0;
}

static int run_files(struct app *a)
{
	uint64_t left = a->cfg->count ? a->cfg->count : UINT64_MAX;
	int status = 0;

	for (int i = 0; i < a->cfg->nfiles && left && !g_stop; i++)
		if (run_file(a, i, &left))
			status = EXIT_INPUT;
	return status;
}

/* ------------------------------------------------------------ live */

/* A stats record now: a line on stderr and, with --json, a JSON record. */
static void interim_stats(struct app *a, double *last_t, uint64_t *last_pkts)
{
	struct workers_snap ws;
	struct interim in = { 0 };
	double now = stats_now();

	g_stats = 0;
	workers_snapshot(a->workers, &ws);
	in.pkts = ws.pkts;
	in.bytes = ws.bytes;
	in.flows_ended = ws.flows;
	in.decode_errors = ws.decode_errors;
	in.violations = ws.violations;
	in.received = ws.received;
	in.kernel_drops = ws.kernel_drops;
	in.iface_drops = ws.iface_drops;
	in.active_flows = ws.active_flows;
	in.evicted = ws.evicted;
	in.pps = now > *last_t ? (double)(ws.pkts - *last_pkts) / (now - *last_t) : 0;
	in.wall_us = (uint64_t)(wall_now() * 1e6);
	pthread_mutex_lock(workers_lock(a->workers));
	output_interim(&a->out, &in);
	pthread_mutex_unlock(workers_lock(a->workers));
	*last_t = now;
	*last_pkts = ws.pkts;
}

static struct workers *open_workers(struct app *a)
{
	const struct config *c = a->cfg;
	struct workers_cfg wc = {
		.n = c->workers ? c->workers : 1,
		.live = { .iface = c->iface, .snaplen = c->snaplen,
			  .buffer_kib = c->buffer_kib, .promisc = c->promisc,
			  .timeout_ms = LIVE_TIMEOUT_MS, .filter = c->filter },
		.ec = engine_config(a), .rs = &a->rd->rs, .pm = a->rd->pm,
		.inv = a->rd->inv, .out = &a->out, .learner = a->learner,
		.count = c->count,
	};
	char err[512];
	struct workers *w = workers_open(&wc, err, sizeof(err));

	if (w == NULL) {
		fprintf(stderr, "lyncwatch: %s\n", err);
		return NULL;
	}
	/* Privileges go once the captures are open, before any packet and
	 * before the threads start; without -Z, a non-root process still
	 * sheds the capabilities it was started with. */
	if (c->user == NULL && getuid() == 0)
		fprintf(stderr, "lyncwatch: WARNING: capturing as root without -Z: "
			"every packet is parsed (nDPI included) with root's "
			"privileges; give -Z USER (e.g. -Z nobody) to drop them "
			"once the capture is open\n");
	if ((c->user ? privdrop_to(c->user, err, sizeof(err)) :
	     getuid() != 0 ? privdrop_caps(err, sizeof(err)) : 0) != 0) {
		fprintf(stderr, "lyncwatch: %s\n", err);
		workers_free(w);
		return NULL;
	}
	if (output_wants_records(&a->out))
		(void)output_start_writer(&a->out);
	if (workers_start(w, err, sizeof(err)) != 0) {
		fprintf(stderr, "lyncwatch: %s\n", err);
		workers_free(w);
		return NULL;
	}
	return w;
}

/* Frees the rules that SIGHUP replaced, once nothing uses them: every
 * worker has adopted a later generation (their statistics then hold no
 * pointer into them, see stats_rebind) and the records labelled by them
 * are written.  The learner's ruleset stays; its matcher goes. */
static void free_retired(struct app *a)
{
	unsigned oldest;
	int kept = 0;

	if (a->nretired == 0 ||
	    (oldest = workers_oldest_gen(a->workers)) < a->retired_gen[0])
		return;
	output_sync(&a->out);
	for (int i = 0; i < a->nretired; i++) {
		if (a->retired_gen[i] > oldest) {
			a->retired_gen[kept] = a->retired_gen[i];
			a->retired[kept++] = a->retired[i];
		} else if (a->retired[i] == a->pinned) {
			ruledata_trim(a->retired[i]);
		} else {
			ruledata_free(a->retired[i]);
		}
	}
	a->nretired = kept;
}

/* The supervisor: signals, reloads, alert counts and periodic stats, while
 * the workers capture. */
static int run_live(struct app *a)
{
	const struct timespec nap = { 0, 100000000L }; /* 100 ms */
	double next_stats = wall_now() + a->cfg->stats_interval_s;
	double last_t = stats_now();
	uint64_t last_pkts = 0;
	const char *err;

	a->workers = open_workers(a);
	if (a->workers == NULL)
		return EXIT_INPUT;
	while (!g_stop && !workers_done(a->workers)) {
		nanosleep(&nap, NULL);
		if (g_reload)
			reload(a);
		free_retired(a);
		pthread_mutex_lock(workers_lock(a->workers));
		alert_flush(a->alerter, wall_now());
		pthread_mutex_unlock(workers_lock(a->workers));
		if (g_stats || (a->cfg->stats_interval_s && wall_now() >= next_stats)) {
			interim_stats(a, &last_t, &last_pkts);
			next_stats = wall_now() + a->cfg->stats_interval_s;
		}
	}
	err = workers_stop(a->workers);
	if (err)
		fprintf(stderr, "lyncwatch: %s\n", err);
	interim_stats(a, &last_t, &last_pkts);
	alert_flush(a->alerter, wall_now() + 1e9);
	return err ? EXIT_INPUT : 0;
}

/* ------------------------------------------------------------ run */

static int run(struct app *a)
{
	struct run_info ri = { 0 };
	struct inspect_stats is;
	struct workers_snap ws;
	struct engine *eng;
	int status = a->cfg->iface ? run_live(a) : run_files(a);

	if (a->cfg->iface && a->workers == NULL)
		return status; /* the capture never started: nothing to write */
	if (!a->cfg->iface && a->files == 0)
		return status; /* no input could be opened: nothing to sum up */
	if (a->workers) {
		eng = workers_merged(a->workers);
		workers_run_info(a->workers, &ri, &is);
		workers_snapshot(a->workers, &ws);  /* final: workers stopped */
		ri.live = true;
		ri.received = ws.received;
		ri.kernel_drops = ws.kernel_drops;
		ri.iface_drops = ws.iface_drops;
	} else {
		eng = filework_finish(a->fw, &ri, &is);
		engine_stats(eng)->files = a->files;
		engine_stats(eng)->input_errors += a->input_errors;
	}
	ri.hosts = a->hosts;
	ri.rs = &a->rd->rs;
	output_summary(&a->out, engine_stats(eng), &ri);
	if (close_out(&a->json, a->cfg->json ? a->cfg->json : "-",
		      output_write_errors(&a->out) > 0) | close_learn(a))
		status = EXIT_INPUT;
	if (status == 0 && a->cfg->fail_on &&
	    engine_worst(eng) >= (enum verdict)a->cfg->fail_on)
		status = EXIT_THRESHOLD;
	return status;
}

/* ruledata_load() with the problems kept in *text (to free), not shown;
 * *text is NULL when they cannot be kept (then they went to stderr). */
static struct ruledata *load_quiet(const struct config *c, char **text,
				   int *unknown_roles)
{
	size_t len = 0;
	FILE *mem;
	struct ruledata *rd;

	*text = NULL;
	mem = open_memstream(text, &len);
	rd = ruledata_load(c, true, mem ? mem : stderr, unknown_roles);
	if (mem)
		fclose(mem);
	return rd;
}

/* --check-rules FILE... without --rules: the files alone; when they name
 * roles they do not declare and the shipped rules declare some of them,
 * the files on top of the shipped rules, as --rules-add loads them. */
static struct ruledata *check_load(const struct config *c)
{
	struct config top = *c;
	char *alone, *on_top = NULL;
	int unknown = 0, unknown_top = 0;
	struct ruledata *rd = load_quiet(c, &alone, &unknown);

	if (rd == NULL && unknown > 0 && c->check_named) {
		top.nrules = 0;
		for (int i = 0; i < c->nrules && top.nrules_add < OPT_MAX_FILES; i++)
			top.rules_add[top.nrules_add++] = c->rules[i];
		rd = load_quiet(&top, &on_top, &unknown_top);
		if (rd || unknown_top < unknown)
			fprintf(stderr, "lyncwatch: roles used but not declared "
				"in %s%s: checked on top of the shipped rules (as "
				"--rules-add loads them)\n", c->rules[0],
				c->nrules > 1 ? " and the files after it" : "");
		if (rd == NULL && unknown_top < unknown)
			fputs(on_top ? on_top : "", stderr);
	}
	if (rd == NULL && (on_top == NULL || unknown_top >= unknown))
		fputs(alone ? alone : "", stderr);
	free(alone);
	free(on_top);
	return rd;
}

/* --check-rules (which builds the matcher too, as a run would) and
 * --list-rules. */
static int rules_only(const struct config *c)
{
	struct ruledata *rd = !c->check_rules ? ruledata_load(c, false, stderr, NULL) :
			      c->check_named ? check_load(c) :
			      ruledata_load(c, true, stderr, NULL);

	if (rd == NULL)
		return EXIT_INPUT;
	if (c->list_rules)
		output_rules(stdout, &rd->rs, c->lang, c->json != NULL);
	else
		printf("%d rules and %d roles: no problems\n", rd->rs.nrules,
		       rd->rs.nroles);
	ruledata_free(rd);
	return 0;
}

/* Output lost on standard output (a full disk, a closed pipe) is an error,
 * not a silent exit 0. */
static int check_stdout(int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "lyncwatch: standard output: write error: %s\n",
		strerror(errno ? errno : EIO));
	return EXIT_INPUT;
}

int main(int argc, char **argv)
{
	static struct config cfg;
	static struct app a;
	int rc;

	install_signals(false);
	options_defaults(&cfg);
	rc = options_parse(&cfg, argc, argv);
	if (rc) {
		options_free(&cfg);
		return check_stdout(rc > 0 ? 0 : EXIT_INPUT);
	}
	if (cfg.check_rules || cfg.list_rules) {
		rc = rules_only(&cfg);
		options_free(&cfg);
		return check_stdout(rc);
	}
	/* Capture files: the heap in huge pages (does not return when it
	 * starts the program again).  Not live: a monitor that runs for weeks
	 * and reloads its rules keeps a steadier, smaller heap in 4 KiB
	 * pages (4,200 reloads: 45 -> 65 MB, in huge pages 76-106 MB). */
	if (cfg.iface == NULL)
		thp_heap(argv);
	a.cfg = &cfg;
	a.rd = ruledata_load(&cfg, true, stderr, NULL);
	/* Handlers only once loading is done: until then SIGINT/SIGTERM end
	 * the process at once, however slow a rule or inventory file is. */
	if (a.rd != NULL && setup(&a) == 0) {
		install_signals(true);
		rc = run(&a);
	} else {
		rc = EXIT_INPUT;
	}
	teardown(&a);
	options_free(&cfg);
	return check_stdout(rc);
}
