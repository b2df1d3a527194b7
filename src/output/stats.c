/* stats.c: summary counters. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdbool.h>

#include "output/stats.h"
#include "util/hash.h"

static bool same_group(const struct rule *a, const struct rule *b)
{
	return a->table == b->table &&
	       strcmp(a->text[TEXT_ROLE][LANG_EN], b->text[TEXT_ROLE][LANG_EN]) == 0 &&
	       strcmp(a->text[TEXT_SERVICE][LANG_EN],
		      b->text[TEXT_SERVICE][LANG_EN]) == 0;
}

/* Copies s to *p and moves *p past its NUL; returns the copy. */
static const char *put_str(char **p, const char *s)
{
	size_t n = strlen(s) + 1;
	const char *copy = *p;

	memcpy(*p, s, n);
	*p += n;
	return copy;
}

/* A copy of r, its id and texts in the same block (one free() frees it),
 * that no ruleset owns; NULL when out of memory. */
static struct rule *rule_copy(const struct rule *r)
{
	size_t n = sizeof(struct rule) + strlen(r->id) + 1;
	struct rule *c;
	char *p;

	for (int t = 0; t < TEXT_N; t++)
		for (int l = 0; l < LANG_N; l++)
			n += strlen(r->text[t][l]) + 1;
	if ((c = malloc(n)) == NULL)
		return NULL;
	*c = *r;
	p = (char *)(c + 1);
	c->id = put_str(&p, r->id);
	for (int t = 0; t < TEXT_N; t++)
		for (int l = 0; l < LANG_N; l++)
			c->text[t][l] = put_str(&p, r->text[t][l]);
	return c;
}

/* Points every group at a rule of rs (first[k] >= 0) or at a copy of its
 * own.  The copies are made first: returns -1 when out of memory, with
 * nothing changed, else 0. */
static int repoint_groups(struct stats *s, const struct ruleset *rs,
			  const int *first)
{
	int k;

	for (k = 0; k < s->ngroups; k++)
		if (first[k] < 0 && s->groups[k].own == NULL &&
		    (s->groups[k].own = rule_copy(s->groups[k].rule)) == NULL)
			break;
	if (k < s->ngroups) {
		while (k-- > 0)
			if (first[k] < 0 && s->groups[k].rule != s->groups[k].own) {
				free(s->groups[k].own);
				s->groups[k].own = NULL;
			}
		return -1;
	}
	for (k = 0; k < s->ngroups; k++) {
		struct stats_group *g = &s->groups[k];

		if (first[k] >= 0) {
			g->rule = &rs->rules[first[k]];
			free(g->own);
			g->own = NULL;
		} else {
			g->rule = g->own;
		}
	}
	return 0;
}

/* Maps every rule of rs to a group, opening groups as needed, into a new
 * rule_group array.  Returns 0 or -1 (out of memory, nothing changed). */
static int bind_rules(struct stats *s, const struct ruleset *rs)
{
	int *rg = calloc((size_t)rs->nrules + 1, sizeof(int));
	int *first = malloc(((size_t)s->ngroups + (size_t)rs->nrules + 1) * sizeof(int));
	uint32_t *seen = calloc((size_t)s->ngroups + (size_t)rs->nrules + 1,
				sizeof(uint32_t));
	struct stats_group *g = realloc(s->groups, ((size_t)s->ngroups +
					(size_t)rs->nrules + 1) * sizeof(*g));
	int n0 = s->ngroups;

	if (g)
		s->groups = g;
	if (!rg || !seen || !g || !first) {
		free(rg);
		free(seen);
		free(first);
		return -1;
	}
	/* every byte 0xff: every entry -1 (no rule of rs in the group yet) */
	memset(first, 0xff, ((size_t)n0 + (size_t)rs->nrules + 1) * sizeof(int));
	for (int i = 0; i < rs->nrules; i++) {
		int k = 0;

		while (k < s->ngroups && !same_group(s->groups[k].rule, &rs->rules[i]))
			k++;
		if (k == s->ngroups)
			s->groups[s->ngroups++] = (struct stats_group){ .rule = &rs->rules[i] };
		if (first[k] < 0)
			first[k] = i;
		rg[i] = k;
	}
	if (repoint_groups(s, rs, first)) {
		s->ngroups = n0;
		free(rg);
		free(seen);
		free(first);
		return -1;
	}
	free(first);
	free(s->rule_group);
	free(s->seen);
	s->rule_group = rg;
	s->seen = seen;
	s->seen_gen = 0;
	s->nrules = rs->nrules;
	return 0;
}

int stats_init(struct stats *s, const struct ruleset *rs)
{
	memset(s, 0, sizeof(*s));
	s->viol = calloc(STATS_MAX_VIOL_GROUPS, sizeof(*s->viol));
	s->viol_at = malloc(STATS_MAX_VIOL_GROUPS / 2 * sizeof(*s->viol_at));
	if (s->viol == NULL || s->viol_at == NULL || bind_rules(s, rs))
		return -1;
	s->wall_start = stats_now();
	return 0;
}

int stats_rebind(struct stats *s, const struct ruleset *rs)
{
	return bind_rules(s, rs);
}

void stats_free(struct stats *s)
{
	for (int k = 0; k < s->ngroups; k++)
		free(s->groups[k].own);
	free(s->rule_group);
	free(s->groups);
	free(s->seen);
	free(s->viol);
	free(s->viol_at);
	free(s->viol_sorted);
	memset(s, 0, sizeof(*s));
}

/* The key of a violation group, as stored. */
static void viol_key(struct viol_group *k, int flag, const struct flow *f)
{
	memset(k, 0, sizeof(*k));
	k->flag = (uint8_t)flag;
	k->l4 = f->key.l4;
	k->ipver = f->key.ipver;
	memcpy(k->addr, flow_server_addr(f), 16);
	k->port = flow_server_port(f);
}

/* The fields viol_get compares, hashed as the alert table hashes its
 * (flag, server, port) keys (util/hash.h).  Output does not depend on it: groups are sorted. */
static uint32_t viol_hash(const struct viol_group *k)
{
	uint64_t h = hash_mix64(hash_load64(k->addr));

	h = hash_mix64(h ^ hash_load64(k->addr + 8));
	return (uint32_t)hash_mix64(h ^ ((uint64_t)k->flag << 32 |
					 (uint64_t)k->l4 << 16 | k->port));
}

/* The group of key k, added when new; NULL when the table is half full
 * (probes stay short) and k is not in it. */
static struct viol_group *viol_get(struct stats *s, const struct viol_group *k)
{
	uint32_t mask = STATS_MAX_VIOL_GROUPS - 1, i = viol_hash(k) & mask;
	struct viol_group *g;

	for (;; i = (i + 1) & mask) {
		g = &s->viol[i];
		if (!g->used)
			break;
		if (g->flag == k->flag && g->l4 == k->l4 && g->port == k->port &&
		    memcmp(g->addr, k->addr, 16) == 0)
			return g;
	}
	if (s->nviol >= STATS_MAX_VIOL_GROUPS / 2)
		return NULL;
	*g = *k;
	g->used = 1;
	g->first_us = UINT64_MAX;
	s->viol_at[s->nviol++] = i;
	return g;
}

static void viol_count(struct viol_group *g, uint64_t flows, uint64_t pkts,
		       uint64_t first_us, uint64_t last_us)
{
	g->flows += flows;
	g->pkts += pkts;
	if (first_us < g->first_us)
		g->first_us = first_us;
	if (last_us > g->last_us)
		g->last_us = last_us;
}

static void viol_add(struct stats *s, int flag, const struct flow *f,
		     uint64_t pkts)
{
	struct viol_group k, *g;

	viol_key(&k, flag, f);
	g = viol_get(s, &k);
	if (g == NULL)
		s->viol_dropped++;
	else
		viol_count(g, 1, pkts, f->first_us, f->last_us);
}

static int viol_cmp(const void *x, const void *y)
{
	const struct viol_group *a = *(const struct viol_group *const *)x;
	const struct viol_group *b = *(const struct viol_group *const *)y;
	int c = (int)a->flag - (int)b->flag;

	if (c == 0)
		c = memcmp(a->addr, b->addr, 16);
	if (c == 0)
		c = (int)a->port - (int)b->port;
	return c != 0 ? c : (int)a->l4 - (int)b->l4;
}

const struct viol_group *const *stats_violations(struct stats *s, uint32_t *n)
{
	uint32_t k = 0;

	free(s->viol_sorted);
	s->viol_sorted = malloc(((size_t)s->nviol + 1) * sizeof(*s->viol_sorted));
	*n = 0;
	if (s->viol_sorted == NULL)
		return NULL;
	for (uint32_t i = 0; i < s->nviol; i++)
		s->viol_sorted[k++] = &s->viol[s->viol_at[i]];
	qsort(s->viol_sorted, k, sizeof(*s->viol_sorted), viol_cmp);
	*n = k;
	return (const struct viol_group *const *)s->viol_sorted;
}

static void merge_viol(struct stats *dst, const struct viol_group *src)
{
	struct viol_group k = *src, *g;

	k.used = 0;
	k.flows = k.pkts = k.first_us = k.last_us = 0;
	g = viol_get(dst, &k);
	if (g == NULL)
		dst->viol_dropped += src->flows;
	else
		viol_count(g, src->flows, src->pkts, src->first_us, src->last_us);
}

/* The group of dst with the key of rule r, added when new; -1 when out
 * of memory. */
static int group_of(struct stats *dst, const struct rule *r)
{
	struct stats_group *g;

	for (int k = 0; k < dst->ngroups; k++)
		if (same_group(dst->groups[k].rule, r))
			return k;
	g = realloc(dst->groups, ((size_t)dst->ngroups + 1) * sizeof(*g));
	if (g == NULL)
		return -1;
	dst->groups = g;
	dst->groups[dst->ngroups] = (struct stats_group){ .rule = r };
	return dst->ngroups++;
}

#define STATS_ADD(name) dst->name += src->name;
#define STATS_ADD_ARRAY(name, k) \
	for (size_t i = 0; i < (size_t)(k); i++) \
		dst->name[i] += src->name[i];

int stats_merge(struct stats *dst, const struct stats *src)
{
	int rc = 0;

	STATS_SUMS(STATS_ADD, STATS_ADD_ARRAY)
	if (src->first_us && (dst->first_us == 0 || src->first_us < dst->first_us))
		dst->first_us = src->first_us;
	if (src->last_us > dst->last_us)
		dst->last_us = src->last_us;
	for (int g = 0; g < src->ngroups; g++) {
		const struct stats_group *sg = &src->groups[g];
		int k;

		if (sg->flows == 0)
			continue;
		if ((k = group_of(dst, sg->rule)) < 0) {
			rc = -1;
			continue;
		}
		dst->groups[k].flows += sg->flows;
		dst->groups[k].pkts += sg->pkts;
		dst->groups[k].bytes += sg->bytes;
	}
	for (uint32_t i = 0; i < src->nviol; i++)
		merge_viol(dst, &src->viol[src->viol_at[i]]);
	return rc;
}

void stats_flow(struct stats *s, const struct flow *f,
		const uint32_t *labels, int n, const struct audit_result *ar)
{
	uint64_t pkts = (uint64_t)f->pkts[0] + f->pkts[1];
	uint64_t bytes = f->bytes[0] + f->bytes[1];

	s->flows++;
	s->flow_pkts += pkts;
	s->flow_bytes += bytes;
	s->verdict[ar->verdict]++;
	s->verdict_by[ar->verdict * EV_N + ar->by]++;
	for (uint32_t fl = ar->flags & ((1u << FLAG_N) - 1); fl; fl &= fl - 1) {
		int b = __builtin_ctz(fl);

		s->flag_flows[b]++;
		if (audit_verdict(1u << b, true) == VERDICT_VIOLATION)
			viol_add(s, b, f, pkts);
	}
	if (n == 0) {
		s->unlabelled_flows++;
		s->unlabelled_pkts += pkts;
		s->unlabelled_bytes += bytes;
		return;
	}
	if (!ar->judged) {               /* the port alone: not Lync traffic */
		s->port_only_flows++;
		s->port_only_pkts += pkts;
		s->port_only_bytes += bytes;
		return;
	}
	s->seen_gen++;
	for (int i = 0; i < n; i++) {
		int g = s->rule_group[labels[i]];

		if (s->seen[g] == s->seen_gen)
			continue;
		s->seen[g] = s->seen_gen;
		s->groups[g].flows++;
		s->groups[g].pkts += pkts;
		s->groups[g].bytes += bytes;
	}
}

double stats_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
