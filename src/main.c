/* main.c: options into one config, the wiring of the stages, the packet
 * loop and the exit status.  The only file that knows every stage. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "audit.h"
#include "capture.h"
#include "engine.h"
#include "flow.h"
#include "inspect.h"
#include "inventory.h"
#include "learn.h"
#include "output.h"
#include "portmatch.h"
#include "rules.h"
#include "stats.h"

#define EXIT_THRESHOLD 1 /* --fail-on reached */
#define EXIT_INPUT 2     /* usage or input error */
#define MAX_FILES 256
#define DEFAULT_RULES "lync2013.rules"

struct config {
	const char *files[MAX_FILES];
	int nfiles;
	const char *rules[MAX_FILES];
	int nrules;
	const char *json;            /* --json FILE or "-" */
	const char *inventory;       /* --inventory FILE */
	const char *learn;           /* --learn-inventory FILE */
	char *filter;                /* BPF expression, or NULL */
	uint64_t count;              /* -c: stop after this many packets */
	struct flow_table_cfg ft;
	enum lang lang;
	int verbose;
	int progress;                /* -1 auto (stderr is a tty), 0, 1 */
	int fail_on;                 /* 0 none, else a verdict */
	bool check_rules, list_rules;
	bool no_dpi, audit_all;
};

/* Everything the flow-end callback needs. */
/* What one run holds: the loaded data, the outputs and the engine. */
struct app {
	const struct config *cfg;
	struct ruleset rs;
	struct portmatch *pm;
	struct inventory *inv;       /* NULL without --inventory */
	struct learner *learner;     /* NULL without --learn-inventory */
	struct engine *eng;
	struct output out;
	FILE *json;
	FILE *learn_out;
};

static void usage(FILE *f)
{
	fputs(
"Usage: lyncwatch [options] -r FILE [-r FILE ...] [BPF expression]\n"
"       lyncwatch --check-rules FILE...   |   lyncwatch --list-rules [--json -]\n"
"\n"
"Labels every flow of a capture with the row of Microsoft's Lync Server 2013\n"
"port tables it corresponds to (table, role, service, port, protocol, note).\n"
"\n"
"Input:\n"
"  -r FILE             read a pcap or pcapng file ('-': stdin); repeatable\n"
"  -f EXPR             BPF filter (also: a trailing expression)\n"
"  -c COUNT            stop after COUNT packets\n"
"Rules:\n"
"  --rules FILE        load this rule file (repeatable; default: the installed\n"
"                      lync2013.rules)\n"
"  --check-rules       check the rule files named after it (or --rules) and exit\n"
"  --list-rules        print the loaded rules (JSON Lines with --json)\n"
"Output:\n"
"  -v                  a text line for every flow\n"
"  --json FILE|-       JSON Lines (EVE flow records and a final stats record)\n"
"  --lang en|ja        language of labels, reasons and summary (default en)\n"
"  -n                  numeric output (lyncwatch never resolves names)\n"
"  --progress, --no-progress   progress line on stderr (default: when a tty)\n"
"Flow table:\n"
"  --max-flows N       flows tracked at once (default 1000000); the least\n"
"                      recently seen is evicted and counted\n"
"  --tcp-timeout S     idle timeout of a TCP flow, seconds (default 300)\n"
"  --tcp-closed-timeout S  linger after FIN/FIN or RST (default 10)\n"
"  --udp-timeout S     idle timeout of a UDP flow, seconds (default 120)\n"
"Audit:\n"
"  --inventory FILE    which addresses hold which roles (narrows labels,\n"
"                      puts flows touching those hosts in audit scope)\n"
"  --learn-inventory FILE  write an inventory inferred from the ports each\n"
"                      host served, with the evidence as comments\n"
"  --audit-all         audit every flow, not only those touching the inventory\n"
"  --no-dpi            no nDPI inspection (labels by port only)\n"
"  --fail-on notice|violation   exit 1 when a flow reaches that verdict\n"
"Other:\n"
"  --version, -h --help\n"
"\n"
"Exit status: 0 done, 1 --fail-on threshold reached, 2 usage or input error.\n"
"See lyncwatch(8).\n", f);
}

enum long_opt {
	OPT_RULES = 256, OPT_JSON, OPT_LANG, OPT_CHECK, OPT_LIST, OPT_VERSION,
	OPT_MAXFLOWS, OPT_TCPTO, OPT_TCPCLOSED, OPT_UDPTO, OPT_FAILON,
	OPT_PROGRESS, OPT_NOPROGRESS, OPT_NODPI, OPT_AUDITALL, OPT_INVENTORY,
	OPT_LEARN,
};

static const struct option long_opts[] = {
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "check-rules", no_argument, NULL, OPT_CHECK },
	{ "list-rules", no_argument, NULL, OPT_LIST },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ "max-flows", required_argument, NULL, OPT_MAXFLOWS },
	{ "tcp-timeout", required_argument, NULL, OPT_TCPTO },
	{ "tcp-closed-timeout", required_argument, NULL, OPT_TCPCLOSED },
	{ "udp-timeout", required_argument, NULL, OPT_UDPTO },
	{ "fail-on", required_argument, NULL, OPT_FAILON },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NOPROGRESS },
	{ "no-dpi", no_argument, NULL, OPT_NODPI },
	{ "audit-all", no_argument, NULL, OPT_AUDITALL },
	{ "inventory", required_argument, NULL, OPT_INVENTORY },
	{ "learn-inventory", required_argument, NULL, OPT_LEARN },
	{ NULL, 0, NULL, 0 }
};

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lyncwatch: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'lyncwatch --help'.\n");
	return -1;
}

/* Parses a whole decimal number in [lo, hi]. */
static int parse_num(const char *opt, const char *s, uint64_t lo, uint64_t hi,
		     uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < lo || v > hi) {
		fprintf(stderr, "lyncwatch: %s: bad number '%s' (want %" PRIu64
			"..%" PRIu64 ")\n", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_u32(const char *opt, const char *s, uint32_t lo, uint32_t *out)
{
	uint64_t v;

	if (parse_num(opt, s, lo, UINT32_MAX, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int add_name(const char **list, int *n, const char *name)
{
	if (*n == MAX_FILES)
		return bad_usage("too many files (at most 256): %s", name);
	list[(*n)++] = name;
	return 0;
}

static int parse_long(struct config *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_RULES: return add_name(c->rules, &c->nrules, arg);
	case OPT_JSON: c->json = arg; return 0;
	case OPT_LANG:
		if (strcmp(arg, "en") && strcmp(arg, "ja"))
			return bad_usage("--lang: want en or ja, not '%s'", arg);
		c->lang = strcmp(arg, "ja") == 0 ? LANG_JA : LANG_EN;
		return 0;
	case OPT_CHECK: c->check_rules = true; return 0;
	case OPT_LIST: c->list_rules = true; return 0;
	case OPT_MAXFLOWS: return parse_u32("--max-flows", arg, 1, &c->ft.max_flows);
	case OPT_TCPTO: return parse_u32("--tcp-timeout", arg, 1, &c->ft.tcp_idle_s);
	case OPT_TCPCLOSED:
		return parse_u32("--tcp-closed-timeout", arg, 0, &c->ft.tcp_closed_s);
	case OPT_UDPTO: return parse_u32("--udp-timeout", arg, 1, &c->ft.udp_idle_s);
	case OPT_FAILON:
		if (strcmp(arg, "notice") == 0)
			c->fail_on = VERDICT_NOTICE;
		else if (strcmp(arg, "violation") == 0)
			c->fail_on = VERDICT_VIOLATION;
		else
			return bad_usage("--fail-on: want notice or violation, not '%s'", arg);
		return 0;
	case OPT_NODPI: c->no_dpi = true; return 0;
	case OPT_AUDITALL: c->audit_all = true; return 0;
	case OPT_INVENTORY: c->inventory = arg; return 0;
	case OPT_LEARN: c->learn = arg; return 0;
	case OPT_PROGRESS: c->progress = 1; return 0;
	case OPT_NOPROGRESS: c->progress = 0; return 0;
	}
	return -1;
}

/* Joins argv[from..] with blanks: the trailing BPF expression. */
static char *join_args(char **argv, int from, int argc)
{
	size_t len = 1;
	char *s;

	for (int i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (int i = from; s && i < argc; i++) {
		if (i > from)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Returns 0 to run, 1 to exit 0 (--help, --version), -1 on a usage error. */
static int parse_args(struct config *c, int argc, char **argv)
{
	int opt;
	uint64_t cnt;

	while ((opt = getopt_long(argc, argv, "r:f:c:vnh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'r': if (add_name(c->files, &c->nfiles, optarg)) return -1; break;
		case 'f': free(c->filter); c->filter = strdup(optarg); break;
		case 'c':
			if (parse_num("-c", optarg, 1, UINT64_MAX, &cnt))
				return -1;
			c->count = cnt;
			break;
		case 'v': c->verbose++; break;
		case 'n': break;
		case 'h': usage(stdout); return 1;
		case OPT_VERSION: printf("lyncwatch %s\n", PACKAGE_VERSION); return 1;
		case '?': fprintf(stderr, "Try 'lyncwatch --help'.\n"); return -1;
		default: if (parse_long(c, opt, optarg)) return -1;
		}
	}
	if (c->check_rules) {
		for (int i = optind; i < argc; i++)
			if (add_name(c->rules, &c->nrules, argv[i]))
				return -1;
		return 0;
	}
	if (optind < argc) {
		if (c->filter)
			return bad_usage("%s", "give the BPF filter with -f or as "
					 "trailing words, not both");
		c->filter = join_args(argv, optind, argc);
	}
	if (!c->list_rules && c->nfiles == 0)
		return bad_usage("%s", "nothing to read: give -r FILE");
	return 0;
}

/* The installed rule file; else, for a binary run from its build tree, the
 * one beside it or the one in the source tree it was built from. */
static const char *default_rules(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;

	snprintf(buf, len, "%s/%s", LW_PKGDATADIR, DEFAULT_RULES);
	if (access(buf, R_OK) == 0)
		return buf;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, len, "%s/../classifiers/%s", exe, DEFAULT_RULES);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	snprintf(buf, len, "%s/classifiers/%s", LW_SRCDIR, DEFAULT_RULES);
	if (access(buf, R_OK) == 0)
		return buf;
	snprintf(buf, len, "%s/%s", LW_PKGDATADIR, DEFAULT_RULES);
	return buf;
}

static int load_rules(struct app *a)
{
	const struct config *c = a->cfg;
	char def[PATH_MAX + 64];
	int errs = 0;

	ruleset_init(&a->rs);
	if (c->nrules == 0)
		errs += rules_load_file(&a->rs, default_rules(def, sizeof(def)), stderr);
	for (int i = 0; i < c->nrules; i++)
		errs += rules_load_file(&a->rs, c->rules[i], stderr);
	if (errs == 0)
		errs += rules_finish(&a->rs, stderr);
	if (errs)
		fprintf(stderr, "lyncwatch: %d problem(s) in the rule files\n", errs);
	return errs ? -1 : 0;
}

/* ------------------------------------------------------------ loop */

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
		engine_active_flows(a->eng));
}

/* Reads one capture to its end; returns 0, or -1 after an input error. */
static int run_file(struct app *a, const char *name, uint64_t *left)
{
	struct capture cap;
	struct raw_packet rp;
	bool show = progress_on(a->cfg);
	double t0 = stats_now(), last = t0;
	int rc = 0;

	if (capture_open_file(&cap, name, a->cfg->filter)) {
		fprintf(stderr, "lyncwatch: %s\n", cap.err);
		return -1;
	}
	if (!decode_link_supported(cap.dlt))
		fprintf(stderr, "lyncwatch: %s: link type %s (%d) is not supported: "
			"its packets are counted as unsupported\n", name,
			pcap_datalink_val_to_name(cap.dlt) ? pcap_datalink_val_to_name(cap.dlt) : "?",
			cap.dlt);
	engine_stats(a->eng)->files++;
	while (*left && (rc = capture_next(&cap, &rp)) == 1) {
		(*left)--;
		if (engine_packet(a->eng, cap.dlt, &rp)) {
			fprintf(stderr, "lyncwatch: out of memory\n");
			rc = -1;
			break;
		}
		if (show && (cap.pktno & 0xffff) == 0 && stats_now() - last > 0.5) {
			last = stats_now();
			progress(a, &cap, t0);
		}
	}
	if (show)
		fprintf(stderr, "\r\033[K");
	if (*left && rc < 0)
		fprintf(stderr, "lyncwatch: %s\n", cap.err);
	capture_close(&cap);
	return *left && rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ setup */

static FILE *open_out(const char *name)
{
	FILE *f;

	if (strcmp(name, "-") == 0)
		return stdout;
	f = fopen(name, "w");
	if (f == NULL)
		fprintf(stderr, "lyncwatch: %s: cannot open for writing: %s\n", name,
			strerror(errno));
	return f;
}

static int load_inventory(struct app *a)
{
	int errs;

	a->inv = inventory_new(&a->rs);
	if (a->inv == NULL) {
		fprintf(stderr, "lyncwatch: out of memory\n");
		return -1;
	}
	errs = inventory_load_file(a->inv, a->cfg->inventory, stderr);
	if (errs)
		fprintf(stderr, "lyncwatch: %d problem(s) in the inventory\n", errs);
	return errs ? -1 : 0;
}

static struct engine_cfg engine_config(const struct config *c)
{
	struct engine_cfg ec = {
		.ft = c->ft, .lang = c->lang, .audit_all = c->audit_all,
		.dpi = !c->no_dpi, .dpi_budget = INSPECT_DEFAULT_BUDGET,
	};
	return ec;
}

static int setup(struct app *a)
{
	const struct config *c = a->cfg;
	bool json_stdout = c->json && strcmp(c->json, "-") == 0;
	struct engine_cfg ec = engine_config(c);

	if (c->inventory && load_inventory(a))
		return -1;
	a->pm = portmatch_build(&a->rs);
	if (a->pm == NULL) {
		fprintf(stderr, "lyncwatch: out of memory\n");
		return -1;
	}
	if (c->learn && ((a->learn_out = open_out(c->learn)) == NULL ||
			 (a->learner = learn_new(&a->rs, LEARN_MAX_HOSTS,
						 c->ft.seed)) == NULL))
		return -1;
	output_init(&a->out, &a->rs, c->lang);
	if (c->json && (a->json = open_out(c->json)) == NULL)
		return -1;
	a->out.json = a->json;
	a->out.json_name = c->json;
	a->out.summary = json_stdout ? stderr : stdout;
	if (c->verbose)
		a->out.text = json_stdout ? stderr : stdout;
	a->eng = engine_new(&ec, &a->rs, a->pm, a->inv, &a->out, a->learner);
	return a->eng ? 0 : -1;
}

/* Flushes and closes the JSON output; reports a write error (e.g. a full
 * disk) instead of truncating silently. */
static int close_json(struct app *a)
{
	int bad = a->out.write_errors > 0;

	if (a->json == NULL)
		return 0;
	if (fflush(a->json) != 0 || ferror(a->json))
		bad = 1;
	if (a->json != stdout && fclose(a->json) != 0)
		bad = 1;
	a->json = NULL;
	if (bad)
		fprintf(stderr, "lyncwatch: %s: write error: %s\n", a->cfg->json,
			strerror(errno ? errno : EIO));
	return bad ? -1 : 0;
}

/* Writes the learnt inventory; reports a write error. */
static int close_learn(struct app *a)
{
	int bad;

	if (a->learner == NULL)
		return 0;
	bad = learn_write(a->learner, a->learn_out) != 0;
	if (fflush(a->learn_out) != 0 || ferror(a->learn_out))
		bad = 1;
	if (a->learn_out != stdout && fclose(a->learn_out) != 0)
		bad = 1;
	a->learn_out = NULL;
	if (bad)
		fprintf(stderr, "lyncwatch: %s: write error: %s\n", a->cfg->learn,
			strerror(errno ? errno : EIO));
	return bad ? -1 : 0;
}

static void teardown(struct app *a)
{
	engine_free(a->eng);
	learn_free(a->learner);
	inventory_free(a->inv);
	if (a->learn_out && a->learn_out != stdout)
		fclose(a->learn_out);
	if (a->json && a->json != stdout)
		fclose(a->json);
	portmatch_free(a->pm);
	output_free(&a->out);
	ruleset_free(&a->rs);
}

static int run(struct app *a)
{
	uint64_t left = a->cfg->count ? a->cfg->count : UINT64_MAX;
	struct run_info ri;
	struct inspect_stats is;
	int status = 0;

	for (int i = 0; i < a->cfg->nfiles && left; i++)
		if (run_file(a, a->cfg->files[i], &left))
			status = EXIT_INPUT;
	engine_flush(a->eng, END_SHUTDOWN);
	engine_run_info(a->eng, &ri, &is);
	output_summary(&a->out, engine_stats(a->eng), &ri);
	if (close_json(a) | close_learn(a))  /* both run, whatever the first gives */
		status = EXIT_INPUT;
	if (status == 0 && a->cfg->fail_on &&
	    engine_worst(a->eng) >= (enum verdict)a->cfg->fail_on)
		status = EXIT_THRESHOLD;
	return status;
}

static void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->ft.max_flows = 1000000;
	c->ft.tcp_idle_s = 300;
	c->ft.tcp_closed_s = 10;
	c->ft.udp_idle_s = 120;
	c->ft.seed = 0x6c796e6377617463ull ^ (uint64_t)getpid();
	c->progress = -1;
}

int main(int argc, char **argv)
{
	static struct config cfg;
	static struct app a;
	int rc;

	config_defaults(&cfg);
	rc = parse_args(&cfg, argc, argv);
	if (rc)
		return rc > 0 ? 0 : EXIT_INPUT;
	a.cfg = &cfg;
	if (load_rules(&a)) {
		ruleset_free(&a.rs);
		return EXIT_INPUT;
	}
	if (cfg.check_rules || cfg.list_rules) {
		if (cfg.list_rules)
			output_rules(stdout, &a.rs, cfg.lang, cfg.json != NULL);
		else
			printf("%d rules and %d roles: no problems\n", a.rs.nrules,
			       a.rs.nroles);
		ruleset_free(&a.rs);
		return 0;
	}
	rc = setup(&a) ? EXIT_INPUT : run(&a);
	teardown(&a);
	free(cfg.filter);
	return rc;
}
