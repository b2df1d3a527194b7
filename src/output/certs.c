/* certs.c: the per-server certificate table (see certs.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inspect/wire/wire.h"
#include "output/certs.h"
#include "output/record.h"
#include "util/hash.h"
#include "util/textfmt.h"

#define CERTS_SLOTS (2 * CERTS_MAX)  /* open addressing, power of two */
#define TLS13 0x0304

struct certs {
	struct cert_entry *e;        /* grown by doubling up to CERTS_MAX */
	uint32_t n, cap;
	uint32_t slot[CERTS_SLOTS];  /* entry index + 1; 0: free */
	struct certs_counts cc;
};

struct certs *certs_new(void)
{
	return calloc(1, sizeof(struct certs));
}

void certs_free(struct certs *c)
{
	if (c != NULL)
		free(c->e);
	free(c);
}

static uint64_t key_hash(const uint8_t *addr, uint16_t port, uint8_t l4,
			 const uint8_t *sha1)
{
	uint64_t h = hash_mix64(((uint64_t)port << 16) | l4);

	h = hash_mix64(h ^ hash_load64(addr));
	h = hash_mix64(h ^ hash_load64(addr + 8));
	h = hash_mix64(h ^ hash_load64(sha1));
	return hash_mix64(h ^ hash_load64(sha1 + 8));
}

/* The first slot of a key. */
static uint32_t slot_of(const uint8_t *addr, uint16_t port, uint8_t l4,
			const uint8_t *sha1)
{
	return (uint32_t)key_hash(addr, port, l4, sha1) & (CERTS_SLOTS - 1);
}

static bool same_key(const struct cert_entry *e, const struct flow_record *r)
{
	return e->port == r->server_port && e->l4 == r->l4 &&
	       e->ipver == r->ipver && !memcmp(e->addr, r->server_addr, 16) &&
	       !memcmp(e->t.sha1, r->tls_facts.sha1, 20);
}

/* The role of r's server: its first server-table label's, when the labels
 * rest on more than the port (a host seen serving it, or the inventory);
 * else none, so that no pool finding rests on a port alone. */
static void entry_role(struct cert_entry *e, const struct flow_record *r)
{
	if (r->audit.support == SUPPORT_PORT)
		return;
	for (int i = 0; i < r->nlabels; i++) {
		const struct rule *ru = &r->rs->rules[r->labels[i]];
		const char *k = r->rs->roles[ru->role].key;

		if (ru->table == TABLE_SERVER && k != NULL) {
			strncpy(e->role, k, sizeof(e->role) - 1);
			return;
		}
	}
}

/* A new entry for r's certificate, or NULL at the cap / out of memory. */
static struct cert_entry *entry_new(struct certs *c, const struct flow_record *r)
{
	struct cert_entry *e;

	if (c->n >= CERTS_MAX)
		return NULL;
	if (c->n == c->cap) {
		uint32_t cap = c->cap ? 2 * c->cap : 16;
		void *p = realloc(c->e, (size_t)cap * sizeof(*c->e));

		if (p == NULL)
			return NULL;
		c->e = p;
		c->cap = cap;
	}
	e = &c->e[c->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->addr, r->server_addr, 16);
	e->ipver = r->ipver;
	e->l4 = r->l4;
	e->port = r->server_port;
	e->t = r->tls_facts;
	e->first_us = r->first_us;
	entry_role(e, r);
	return e;
}

/* The entry of r's (server, certificate), found or made; NULL: not kept. */
static struct cert_entry *entry_of(struct certs *c, const struct flow_record *r)
{
	uint32_t i = slot_of(r->server_addr, r->server_port, r->l4,
			     r->tls_facts.sha1);

	for (; c->slot[i]; i = (i + 1) & (CERTS_SLOTS - 1))
		if (same_key(&c->e[c->slot[i] - 1], r))
			return &c->e[c->slot[i] - 1];
	if (entry_new(c, r) == NULL) {
		c->cc.not_kept++;
		return NULL;
	}
	c->slot[i] = c->n;
	return &c->e[c->n - 1];
}

/* Files one flow's use of the certificate. */
static void entry_use(struct cert_entry *e, const struct flow_record *r)
{
	const char *sni = record_name(r, REC_HOST);

	e->flows++;
	if (e->role[0] == '\0')
		entry_role(e, r);
	if (r->first_us < e->first_us)
		e->first_us = r->first_us;
	if (r->last_us > e->last_us)
		e->last_us = r->last_us;
	if (r->tls_facts.version &&
	    (!e->min_version || r->tls_facts.version < e->min_version))
		e->min_version = r->tls_facts.version;
	if (r->tls_facts.weak_cipher > e->weak)
		e->weak = r->tls_facts.weak_cipher;
	if (r->tls_client_cert == WCC_PRESENTED)
		e->client_cert_flows++;
	if (e->host_name[0] == '\0' && r->server_name[0] &&
	    strlen(r->server_name) < sizeof(e->host_name)) {
		memcpy(e->host_name, r->server_name, strlen(r->server_name) + 1);
		e->host_mismatch = !certs_host_matches(&e->t, e->host_name);
	}
	if (sni == NULL || sni[0] == '\0')
		return;
	e->sni_flows++;
	if (certs_name_matches(&e->t, sni))
		return;
	if (e->mismatch_flows++ == 0)
		strncpy(e->mismatch_sni, sni, sizeof(e->mismatch_sni) - 1);
}

void certs_add(struct certs *c, const struct flow_record *r)
{
	struct cert_entry *e;

	if (c == NULL || !r->dpi || (!r->tls &&
	    !record_name(r, REC_TLS_VERSION) && !record_name(r, REC_JA3)))
		return;
	c->cc.handshakes++;
	if (!r->tls || !r->tls_facts.cert) {
		if (r->tls && r->tls_facts.version == TLS13)
			c->cc.tls13++;
		else
			c->cc.no_cert++;
		return;
	}
	c->cc.with_cert++;
	if ((e = entry_of(c, r)) != NULL)
		entry_use(e, r);
}

/* Whether pattern (a certificate name of n bytes) covers host. */
static bool name_covers(const char *pat, size_t n, const char *host)
{
	size_t hl = strlen(host);
	const char *dot;

	if (n == hl && strncasecmp(pat, host, n) == 0)
		return true;
	if (n < 3 || pat[0] != '*' || pat[1] != '.')
		return false;
	dot = strchr(host, '.');             /* "*.a.b" covers "x.a.b" */
	return dot != NULL && dot != host && (size_t)(host + hl - dot) == n - 1 &&
	       strncasecmp(pat + 1, dot, n - 1) == 0;
}

/* The subject's CN in nDPI's "C=.., CN=name, .." (n: its length). */
static const char *subject_cn(const char *dn, size_t *n)
{
	for (const char *p = dn; (p = strstr(p, "CN=")) != NULL; p += 3)
		if (p == dn || p[-1] == ' ' || p[-1] == ',') {
			*n = strcspn(p + 3, ",");
			return p + 3;
		}
	return NULL;
}

bool certs_name_matches(const struct inspect_tls *t, const char *host)
{
	const char *cn;
	size_t n;

	if (t->names[0] == '\0') {
		cn = subject_cn(t->subject, &n);
		return cn != NULL && name_covers(cn, n, host);
	}
	for (const char *p = t->names; *p;) {
		n = strcspn(p, ",");
		if (n && name_covers(p, n, host))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

bool certs_host_matches(const struct inspect_tls *t, const char *name)
{
	size_t hl = strlen(name), n;
	const char *p = t->names;

	if (strchr(name, '.') != NULL)
		return certs_name_matches(t, name);
	if (*p == '\0' && (p = subject_cn(t->subject, &n)) != NULL)
		return (n > 1 && p[0] == '*' && p[1] == '.') ||
		       (strcspn(p, ".,") == hl && strncasecmp(p, name, hl) == 0);
	for (; p != NULL && *p;) {
		n = strcspn(p, ",");
		if (n > 1 && p[0] == '*' && p[1] == '.')
			return true;
		if (strcspn(p, ".,") == hl && strncasecmp(p, name, hl) == 0)
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* ------------------------------------------------------------ findings */

/* The findings of one entry alone (capture end: end_s, seconds). */
static uint32_t own_findings(const struct cert_entry *e, int64_t end_s,
			     unsigned warn_days)
{
	uint32_t f = 0;
	int64_t first_s = (int64_t)(e->first_us / 1000000u);
	int64_t last_s = (int64_t)(e->last_us / 1000000u);

	if (e->t.not_after == 0)
		;                            /* validity not read: no finding */
	else if (e->t.not_after < last_s)
		f |= 1u << CERT_EXPIRED;
	else if (e->t.not_after - end_s < (int64_t)warn_days * 86400)
		f |= 1u << CERT_EXPIRES_SOON;
	if (e->t.not_before != 0 && e->t.not_before > first_s)
		f |= 1u << CERT_NOT_YET_VALID;
	if (e->t.subject[0] && strcmp(e->t.subject, e->t.issuer) == 0)
		f |= 1u << CERT_SELF_SIGNED;
	if (e->mismatch_flows || e->host_mismatch)
		f |= 1u << CERT_NAME_MISMATCH;
	if (e->min_version >= 0x0300 && e->min_version < 0x0303)
		f |= 1u << CERT_OBSOLETE_TLS;
	if (e->weak)
		f |= 1u << CERT_WEAK_CIPHER;
	return f;
}

/* Rotation and pool findings: pairs of entries with other fingerprints
 * on the same server, or on another server of the same role and port.
 * Counted by groups, not pair by pair (the table holds up to CERTS_MAX
 * entries: 8M pairs): each entry's group is sorted together, its
 * fingerprint's run within it, and the group's size less the run's is the
 * number of entries of the group with another fingerprint. */

static int fp_cmp(const struct cert_entry *a, const struct cert_entry *b)
{
	return memcmp(a->t.sha1, b->t.sha1, 20);
}

/* The server: address, version, port, protocol. */
static int server_cmp(const struct cert_entry *a, const struct cert_entry *b)
{
	int d = memcmp(a->addr, b->addr, 16);

	if (d == 0)
		d = (int)a->ipver - (int)b->ipver;
	if (d == 0)
		d = (int)a->port - (int)b->port;
	return d ? d : (int)a->l4 - (int)b->l4;
}

/* The pool: role, port, protocol (entries with a role only). */
static int pool_cmp(const struct cert_entry *a, const struct cert_entry *b)
{
	int d = strcmp(a->role, b->role);

	if (d == 0)
		d = (int)a->port - (int)b->port;
	return d ? d : (int)a->l4 - (int)b->l4;
}

static int pool_server_cmp(const struct cert_entry *a,
			   const struct cert_entry *b)
{
	int d = pool_cmp(a, b);

	return d ? d : server_cmp(a, b);
}

typedef int (*group_fn)(const struct cert_entry *, const struct cert_entry *);

#define SORT_BY(name, grp)                                                  \
	static int name(const void *x, const void *y)                       \
	{                                                                   \
		const struct cert_entry *a = *(const struct cert_entry *const *)x; \
		const struct cert_entry *b = *(const struct cert_entry *const *)y; \
		int d = grp(a, b);                                          \
		return d ? d : fp_cmp(a, b);                                \
	}
SORT_BY(by_server, server_cmp)
SORT_BY(by_pool, pool_cmp)
SORT_BY(by_pool_server, pool_server_cmp)

/* For the n entries at p (sorted by `sort`, whose order is `grp`, then
 * the fingerprint): out[entry index] = the entries of its group with
 * another fingerprint. */
static void other_fps(const struct cert_entry **p, uint32_t n,
		      int (*sort)(const void *, const void *), group_fn grp,
		      const struct cert_entry *base, uint32_t *out)
{
	qsort(p, n, sizeof(*p), sort);
	for (uint32_t s = 0, t; s < n; s = t) {
		for (t = s + 1; t < n && grp(p[s], p[t]) == 0; t++)
			;
		for (uint32_t u = s, v; u < t; u = v) {
			for (v = u + 1; v < t && fp_cmp(p[u], p[v]) == 0; v++)
				;
			for (uint32_t k = u; k < v; k++)
				out[p[k] - base] = (t - s) - (v - u);
		}
	}
}

/* Sets rotated_with, pool_others and their findings; false when out of
 * memory (none set). */
static bool pair_findings(struct cert_entry *e, uint32_t n)
{
	const struct cert_entry **p;
	uint32_t *srv, *pool, *both, m = 0;
	bool ok;

	if (n == 0)
		return true;
	p = malloc(n * sizeof(*p));
	srv = malloc(n * sizeof(*srv));
	pool = calloc(n, sizeof(*pool));
	both = calloc(n, sizeof(*both));
	if ((ok = p && srv && pool && both)) {
		for (uint32_t i = 0; i < n; i++)
			p[i] = &e[i];
		other_fps(p, n, by_server, server_cmp, e, srv);
		for (uint32_t i = 0; i < n; i++)
			if (e[i].role[0])
				p[m++] = &e[i];
		other_fps(p, m, by_pool, pool_cmp, e, pool);
		other_fps(p, m, by_pool_server, pool_server_cmp, e, both);
		for (uint32_t i = 0; i < n; i++) {
			e[i].rotated_with = srv[i];
			e[i].pool_others = pool[i] - both[i];
			if (srv[i])
				e[i].findings |= 1u << CERT_ROTATED;
			if (pool[i] > both[i])
				e[i].findings |= 1u << CERT_POOL_DIFFERS;
		}
	}
	free(p);
	free(srv);
	free(pool);
	free(both);
	return ok;
}

static int entry_cmp(const void *x, const void *y)
{
	const struct cert_entry *a = x, *b = y;
	int d = memcmp(a->addr, b->addr, 16);

	if (d == 0)
		d = (int)a->port - (int)b->port;
	if (d == 0)
		d = (int)a->l4 - (int)b->l4;
	return d ? d : memcmp(a->t.sha1, b->t.sha1, 20);
}

/* The slots again after the entries moved (sorted): adds may follow. */
static void reindex(struct certs *c)
{
	memset(c->slot, 0, sizeof(c->slot));
	for (uint32_t k = 0; k < c->n; k++) {
		const struct cert_entry *e = &c->e[k];
		uint32_t i = slot_of(e->addr, e->port, e->l4, e->t.sha1);

		while (c->slot[i])
			i = (i + 1) & (CERTS_SLOTS - 1);
		c->slot[i] = k + 1;
	}
}

const struct cert_entry *certs_finish(struct certs *c, uint64_t last_us,
				      unsigned warn_days, uint32_t *n,
				      struct certs_counts *cc)
{
	*n = 0;
	memset(cc, 0, sizeof(*cc));
	if (c == NULL)
		return NULL;
	*cc = c->cc;
	if (c->n == 0)
		return NULL;
	qsort(c->e, c->n, sizeof(*c->e), entry_cmp);
	reindex(c);
	for (uint32_t i = 0; i < c->n; i++) {
		c->e[i].rotated_with = c->e[i].pool_others = 0;
		c->e[i].findings = own_findings(&c->e[i],
						(int64_t)(last_us / 1000000u),
						warn_days);
	}
	(void)pair_findings(c->e, c->n);
	*n = c->n;
	return c->e;
}

/* ------------------------------------------------------------ names */

static const struct {
	const char *name, *text[LANG_N];
} finding[CERT_NFINDINGS] = {
	[CERT_EXPIRED] = { "expired", {
		"the certificate had expired when it was presented",
		"提示された時点で証明書の有効期限が切れていた" } },
	[CERT_EXPIRES_SOON] = { "expires_soon", {
		"the certificate expires within the warning period after the capture's last packet",
		"キャプチャ最終パケットから警告期間内に証明書の有効期限が切れる" } },
	[CERT_NOT_YET_VALID] = { "not_yet_valid", {
		"the certificate was presented before its validity began",
		"有効期間の開始前に証明書が提示された" } },
	[CERT_SELF_SIGNED] = { "self_signed", {
		"the certificate is self-signed (subject and issuer are the same)",
		"自己署名証明書 (サブジェクトと発行者が同一)" } },
	[CERT_NAME_MISMATCH] = { "name_mismatch", {
		"a client asked for a name, or the inventory names the server by one, that the certificate does not carry",
		"クライアントが要求した名前、またはインベントリ上のサーバー名が証明書に含まれていない" } },
	[CERT_OBSOLETE_TLS] = { "obsolete_protocol", {
		"the server negotiated an obsolete protocol (SSL 3.0, TLS 1.0 or 1.1)",
		"サーバーが旧式のプロトコル (SSL 3.0、TLS 1.0、1.1) を使用した" } },
	[CERT_WEAK_CIPHER] = { "weak_cipher", {
		"the server chose a cipher suite nDPI rates weak or insecure",
		"サーバーが nDPI の評価で弱いまたは安全でない暗号スイートを選択した" } },
	[CERT_ROTATED] = { "rotated", {
		"this server presented more than one certificate on this port during the capture",
		"このサーバーはキャプチャ中にこのポートで複数の証明書を提示した" } },
	[CERT_POOL_DIFFERS] = { "pool_differs", {
		"another server of the same role and port presented a different certificate",
		"同じ役割・ポートの別サーバーが異なる証明書を提示した" } },
};

const char *certs_finding_name(enum cert_finding f)
{
	return (unsigned)f < CERT_NFINDINGS ? finding[f].name : "?";
}

const char *certs_finding_text(enum cert_finding f, enum lang lang)
{
	if ((unsigned)f >= CERT_NFINDINGS || (unsigned)lang >= LANG_N)
		return "?";
	return finding[f].text[lang];
}

const char *certs_sha1_hex(const uint8_t sha1[20], char out[41])
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < 20; i++) {
		out[2 * i] = hx[sha1[i] >> 4];
		out[2 * i + 1] = hx[sha1[i] & 15];
	}
	out[40] = '\0';
	return out;
}

const char *certs_time(int64_t sec, char buf[32])
{
	char t[TEXTFMT_TIME_LEN + 8];
	size_t n = textfmt_time((uint64_t)(sec < 0 ? 0 : sec) * 1000000u, t,
				sizeof(t));

	if (n > 8 && n < 32 && t[n - 8] == '.')
		n -= 8;                          /* drop ".000000" */
	memcpy(buf, t, n);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] != 'Z' && n < 31) {
		buf[n] = 'Z';
		buf[n + 1] = '\0';
	}
	return buf;
}

const char *certs_finding_evidence(const struct cert_entry *e,
				   enum cert_finding f, uint64_t end_us,
				   char *buf, size_t len)
{
	char a[32], b[32];
	int64_t end_s = (int64_t)(end_us / 1000000u);

	switch (f) {
	case CERT_EXPIRED:
		snprintf(buf, len, "not_after %s, last seen %s",
			 certs_time(e->t.not_after, a),
			 certs_time((int64_t)(e->last_us / 1000000u), b));
		break;
	case CERT_EXPIRES_SOON:
		snprintf(buf, len, "not_after %s, %" PRId64 " days after the last packet %s",
			 certs_time(e->t.not_after, a),
			 (e->t.not_after - end_s) / 86400, certs_time(end_s, b));
		break;
	case CERT_NOT_YET_VALID:
		snprintf(buf, len, "not_before %s, first seen %s",
			 certs_time(e->t.not_before, a),
			 certs_time((int64_t)(e->first_us / 1000000u), b));
		break;
	case CERT_SELF_SIGNED:
		snprintf(buf, len, "subject = issuer = %s", e->t.subject);
		break;
	case CERT_NAME_MISMATCH:
		if (e->mismatch_flows && e->host_mismatch)
			snprintf(buf, len, "sni %s in %" PRIu64 " of %" PRIu64
				 " flows; inventory name %s", e->mismatch_sni,
				 e->mismatch_flows, e->sni_flows, e->host_name);
		else if (e->mismatch_flows)
			snprintf(buf, len, "sni %s in %" PRIu64 " of %" PRIu64
				 " flows", e->mismatch_sni, e->mismatch_flows,
				 e->sni_flows);
		else
			snprintf(buf, len, "inventory name %s", e->host_name);
		break;
	case CERT_OBSOLETE_TLS:
		snprintf(buf, len, "version 0x%04x", (unsigned)e->min_version);
		break;
	case CERT_WEAK_CIPHER:
		snprintf(buf, len, "cipher 0x%04x rated %s", (unsigned)e->t.cipher,
			 e->weak == 1 ? "weak" : "insecure");
		break;
	case CERT_ROTATED:
		snprintf(buf, len, "%u other certificate(s) on this server and port",
			 (unsigned)e->rotated_with);
		break;
	default:
		snprintf(buf, len, "%u other certificate(s) on servers of role %s",
			 (unsigned)e->pool_others, e->role);
		break;
	}
	return buf;
}
