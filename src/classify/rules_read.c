/* rules_read.c: reads rule files (classifiers/FORMAT) into a ruleset.
 *
 * A line-driven state machine: a section header opens a [role] or [rule]
 * section, key lines fill it, and the next header (or the end of the file)
 * closes it, checking that every required key was given.  Every problem is
 * reported as "path:line: message" and parsing goes on, so one run shows all
 * of them; a file with any problem is rolled back whole.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/diag.h"
#include "classify/rules.h"
#include "classify/rules_lang.h"

#define MAX_LINE 4096

/* SECT_SKIP: after a bad header, whose keys are ignored silently. */
enum sect { SECT_NONE, SECT_ROLE, SECT_RULE, SECT_SKIP };

/* Keys of a [rule] section.  The order is the bit order in `seen`. */
enum rkey {
	RK_TABLE, RK_ROLE, RK_L4, RK_PORT, RK_APP, RK_STATUS, RK_FALLBACK,
	RK_SHARED,
	RK_TEXT, /* RK_TEXT + field * LANG_N + lang */
	RK_N = RK_TEXT + TEXT_N * LANG_N
};

/* Parser state for one file. */
struct parser {
	struct ruleset *rs;
	const char *path;
	FILE *errs;
	int nerr;
	int line;
	int file;               /* index of this file in rs->files */
	enum sect sect;
	int sect_line;
	uint32_t seen;          /* keys given in the open section */
	const char *role_name;  /* [rule]: the role key, resolved at the end */
	char *implies_text;     /* [role]: the implies list, resolved at the end */
	int sect_nerr;          /* nerr when the open section began */
	int first_rule, first_role;
	const char **rule_roles;   /* role key of each rule of this file */
	char **role_implies;       /* implies text of each role of this file */
	int caprule_roles, caprole_implies;
};

static void perr(struct parser *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct parser *ps, int line, const char *fmt, ...)
{
	va_list ap;

	ps->nerr++;
	va_start(ap, fmt);
	diag_vreport(ps->errs, ps->path, line, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ values */

static bool valid_ident(const char *s, const char *extra)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    strchr(extra, *s) == NULL)
			return false;
	return true;
}

/* Parses a decimal port 1..65535 spanning exactly [s, e). */
static bool parse_port(const char *s, const char *e, uint16_t *out)
{
	unsigned long v = 0;

	if (s == e || e - s > 5)
		return false;
	for (const char *p = s; p < e; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* Trims blanks from both ends of [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

static void set_ports(struct parser *ps, struct rule *r, const char *v)
{
	const char *p = v;

	r->nports = 0;
	if (strcmp(v, "none") == 0)
		return;
	while (*p) {
		const char *next = strchr(p, ',');
		const char *s = p, *e, *dash;
		struct port_range pr;

		if (next == NULL)
			next = p + strlen(p);
		e = next;
		trim(&s, &e);
		dash = memchr(s, '-', (size_t)(e - s));
		if (r->nports == RULE_MAX_PORTS) {
			perr(ps, ps->line, "too many port items (at most %d)",
			     RULE_MAX_PORTS);
			return;
		}
		if (dash == NULL ? !parse_port(s, e, &pr.lo) :
		    !parse_port(s, dash, &pr.lo) ||
		    !parse_port(dash + 1, e, &pr.hi)) {
			perr(ps, ps->line, "bad port '%.*s' (want 1-65535, "
			     "P-Q, or a comma list)", (int)(e - s), s);
			return;
		}
		if (dash == NULL)
			pr.hi = pr.lo;
		if (pr.lo > pr.hi) {
			perr(ps, ps->line, "reversed port range %u-%u",
			     pr.lo, pr.hi);
			return;
		}
		r->ports[r->nports++] = pr;
		p = *next ? next + 1 : next;
	}
}

static void set_l4(struct parser *ps, struct rule *r, const char *v)
{
	if (strcmp(v, "tcp") == 0)
		r->l4 = RULE_L4_TCP;
	else if (strcmp(v, "udp") == 0)
		r->l4 = RULE_L4_UDP;
	else if (strcmp(v, "tcp,udp") == 0 || strcmp(v, "udp,tcp") == 0 ||
		 strcmp(v, "tcp/udp") == 0)
		r->l4 = RULE_L4_TCP | RULE_L4_UDP;
	else if (strcmp(v, "none") == 0)
		r->l4 = 0;
	else
		perr(ps, ps->line, "bad l4 '%s' (want tcp, udp, tcp,udp or none)", v);
}

/* Sets an enum field from a list of names; reports the list when unknown. */
static void set_enum(struct parser *ps, int *field, const char *key,
		     const char *const *names, int n, const char *v)
{
	int i = rules_word_index(names, n, v);
	char list[256] = "";

	if (i >= 0) {
		*field = i;
		return;
	}
	for (int k = 0; k < n; k++) {
		strncat(list, names[k], sizeof(list) - strlen(list) - 1);
		if (k + 1 < n)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
	}
	perr(ps, ps->line, "bad %s '%s' (want one of: %s)", key, v, list);
}

/* ------------------------------------------------------------ sections */

static struct rule *cur_rule(struct parser *ps)
{
	return &ps->rs->rules[ps->rs->nrules - 1];
}

static struct role *cur_role(struct parser *ps)
{
	return &ps->rs->roles[ps->rs->nroles - 1];
}

static char *dup_str(struct parser *ps, const char *s)
{
	char *p = arena_strndup(ps->rs->arena, s, strlen(s));

	if (p == NULL)
		perr(ps, ps->line, "out of memory");
	return p;
}

/* Returns the rule key index of `key`, or -1. */
static int rule_key(const char *key)
{
	static const char *const plain[] = {
		"table", "role", "l4", "port", "app", "status", "fallback",
		"shared"
	};
	const char *dot = strchr(key, '.');

	if (dot == NULL)
		return rules_word_index(plain, RK_TEXT, key);
	for (int f = 0; f < TEXT_N; f++)
		for (int l = 0; l < LANG_N; l++)
			if (strlen(rules_text_key[f]) == (size_t)(dot - key) &&
			    strncmp(key, rules_text_key[f], (size_t)(dot - key)) == 0 &&
			    strcmp(dot + 1, rules_lang_suffix[l]) == 0)
				return RK_TEXT + f * LANG_N + l;
	return -1;
}

static void set_yes_no(struct parser *ps, bool *dst, const char *key,
		       const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0)
		*dst = strcmp(v, "yes") == 0;
	else
		perr(ps, ps->line, "bad %s '%s' (want yes or no)", key, v);
}

static void rule_set(struct parser *ps, int k, const char *v)
{
	struct rule *r = cur_rule(ps);
	int tmp;

	switch (k) {
	case RK_TABLE:
		tmp = (int)r->table;
		set_enum(ps, &tmp, "table", rules_table_names, TABLE_N, v);
		r->table = (enum rule_table)tmp;
		break;
	case RK_ROLE:
		ps->role_name = dup_str(ps, v);
		break;
	case RK_L4: set_l4(ps, r, v); break;
	case RK_PORT: set_ports(ps, r, v); break;
	case RK_APP:
		tmp = (int)r->app;
		set_enum(ps, &tmp, "app", rules_app_names, APP_N, v);
		r->app = (enum rule_app)tmp;
		break;
	case RK_STATUS:
		tmp = (int)r->status;
		set_enum(ps, &tmp, "status", rules_status_names, STATUS_N, v);
		r->status = (enum rule_status)tmp;
		break;
	case RK_FALLBACK: set_yes_no(ps, &r->fallback, "fallback", v); break;
	case RK_SHARED: set_yes_no(ps, &r->shared, "shared", v); break;
	default:
		r->text[(k - RK_TEXT) / LANG_N][(k - RK_TEXT) % LANG_N] =
			dup_str(ps, v);
	}
}

static void rule_close(struct parser *ps)
{
	struct rule *r = cur_rule(ps);
	static const int required[] = { RK_TABLE, RK_ROLE, RK_L4, RK_PORT, RK_APP };

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(ps->seen & (1u << required[i])))
			perr(ps, ps->sect_line, "rule %s: missing key '%s'", r->id,
			     (const char *[]){ "table", "role", "l4", "port",
					       "app" }[i]);
	for (int k = RK_TEXT; k < RK_N; k++) {
		int f = (k - RK_TEXT) / LANG_N, l = (k - RK_TEXT) % LANG_N;

		if (ps->seen & (1u << k))
			continue;
		r->text[f][l] = "";
		if (ps->seen & (1u << (RK_TEXT + f * LANG_N + (1 - l))))
			perr(ps, ps->sect_line, "rule %s: missing translation "
			     "'%s.%s' (give it, empty if the page is empty)",
			     r->id, rules_text_key[f], rules_lang_suffix[l]);
		else if (l == 0)
			perr(ps, ps->sect_line, "rule %s: missing key '%s.en' "
			     "and '%s.ja'", r->id, rules_text_key[f], rules_text_key[f]);
	}
	if ((r->l4 == 0) != (r->nports == 0) && ps->nerr == ps->sect_nerr &&
	    (ps->seen & (1u << RK_L4)) && (ps->seen & (1u << RK_PORT)))
		perr(ps, ps->sect_line, "rule %s: l4 none goes with port none "
		     "and only with it", r->id);
	ps->rule_roles[ps->rs->nrules - 1 - ps->first_rule] = ps->role_name;
}

static void role_close(struct parser *ps)
{
	struct role *ro = cur_role(ps);

	for (int l = 0; l < LANG_N; l++)
		if (ro->name[l] == NULL) {
			ro->name[l] = "";
			perr(ps, ps->sect_line, "role %s: missing key 'name.%s'",
			     ro->key, rules_lang_suffix[l]);
		}
	ps->role_implies[ps->rs->nroles - 1 - ps->first_role] = ps->implies_text;
}

/* Parses "PORT/tcp PORT/udp ..." into list; returns the count. */
static int set_l4_ports(struct parser *ps, struct l4_port *list, const char *v)
{
	char buf[MAX_LINE], *tok, *save;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		char *slash = strchr(tok, '/');
		struct l4_port lp;

		if (n == ROLE_MAX_LEARN) {
			perr(ps, ps->line, "more than %d ports", ROLE_MAX_LEARN);
			break;
		}
		if (slash == NULL || !parse_port(tok, slash, &lp.port) ||
		    (strcmp(slash + 1, "tcp") != 0 && strcmp(slash + 1, "udp") != 0)) {
			perr(ps, ps->line, "bad port '%s' (want PORT/tcp or PORT/udp)",
			     tok);
			continue;
		}
		lp.l4 = strcmp(slash + 1, "tcp") == 0 ? RULE_L4_TCP : RULE_L4_UDP;
		list[n++] = lp;
	}
	return n;
}

static void role_set(struct parser *ps, const char *key, const char *v)
{
	static const char *const keys[] = {
		"name.en", "name.ja", "implies", "learn", "learn-unless"
	};
	struct role *ro = cur_role(ps);
	int bit = rules_word_index(keys, 5, key);

	if (bit < 0) {
		perr(ps, ps->line, "unknown key '%s' in [role] (want name.en, "
		     "name.ja, implies, learn, learn-unless)", key);
		return;
	}
	if (ps->seen & (1u << bit)) {
		perr(ps, ps->line, "key '%s' given twice", key);
		return;
	}
	ps->seen |= 1u << bit;
	if (bit < 2)
		ro->name[bit] = dup_str(ps, v);
	else if (bit == 2)
		ps->implies_text = dup_str(ps, v);
	else if (bit == 3)
		ro->nlearn = set_l4_ports(ps, ro->learn, v);
	else
		ro->nlearn_unless = set_l4_ports(ps, ro->learn_unless, v);
}

static void section_close(struct parser *ps)
{
	if (ps->sect == SECT_RULE)
		rule_close(ps);
	else if (ps->sect == SECT_ROLE)
		role_close(ps);
	ps->sect = SECT_NONE;
}

/* Grows the per-file list of `size`-byte items so that n fit. */
static int grow_list(void **list, int *cap, int n, size_t size)
{
	void *p;
	int ncap = *cap ? *cap : 64;

	if (n <= *cap)
		return 0;
	while (ncap < n)
		ncap *= 2;
	p = realloc(*list, (size_t)ncap * size);
	if (p == NULL)
		return -1;
	*list = p;
	*cap = ncap;
	return 0;
}

static int open_rule(struct parser *ps, const char *id)
{
	struct ruleset *rs = ps->rs;
	struct rule *r;
	int i;

	if (!valid_ident(id, "-_.ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		perr(ps, ps->line, "bad rule id '%s' (letters, digits, '-', "
		     "'_', '.')", id);
	else if (rules_rule_find(rs, id) >= 0)
		perr(ps, ps->line, "duplicate rule id '%s'", id);
	if (grow_list((void **)&ps->rule_roles, &ps->caprule_roles,
		      rs->nrules + 1 - ps->first_rule, sizeof(*ps->rule_roles)) ||
	    (i = rules_new_rule(rs, id)) < 0)
		return -1;
	r = &rs->rules[i];
	r->file = ps->file;
	r->line = ps->line;
	ps->role_name = NULL;
	return 0;
}

static int open_role(struct parser *ps, const char *key)
{
	struct ruleset *rs = ps->rs;
	struct role *ro;
	int i;

	if (rs->nroles >= RULES_MAX_ROLES) {
		perr(ps, ps->line, "too many roles (at most %d over all files)",
		     RULES_MAX_ROLES);
		ps->sect = SECT_SKIP;
		return 0;
	}
	if (!valid_ident(key, "-"))
		perr(ps, ps->line, "bad role key '%s' (lower case letters, "
		     "digits, '-')", key);
	else if (rules_role_find(rs, key) >= 0)
		perr(ps, ps->line, "duplicate role '%s'", key);
	if (grow_list((void **)&ps->role_implies, &ps->caprole_implies,
		      rs->nroles + 1 - ps->first_role, sizeof(*ps->role_implies)) ||
	    (i = rules_new_role(rs, key)) < 0)
		return -1;
	ro = &rs->roles[i];
	ro->file = ps->file;
	ro->line = ps->line;
	ps->implies_text = NULL;
	return 0;
}

/* "[rule ID]" or "[role KEY]"; returns -1 only when out of memory. */
static int header_line(struct parser *ps, const char *s, const char *e)
{
	char buf[MAX_LINE];
	const char *sp;

	section_close(ps);
	s++; /* '[' */
	if (e[-1] != ']') {
		perr(ps, ps->line, "section header without ']'");
		ps->sect = SECT_SKIP;
		return 0;
	}
	e--;
	trim(&s, &e);
	sp = memchr(s, ' ', (size_t)(e - s));
	if (sp == NULL) {
		perr(ps, ps->line, "bad section header (want [rule ID] or "
		     "[role KEY])");
		ps->sect = SECT_SKIP;
		return 0;
	}
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	buf[sp - s] = '\0';
	sp = buf + (sp - s) + 1;
	while (*sp == ' ')
		sp++;
	ps->seen = 0;
	ps->sect_line = ps->line;
	ps->sect_nerr = ps->nerr;
	if (strcmp(buf, "rule") == 0) {
		ps->sect = SECT_RULE;
		return open_rule(ps, sp);
	}
	if (strcmp(buf, "role") == 0) {
		ps->sect = SECT_ROLE;
		return open_role(ps, sp);
	}
	perr(ps, ps->line, "unknown section '%s' (want rule or role)", buf);
	ps->sect = SECT_SKIP;
	return 0;
}

static void key_line(struct parser *ps, const char *s, const char *e)
{
	const char *eq = memchr(s, '=', (size_t)(e - s));
	const char *ks = s, *ke, *vs, *ve = e;
	char key[64], val[MAX_LINE];
	int k;

	if (eq == NULL) {
		perr(ps, ps->line, "expected 'key = value'");
		return;
	}
	ke = eq;
	vs = eq + 1;
	trim(&ks, &ke);
	trim(&vs, &ve);
	if (ke - ks >= (long)sizeof(key) || ks == ke) {
		perr(ps, ps->line, "bad key");
		return;
	}
	memcpy(key, ks, (size_t)(ke - ks));
	key[ke - ks] = '\0';
	memcpy(val, vs, (size_t)(ve - vs));
	val[ve - vs] = '\0';
	if (ps->sect == SECT_SKIP)
		return;
	if (ps->sect == SECT_NONE) {
		perr(ps, ps->line, "key '%s' outside a [rule] or [role] section", key);
		return;
	}
	if (ps->sect == SECT_ROLE) {
		role_set(ps, key, val);
		return;
	}
	k = rule_key(key);
	if (k < 0) {
		perr(ps, ps->line, "unknown key '%s'", key);
	} else if (ps->seen & (1u << k)) {
		perr(ps, ps->line, "key '%s' given twice", key);
	} else {
		ps->seen |= 1u << k;
		rule_set(ps, k, val);
	}
}

static int parse_line(struct parser *ps, const char *s, const char *e)
{
	if (ps->line == 1 && e - s >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3; /* UTF-8 byte order mark */
	trim(&s, &e);
	if (s == e || *s == '#')
		return 0;
	if (e - s >= MAX_LINE) {
		perr(ps, ps->line, "line longer than %d bytes", MAX_LINE - 1);
		return 0;
	}
	if (*s == '[')
		return header_line(ps, s, e);
	key_line(ps, s, e);
	return 0;
}

/* Resolves the role keys named by this file's rules and roles. */
static void resolve_roles(struct parser *ps)
{
	struct ruleset *rs = ps->rs;

	/* (the lists are NULL only when the file has no rule, no role) */
	for (int i = ps->first_rule; ps->rule_roles && i < rs->nrules; i++) {
		const char *name = ps->rule_roles[i - ps->first_rule];

		if (name == NULL)
			continue;
		rs->rules[i].role = rules_role_find(rs, name);
		if (rs->rules[i].role < 0) {
			rs->unknown_roles++;
			perr(ps, rs->rules[i].line, "rule %s: unknown role '%s'",
			     rs->rules[i].id, name);
		}
	}
	for (int i = ps->first_role; ps->role_implies && i < rs->nroles; i++) {
		char *list = ps->role_implies[i - ps->first_role], *tok, *save;
		struct role *ro = &rs->roles[i];

		for (tok = list ? strtok_r(list, ", ", &save) : NULL; tok;
		     tok = strtok_r(NULL, ", ", &save)) {
			int j = rules_role_find(rs, tok);

			if (j < 0) {
				rs->unknown_roles++;
				perr(ps, ro->line, "role %s: implies unknown role "
				     "'%s'", ro->key, tok);
			} else if (ro->nimplies == ROLE_MAX_IMPLIES) {
				perr(ps, ro->line, "role %s: implies more than %d "
				     "roles", ro->key, ROLE_MAX_IMPLIES);
			} else {
				ro->implies[ro->nimplies++] = j;
			}
		}
	}
}

int rules_load_buffer(struct ruleset *rs, const char *name,
		      const char *buf, size_t len, FILE *errs)
{
	struct parser ps = { .rs = rs, .path = name, .errs = errs };
	const char *p = buf, *end = buf + len;
	struct ruleset_mark mark;
	int oom = 0;

	if (rs->arena == NULL && (rs->arena = arena_new()) == NULL)
		return 1;
	mark = ruleset_get_mark(rs);
	ps.first_rule = rs->nrules;
	ps.first_role = rs->nroles;
	ps.file = rules_add_file(rs, name);
	if (ps.file < 0)
		oom = 1;
	while (!oom && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		ps.line++;
		if (memchr(p, '\0', (size_t)(le - p)) != NULL)
			perr(&ps, ps.line, "NUL byte in line");
		else if (parse_line(&ps, p, le) < 0)
			oom = 1;
		p = nl ? nl + 1 : end;
	}
	if (!oom) {
		section_close(&ps);
		resolve_roles(&ps);
	}
	if (oom)
		perr(&ps, ps.line, "out of memory");
	if (ps.nerr)
		ruleset_rollback(rs, mark);
	free(ps.rule_roles);
	free(ps.role_implies);
	return ps.nerr;
}

int rules_load_file(struct ruleset *rs, const char *path, FILE *errs)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int ret;

	if (f == NULL) {
		if (errs)
			fprintf(errs, "%s: cannot open: %s\n", path, strerror(errno));
		return 1;
	}
	do {
		if (cap - len < 65536) {
			/* Doubling: a 16 MB file is read in 9 copies, not 256. */
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, ncap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				if (errs)
					fprintf(errs, "%s: out of memory\n", path);
				return 1;
			}
			buf = nb;
			cap = ncap;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		if (errs)
			fprintf(errs, "%s: read error: %s\n", path, strerror(errno));
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	ret = rules_load_buffer(rs, path, buf, len, errs);
	free(buf);
	return ret;
}

int rules_finish(struct ruleset *rs, FILE *errs)
{
	int live = 0;

	for (int i = 0; i < rs->nrules; i++)
		live += rs->rules[i].nports > 0;
	if (live == 0) {
		if (errs == NULL)
			return 1;
		for (int i = 0; i < rs->nfiles; i++)
			fprintf(errs, "%s%s", i ? ", " : "", rs->files[i]);
		fprintf(errs, "%sno rule with a port is loaded\n",
			rs->nfiles ? ": " : "");
		return 1;
	}
	return 0;
}
