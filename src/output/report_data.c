/* report_data.c: what the report gathers from the flow records, in
 * bounded tables (report.h). */
#include <stdlib.h>
#include <string.h>

#include "output/report.h"

#define RTAB_FIRST 64

static uint32_t rtab_hash(const unsigned char *k, size_t n)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a, then a final mix */

	/* n is the table's keylen, the size of the key type its callers
	 * pass (rtab_init): the analyser cannot see that. */
	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 1099511628211ull; // NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult)
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	return (uint32_t)(h ^ (h >> 29));
}

/* The slot of key in t (its own, or the empty one where it goes). */
static uint32_t rtab_slot(const struct rtab *t, const void *key)
{
	uint32_t mask = t->cap - 1, i = rtab_hash(key, t->keylen) & mask;

	while (t->used[i] && memcmp(t->ent + (size_t)i * t->entlen, key,
				    t->keylen) != 0)
		i = (i + 1) & mask;
	return i;
}

/* Doubles the table (or makes the first one); -1 when out of memory. */
static int rtab_grow(struct rtab *t)
{
	struct rtab o = *t;
	uint32_t cap = t->cap ? t->cap * 2 : RTAB_FIRST;

	t->ent = calloc(cap, t->entlen);
	t->used = calloc(cap, 1);
	if (t->ent == NULL || t->used == NULL) {
		free(t->ent);
		free(t->used);
		*t = o;
		return -1;
	}
	t->cap = cap;
	for (uint32_t i = 0; i < o.cap; i++) {
		uint32_t j;

		if (!o.used[i])
			continue;
		j = rtab_slot(t, o.ent + (size_t)i * o.entlen);
		memcpy(t->ent + (size_t)j * t->entlen, o.ent + (size_t)i * o.entlen,
		       t->entlen);
		t->used[j] = 1;
	}
	free(o.ent);
	free(o.used);
	return 0;
}

void *rtab_get(struct rtab *t, const void *key)
{
	uint32_t i;

	if (t->cap) {
		i = rtab_slot(t, key);
		if (t->used[i])
			return t->ent + (size_t)i * t->entlen;
	}
	if (t->n >= t->max) {
		t->dropped++;
		return NULL;
	}
	if ((t->n + 1) * 2 > t->cap && rtab_grow(t) != 0) {
		t->dropped++;
		return NULL;
	}
	i = rtab_slot(t, key);
	t->used[i] = 1;
	t->n++;
	memset(t->ent + (size_t)i * t->entlen, 0, t->entlen);
	memcpy(t->ent + (size_t)i * t->entlen, key, t->keylen);
	return t->ent + (size_t)i * t->entlen;
}

const void *rtab_find(const struct rtab *t, const void *key)
{
	uint32_t i;

	if (t->cap == 0)
		return NULL;
	i = rtab_slot(t, key);
	return t->used[i] ? t->ent + (size_t)i * t->entlen : NULL;
}

void **rtab_list(const struct rtab *t, uint32_t *n)
{
	void **v = malloc(((size_t)t->n + 1) * sizeof(*v));

	*n = 0;
	if (v == NULL)
		return NULL;
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->used[i])
			v[(*n)++] = t->ent + (size_t)i * t->entlen;
	return v;
}

void rtab_free(struct rtab *t)
{
	free(t->ent);
	free(t->used);
	t->ent = t->used = NULL;
	t->cap = t->n = 0;
}

static void rtab_init(struct rtab *t, size_t keylen, size_t entlen)
{
	*t = (struct rtab){ .keylen = keylen, .entlen = entlen,
			    .max = REPORT_TAB_MAX };
}

int report_data_init(struct report_data *d, const struct ruleset *rs,
		     enum lang lang)
{
	memset(d, 0, sizeof(*d));
	d->lang = lang;
	rtab_init(&d->viol, sizeof(struct viol_key), sizeof(struct rep_viol));
	rtab_init(&d->hosts, sizeof(struct host_key), sizeof(struct rep_host));
	rtab_init(&d->pairs, sizeof(struct pair_key), sizeof(struct rep_pair));
	rtab_init(&d->ports, sizeof(struct port_key), sizeof(struct rep_port));
	rtab_init(&d->minutes, sizeof(struct minute_key), sizeof(struct rep_minute));
	rtab_init(&d->allow, sizeof(struct allow_key), sizeof(struct rep_allow));
	return rs ? rep_rules_bind(&d->rules, rs, lang) : 0;
}

void report_data_free(struct report_data *d)
{
	rep_rules_free(&d->rules);
	rtab_free(&d->viol);
	rtab_free(&d->hosts);
	rtab_free(&d->pairs);
	rtab_free(&d->ports);
	rtab_free(&d->minutes);
	rtab_free(&d->allow);
	memset(d, 0, sizeof(*d));
}

static uint64_t rec_bytes(const struct flow_record *r)
{
	return r->bytes_toserver + r->bytes_toclient;
}

/* The report's index of r's first label, or REP_NO_RULE. */
static uint32_t first_rule(const struct report_data *d,
			   const struct flow_record *r)
{
	if (r->nlabels == 0 || r->labels[0] >= (uint32_t)d->rules.ncur)
		return REP_NO_RULE;
	return d->rules.cur[r->labels[0]];
}

/* The first flow of a group is its evidence. */
static void viol_sample(struct rep_viol *v, const struct flow_record *r,
			uint32_t rule)
{
	memcpy(v->caddr, r->client_addr, 16);
	v->cport = r->client_port;
	v->rule = rule;
	communityid(&r->key, 0, v->cid);
	snprintf(v->seen, sizeof(v->seen), "%s", audit_evidence_app(&r->audit));
	snprintf(v->by, sizeof(v->by), "%s", audit_by_name((enum ev_by)r->audit.by));
	snprintf(v->reason, sizeof(v->reason), "%s", r->audit.reason);
}

/* Groups as the summary does: (violation flag, server, port, L4). */
static void add_viol(struct report_data *d, const struct flow_record *r)
{
	for (int b = 0; b < FLAG_N; b++) {
		struct viol_key k;
		struct rep_viol *v;

		if (!(r->audit.flags & (1u << b)) ||
		    audit_verdict(1u << b, true) != VERDICT_VIOLATION)
			continue;
		memset(&k, 0, sizeof(k));
		k.flag = (uint8_t)b;
		k.l4 = r->l4;
		k.ipver = r->ipver;
		k.port = r->server_port;
		memcpy(k.addr, r->server_addr, 16);
		if ((v = rtab_get(&d->viol, &k)) == NULL)
			continue;
		if (v->flows == 0) {
			viol_sample(v, r, first_rule(d, r));
			v->first_us = r->first_us;
		}
		v->flows++;
		v->pkts += r->pkts_toserver + r->pkts_toclient;
		if (r->first_us < v->first_us)
			v->first_us = r->first_us;
		if (r->last_us > v->last_us)
			v->last_us = r->last_us;
	}
}

static void host_key(struct host_key *k, const uint8_t *addr, uint8_t ipver)
{
	memset(k, 0, sizeof(*k));
	k->ipver = ipver;
	memcpy(k->addr, addr, 16);
}

/* Who talks to whom: the client's host, and the client x first row. */
static void add_hosts(struct report_data *d, const struct flow_record *r)
{
	struct pair_key pk;
	struct rep_host *h;
	struct rep_pair *p;

	memset(&pk, 0, sizeof(pk));
	host_key(&pk.h, r->client_addr, r->ipver);
	if ((h = rtab_get(&d->hosts, &pk.h)) != NULL) {
		h->flows++;
		h->bytes += rec_bytes(r);
	}
	if (first_rule(d, r) == REP_NO_RULE)
		return;
	if (r->audit.judged) {
		struct host_key sk;

		host_key(&sk, r->server_addr, r->ipver);
		if ((h = rtab_get(&d->hosts, &sk)) != NULL && h->served == NULL &&
		    first_rule(d, r) != REP_NO_RULE)
			h->served = report_rule(d, first_rule(d, r))->role_key;
	}
	memset(&pk, 0, sizeof(pk));
	host_key(&pk.h, r->client_addr, r->ipver);
	pk.rule = first_rule(d, r);
	if ((p = rtab_get(&d->pairs, &pk)) != NULL) {
		p->flows++;
		p->bytes += rec_bytes(r);
	}
}

static void add_port_minute(struct report_data *d, const struct flow_record *r)
{
	struct minute_key mk = { r->first_us / 60000000u };
	struct rep_minute *m = rtab_get(&d->minutes, &mk);

	if (m) {
		m->flows[r->audit.verdict]++;
		m->bytes[r->audit.verdict] += rec_bytes(r);
	}
	if (r->nlabels == 0) {
		struct port_key pk = { .l4 = r->l4, .port = r->server_port };
		struct rep_port *p = rtab_get(&d->ports, &pk);

		if (p) {
			p->flows++;
			p->pkts += r->pkts_toserver + r->pkts_toclient;
			p->bytes += rec_bytes(r);
		}
	}
}

void report_data_add(struct report_data *d, const struct flow_record *r)
{
	enum verdict v = r->audit.verdict;

	if (r->rs == NULL)
		return;
	if (r->rs->serial != d->rules.serial &&
	    rep_rules_bind(&d->rules, r->rs, d->lang) != 0)
		return;
	d->flows_total++;
	d->flows[v]++;
	d->bytes[v] += rec_bytes(r);
	for (int b = 0; b < FLAG_N; b++)
		if (r->audit.flags & (1u << b))
			d->flag_flows[b]++;
	if (d->first_us == 0 || r->first_us < d->first_us)
		d->first_us = r->first_us;
	if (r->last_us > d->last_us)
		d->last_us = r->last_us;
	for (int i = 0; i < r->nlabels; i++)
		if (r->labels[i] < (uint32_t)d->rules.ncur)
			d->rules.flows[d->rules.cur[r->labels[i]]]++;
	add_viol(d, r);
	add_hosts(d, r);
	add_port_minute(d, r);
	if (allow_wanted(r) && first_rule(d, r) != REP_NO_RULE)
		allow_add(d, r, first_rule(d, r));
}
