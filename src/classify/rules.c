/* rules.c: the rule model: the set of rules, roles and files, found by
 * name through two hash indexes, the implication walk between roles, and
 * what a rule covers.  The reader (rules_read.c) fills it. */
#include <stdint.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "classify/rules.h"

/* ------------------------------------------------------------ indexes */

/* FNV-1a: names come from the operator's own files, not from packets. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static const char *index_key(const struct ruleset *rs,
			     const struct rules_index *ix, int i)
{
	return ix == &rs->rule_ids ? rs->rules[i].id : rs->roles[i].key;
}

static int index_find(const struct ruleset *rs, const struct rules_index *ix,
		      const char *name)
{
	unsigned mask = ix->cap - 1;

	if (ix->cap == 0)
		return -1;
	for (unsigned s = name_hash(name) & mask;; s = (s + 1) & mask) {
		int i = ix->slot[s];

		if (i < 0)
			return -1;
		if (strcmp(index_key(rs, ix, i), name) == 0)
			return i;
	}
}

static void index_put(const struct ruleset *rs, struct rules_index *ix, int i)
{
	unsigned mask = ix->cap - 1;
	unsigned s = name_hash(index_key(rs, ix, i)) & mask;

	while (ix->slot[s] >= 0)
		s = (s + 1) & mask;
	ix->slot[s] = i;
}

/* Puts names 0..n-1 into ix's slots, emptied first. */
static void index_refill(const struct ruleset *rs, struct rules_index *ix, int n)
{
	memset(ix->slot, 0xff, ix->cap * sizeof(*ix->slot));
	for (int i = 0; i < n; i++)
		index_put(rs, ix, i);
}

/* Rebuilds ix over names 0..n-1 in `cap` slots (a power of two above 2n).
 * Returns -1 when out of memory, ix then unchanged. */
static int index_rebuild(const struct ruleset *rs, struct rules_index *ix,
			 int n, unsigned cap)
{
	int *slot = malloc(cap * sizeof(*slot));

	if (slot == NULL)
		return -1;
	free(ix->slot);
	ix->slot = slot;
	ix->cap = cap;
	index_refill(rs, ix, n);
	return 0;
}

/* Adds name n-1 (the one just appended), growing ix first when needed. */
static int index_add(const struct ruleset *rs, struct rules_index *ix, int n)
{
	if (ix->cap / 2 <= (unsigned)n)
		return index_rebuild(rs, ix, n, ix->cap ? ix->cap * 2 : 64);
	index_put(rs, ix, n - 1);
	return 0;
}

/* ------------------------------------------------------------ set */

void ruleset_init(struct ruleset *rs)
{
	static _Atomic uint64_t serials;

	memset(rs, 0, sizeof(*rs));
	rs->serial = atomic_fetch_add(&serials, 1) + 1;
}

void ruleset_free(struct ruleset *rs)
{
	for (int i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	free(rs->rules);
	free(rs->roles);
	free(rs->rule_ids.slot);
	free(rs->role_keys.slot);
	arena_free(rs->arena);
	memset(rs, 0, sizeof(*rs));
}

/* Grows an array of `size`-byte items so that one more fits. */
static int grow(void **arr, int *cap, int n, size_t size)
{
	void *p;
	int ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	p = realloc(*arr, (size_t)ncap * size);
	if (p == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static char *set_strdup(struct ruleset *rs, const char *s)
{
	if (rs->arena == NULL && (rs->arena = arena_new()) == NULL)
		return NULL;
	return arena_strndup(rs->arena, s, strlen(s));
}

int rules_new_rule(struct ruleset *rs, const char *id)
{
	char *copy = set_strdup(rs, id);
	struct rule *r;

	if (copy == NULL ||
	    grow((void **)&rs->rules, &rs->caprules, rs->nrules, sizeof(*r)))
		return -1;
	r = &rs->rules[rs->nrules];
	memset(r, 0, sizeof(*r));
	r->id = copy;
	r->role = -1;
	if (index_add(rs, &rs->rule_ids, rs->nrules + 1))
		return -1;
	return rs->nrules++;
}

int rules_new_role(struct ruleset *rs, const char *key)
{
	char *copy = set_strdup(rs, key);
	struct role *ro;

	if (copy == NULL ||
	    grow((void **)&rs->roles, &rs->caproles, rs->nroles, sizeof(*ro)))
		return -1;
	ro = &rs->roles[rs->nroles];
	memset(ro, 0, sizeof(*ro));
	ro->key = copy;
	if (index_add(rs, &rs->role_keys, rs->nroles + 1))
		return -1;
	return rs->nroles++;
}

int rules_add_file(struct ruleset *rs, const char *name)
{
	char **files = realloc(rs->files, (size_t)(rs->nfiles + 1) * sizeof(*files));

	if (files == NULL)
		return -1;
	rs->files = files;
	rs->files[rs->nfiles] = strdup(name);
	if (rs->files[rs->nfiles] == NULL)
		return -1;
	return rs->nfiles++;
}

struct ruleset_mark ruleset_get_mark(const struct ruleset *rs)
{
	struct ruleset_mark m = { rs->nrules, rs->nroles, rs->nfiles, { 0 } };

	if (rs->arena)
		m.arena = arena_get_mark(rs->arena);
	return m;
}

void ruleset_rollback(struct ruleset *rs, struct ruleset_mark m)
{
	rs->nrules = m.nrules;
	rs->nroles = m.nroles;
	while (rs->nfiles > m.nfiles)
		free(rs->files[--rs->nfiles]);
	if (rs->arena)
		arena_reset(rs->arena, m.arena);
	/* Fewer names than before: the slots already there are enough. */
	if (rs->rule_ids.cap)
		index_refill(rs, &rs->rule_ids, rs->nrules);
	if (rs->role_keys.cap)
		index_refill(rs, &rs->role_keys, rs->nroles);
}

int rules_rule_find(const struct ruleset *rs, const char *id)
{
	return index_find(rs, &rs->rule_ids, id);
}

int rules_role_find(const struct ruleset *rs, const char *key)
{
	return index_find(rs, &rs->role_keys, key);
}

/* ------------------------------------------------------------ roles */

/* Walks the implications from `held` with an explicit stack, each role
 * pushed at most once: O(roles + implications) whatever the graph (a
 * cycle, or roles that all imply one another, would make a plain recursive
 * walk exponential). */
bool rules_role_covers(const struct ruleset *rs, int held, int want)
{
	uint64_t seen[(RULES_MAX_ROLES + 63) / 64];
	int stack[RULES_MAX_ROLES];
	int n = 0;

	if (held == want)
		return true;
	if (held < 0 || held >= rs->nroles || rs->nroles > RULES_MAX_ROLES)
		return false;
	memset(seen, 0, ((size_t)rs->nroles + 63) / 64 * sizeof(seen[0]));
	seen[held / 64] |= 1ull << (held % 64);
	stack[n++] = held;
	while (n > 0) {
		const struct role *r = &rs->roles[stack[--n]];

		for (int i = 0; i < r->nimplies; i++) {
			int j = r->implies[i];

			if (j == want)
				return true;
			if (j < 0 || j >= rs->nroles ||
			    (seen[j / 64] >> (j % 64)) & 1)
				continue;
			seen[j / 64] |= 1ull << (j % 64);
			stack[n++] = j;
		}
	}
	return false;
}

/* ------------------------------------------------------------ rules */

bool rule_covers(const struct rule *r, unsigned l4bit, uint16_t port)
{
	if ((r->l4 & l4bit) == 0)
		return false;
	for (int i = 0; i < r->nports; i++)
		if (port >= r->ports[i].lo && port <= r->ports[i].hi)
			return true;
	return false;
}

void rule_ports_format(const struct rule *r, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (r->nports == 0) {
		snprintf(buf, len, "none");
		return;
	}
	for (int i = 0; i < r->nports && off < len; i++) {
		const struct port_range *pr = &r->ports[i];
		int n = pr->lo == pr->hi ?
			snprintf(buf + off, len - off, "%s%u", i ? "," : "", pr->lo) :
			snprintf(buf + off, len - off, "%s%u-%u", i ? "," : "",
				 pr->lo, pr->hi);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}
