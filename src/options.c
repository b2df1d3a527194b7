/* options.c: getopt_long into struct config; usage text; number parsing. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "audit/audit.h"
#include "inspect/inspect.h"
#include "output/certs.h"
#include "options.h"

#define DEFAULT_SNAPLEN 16384   /* a jumbo frame (9000) with any encapsulation */
#define DEFAULT_BUFFER_KIB 32768 /* 32 MiB of kernel ring: bursts on a busy SPAN */

static void usage(FILE *f)
{
	fputs(
"Usage: lyncwatch [options] -r FILE [-r FILE ...] [BPF expression]\n"
"       lyncwatch [options] -i IFACE [BPF expression]\n"
"       lyncwatch --check-rules FILE...   |   lyncwatch --list-rules [--json -]\n"
"\n"
"Labels every flow with the row of Microsoft's Lync Server 2013 port tables\n"
"it corresponds to, checks it with nDPI, and flags what the tables do not allow.\n"
"\n"
"Input:\n"
"  -r FILE             read a pcap or pcapng file ('-': stdin); repeatable\n"
"  -i IFACE            capture live on IFACE (a SPAN or mirror port)\n"
"  -f EXPR             BPF filter (also: the words after the options)\n"
"  -c COUNT            stop after COUNT packets\n"
"  -s SNAPLEN          live: bytes kept of each packet (default 16384)\n"
"  -B KIB              live: kernel capture buffer in KiB (default 32768)\n"
"  -p                  live: do not put the interface in promiscuous mode\n"
"  -Z USER             drop to USER (and its groups) once the capture (-i)\n"
"                      or every -r file and the outputs are open; refuses\n"
"                      root; fails closed\n"
"  --workers N         live: N capture threads in one PACKET_FANOUT group\n"
"                      (default 1); -r: N engine threads, flows split by\n"
"                      their hash, the same records in the same order as\n"
"                      one (default: one per core but one, at least 1,\n"
"                      at most 64; 1 runs on the reading thread)\n"
"Rules:\n"
"  --rules FILE        load this rule file instead of the shipped rules\n"
"                      (lync2013.rules): naming one replaces them; repeatable\n"
"  --rules-add FILE    load this rule file on top of those (a site's own\n"
"                      rules, using the shipped roles); repeatable\n"
"  --check-rules       check the rule files named after it (or --rules and\n"
"                      --rules-add) and exit; files that name roles of the\n"
"                      shipped rules are checked on top of them\n"
"  --list-rules        print the loaded rules (JSON Lines with --json)\n"
"Output:\n"
"  -v                  a text line for every flow\n"
"  --json FILE|-       JSON Lines (EVE flow records and stats records),\n"
"                      appended to FILE (a regular file, mode 0640; no\n"
"                      symbolic link anywhere in its path, no FIFO)\n"
"  --json-truncate     empty an existing --json FILE first\n"
"  --json-notes        labels carry the vendor's note (default: only in\n"
"                      --list-rules --json)\n"
"  --redis HOST[:PORT]|unix:PATH  also send the EVE records to Redis\n"
"                      (default port 6379); exit 2 when it cannot connect\n"
"                      at start; records kept and counted while it is away\n"
"  --redis-key KEY     the Redis list or channel (default lyncwatch)\n"
"  --redis-mode list|lpush|channel  RPUSH (default), LPUSH or PUBLISH\n"
"  --redis-buffer N    records kept while Redis is away (default 65536);\n"
"                      more are dropped and counted (redis.dropped)\n"
"  --prom-file PATH    the stats for Prometheus (text format, written to\n"
"                      PATH.tmp and renamed) at each stats interval and at\n"
"                      the end\n"
"  --report FILE.html  an audit report (one self-contained page: verdicts,\n"
"                      violations, who talks to whom, allow-list, coverage\n"
"                      of the rule tables), written to FILE.html.tmp and\n"
"                      renamed, at each stats interval and at the end\n"
"  --allow-list FILE.csv  the firewall rows the documented flows seen need\n"
"  --report-top N      rows of a report section, at most (default 50)\n"
"  --lang en|ja        language of labels, reasons and summary (default en)\n"
"  -n                  numeric output (lyncwatch never resolves names)\n"
"  --progress, --no-progress   progress line on stderr (default: when a tty)\n"
"  --stats-interval S  live: stats line (and JSON record) every S seconds\n"
"                      (default 60; 0: off); SIGUSR1 prints one at once\n"
"  --syslog            live: also send alerts to syslog\n"
"  --syslog-facility F daemon (default), user, local0 .. local7\n"
"Flow table:\n"
"  --max-flows N       flows tracked at once (default 1000000); the least\n"
"                      recently seen is evicted and counted\n"
"  --tcp-timeout S     idle timeout of a TCP flow, seconds (default 300)\n"
"  --tcp-closed-timeout S  linger after FIN/FIN or RST (default 10)\n"
"  --udp-timeout S     idle timeout of a UDP flow, seconds (default 120)\n"
"  --active-timeout S  also report a flow every S seconds while it lasts,\n"
"                      with cumulative counters (default 0: off)\n"
"Audit:\n"
"  --inventory FILE    which addresses hold which roles (narrows labels,\n"
"                      puts flows touching those hosts in audit scope)\n"
"  --learn-inventory FILE  write an inventory inferred from the ports each\n"
"                      host served, with the evidence as comments\n"
"  --audit-all         audit every flow, not only those touching the inventory\n"
"  --no-dpi            no nDPI inspection (the own wire checks still run)\n"
"  --dpi-packets N     payload packets given to nDPI per flow, at most\n"
"                      (default 24)\n"
"  --dpi-extra N       of them, packets given after nDPI confirmed the app,\n"
"                      for its metadata (TLS server hello, certificate, and\n"
"                      the risks found there; default 4)\n"
"  --dpi-extra-flows N flows in that metadata phase at once, at most; more\n"
"                      are confirmed without it (default 32768)\n"
"  --dpi-scope all|audit  inspect every flow (default), or only the flows\n"
"                      whose audit nDPI can change (faster; the others get\n"
"                      no app_proto)\n"
"  --max-inspect N     flows under nDPI inspection at once, at most, per\n"
"                      capture thread (memory bound: 16 to 64 KB a flow at\n"
"                      worst; default 8192; 0: no limit)\n"
"  --no-media          do not measure RTP/RTCP streams (loss, jitter, MOS)\n"
"  --media-loss PCT    poor-media notice above this packet loss, % (default 1)\n"
"  --media-jitter MS   ... above this mean jitter, ms (default 30)\n"
"  --media-rtt MS      ... above this RTCP round trip, ms (default 100)\n"
"  --cert-warn-days N  a certificate expiring within N days of the\n"
"                      capture's last packet is a finding (default 30)\n"
"  --fail-on notice|violation   exit 1 when a flow reaches that verdict\n"
"Other:\n"
"  --version, -h --help\n"
"\n"
"Signals: SIGINT/SIGTERM end the run (open flows and the summary are\n"
"written); SIGHUP reopens --json (log rotation) and reloads rules and\n"
"inventory; SIGUSR1 prints stats.\n"
"Exit status: 0 done, 1 --fail-on threshold reached, 2 usage or input error.\n"
"See lyncwatch(8).\n", f);
}

enum long_opt {
	OPT_RULES = 256, OPT_JSON, OPT_LANG, OPT_CHECK, OPT_LIST, OPT_VERSION,
	OPT_MAXFLOWS, OPT_TCPTO, OPT_TCPCLOSED, OPT_UDPTO, OPT_FAILON,
	OPT_PROGRESS, OPT_NOPROGRESS, OPT_NODPI, OPT_AUDITALL, OPT_INVENTORY,
	OPT_LEARN, OPT_STATS, OPT_ACTIVE, OPT_SYSLOG, OPT_FACILITY, OPT_WORKERS,
	OPT_DPIPKTS, OPT_CERTWARN, OPT_DPIEXTRA, OPT_DPIEXTRAFLOWS, OPT_MAXINSPECT, OPT_DPISCOPE,
	OPT_RULESADD, OPT_JSONTRUNC, OPT_NOMEDIA, OPT_MEDIALOSS, OPT_MEDIAJITTER,
	OPT_MEDIARTT, OPT_REDIS, OPT_REDISKEY, OPT_REDISMODE,
	OPT_REDISBUF, OPT_PROM, OPT_JSONNOTES, OPT_REPORT, OPT_ALLOW, OPT_REPORTTOP,
};

static const struct option long_opts[] = {
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "rules-add", required_argument, NULL, OPT_RULESADD },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "json-truncate", no_argument, NULL, OPT_JSONTRUNC },
	{ "redis", required_argument, NULL, OPT_REDIS },
	{ "redis-key", required_argument, NULL, OPT_REDISKEY },
	{ "redis-mode", required_argument, NULL, OPT_REDISMODE },
	{ "redis-buffer", required_argument, NULL, OPT_REDISBUF },
	{ "prom-file", required_argument, NULL, OPT_PROM },
	{ "json-notes", no_argument, NULL, OPT_JSONNOTES },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "allow-list", required_argument, NULL, OPT_ALLOW },
	{ "report-top", required_argument, NULL, OPT_REPORTTOP },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ "check-rules", no_argument, NULL, OPT_CHECK },
	{ "list-rules", no_argument, NULL, OPT_LIST },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ "max-flows", required_argument, NULL, OPT_MAXFLOWS },
	{ "tcp-timeout", required_argument, NULL, OPT_TCPTO },
	{ "tcp-closed-timeout", required_argument, NULL, OPT_TCPCLOSED },
	{ "udp-timeout", required_argument, NULL, OPT_UDPTO },
	{ "active-timeout", required_argument, NULL, OPT_ACTIVE },
	{ "fail-on", required_argument, NULL, OPT_FAILON },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NOPROGRESS },
	{ "no-dpi", no_argument, NULL, OPT_NODPI },
	{ "no-media", no_argument, NULL, OPT_NOMEDIA },
	{ "media-loss", required_argument, NULL, OPT_MEDIALOSS },
	{ "media-jitter", required_argument, NULL, OPT_MEDIAJITTER },
	{ "media-rtt", required_argument, NULL, OPT_MEDIARTT },
	{ "audit-all", no_argument, NULL, OPT_AUDITALL },
	{ "inventory", required_argument, NULL, OPT_INVENTORY },
	{ "learn-inventory", required_argument, NULL, OPT_LEARN },
	{ "stats-interval", required_argument, NULL, OPT_STATS },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "syslog-facility", required_argument, NULL, OPT_FACILITY },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "dpi-packets", required_argument, NULL, OPT_DPIPKTS },
	{ "cert-warn-days", required_argument, NULL, OPT_CERTWARN },
	{ "dpi-extra", required_argument, NULL, OPT_DPIEXTRA },
	{ "dpi-extra-flows", required_argument, NULL, OPT_DPIEXTRAFLOWS },
	{ "max-inspect", required_argument, NULL, OPT_MAXINSPECT },
	{ "dpi-scope", required_argument, NULL, OPT_DPISCOPE },
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

static int parse_u32(const char *opt, const char *s, uint32_t lo, uint32_t hi,
		     uint32_t *out)
{
	uint64_t v;

	if (parse_num(opt, s, lo, hi, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Parses a whole decimal fraction in [0, hi]. */
static int parse_real(const char *opt, const char *s, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v <= hi)) {
		fprintf(stderr, "lyncwatch: %s: bad number '%s' (want 0..%g)\n",
			opt, s, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_int(const char *opt, const char *s, int lo, int hi, int *out)
{
	uint32_t v;

	if (parse_u32(opt, s, (uint32_t)lo, (uint32_t)hi, &v))
		return -1;
	*out = (int)v;
	return 0;
}

static int add_name(const char **list, int *n, const char *name)
{
	if (*n == OPT_MAX_FILES)
		return bad_usage("too many files (at most %d): %s", OPT_MAX_FILES, name);
	list[(*n)++] = name;
	return 0;
}

static int parse_choice(struct config *c, int opt, const char *arg)
{
	if (opt == OPT_LANG) {
		if (strcmp(arg, "en") != 0 && strcmp(arg, "ja") != 0)
			return bad_usage("--lang: want en or ja, not '%s'", arg);
		c->lang = strcmp(arg, "ja") == 0 ? LANG_JA : LANG_EN;
		return 0;
	}
	if (opt == OPT_DPISCOPE) {
		if (strcmp(arg, "all") != 0 && strcmp(arg, "audit") != 0)
			return bad_usage("--dpi-scope: want all or audit, not '%s'", arg);
		c->dpi_audit_only = strcmp(arg, "audit") == 0;
		return 0;
	}
	if (opt == OPT_REDISMODE) {
		static const char *const modes[] = { "list", "lpush", "channel" };

		for (int i = 0; i < 3; i++)
			if (strcmp(arg, modes[i]) == 0) {
				c->redis_mode = i;  /* the order of enum redis_mode */
				return 0;
			}
		return bad_usage("--redis-mode: want list, lpush or channel, not '%s'", arg);
	}
	if (strcmp(arg, "notice") == 0)
		c->fail_on = VERDICT_NOTICE;
	else if (strcmp(arg, "violation") == 0)
		c->fail_on = VERDICT_VIOLATION;
	else
		return bad_usage("--fail-on: want notice or violation, not '%s'", arg);
	return 0;
}

static int parse_long(struct config *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_RULES: return add_name(c->rules, &c->nrules, arg);
	case OPT_RULESADD: return add_name(c->rules_add, &c->nrules_add, arg);
	case OPT_JSON: c->json = arg; return 0;
	case OPT_JSONTRUNC: c->json_truncate = true; return 0;
	case OPT_REDIS: c->redis = arg; return 0;
	case OPT_PROM: c->prom = arg; return 0;
	case OPT_JSONNOTES: c->json_notes = true; return 0;
	case OPT_REPORT: c->report = arg; return 0;
	case OPT_ALLOW: c->allow_list = arg; return 0;
	case OPT_REPORTTOP:
		return parse_u32("--report-top", arg, 1, 100000, &c->report_top);
	case OPT_REDISBUF:
		return parse_u32("--redis-buffer", arg, 1, 1u << 24, &c->redis_buffer);
	case OPT_REDISKEY:
		if (*arg == '\0')
			return bad_usage("%s", "--redis-key: empty");
		c->redis_key = arg;
		return 0;
	case OPT_LANG: case OPT_FAILON: case OPT_DPISCOPE: case OPT_REDISMODE:
		return parse_choice(c, opt, arg);
	case OPT_CHECK: c->check_rules = true; return 0;
	case OPT_LIST: c->list_rules = true; return 0;
	case OPT_MAXFLOWS:
		return parse_u32("--max-flows", arg, 1, 1u << 30, &c->ft.max_flows);
	case OPT_TCPTO: return parse_u32("--tcp-timeout", arg, 1, 86400, &c->ft.tcp_idle_s);
	case OPT_TCPCLOSED:
		return parse_u32("--tcp-closed-timeout", arg, 1, 86400, &c->ft.tcp_closed_s);
	case OPT_UDPTO: return parse_u32("--udp-timeout", arg, 1, 86400, &c->ft.udp_idle_s);
	case OPT_ACTIVE:
		return parse_u32("--active-timeout", arg, 0, 86400, &c->active_timeout_s);
	case OPT_STATS:
		return parse_u32("--stats-interval", arg, 0, 86400, &c->stats_interval_s);
	case OPT_WORKERS: return parse_u32("--workers", arg, 1, 64, &c->workers);
	case OPT_NODPI: c->no_dpi = true; return 0;
	case OPT_NOMEDIA: c->no_media = true; return 0;
	case OPT_MEDIALOSS:
		return parse_real("--media-loss", arg, 100, &c->media.loss_pct);
	case OPT_MEDIAJITTER:
		return parse_real("--media-jitter", arg, 60000, &c->media.jitter_ms);
	case OPT_MEDIARTT:
		return parse_real("--media-rtt", arg, 60000, &c->media.rtt_ms);
	case OPT_DPIPKTS:
		return parse_u32("--dpi-packets", arg, 1, INSPECT_MAX_BUDGET, &c->dpi_packets);
	case OPT_CERTWARN:
		return parse_u32("--cert-warn-days", arg, 0, 3650, &c->cert_warn_days);
	case OPT_DPIEXTRA:
		return parse_u32("--dpi-extra", arg, 0, INSPECT_MAX_BUDGET, &c->dpi_extra);
	case OPT_DPIEXTRAFLOWS:
		return parse_u32("--dpi-extra-flows", arg, 0, 1u << 30, &c->dpi_extra_flows);
	case OPT_MAXINSPECT:
		return parse_u32("--max-inspect", arg, 0, 1u << 30, &c->max_inspect);
	case OPT_AUDITALL: c->audit_all = true; return 0;
	case OPT_INVENTORY: c->inventory = arg; return 0;
	case OPT_LEARN: c->learn = arg; return 0;
	case OPT_SYSLOG: c->use_syslog = true; return 0;
	case OPT_FACILITY: c->syslog_facility = arg; return 0;
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
	s = malloc(len);
	if (s == NULL)
		return NULL;
	len = 0;
	for (int i = from; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (i > from)
			s[len++] = ' ';
		memcpy(s + len, argv[i], n);
		len += n;
	}
	s[len] = '\0';
	return s;
}

static int parse_short(struct config *c, int opt, const char *arg)
{
	uint64_t cnt;

	switch (opt) {
	case 'r': return add_name(c->files, &c->nfiles, arg);
	case 'i': c->iface = arg; return 0;
	case 'f': free(c->filter); c->filter = strdup(arg); return 0;
	case 'c':
		if (parse_num("-c", arg, 1, UINT64_MAX, &cnt))
			return -1;
		c->count = cnt;
		return 0;
	case 's': return parse_int("-s", arg, 64, 262144, &c->snaplen);
	case 'B': return parse_int("-B", arg, 1, 4 * 1024 * 1024, &c->buffer_kib);
	case 'p': c->promisc = false; return 0;
	case 'Z': c->user = arg; return 0;
	case 'v': c->verbose++; return 0;
	case 'n': return 0;
	}
	return parse_long(c, opt, arg);
}

/* Checks that the options make one coherent run. */
static int check_combination(struct config *c, int argc, char **argv)
{
	if (c->check_rules) {
		c->check_named = c->nrules == 0 && optind < argc;
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
	if (c->list_rules)
		return 0;
	if (c->iface && c->nfiles)
		return bad_usage("%s", "give -i or -r, not both");
	if (!c->iface && c->nfiles == 0)
		return bad_usage("%s", "nothing to read: give -r FILE or -i IFACE");
	return 0;
}

int options_parse(struct config *c, int argc, char **argv)
{
	int opt;

	while ((opt = getopt_long(argc, argv, "r:i:f:c:s:B:pZ:vnh", long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'h': usage(stdout); return 1;
		case OPT_VERSION: printf("lyncwatch %s\n", PACKAGE_VERSION); return 1;
		case '?': fprintf(stderr, "Try 'lyncwatch --help'.\n"); return -1;
		default: if (parse_short(c, opt, optarg)) return -1;
		}
	}
	return check_combination(c, argc, argv);
}

void options_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->ft.max_flows = 1000000;
	c->dpi_packets = INSPECT_DEFAULT_BUDGET;
	c->cert_warn_days = CERTS_DEFAULT_WARN_DAYS;
	c->dpi_extra = INSPECT_DEFAULT_EXTRA;
	c->dpi_extra_flows = INSPECT_DEFAULT_MAX_EXTRA;
	c->max_inspect = INSPECT_DEFAULT_MAX_STATES;
	media_limits_default(&c->media);
	c->ft.tcp_idle_s = 300;
	c->ft.tcp_closed_s = 10;
	c->ft.udp_idle_s = 120;
	c->ft.seed = UINT64_C(0x6c796e6377617463) ^ (uint64_t)getpid();
	c->progress = -1;
	c->snaplen = DEFAULT_SNAPLEN;
	c->buffer_kib = DEFAULT_BUFFER_KIB;
	c->promisc = true;
	c->stats_interval_s = 60;
	c->workers = 0;              /* live: 1; files: cores - 1 */
	c->redis_key = "lyncwatch";
	c->redis_buffer = 65536;
	c->report_top = 50;
}

void options_free(struct config *c)
{
	free(c->filter);
	c->filter = NULL;
}
