/* allowlist.c: the firewall allow-list the documented flows seen need
 * (--allow-list FILE.csv, and the report's section).
 *
 * A row per (client network, server, L4 protocol, the port or range of
 * the row that labels the flow first, that row): every documented flow
 * falls in exactly one row, and a row exists only for flows seen.  The
 * client network is its /24 (IPv4) or /64 (IPv6).
 */
#include <stdlib.h>
#include <string.h>

#include "output/report.h"
#include "util/textfmt.h"

bool allow_wanted(const struct flow_record *r)
{
	enum verdict v = r->audit.verdict;

	if (r->nlabels == 0 || r->why == END_FORCED)
		return false;
	if (v == VERDICT_OK)
		return true;
	return v == VERDICT_NOTICE &&
	       !(r->audit.flags & (1u << FLAG_UNEXPECTED_APP));
}

/* The port item of rule ru that covers port (lo == hi: one port). */
static void port_item(const struct rule *ru, uint16_t port, uint16_t *lo,
		      uint16_t *hi)
{
	*lo = *hi = port;
	for (int i = 0; i < ru->nports; i++)
		if (port >= ru->ports[i].lo && port <= ru->ports[i].hi) {
			*lo = ru->ports[i].lo;
			*hi = ru->ports[i].hi;
			return;
		}
}

void allow_add(struct report_data *d, const struct flow_record *r,
	       uint32_t rule)
{
	const struct rule *ru = &r->rs->rules[r->labels[0]];
	struct allow_key k;
	struct rep_allow *a;

	memset(&k, 0, sizeof(k));
	k.ipver = r->ipver;
	k.prefix = r->ipver == 4 ? 24 : 64;
	k.l4 = r->l4;
	memcpy(k.src, r->client_addr, k.prefix / 8);
	memcpy(k.dst, r->server_addr, 16);
	port_item(ru, r->server_port, &k.lo, &k.hi);
	k.rule = rule;
	if ((a = rtab_get(&d->allow, &k)) == NULL)
		return;
	if (a->flows == 0 || r->first_us < a->first_us)
		a->first_us = r->first_us;
	if (r->last_us > a->last_us)
		a->last_us = r->last_us;
	a->flows++;
	a->bytes += r->bytes_toserver + r->bytes_toclient;
}

/* The rows' order needs the rule ids: qsort has no context. */
static const struct report_data *cmp_data;

static int allow_cmp(const void *x, const void *y)
{
	const struct allow_key *a = *(const struct allow_key *const *)x;
	const struct allow_key *b = *(const struct allow_key *const *)y;
	int c = (int)a->ipver - (int)b->ipver;

	if (c == 0)
		c = memcmp(a->src, b->src, 16);
	if (c == 0)
		c = memcmp(a->dst, b->dst, 16);
	if (c == 0)
		c = (int)a->l4 - (int)b->l4;
	if (c == 0)
		c = (int)a->lo - (int)b->lo;
	if (c == 0)
		c = (int)a->hi - (int)b->hi;
	return c != 0 ? c : strcmp(report_rule(cmp_data, a->rule)->id,
				   report_rule(cmp_data, b->rule)->id);
}

struct rep_allow **allow_sorted(const struct report_data *d, uint32_t *n)
{
	struct rep_allow **v = (struct rep_allow **)rtab_list(&d->allow, n);

	cmp_data = d;              /* under the sink's lock */
	if (v)
		qsort(v, *n, sizeof(*v), allow_cmp);
	return v;
}

void allow_source(const struct rep_allow *a, char *buf, size_t len)
{
	char t[48];

	textfmt_addr(a->k.src, a->k.ipver, t, sizeof(t));
	snprintf(buf, len, "%s/%u", t, a->k.prefix);
}

void allow_ports(const struct rep_allow *a, char *buf, size_t len)
{
	if (a->k.lo == a->k.hi)
		snprintf(buf, len, "%u", a->k.lo);
	else
		snprintf(buf, len, "%u-%u", a->k.lo, a->k.hi);
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or line
 * break, quotes doubled. */
static void csv_field(FILE *f, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
	} else {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	}
	fputc(last ? '\n' : ',', f);
}

static void csv_row(FILE *f, const struct report_data *d,
		    const struct rep_allow *a)
{
	const struct rep_rule *ru = report_rule(d, a->k.rule);
	char src[64], dst[48], port[16], n[48], t0[TEXTFMT_TIME_LEN],
	     t1[TEXTFMT_TIME_LEN];

	allow_source(a, src, sizeof(src));
	textfmt_addr(a->k.dst, a->k.ipver, dst, sizeof(dst));
	allow_ports(a, port, sizeof(port));
	csv_field(f, src, false);
	csv_field(f, dst, false);
	csv_field(f, ru->role_key, false);
	csv_field(f, sink_proto_name(a->k.l4), false);
	csv_field(f, port, false);
	csv_field(f, ru->id, false);
	csv_field(f, rule_table_name((enum rule_table)ru->table), false);
	textfmt_time(a->first_us, t0, sizeof(t0));
	textfmt_time(a->last_us, t1, sizeof(t1));
	snprintf(n, sizeof(n), "%llu", (unsigned long long)a->flows);
	csv_field(f, n, false);
	snprintf(n, sizeof(n), "%llu", (unsigned long long)a->bytes);
	csv_field(f, n, false);
	csv_field(f, t0, false);
	csv_field(f, t1, true);
}

int allow_write_csv(FILE *f, const struct report_data *d)
{
	uint32_t n;
	struct rep_allow **v = allow_sorted(d, &n);

	if (v == NULL)
		return -1;
	fputs("source,destination,destination_role,proto,port,rule,table,"
	      "flows,bytes,first_seen,last_seen\n", f);
	for (uint32_t i = 0; i < n; i++)
		csv_row(f, d, v[i]);
	free(v);
	return 0;
}
