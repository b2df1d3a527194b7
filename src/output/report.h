/* report.h: the HTML audit report (--report) and the firewall allow-list
 * (--allow-list), shared by the files that build them:
 *
 *   report_rules.c the report's own copy of the rule rows it names
 *   report_data.c  what the report gathers from the flow records (bounded
 *                  tables: violations with a sample, coverage of the rule
 *                  rows, hosts x rows, traffic per minute, ports no rule
 *                  covers, the allow-list rows)
 *   allowlist.c    the allow-list: a row per documented flow, and its CSV
 *   report_svg.c   the inline SVG charts
 *   report_page.c  the sections of the page
 *   sink_report.c  the sink: options, locking, atomic rewrites
 *
 * Records are added on the writer thread, pages written on the caller's:
 * the sink holds a lock around both.  Every table has a bound and counts
 * what it refused.  Rows of the tables are named by an index into the
 * report's own copies (struct rep_rules): a reload frees old rule sets.
 */
#ifndef LW_REPORT_H
#define LW_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "output/communityid.h"
#include "output/record.h"
#include "output/sink.h"
#include "output/summary.h"

#define REPORT_TAB_MAX 65536      /* entries of one table, at most */
#define REPORT_DEFAULT_TOP 50     /* rows of a section (--report-top) */
#define REPORT_TL_BUCKETS 120     /* bars of the traffic-over-time chart */

/* A bounded open-addressing table of fixed-size entries whose first
 * keylen bytes are the key (compared as bytes: zero a key's padding). */
struct rtab {
	unsigned char *ent;
	unsigned char *used;
	size_t keylen, entlen;
	uint32_t cap, n, max;
	uint64_t dropped;            /* entries refused at max */
};

/* The entry of key (added zeroed apart from the key when new), or NULL
 * when the table is full (counted) or out of memory. */
void *rtab_get(struct rtab *t, const void *key);
/* The entry of key, or NULL. */
const void *rtab_find(const struct rtab *t, const void *key);
/* The entries, in table order, as a malloc'ed array (*n of them). */
void **rtab_list(const struct rtab *t, uint32_t *n);
void rtab_free(struct rtab *t);

/* A rule row as the report shows it, texts in the report's language. */
struct rep_rule {
	char *id, *role_key, *role, *service, *protocol, *ports;
	uint8_t table, app, status, l4;  /* enum rule_table, rule_app, ... */
};

#define REP_NO_RULE UINT32_MAX

struct rep_rules {
	struct rep_rule *v;          /* every row seen in any set, by index */
	uint64_t *flows;             /* flows each labelled */
	uint32_t n, cap;
	struct rtab ids;             /* id -> index + 1 */
	uint64_t serial;             /* the ruleset bound last (0: none) */
	uint32_t *cur;               /* its rows, in its order: indexes */
	int ncur;
	char *files;                 /* its files' base names */
};

/* Binds the rows of rs (copied by id when new).  0, or -1 when out of
 * memory (the binding is then unchanged). */
int rep_rules_bind(struct rep_rules *rr, const struct ruleset *rs,
		   enum lang lang);
void rep_rules_free(struct rep_rules *rr);

struct viol_key {
	uint8_t flag, l4, ipver, pad;
	uint16_t port, pad2;
	uint8_t addr[16];            /* server, network order */
};

struct rep_viol {
	struct viol_key k;
	uint64_t flows, pkts, first_us, last_us;
	/* the first flow of the group, as evidence */
	uint8_t caddr[16];
	uint16_t cport;
	uint32_t rule;               /* its first label, or REP_NO_RULE */
	char cid[COMMUNITY_ID_LEN];
	char seen[24], by[8];        /* audit_evidence_app, audit_by_name */
	char reason[AUDIT_REASON_MAX];
};

struct host_key {
	uint8_t ipver, pad[3];
	uint8_t addr[16];
};

struct rep_host {
	struct host_key k;
	uint64_t flows, bytes;       /* as the client of a flow */
	const char *served;          /* role key of a row it was seen
				      * serving (judged flows), or NULL (a
				      * string of struct rep_rule) */
};

struct pair_key {
	struct host_key h;           /* the client */
	uint32_t rule;               /* the flow's first label */
};

struct rep_pair {
	struct pair_key k;
	uint64_t flows, bytes;
};

struct port_key {
	uint8_t l4, pad;
	uint16_t port;
};

struct rep_port {
	struct port_key k;
	uint64_t flows, pkts, bytes;
};

struct minute_key {
	uint64_t minute;             /* first packet time / 60 s */
};

struct rep_minute {
	struct minute_key k;
	uint64_t flows[VERDICT_N], bytes[VERDICT_N];
};

/* A row of the allow-list: what a firewall must pass for the documented
 * flows seen.  The source is the client's network (/24, IPv6 /64). */
struct allow_key {
	uint8_t ipver, prefix, l4, pad;
	uint16_t lo, hi;             /* the rule's port item that matched */
	uint8_t src[16], dst[16];    /* network, server; network order */
	uint32_t rule;               /* the flow's first label */
};

struct rep_allow {
	struct allow_key k;
	uint64_t flows, bytes, first_us, last_us;
};

struct report_data {
	uint64_t flows[VERDICT_N], bytes[VERDICT_N], flag_flows[FLAG_N];
	uint64_t flows_total, first_us, last_us;
	enum lang lang;              /* of the rows' texts */
	struct rep_rules rules;      /* the rows, and the set bound last */
	struct rtab viol, hosts, pairs, ports, minutes, allow;
};

/* Returns 0, or -1 when out of memory.  rs: the rules at the start. */
int report_data_init(struct report_data *d, const struct ruleset *rs,
		     enum lang lang);
void report_data_free(struct report_data *d);
/* Counts one ended flow (not a periodic --active-timeout record). */
void report_data_add(struct report_data *d, const struct flow_record *r);
/* Whether a flow goes into the allow-list: documented and allowed (ok,
 * or a notice other than unexpected-app), with a label. */
bool allow_wanted(const struct flow_record *r);
/* Counts r in the allow-list rows (rule: its first label's index). */
void allow_add(struct report_data *d, const struct flow_record *r,
	       uint32_t rule);
/* The rows in their stable order (source, destination, proto, port,
 * rule); malloc'ed, *n of them. */
struct rep_allow **allow_sorted(const struct report_data *d, uint32_t *n);
/* "198.19.2.0/24", the source of a row. */
void allow_source(const struct rep_allow *a, char *buf, size_t len);
/* "PORT" or "LO-HI" (a range). */
void allow_ports(const struct rep_allow *a, char *buf, size_t len);
/* The CSV: a header line and every row.  Returns 0, or -1 (no memory). */
int allow_write_csv(FILE *f, const struct report_data *d);

/* What the page is written from. */
struct report_page {
	FILE *f;
	enum lang lang;
	unsigned top;                /* rows of a section, at most */
	const struct report_data *d;
	const struct summary *sm;    /* at the end, else NULL */
	const struct interim *in;    /* live, between, else NULL */
	const char *inventory;       /* --inventory FILE, or NULL */
	const char *const *inputs;   /* the -r files */
	int ninputs;
};

#define RT(p, en, ja) ((p)->lang == LANG_JA ? (ja) : (en))

/* HTML text: s escaped for a terminal (esc_text), then &<>"' as
 * entities. */
void html_text(FILE *f, const char *s);
/* A table's header row (texts are HTML already). */
void report_th_row(FILE *f, const char *const *h, int n);
/* "(N more rows, F flows) not shown" under a table cut at --report-top. */
void report_more(const struct report_page *p, uint64_t rows, uint64_t flows);
/* The whole page. */
void report_page_write(const struct report_page *p);
/* The sections (report_page.c, in page order). */
void report_glance(const struct report_page *p);
void report_violations(const struct report_page *p);
void report_talkers(const struct report_page *p);
void report_allow(const struct report_page *p);
void report_coverage(const struct report_page *p);
void report_unclassified(const struct report_page *p);
void report_certs(const struct report_page *p);

/* SVG charts (report_svg.c). */
void svg_verdict_bars(const struct report_page *p);
void svg_matrix(const struct report_page *p);
void svg_timeline(const struct report_page *p);

/* Row i of the report's copies. */
static inline const struct rep_rule *report_rule(const struct report_data *d,
						 uint32_t i)
{
	return &d->rules.v[i];
}
/* Address text with brackets for IPv6 with brackets for IPv6: "[2001:db8::1]". */
void report_addr(const uint8_t *addr, int ipver, char *buf, size_t len);

#endif
