/* alert.c: rate-limited violation alerts on a stream and syslog.  A fixed
 * table of keys (seeded hash with chaining through indices, and a
 * least-recently-alerted list for replacement), allocated once.  See
 * alert.h for the lines written and the limits. */
#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>

#include "audit/alert.h"
#include "util/escape.h"
#include "util/hash.h"

#define NIL UINT32_MAX      /* no entry */
#define FLAG_NAME_MAX 32    /* bytes kept of a flag's name */

struct akey {
	uint8_t addr[16];   /* network order */
	uint16_t port;      /* host order */
	uint8_t l4, ipver, flag;
	uint8_t pad;        /* zero: keys are compared with memcmp */
};

struct aent {
	struct akey k;
	uint32_t hash;
	uint32_t hnext;         /* hash chain */
	uint32_t newer, older;  /* least-recently-alerted list */
	double last;            /* time of the key's last line, seconds */
	uint64_t pending;       /* alerts held back since that line */
	char flag[FLAG_NAME_MAX];
};

struct alerter {
	struct alert_cfg cfg;
	struct aent *ent;       /* cfg.max_keys entries */
	uint32_t *bucket;       /* nbuckets heads */
	uint32_t mask;          /* nbuckets - 1 */
	uint32_t used;          /* entries in use: ent[0..used) */
	uint32_t newest, oldest;
	double win_start;       /* max_lines window */
	unsigned win_lines;
	bool win_announced;
	uint64_t win_held;      /* rate-limited since the last rate-limit line */
	bool opened_log;
	struct alert_stats st;
};

/* ------------------------------------------------------------ writing */

/* Writes one line (without "lyncwatch: " and newline) to every sink. */
static void put_line(struct alerter *a, const char *text)
{
	FILE *f = a->cfg.stream;

	if (f && (fprintf(f, "lyncwatch: %s\n", text) < 0 || fflush(f) != 0)) {
		a->st.write_errors++;
		clearerr(f);
	}
	if (a->cfg.use_syslog)
		syslog(LOG_WARNING | a->cfg.facility, "%s", text);
}

static const char *proto_name(uint8_t l4, char *buf, size_t len)
{
	if (l4 == 6)
		return "TCP";
	if (l4 == 17)
		return "UDP";
	snprintf(buf, len, "proto-%u", l4);
	return buf;
}

/* "ALERT flag PROTO server:port: " into buf; returns its length. */
static size_t key_prefix(const struct aent *e, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?", proto[16];
	bool v6 = e->k.ipver == 6;
	int n;

	if ((e->k.ipver == 4 || v6) &&
	    inet_ntop(v6 ? AF_INET6 : AF_INET, e->k.addr, addr, sizeof(addr)) == NULL)
		snprintf(addr, sizeof(addr), "?");
	n = snprintf(buf, len, "ALERT %s %s %s%s%s:%u: ", e->flag,
		     proto_name(e->k.l4, proto, sizeof(proto)), v6 ? "[" : "",
		     addr, v6 ? "]" : "", e->k.port);
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

/* Copies at most room bytes of text into dst, escaped for a log line
 * (util/escape.h: controls, escape sequences and invalid UTF-8 as \xNN);
 * returns the bytes copied. */
static size_t copy_clean(char *dst, const char *text, size_t room)
{
	return strlen(esc_text(dst, room + 1, text));
}

/* The key's ALERT line: its prefix, text, and the held-back count. */
static void write_alert(struct alerter *a, const struct aent *e,
			const char *text, uint64_t held)
{
	char buf[ALERT_LINE_MAX], sfx[64] = "";
	size_t n = key_prefix(e, buf, sizeof(buf)), s;

	if (held)
		snprintf(sfx, sizeof(sfx), " (%llu similar suppressed)",
			 (unsigned long long)held);
	s = strlen(sfx);
	if (n + s < sizeof(buf) - 1)
		n += copy_clean(buf + n, text ? text : "", sizeof(buf) - 1 - n - s);
	memcpy(buf + n, sfx, s + 1);
	put_line(a, buf);
}

static void write_summary(struct alerter *a, const struct aent *e)
{
	char buf[ALERT_LINE_MAX];
	size_t n = key_prefix(e, buf, sizeof(buf));

	snprintf(buf + n, sizeof(buf) - n, "%llu similar suppressed in the last "
		 "interval", (unsigned long long)e->pending);
	put_line(a, buf);
	a->st.summaries++;
}

static void write_rate_summary(struct alerter *a)
{
	char buf[128];

	if (a->win_held == 0)
		return;
	snprintf(buf, sizeof(buf), "ALERT rate limit: %llu alerts not written "
		 "in the last interval", (unsigned long long)a->win_held);
	put_line(a, buf);
	a->win_held = 0;
}

/* ------------------------------------------------------------ limits */

static bool interval_passed(const struct alerter *a, double last, double now)
{
	return fabs(now - last) >= a->cfg.interval_s;
}

/* Whether one more ALERT line fits the max_lines window at now; counts it. */
static bool line_allowed(struct alerter *a, double now)
{
	char buf[128];

	if (a->cfg.max_lines == 0 || a->cfg.interval_s <= 0)
		return true;
	if (interval_passed(a, a->win_start, now)) {
		write_rate_summary(a);
		a->win_start = now;
		a->win_lines = 0;
		a->win_announced = false;
	}
	if (a->win_lines < a->cfg.max_lines) {
		a->win_lines++;
		return true;
	}
	if (!a->win_announced) {
		snprintf(buf, sizeof(buf), "ALERT rate limit: more than %u lines "
			 "in %g s; counting the rest", a->cfg.max_lines,
			 a->cfg.interval_s);
		put_line(a, buf);
		a->win_announced = true;
	}
	a->win_held++;
	a->st.rate_limited++;
	return false;
}

/* ------------------------------------------------------------ table */

static uint32_t key_hash(const struct alerter *a, const struct akey *k)
{
	uint64_t h = a->cfg.seed;

	h = hash_mix64(h ^ hash_load64(k->addr));
	h = hash_mix64(h ^ hash_load64(k->addr + 8));
	h = hash_mix64(h ^ ((uint64_t)k->flag << 32 | (uint64_t)k->ipver << 24 |
			    (uint64_t)k->l4 << 16 | k->port));
	return (uint32_t)h;
}

static struct aent *find(struct alerter *a, const struct akey *k, uint32_t h)
{
	for (uint32_t i = a->bucket[h & a->mask]; i != NIL; i = a->ent[i].hnext)
		if (a->ent[i].hash == h && memcmp(&a->ent[i].k, k, sizeof(*k)) == 0)
			return &a->ent[i];
	return NULL;
}

static uint32_t idx(const struct alerter *a, const struct aent *e)
{
	return (uint32_t)(e - a->ent);
}

static void lru_unlink(struct alerter *a, struct aent *e)
{
	if (e->newer != NIL)
		a->ent[e->newer].older = e->older;
	else
		a->newest = e->older;
	if (e->older != NIL)
		a->ent[e->older].newer = e->newer;
	else
		a->oldest = e->newer;
}

static void lru_push(struct alerter *a, struct aent *e)
{
	e->newer = NIL;
	e->older = a->newest;
	if (a->newest != NIL)
		a->ent[a->newest].newer = idx(a, e);
	a->newest = idx(a, e);
	if (a->oldest == NIL)
		a->oldest = idx(a, e);
}

static void hash_unlink(struct alerter *a, struct aent *e)
{
	uint32_t *p = &a->bucket[e->hash & a->mask];

	while (*p != idx(a, e))
		p = &a->ent[*p].hnext;
	*p = e->hnext;
}

/* Frees the least recently alerted entry, writing its held-back count. */
static struct aent *evict_oldest(struct alerter *a)
{
	struct aent *e = &a->ent[a->oldest];

	if (e->pending)
		write_summary(a, e);
	hash_unlink(a, e);
	lru_unlink(a, e);
	a->st.evicted++;
	return e;
}

static void copy_flag(char *dst, const char *name)
{
	size_t i = 0;

	for (; name && name[i] && i < FLAG_NAME_MAX - 1; i++) {
		unsigned char c = (unsigned char)name[i];

		dst[i] = (char)(c > 0x20 && c < 0x7f ? c : '?');
	}
	dst[i] = '\0';
	if (i == 0)
		snprintf(dst, FLAG_NAME_MAX, "?");
}

static struct aent *insert(struct alerter *a, const struct akey *k,
			   uint32_t h, const char *flag_name)
{
	struct aent *e = a->used < a->cfg.max_keys ? &a->ent[a->used++]
						   : evict_oldest(a);

	memset(e, 0, sizeof(*e));
	e->k = *k;
	e->hash = h;
	e->hnext = a->bucket[h & a->mask];
	a->bucket[h & a->mask] = idx(a, e);
	copy_flag(e->flag, flag_name);
	lru_push(a, e);
	return e;
}

/* ------------------------------------------------------------ API */

struct alerter *alert_new(const struct alert_cfg *cfg)
{
	struct alerter *a;
	size_t nb = 16;

	if (cfg == NULL || !(cfg->interval_s >= 0) || cfg->max_keys > ALERT_MAX_KEYS)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->cfg = *cfg;
	if (a->cfg.max_keys == 0)
		a->cfg.max_keys = ALERT_DEFAULT_MAX_KEYS;
	if (a->cfg.facility == 0)
		a->cfg.facility = LOG_DAEMON;
	while (nb < a->cfg.max_keys)
		nb *= 2;
	a->ent = calloc(a->cfg.max_keys, sizeof(*a->ent));
	a->bucket = malloc(nb * sizeof(*a->bucket));
	if (a->ent == NULL || a->bucket == NULL) {
		alert_free(a);
		return NULL;
	}
	memset(a->bucket, 0xff, nb * sizeof(*a->bucket)); /* all NIL */
	a->mask = (uint32_t)(nb - 1);
	a->newest = a->oldest = NIL;
	a->win_start = -INFINITY;
	if (a->cfg.use_syslog) {
		openlog("lyncwatch", LOG_PID | LOG_NDELAY, a->cfg.facility);
		a->opened_log = true;
	}
	return a;
}

void alert_violation(struct alerter *a, double now_s, int flag_bit,
		     const char *flag_name, int ipver, const uint8_t server[16],
		     uint16_t port, uint8_t l4, const char *line)
{
	struct akey k;
	struct aent *e;
	uint32_t h;

	memset(&k, 0, sizeof(k));
	memcpy(k.addr, server, ipver == 4 ? 4 : 16);
	k.port = port;
	k.l4 = l4;
	k.ipver = (uint8_t)ipver;
	k.flag = (uint8_t)flag_bit;
	h = key_hash(a, &k);
	e = find(a, &k, h);
	if (e && !interval_passed(a, e->last, now_s)) {
		e->pending++;
		a->st.suppressed++;
	} else if (!line_allowed(a, now_s)) {
		if (e)
			e->pending++;   /* its next line will say so */
		a->st.suppressed++;
	} else {
		if (e == NULL)
			e = insert(a, &k, h, flag_name);
		write_alert(a, e, line, e->pending);
		e->pending = 0;
		e->last = now_s;
		a->st.emitted++;
	}
	if (e) {
		lru_unlink(a, e);
		lru_push(a, e);
	}
}

void alert_flush(struct alerter *a, double now_s)
{
	if (a == NULL)
		return;
	for (uint32_t i = 0; i < a->used; i++) {
		struct aent *e = &a->ent[i];

		if (e->pending && interval_passed(a, e->last, now_s)) {
			write_summary(a, e);
			e->pending = 0;
			e->last = now_s;
		}
	}
	write_rate_summary(a);
}

void alert_get_stats(const struct alerter *a, struct alert_stats *out)
{
	*out = a->st;
	out->keys = a->used;
}

void alert_free(struct alerter *a)
{
	if (a == NULL)
		return;
	if (a->opened_log)
		closelog();
	free(a->ent);
	free(a->bucket);
	free(a);
}

int alert_facility_from_name(const char *name)
{
	static const struct { const char *name; int fac; } tab[] = {
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};

	for (size_t i = 0; name && i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(name, tab[i].name) == 0)
			return tab[i].fac;
	return -1;
}
