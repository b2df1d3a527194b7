/* report_rules.c: the report's own copy of the rule rows it names.
 *
 * A live reload replaces the ruleset and frees the old one once the
 * records labelled with it are written; the report outlives both, so it
 * keeps what it shows of each row (by id: a row of the same id in a later
 * set is the same row, and its counts go on).
 */
#include <stdlib.h>
#include <string.h>

#include "output/report.h"

struct id_key {
	char id[64];                 /* a rule id (longer ones are cut) */
};

struct id_ent {
	struct id_key k;
	uint32_t idx;                /* into rep_rules.v */
};

static char *dup_text(const char *s)
{
	return strdup(s ? s : "");
}

static int rule_copy(struct rep_rule *o, const struct ruleset *rs,
		     const struct rule *r, enum lang lang)
{
	char ports[64];
	int role = r->role;

	rule_ports_format(r, ports, sizeof(ports));
	*o = (struct rep_rule){ .table = (uint8_t)r->table, .app = (uint8_t)r->app,
		.status = (uint8_t)r->status, .l4 = r->l4 };
	o->id = dup_text(r->id);
	o->role_key = dup_text(role >= 0 && role < rs->nroles ? rs->roles[role].key : "");
	o->role = dup_text(r->text[TEXT_ROLE][lang]);
	o->service = dup_text(r->text[TEXT_SERVICE][lang]);
	o->protocol = dup_text(r->text[TEXT_PROTOCOL][lang]);
	o->ports = dup_text(ports);
	return o->id && o->role_key && o->role && o->service && o->protocol &&
	       o->ports ? 0 : -1;
}

static void rule_free(struct rep_rule *o)
{
	free(o->id);
	free(o->role_key);
	free(o->role);
	free(o->service);
	free(o->protocol);
	free(o->ports);
}

/* Room for one more row in v and flows; -1 when out of memory. */
static int rules_room(struct rep_rules *rr)
{
	uint32_t cap = rr->cap ? rr->cap * 2 : 128;
	struct rep_rule *v;
	uint64_t *f;

	if (rr->n < rr->cap)
		return 0;
	if ((v = realloc(rr->v, cap * sizeof(*v))) == NULL)
		return -1;
	rr->v = v;
	if ((f = realloc(rr->flows, cap * sizeof(*f))) == NULL)
		return -1;
	rr->flows = f;
	rr->cap = cap;
	return 0;
}

/* The index of rule r (copied when new), or -1. */
static int64_t rules_intern(struct rep_rules *rr, const struct ruleset *rs,
			    const struct rule *r, enum lang lang)
{
	struct id_key k;
	struct id_ent *e;

	memset(&k, 0, sizeof(k));
	snprintf(k.id, sizeof(k.id), "%s", r->id);
	if ((e = rtab_get(&rr->ids, &k)) == NULL)
		return -1;
	if (e->idx)
		return e->idx - 1;
	if (rules_room(rr) != 0)
		return -1;
	if (rule_copy(&rr->v[rr->n], rs, r, lang) != 0) {
		rule_free(&rr->v[rr->n]);
		return -1;
	}
	rr->flows[rr->n] = 0;
	e->idx = ++rr->n;
	return e->idx - 1;
}

/* ", "-joined base names of rs's files. */
static char *files_text(const struct ruleset *rs)
{
	size_t len = 1, at = 0;
	char *s;

	for (int i = 0; i < rs->nfiles; i++)
		len += strlen(rs->files[i]) + 2;
	if ((s = calloc(1, len)) == NULL)
		return NULL;
	for (int i = 0; i < rs->nfiles; i++) {
		const char *sl = strrchr(rs->files[i], '/');
		int n = snprintf(s + at, len - at, "%s%s", i ? ", " : "",
				 sl ? sl + 1 : rs->files[i]);

		if (n > 0)
			at += (size_t)n;
	}
	return s;
}

int rep_rules_bind(struct rep_rules *rr, const struct ruleset *rs,
		   enum lang lang)
{
	uint32_t *cur = malloc(((size_t)rs->nrules + 1) * sizeof(*cur));
	char *files = files_text(rs);

	if (rr->ids.entlen == 0)
		rr->ids = (struct rtab){ .keylen = sizeof(struct id_key),
			.entlen = sizeof(struct id_ent), .max = REPORT_TAB_MAX };
	if (cur == NULL || files == NULL)
		goto nomem;
	for (int i = 0; i < rs->nrules; i++) {
		int64_t j = rules_intern(rr, rs, &rs->rules[i], lang);

		if (j < 0)
			goto nomem;
		cur[i] = (uint32_t)j;
	}
	free(rr->cur);
	free(rr->files);
	rr->cur = cur;
	rr->ncur = rs->nrules;
	rr->files = files;
	rr->serial = rs->serial;
	return 0;
nomem:
	free(cur);
	free(files);
	return -1;
}

void rep_rules_free(struct rep_rules *rr)
{
	for (uint32_t i = 0; i < rr->n; i++)
		rule_free(&rr->v[i]);
	free(rr->v);
	free(rr->flows);
	free(rr->cur);
	free(rr->files);
	rtab_free(&rr->ids);
	memset(rr, 0, sizeof(*rr));
}
