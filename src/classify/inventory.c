/* inventory.c: parses inventory files; longest-prefix lookup.
 *
 * A file is parsed line by line into entries appended after those already
 * loaded.  At the end the whole array is sorted by (IP version, prefix
 * longest first, address, load order), equal neighbours are reported as
 * duplicates, and the table of prefix lengths ("levels") is rebuilt.  A
 * file with any problem has its entries filtered out again, which keeps
 * the order of the rest.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/arena.h"
#include "util/diag.h"
#include "classify/inventory.h"

#define MAX_LINE 4096
#define MAX_LEVELS (33 + 129)      /* prefix lengths of IPv4 and IPv6 */
#define BLANKS " \t\r\v\f"
#define SYNTAX "ADDRESS[/PREFIX] ROLE[,ROLE...] [NAME]"

/* The entries of one prefix length: hosts[start .. start + n). */
struct inv_level {
	int ipver, prefix;
	size_t start, n;
};

struct inventory {
	const struct ruleset *rs;
	bool *server_role;             /* per role index */
	struct inv_host *hosts;        /* sorted as described above */
	size_t nhosts, cap;
	struct inv_level levels[MAX_LEVELS]; /* IPv4 first, longest first */
	int nlevels;
	struct arena *arena;           /* names and file names */
};

/* Parser state for one file. */
struct iparser {
	struct inventory *inv;
	const char *path;              /* in the arena */
	FILE *errs;
	int nerr;
	int line;
	size_t first;                  /* index of the file's first entry */
};

static void perr(struct iparser *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct iparser *ps, int line, const char *fmt, ...)
{
	va_list ap;

	ps->nerr++;
	va_start(ap, fmt);
	diag_vreport(ps->errs, ps->path, line, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ set */

/* A role is a server role when it covers the role of a rule with ports in
 * the server, hlb or dnslb table. */
static bool role_is_server(const struct ruleset *rs, int role)
{
	for (int i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		if (r->table != TABLE_CLIENT && r->nports > 0 &&
		    rules_role_covers(rs, role, r->role))
			return true;
	}
	return false;
}

struct inventory *inventory_new(const struct ruleset *rs)
{
	struct inventory *inv = calloc(1, sizeof(*inv));

	if (inv == NULL)
		return NULL;
	inv->rs = rs;
	inv->arena = arena_new();
	inv->server_role = calloc((size_t)rs->nroles + 1, sizeof(bool));
	if (inv->arena == NULL || inv->server_role == NULL) {
		inventory_free(inv);
		return NULL;
	}
	for (int i = 0; i < rs->nroles; i++)
		inv->server_role[i] = role_is_server(rs, i);
	return inv;
}

void inventory_free(struct inventory *inv)
{
	if (inv == NULL)
		return;
	free(inv->hosts);
	free(inv->server_role);
	arena_free(inv->arena);
	free(inv);
}

size_t inventory_count(const struct inventory *inv)
{
	return inv->nhosts;
}

const struct inv_host *inventory_host(const struct inventory *inv, size_t i)
{
	return i < inv->nhosts ? &inv->hosts[i] : NULL;
}

bool inventory_host_has_role(const struct ruleset *rs,
			     const struct inv_host *h, int want)
{
	for (int i = 0; i < h->nroles; i++)
		if (rules_role_covers(rs, h->roles[i], want))
			return true;
	return false;
}

bool inventory_role_is_server(const struct inventory *inv, int role)
{
	return role >= 0 && role < inv->rs->nroles && inv->server_role[role];
}

bool inventory_host_is_server(const struct inventory *inv,
			      const struct inv_host *h)
{
	for (int i = 0; i < h->nroles; i++)
		if (inventory_role_is_server(inv, h->roles[i]))
			return true;
	return false;
}

/* ------------------------------------------------------------ addresses */

static int max_prefix(int ipver)
{
	return ipver == 4 ? 32 : 128;
}

/* Clears every bit of addr beyond the first `prefix`. */
static void mask_addr(uint8_t addr[16], int prefix)
{
	for (int i = 0; i < 16; i++) {
		int keep = prefix - 8 * i;

		if (keep <= 0)
			addr[i] = 0;
		else if (keep < 8)
			addr[i] &= (uint8_t)(0xff00u >> keep);
	}
}

static void format_addr(int ipver, const uint8_t addr[16], int prefix,
			char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(ipver == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	if (prefix == max_prefix(ipver))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%d", a, prefix);
}

void inventory_format(const struct inv_host *h, char *buf, size_t len)
{
	format_addr(h->ipver, h->addr, h->prefix, buf, len);
}

/* Parses a decimal prefix length 0..max; the whole string. */
static bool parse_prefix(const char *s, int max, int *out)
{
	int v = 0;

	if (*s == '\0' || strlen(s) > 3)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* "ADDRESS[/PREFIX]" into h; reports and returns false when bad. */
static bool parse_net(struct iparser *ps, char *tok, struct inv_host *h)
{
	char *slash = strchr(tok, '/');
	uint8_t net[16];
	char want[INET6_ADDRSTRLEN + 8];

	if (slash)
		*slash = '\0';
	memset(h->addr, 0, sizeof(h->addr));
	h->ipver = strchr(tok, ':') ? 6 : 4;
	if (inet_pton(h->ipver == 4 ? AF_INET : AF_INET6, tok, h->addr) != 1) {
		perr(ps, ps->line, "bad address '%s' (want an IPv4 or IPv6 "
		     "address)", tok);
		return false;
	}
	h->prefix = max_prefix(h->ipver);
	if (slash && !parse_prefix(slash + 1, h->prefix, &h->prefix)) {
		perr(ps, ps->line, "bad prefix length '/%s' (want 0-%d)",
		     slash + 1, max_prefix(h->ipver));
		return false;
	}
	memcpy(net, h->addr, sizeof(net));
	mask_addr(net, h->prefix);
	if (slash && memcmp(net, h->addr, sizeof(net)) != 0) {
		format_addr(h->ipver, net, h->prefix, want, sizeof(want));
		perr(ps, ps->line, "host bits set in '%s/%s' (the network is %s)",
		     tok, slash + 1, want);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ roles */

static void unknown_role(struct iparser *ps, const char *key)
{
	const struct ruleset *rs = ps->inv->rs;
	char known[1024] = "";
	size_t off = 0;

	for (int i = 0; i < rs->nroles && off < sizeof(known); i++) {
		int n = snprintf(known + off, sizeof(known) - off, "%s%s",
				 i ? ", " : "", rs->roles[i].key);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (off >= sizeof(known))
		memcpy(known + sizeof(known) - 4, "...", 4);
	perr(ps, ps->line, "unknown role '%s' (known: %s)", key, known);
}

static bool holds(const struct inv_host *h, int role)
{
	for (int i = 0; i < h->nroles; i++)
		if (h->roles[i] == role)
			return true;
	return false;
}

/* "ROLE[,ROLE...]" into h; reports and returns false when bad. */
static bool parse_roles(struct iparser *ps, char *list, struct inv_host *h)
{
	size_t len = strlen(list);
	char *save, *key;
	bool ok = true;

	if (list[0] == ',' || list[len - 1] == ',' || strstr(list, ",,")) {
		perr(ps, ps->line, "empty role in '%s' (separate roles with ',' "
		     "and no blanks)", list);
		return false;
	}
	for (key = strtok_r(list, ",", &save); key; key = strtok_r(NULL, ",", &save)) {
		int r = rules_role_find(ps->inv->rs, key);

		if (r < 0) {
			unknown_role(ps, key);
			ok = false;
		} else if (holds(h, r)) {
			perr(ps, ps->line, "role '%s' given twice", key);
			ok = false;
		} else if (h->nroles == INV_MAX_ROLES) {
			perr(ps, ps->line, "more than %d roles", INV_MAX_ROLES);
			return false;
		} else {
			h->roles[h->nroles++] = r;
		}
	}
	return ok;
}

/* ------------------------------------------------------------ lines */

/* Appends h; returns -1 when out of memory. */
static int append(struct iparser *ps, const struct inv_host *h)
{
	struct inventory *inv = ps->inv;

	if (inv->nhosts == inv->cap) {
		size_t ncap = inv->cap ? inv->cap * 2 : 64;
		struct inv_host *p = realloc(inv->hosts, ncap * sizeof(*p));

		if (p == NULL)
			return -1;
		inv->hosts = p;
		inv->cap = ncap;
	}
	inv->hosts[inv->nhosts] = *h;
	inv->hosts[inv->nhosts].seq = (uint32_t)inv->nhosts;
	inv->nhosts++;
	return 0;
}

/* One entry from its 1 to 3 words; returns -1 only when out of memory. */
static int entry(struct iparser *ps, char **word, int nword)
{
	struct inv_host h = { .name = "", .file = ps->path, .line = ps->line };
	bool ok = parse_net(ps, word[0], &h);

	if (nword < 2) {
		perr(ps, ps->line, "missing role (want " SYNTAX ")");
		return 0;
	}
	ok = parse_roles(ps, word[1], &h) && ok;
	if (!ok)
		return 0;
	if (nword == 3) {
		h.namelen = strlen(word[2]);
		if ((h.name = arena_strndup(ps->inv->arena, word[2], h.namelen)) == NULL)
			return -1;
	}
	if (ps->inv->nhosts >= INV_MAX_HOSTS) {
		perr(ps, ps->line, "too many entries (at most %u)", INV_MAX_HOSTS);
		return 0;
	}
	return append(ps, &h);
}

/* Returns -1 only when out of memory. */
static int parse_line(struct iparser *ps, const char *s, const char *e)
{
	char buf[MAX_LINE], *word[3], *save, *w, *hash;
	int n = 0;

	if (ps->line == 1 && e - s >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3; /* UTF-8 byte order mark */
	if (e - s >= MAX_LINE) {
		perr(ps, ps->line, "line longer than %d bytes", MAX_LINE - 1);
		return 0;
	}
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	if ((hash = strchr(buf, '#')) != NULL)
		*hash = '\0';
	for (w = strtok_r(buf, BLANKS, &save); w; w = strtok_r(NULL, BLANKS, &save)) {
		if (n == 3) {
			perr(ps, ps->line, "unexpected '%s' after the name (a name "
			     "is one word; want " SYNTAX ")", w);
			return 0;
		}
		word[n++] = w;
	}
	return n ? entry(ps, word, n) : 0;
}

/* ------------------------------------------------------------ index */

static int host_cmp(const void *pa, const void *pb)
{
	const struct inv_host *a = pa, *b = pb;
	int c;

	if (a->ipver != b->ipver)
		return a->ipver - b->ipver;
	if (a->prefix != b->prefix)
		return b->prefix - a->prefix;
	if ((c = memcmp(a->addr, b->addr, sizeof(a->addr))) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool same_net(const struct inv_host *a, const struct inv_host *b)
{
	return a->ipver == b->ipver && a->prefix == b->prefix &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

static void build_levels(struct inventory *inv)
{
	struct inv_level *lv = NULL;

	inv->nlevels = 0;
	for (size_t i = 0; i < inv->nhosts; i++) {
		const struct inv_host *h = &inv->hosts[i];

		if (lv == NULL || lv->ipver != h->ipver || lv->prefix != h->prefix) {
			lv = &inv->levels[inv->nlevels++];
			*lv = (struct inv_level){ h->ipver, h->prefix, i, 0 };
		}
		lv->n++;
	}
}

static int dup_cmp(const void *pa, const void *pb)
{
	const struct inv_host *const *a = pa, *const *b = pb;

	return a[0]->seq < b[0]->seq ? -1 : a[0]->seq > b[0]->seq;
}

/* Reports, in line order, each entry equal to an earlier one (hosts are
 * sorted, so equal entries are neighbours, the earliest first).  Returns
 * -1 only when out of memory. */
static int report_dups(struct iparser *ps)
{
	struct inventory *inv = ps->inv;
	const struct inv_host **pair = NULL; /* (duplicate, first) pairs */
	size_t n = 0, first = 0;
	char net[INET6_ADDRSTRLEN + 8];

	for (size_t i = 1; i < inv->nhosts; i++) {
		if (!same_net(&inv->hosts[i], &inv->hosts[first])) {
			first = i;
			continue;
		}
		if (n % 32 == 0) {
			const struct inv_host **p = realloc(pair, (n + 32) * 2 * sizeof(*p));
			if (p == NULL) {
				free(pair);
				return -1;
			}
			pair = p;
		}
		pair[2 * n] = &inv->hosts[i];
		pair[2 * n + 1] = &inv->hosts[first];
		n++;
	}
	if (n > 0)
		qsort(pair, n, 2 * sizeof(*pair), dup_cmp);
	for (size_t k = 0; k < n; k++) {
		inventory_format(pair[2 * k], net, sizeof(net));
		perr(ps, pair[2 * k]->line, "duplicate entry %s (first at %s:%d)",
		     net, pair[2 * k + 1]->file, pair[2 * k + 1]->line);
	}
	free(pair);
	return 0;
}

/* Drops the entries of the file being loaded; the rest stay sorted. */
static void rollback(struct inventory *inv, size_t first)
{
	size_t k = 0;

	for (size_t i = 0; i < inv->nhosts; i++)
		if (inv->hosts[i].seq < first)
			inv->hosts[k++] = inv->hosts[i];
	inv->nhosts = k;
}

/* ------------------------------------------------------------ loading */

/* Parses every line of buf; returns -1 when out of memory. */
static int parse_lines(struct iparser *ps, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		ps->line++;
		if (memchr(p, '\0', (size_t)(le - p)) != NULL)
			perr(ps, ps->line, "NUL byte in line");
		else if (parse_line(ps, p, le) < 0)
			return -1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int inventory_load_buffer(struct inventory *inv, const char *name,
			  const char *buf, size_t len, FILE *errs)
{
	struct iparser ps = { .inv = inv, .errs = errs, .first = inv->nhosts };
	struct arena_mark mark = arena_get_mark(inv->arena);
	int oom;

	ps.path = arena_strndup(inv->arena, name, strlen(name));
	if (ps.path == NULL) {
		ps.path = name;
		perr(&ps, 0, "out of memory");
		return ps.nerr;
	}
	oom = parse_lines(&ps, buf, len);
	if (!oom && inv->nhosts > 0) {
		qsort(inv->hosts, inv->nhosts, sizeof(*inv->hosts), host_cmp);
		oom = report_dups(&ps);
	}
	if (oom)
		perr(&ps, ps.line, "out of memory");
	if (ps.nerr) {
		rollback(inv, ps.first);
		arena_reset(inv->arena, mark);
	}
	build_levels(inv);
	return ps.nerr;
}

/* Reads a whole file into *buf (malloc'd); returns 0 or an errno. */
static int read_all(FILE *f, char **buf, size_t *len)
{
	size_t cap = 0, n;

	*buf = NULL;
	*len = 0;
	do {
		if (cap - *len < 65536) {
			char *nb = realloc(*buf, cap + 65536);
			if (nb == NULL)
				return ENOMEM;
			*buf = nb;
			cap += 65536;
		}
		n = fread(*buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	return ferror(f) ? (errno ? errno : EIO) : 0;
}

int inventory_load_file(struct inventory *inv, const char *path, FILE *errs)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t len;
	int err, ret;

	if (f == NULL) {
		if (errs)
			fprintf(errs, "%s: cannot open: %s\n", path, strerror(errno));
		return 1;
	}
	err = read_all(f, &buf, &len);
	fclose(f);
	if (err) {
		if (errs)
			fprintf(errs, "%s: read error: %s\n", path, strerror(err));
		free(buf);
		return 1;
	}
	ret = inventory_load_buffer(inv, path, buf, len, errs);
	free(buf);
	return ret;
}

/* ------------------------------------------------------------ lookup */

/* The entry of level lv whose address is key, or NULL. */
static const struct inv_host *level_find(const struct inventory *inv,
					 const struct inv_level *lv,
					 const uint8_t key[16])
{
	size_t lo = lv->start, hi = lv->start + lv->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(inv->hosts[mid].addr, key, 16);

		if (c == 0)
			return &inv->hosts[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct inv_host *inventory_lookup(const struct inventory *inv,
					int ipver, const uint8_t addr[16])
{
	for (int i = 0; i < inv->nlevels; i++) {
		const struct inv_level *lv = &inv->levels[i];
		const struct inv_host *h;
		uint8_t key[16];

		if (lv->ipver != ipver)
			continue;
		memcpy(key, addr, sizeof(key));
		mask_addr(key, lv->prefix);
		if ((h = level_find(inv, lv, key)) != NULL)
			return h;
	}
	return NULL;
}

void inventory_cache_clear(struct inv_cache *ic)
{
	memset(ic, 0, sizeof(*ic));
}

/* The slot of an address: its four 32-bit words folded and multiplied. */
static unsigned cache_slot(int ipver, const uint8_t addr[16])
{
	uint32_t w[4];

	memcpy(w, addr, sizeof(w));
	return ((w[0] ^ w[1] ^ w[2] ^ w[3] ^ (uint32_t)ipver) * 0x9E3779B1u) >>
	       (32 - INV_CACHE_BITS);
}

/* Whether slot address x is a: two word compares. */
static bool same_addr(const uint8_t x[16], const uint8_t a[16])
{
	uint64_t p[2], q[2];

	memcpy(p, x, sizeof(p));
	memcpy(q, a, sizeof(q));
	return ((p[0] ^ q[0]) | (p[1] ^ q[1])) == 0;
}

const struct inv_host *inventory_lookup_cached(const struct inventory *inv,
					       struct inv_cache *ic, int ipver,
					       const uint8_t addr[16])
{
	unsigned k;

	if (ic == NULL)
		return inventory_lookup(inv, ipver, addr);
	k = cache_slot(ipver, addr);
	if (ic->slot[k].ipver != (uint8_t)ipver ||
	    !same_addr(ic->slot[k].addr, addr)) {
		memcpy(ic->slot[k].addr, addr, sizeof(ic->slot[k].addr));
		ic->slot[k].ipver = (uint8_t)ipver;
		ic->slot[k].h = inventory_lookup(inv, ipver, addr);
	}
	return ic->slot[k].h;
}
