/* options.h: the command line, in tcpdump's conventions, into one config. */
#ifndef LW_OPTIONS_H
#define LW_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow.h"
#include "classify/rules.h"
#include "inspect/media.h"

#define OPT_MAX_FILES 256

struct config {
	const char *files[OPT_MAX_FILES];   /* -r, in order */
	int nfiles;
	const char *iface;                  /* -i */
	const char *rules[OPT_MAX_FILES];   /* --rules (or --check-rules FILE...);
					     * none: the shipped rules */
	int nrules;
	const char *rules_add[OPT_MAX_FILES]; /* --rules-add: on top of those */
	int nrules_add;
	bool check_named;            /* --check-rules FILE... without --rules:
				      * the files may name the shipped roles */
	const char *json;            /* --json FILE or "-" */
	bool json_truncate;          /* --json-truncate: empty FILE, not append */
	bool json_notes;             /* --json-notes: labels carry the note */
	const char *redis;           /* --redis HOST[:PORT] or unix:PATH */
	const char *redis_key;       /* --redis-key (default "lyncwatch") */
	int redis_mode;              /* --redis-mode: enum redis_mode (sink.h) */
	uint32_t redis_buffer;       /* --redis-buffer: records held back */
	const char *prom;            /* --prom-file PATH */
	const char *report;          /* --report FILE.html */
	const char *allow_list;      /* --allow-list FILE.csv */
	uint32_t report_top;         /* --report-top N */
	const char *inventory;       /* --inventory FILE */
	const char *learn;           /* --learn-inventory FILE */
	const char *user;            /* -Z: drop to this user after opening */
	char *filter;                /* BPF expression (-f or trailing words) */
	uint64_t count;              /* -c: stop after this many packets; 0: no limit */
	struct flow_table_cfg ft;
	enum lang lang;
	int verbose;                 /* -v */
	int progress;                /* -1 auto (stderr is a tty), 0, 1 */
	int fail_on;                 /* 0 none, else an enum verdict */
	int snaplen;                 /* -s, bytes */
	int buffer_kib;              /* -B, KiB; 0: libpcap's default */
	bool promisc;                /* false with -p */
	uint32_t stats_interval_s;   /* live: periodic stats; 0: off */
	uint32_t active_timeout_s;   /* report long flows this often; 0: off */
	bool use_syslog;             /* --syslog */
	const char *syslog_facility; /* --syslog-facility NAME */
	unsigned workers;            /* --workers N; 0: not given */
	bool check_rules, list_rules;
	bool no_dpi, audit_all;
	uint32_t dpi_packets;        /* --dpi-packets: fed per flow, at most */
	uint32_t cert_warn_days;     /* --cert-warn-days */
	uint32_t dpi_extra;          /* --dpi-extra: fed after the confirmation */
	uint32_t dpi_extra_flows;    /* --dpi-extra-flows: flows in that phase */
	uint32_t max_inspect;        /* --max-inspect: states at once; 0: no cap */
	bool dpi_audit_only;         /* --dpi-scope audit */
	bool no_media;               /* --no-media */
	struct media_limits media;   /* --media-loss, --media-jitter, --media-rtt */
};

/* Fills c with the defaults. */
void options_defaults(struct config *c);

/* Parses argv into c.  Returns 0 to run, 1 to exit 0 (--help, --version
 * printed), -1 after a usage error (a message is on stderr). */
int options_parse(struct config *c, int argc, char **argv);

void options_free(struct config *c);

#endif
