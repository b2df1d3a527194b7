/* eve_flow.c: the "flow" event of a record (see eve.h), written straight
 * into the record's buffer.
 *
 * A flow event has one shape: its keys, their order and the punctuation
 * between them are known here, so they are written as constant runs (one
 * copy each, joined where adjacent) through a pointer, without the comma
 * bookkeeping of jsonw's calls.  Room is made per part, for the most that
 * part can write (JW_STR_MAX for an escaped string, JW_DOUBLE_MAX for a
 * number with decimals).  Each rule's label object is serialised once per
 * ruleset; the runs that name only table values (a key, the name, the
 * punctuation around), the time up to the second, IPv6 addresses' text,
 * the wire checks' detail and the Community ID are kept between records
 * (each copied whole, at a fixed size: the room has the spare bytes).
 * The output is byte for byte what the jsonw calls wrote (tests/golden,
 * tests/test_eve.c).
 */
#include <stdlib.h>
#include <string.h>

#include "inspect/wire/wire.h"
#include "output/communityid.h"
#include "output/eve.h"
#include "output/sink.h"
#include "util/jsonw.h"
#include "util/textfmt.h"

/* A literal run at p; the new end. */
#define LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) + sizeof(s) - 1)
/* A key (a literal) and its number after a comma. */
#define KU64(p, k, v) jw_put_u64(LIT((p), ",\"" k "\":"), (v))
#define KI64(p, k, v) jw_put_i64(LIT((p), ",\"" k "\":"), (v))

/* The parts of a kept run: literals and names, joined as they are. */
#define RUN_PARTS 5

/* c filled with the parts joined, or marked EVE_NAME_LONG. */
static void run_fill(struct eve_name *c, const char *const part[RUN_PARTS])
{
	size_t n = 0;

	for (int i = 0; i < RUN_PARTS; i++) {
		size_t k = strlen(part[i]);

		if (n + k > sizeof(c->s)) {
			c->len = EVE_NAME_LONG;
			return;
		}
		memcpy(c->s + n, part[i], k);
		n += k;
	}
	c->len = (uint8_t)n;
}

/* The parts joined at p: the way of a run that is not kept. */
static char *put_parts(char *p, const char *const part[RUN_PARTS])
{
	for (int i = 0; i < RUN_PARTS; i++) {
		size_t k = strlen(part[i]);

		memcpy(p, part[i], k);
		p += k;
	}
	return p;
}

/* c's run at p (room: sizeof(c->s), all copied; c->len set and not
 * EVE_NAME_LONG). */
static inline char *put_kept(char *p, const struct eve_name *c)
{
	memcpy(p, c->s, sizeof(c->s));
	return p + c->len;
}

/* Whether c holds its run (filled now from its parts when empty). */
static inline bool kept(struct eve_name *c, const char *const part[RUN_PARTS])
{
	if (c->len == 0)
		run_fill(c, part);
	return c->len != EVE_NAME_LONG;
}

/* The run of value v of table tab (an array of struct eve_name), kept
 * there at first use; its RUN_PARTS parts (literals, names) are evaluated
 * only then (or for a value past the table, or a run too long to keep). */
#define PUT_RUN(p, tab, v, ...)                                         \
	((size_t)(v) < sizeof(tab) / sizeof((tab)[0]) &&                 \
	 ((tab)[(v)].len != 0 ? (tab)[(v)].len != EVE_NAME_LONG :         \
	  kept(&(tab)[(v)], (const char *const[RUN_PARTS]){ __VA_ARGS__ })) ? \
	 put_kept((p), &(tab)[(v)]) :                                    \
	 put_parts((p), (const char *const[RUN_PARTS]){ __VA_ARGS__ }))

/* The bytes written so far taken in, and room for n more: the new write
 * position, or NULL when out of memory (the record is then lost). */
static char *room(struct jsonw *w, char *p, size_t n)
{
	jw_commit(w, p);
	return jw_room(w, n);
}

/* ------------------------------------------------------------ labels */

static void cache_free(struct label_cache *lc)
{
	for (int i = 0; lc->json && i < lc->nrules; i++)
		free(lc->json[i]);
	free(lc->json);
	free(lc->len);
	memset(lc, 0, sizeof(*lc));
}

void eve_label_caches_free(struct eve *e)
{
	cache_free(&e->labels[0]);
	cache_free(&e->labels[1]);
}

static void json_label(const struct eve *e, struct jsonw *w,
		       const struct ruleset *rs, const struct rule *r)
{
	char ports[64], loc[300];
	int l = (int)e->lang;

	rule_ports_format(r, ports, sizeof(ports));
	sink_rule_location(rs, r, loc, sizeof(loc));
	jw_obj_begin(w);
	JW_KSTR(w, "table", rule_table_name(r->table));
	JW_KSTR(w, "role", r->text[TEXT_ROLE][l]);
	JW_KSTR(w, "role_key", rs->roles[r->role].key);
	JW_KSTR(w, "service", r->text[TEXT_SERVICE][l]);
	JW_KSTR(w, "port", ports);
	JW_KSTR(w, "protocol", r->text[TEXT_PROTOCOL][l]);
	JW_KSTR(w, "app", rule_app_name(r->app));
	JW_KSTR(w, "status", rule_status_name(r->status));
	if (e->notes)
		JW_KSTR(w, "note", r->text[TEXT_NOTE][l]);
	JW_KSTR(w, "id", r->id);
	JW_KSTR(w, "rule", loc);
	if (r->fallback) {
		JW_KEY(w, "fallback");
		jw_bool(w, true);
	}
	jw_obj_end(w);
}

/* The cache of rs: found, or a slot taken over for it (NULL when out of
 * memory: labels are then serialised each time). */
static struct label_cache *cache_of(struct eve *j,
				    const struct ruleset *rs)
{
	struct label_cache *lc;

	for (int k = 0; k < 2; k++)
		if (j->labels[k].serial == rs->serial)
			return &j->labels[k];
	lc = &j->labels[j->next_cache];
	j->next_cache ^= 1;
	cache_free(lc);
	lc->json = calloc((size_t)rs->nrules + 1, sizeof(*lc->json));
	lc->len = calloc((size_t)rs->nrules + 1, sizeof(*lc->len));
	lc->serial = rs->serial;
	lc->nrules = rs->nrules;
	if (lc->json == NULL || lc->len == NULL) {
		cache_free(lc);
		return NULL;
	}
	return lc;
}

/* The label object of rule idx into tmp (jw_init'ed; the caller frees). */
static void label_serialise(const struct eve *e, struct jsonw *tmp,
			    const struct ruleset *rs, uint32_t idx)
{
	jw_init(tmp);
	json_label(e, tmp, rs, &rs->rules[idx]);
}

/* The object json[0..len) (ending in '}') with the flow's support added
 * at its end, at p (room: len + LABEL_TAIL_MAX, the comma after it
 * included). */
#define LABEL_TAIL_MAX 32
static char *put_label(char *p, const char *json, size_t len, enum support sup)
{
	/* each copied whole (a fixed size: no call), its length taken */
	static const struct { char m[24]; size_t n; } tail[] = {
		[SUPPORT_PORT] = { "\"support\":\"port\"}", sizeof("\"support\":\"port\"}") - 1 },
		[SUPPORT_HOST] = { "\"support\":\"host\"}", sizeof("\"support\":\"host\"}") - 1 },
		[SUPPORT_INVENTORY] = { "\"support\":\"inventory\"}",
					sizeof("\"support\":\"inventory\"}") - 1 },
	};

	if (len < 2 || json[len - 1] != '}') {
		memcpy(p, json, len);
		return p + len;
	}
	memcpy(p, json, len - 1);
	p += len - 1;
	if (len > 2)
		*p++ = ',';
	memcpy(p, tail[sup].m, sizeof(tail[sup].m));
	return p + tail[sup].n;
}

/* The label of rule idx of rs, from the cache (filled on first use). */
static char *json_label_cached(struct eve *e, char *p, const struct ruleset *rs,
			       uint32_t idx, enum support sup)
{
	struct label_cache *lc = cache_of(e, rs);
	struct jsonw tmp;

	if (lc && lc->json[idx] == NULL) {
		label_serialise(e, &tmp, rs, idx);
		if (!tmp.oom && (lc->json[idx] = malloc(tmp.len + 1)) != NULL) {
			memcpy(lc->json[idx], tmp.buf, tmp.len);
			lc->json[idx][tmp.len] = '\0';
			lc->len[idx] = (uint32_t)tmp.len;
		}
		jw_free(&tmp);
	}
	if (lc != NULL && lc->json[idx] != NULL) {
		if ((p = room(&e->jw, p, lc->len[idx] + LABEL_TAIL_MAX)) == NULL)
			return NULL;
		return put_label(p, lc->json[idx], lc->len[idx], sup);
	}
	label_serialise(e, &tmp, rs, idx);
	if (tmp.oom)
		e->jw.oom = true;       /* the record is lost */
	if (!tmp.oom && (p = room(&e->jw, p, tmp.len + LABEL_TAIL_MAX)) != NULL)
		p = put_label(p, tmp.buf, tmp.len, sup);
	else
		p = NULL;
	jw_free(&tmp);
	return p;
}

/* ------------------------------------------------------------ head */

/* Whether slot c holds the Community ID of r's flow. */
static bool cid_kept(const struct eve_cid *c, const struct flow_record *r)
{
	return c->used && c->id == r->id &&
	       memcmp(&c->key, &r->key, sizeof(r->key)) == 0;
}

_Static_assert(EVE_CID_SLOTS % 64 == 0, "cid_batch's bitmap of slots");

/* The Community IDs of r and of the records queued after it (up to
 * EVE_CID_BATCH in all) whose slots are free for them, computed at once
 * (communityid_many: eight digests at a time where the CPU allows), r's
 * stored last. */
static void cid_batch(struct eve *e, const struct flow_record *r)
{
	const struct flow_record *next[EVE_CID_BATCH - 1], *rec[EVE_CID_BATCH];
	const struct flow_key *keys[EVE_CID_BATCH];
	char out[EVE_CID_BATCH][COMMUNITY_ID_LEN];
	uint64_t taken[EVE_CID_SLOTS / 64] = { 0 };   /* slots of the batch */
	unsigned m = 0, rs = (unsigned)(r->id % EVE_CID_SLOTS);
	int n = 0;

	if (e->ahead != NULL && communityid_batches())
		m = e->ahead(e->ahead_ctx, next, EVE_CID_BATCH - 1);
	taken[rs / 64] |= 1ull << rs % 64;
	for (unsigned i = 0; i < m; i++) {
		unsigned slot = (unsigned)(next[i]->id % EVE_CID_SLOTS);

		if (taken[slot / 64] >> slot % 64 & 1 ||
		    cid_kept(&e->cids[slot], next[i]))
			continue;
		taken[slot / 64] |= 1ull << slot % 64;
		rec[n] = next[i];
		keys[n++] = &next[i]->key;
	}
	rec[n] = r;
	keys[n++] = &r->key;
	communityid_many(keys, n, 0, out);     /* on the writer thread */
	for (int j = 0; j < n; j++) {
		struct eve_cid *c = &e->cids[rec[j]->id % EVE_CID_SLOTS];

		c->id = rec[j]->id;
		c->key = rec[j]->key;
		c->used = true;
		memcpy(c->cid, out[j], COMMUNITY_ID_LEN);
	}
}

/* The Community ID of r's flow: computed at its first record (with those
 * of the records queued after it), reused by the next ones (the same flow
 * id and key). */
static const char *flow_cid(struct eve *e, const struct flow_record *r)
{
	struct eve_cid *c = &e->cids[r->id % EVE_CID_SLOTS];

	if (!cid_kept(c, r))
		cid_batch(e, r);
	return c->cid;
}

/* The text of address a at p (room: 48 bytes, all written): IPv4
 * directly, IPv6 through e's memo (its text costs some hundred
 * instructions). */
static char *put_addr(struct eve *e, char *p, const uint8_t *a, int ipver)
{
	uint64_t x, y;
	struct eve_addr *c;

	if (ipver != 6)
		return textfmt_put_addr(p, a, ipver);
	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	c = &e->addrs[((x ^ y * 0x9E3779B97F4A7C15ull) * 0xFF51AFD7ED558CCDull) >>
		      (64 - EVE_ADDR_BITS)];
	if (!c->used || c->x != x || c->y != y) {
		char *end = textfmt_put_addr(c->text, a, 6);

		c->x = x;
		c->y = y;
		c->used = true;
		c->len = (uint8_t)(end - c->text);
	}
	memcpy(p, c->text, sizeof(c->text));
	return p + c->len;
}

/* A time as a string value. */
static char *put_time(struct eve *e, char *p, uint64_t us)
{
	*p++ = '"';
	p = textfmt_put_time(&e->tc, us, p);
	*p++ = '"';
	return p;
}

/* The timestamp's text again (the record's last time), from where
 * json_head wrote it at the start of the record (room: TS_COPY). */
#define TS_COPY 32
static char *put_same_time(const struct eve *e, char *p)
{
	const char *ts = e->jw.buf + e->jw.len + sizeof("{\"timestamp\":") - 1;

	if (e->ts_len <= TS_COPY)
		memcpy(p, ts, TS_COPY);
	else
		memcpy(p, ts, e->ts_len);
	return p + e->ts_len;
}

/* From "timestamp" to "proto" (room: HEAD_MAX). */
#define HEAD_MAX 512
static char *json_head(struct eve *e, const struct flow_record *r, char *p)
{
	const char *ts;

	p = LIT(p, "{\"timestamp\":");
	ts = p;
	p = put_time(e, p, r->last_us);
	e->ts_len = (uint8_t)(p - ts);
	p = KU64(p, "flow_id", r->id);
	p = LIT(p, ",\"event_type\":\"flow\"");
	if (r->nvlan) {
		p = LIT(p, ",\"vlan\":[");
		for (int i = 0; i < r->nvlan && i < 2; i++) {
			if (i)
				*p++ = ',';
			p = jw_put_u64(p, r->vlan[i]);
		}
		*p++ = ']';
	}
	p = LIT(p, ",\"src_ip\":\"");
	p = put_addr(e, p, r->client_addr, r->ipver);
	p = LIT(p, "\",\"src_port\":");
	p = jw_put_u64(p, r->client_port);
	p = LIT(p, ",\"dest_ip\":\"");
	p = put_addr(e, p, r->server_addr, r->ipver);
	p = LIT(p, "\",\"dest_port\":");
	p = jw_put_u64(p, r->server_port);
	if (r->l4 == L4_TCP)
		return LIT(p, ",\"proto\":\"TCP\"");
	return LIT(p, ",\"proto\":\"UDP\"");
}

/* EVE's flow.reason: why a record was written. */
static const char *why_name(enum flow_end why)
{
	return why == END_EVICTED ? "evicted" : flow_end_name(why);
}

/* From "community_id" to the end of "flow" (room: FLOW_MAX). */
#define FLOW_MAX 512
static char *json_counters(struct eve *e, const struct flow_record *r, char *p)
{
	enum flow_end why = (enum flow_end)r->why;
	enum flow_state state = (enum flow_state)r->state;

	p = LIT(p, ",\"community_id\":");
	p = jw_put_plain(p, flow_cid(e, r), COMMUNITY_ID_LEN - 1);
	p = LIT(p, ",\"flow\":{\"pkts_toserver\":");
	p = jw_put_u64(p, r->pkts_toserver);
	p = KU64(p, "pkts_toclient", r->pkts_toclient);
	p = KU64(p, "bytes_toserver", r->bytes_toserver);
	p = KU64(p, "bytes_toclient", r->bytes_toclient);
	p = LIT(p, ",\"start\":");
	p = put_time(e, p, r->first_us);
	p = LIT(p, ",\"end\":");
	p = put_same_time(e, p);
	p = KU64(p, "age", (r->last_us - r->first_us) / 1000000);
	if (r->state < 4)
		return PUT_RUN(p, e->names.end[r->state], r->why,
			       ",\"state\":\"", flow_state_name(state),
			       "\",\"reason\":\"", why_name(why), "\"}");
	return put_parts(p, (const char *const[RUN_PARTS]){
			 ",\"state\":\"", flow_state_name(state),
			 "\",\"reason\":\"", why_name(why), "\"}" });
}

/* ------------------------------------------------------------ lync */

/* The wire checks' detail of ar (wire_detail's text depends on its
 * detail code and argument alone), through e's memo. */
static const struct eve_detail *detail_of(struct eve *e,
					  const struct wire_result *wr)
{
	unsigned i = ((wr->arg ^ (uint32_t)wr->detail << 24) * 0x9E3779B1u) >> 26;
	struct eve_detail *d = &e->details[i % EVE_DETAIL_SLOTS];

	if (!d->used || d->detail != wr->detail || d->arg != wr->arg) {
		wire_detail(wr, d->text, sizeof(d->text));
		d->len = (uint8_t)strlen(d->text);
		d->detail = wr->detail;
		d->arg = wr->arg;
		d->used = true;
	}
	return d;
}

/* ',"evidence":{"app":' with audit_evidence_app's name of ar and the
 * key "by", kept by the two fields it reads (the wire checks' protocol
 * and nDPI's class). */
static char *put_evidence_app(struct eve *e, char *p,
			      const struct audit_result *ar)
{
	if (ar->wire.proto < WIRE_N)
		return PUT_RUN(p, e->names.app[ar->wire.proto], ar->seen,
			       ",\"evidence\":{\"app\":\"", audit_evidence_app(ar),
			       "\",\"by\":", "", "");
	return put_parts(p, (const char *const[RUN_PARTS]){
			 ",\"evidence\":{\"app\":\"", audit_evidence_app(ar),
			 "\",\"by\":", "", "" });
}

/* From "verdict" to "server_side_by" (room: VERDICT_MAX). */
#define VERDICT_MAX (JW_STR_MAX(AUDIT_REASON_MAX) + 1024)
static char *json_verdict(struct eve *e, const struct flow_record *r, char *p)
{
	const struct audit_result *ar = &r->audit;
	const struct eve_detail *d = detail_of(e, &ar->wire);
	size_t n = ar->reason_len;
	bool first = true;

	p = PUT_RUN(p, e->names.verdict, ar->verdict, ",\"verdict\":\"",
		    verdict_name(ar->verdict), "\",\"flags\":[", "", "");
	for (uint32_t f = ar->flags & ((1u << FLAG_N) - 1); f; f &= f - 1) {
		if (!first)
			*p++ = ',';
		first = false;
		p = PUT_RUN(p, e->names.flag, __builtin_ctz(f), "\"",
			    audit_flag_name(__builtin_ctz(f)), "\"", "", "");
	}
	p = LIT(p, "],\"reason\":");
	p = ar->reason_plain ? jw_put_plain(p, ar->reason, n) :
			       jw_put_str(p, ar->reason, n);
	if (r->nlabels)
		p = PUT_RUN(p, e->names.support, ar->support, ",\"support\":\"",
			    audit_support_name(ar->support), "\"", "", "");
	p = put_evidence_app(e, p, ar);
	p = PUT_RUN(p, e->names.by, ar->by, "\"",
		    audit_by_name((enum ev_by)ar->by), "\",\"packets\":", "", "");
	p = jw_put_u64(p, ar->wire.packets);
	p = LIT(p, ",\"detail\":");
	p = jw_put_plain(p, d->text, d->len);  /* literals and digits */
	return PUT_RUN(p, e->names.side_by, r->side_by, "},\"server_side_by\":\"",
		       side_by_name((enum side_by)r->side_by), "\"", "", "");
}

/* A name of nDPI's as an escaped string, or null. */
static char *put_name_or_null(char *p, const char *v)
{
	if (v == NULL)
		return LIT(p, "null");
	return jw_put_str(p, v, strlen(v));
}

/* nDPI's view: master, confidence, guess, risks and host, then the TLS
 * object (eve_json_tls, through jsonw's calls). */
static char *json_inspection(struct eve *e, const struct flow_record *r,
			     char *p)
{
	const char *guess, *host;

	if ((p = room(&e->jw, p, JW_STR_MAX(RECORD_NAMES_LEN) + 256)) == NULL)
		return NULL;
	p = LIT(p, ",\"app_master\":");
	p = put_name_or_null(p, record_name(r, REC_APP_MASTER));
	if (!r->dpi)
		return p;
	guess = record_name(r, REC_GUESS);
	host = record_name(r, REC_HOST);
	p = LIT(p, ",\"confidence\":");
	p = put_name_or_null(p, record_name(r, REC_CONFIDENCE));
	if (guess) {
		p = LIT(p, ",\"app_guess\":");
		p = jw_put_str(p, guess, strlen(guess));
	}
	p = LIT(p, ",\"ndpi_risks\":[");
	for (uint64_t bits = r->risks, first = 1; bits; bits &= bits - 1) {
		const char *name = inspect_risk_name((unsigned)__builtin_ctzll(bits));
		size_t n;

		if (name == NULL)
			continue;
		n = strlen(name);
		if ((p = room(&e->jw, p, JW_STR_MAX(n) + 8)) == NULL)
			return NULL;
		if (!first)
			*p++ = ',';
		first = 0;
		p = jw_put_str(p, name, n);
	}
	if ((p = room(&e->jw, p, JW_STR_MAX(RECORD_NAMES_LEN) + 16)) == NULL)
		return NULL;
	*p++ = ']';
	if (host) {
		p = LIT(p, ",\"ndpi_host\":");
		p = jw_put_str(p, host, strlen(host));
	}
	jw_commit(&e->jw, p);
	jw_resume(&e->jw, 2, false);    /* in "lync" */
	eve_json_tls(&e->jw, r);
	return jw_room(&e->jw, 0);
}

/* ------------------------------------------------------------ media */

static char *put_kdouble(char *p, const char *quoted, size_t qn, double v,
			 int dec)
{
	memcpy(p, quoted, qn);
	return jw_put_double(p + qn, v, dec);
}
#define KDOUBLE(p, k, v, dec) put_kdouble((p), ",\"" k "\":", \
					  sizeof(",\"" k "\":") - 1, (v), (dec))

/* What the endpoints reported in RTCP about one stream (room: 4 doubles
 * and 512). */
static char *json_rtcp(char *p, const struct media_stream_out *o)
{
	const struct media_rtcp_out *c = &o->rtcp;

	p = LIT(p, ",\"rtcp\":{\"reports\":");
	p = jw_put_u64(p, c->reports);
	p = KDOUBLE(p, "fraction_lost_pct", c->fraction_lost * 100.0 / 256.0, 1);
	p = KI64(p, "cumulative_lost", c->cum_lost);
	p = KU64(p, "jitter_ts", c->jitter_ts);
	if (o->clock_rate)
		p = KDOUBLE(p, "jitter_ms", c->jitter_ts * 1000.0 / o->clock_rate, 3);
	if (c->rtt_known)
		p = KDOUBLE(p, "rtt_ms", c->rtt_ms, 3);
	*p++ = '}';
	return p;
}

/* One RTP stream (inspect/media.h); direction as the record's (room:
 * STREAM_MAX). */
#define STREAM_MAX (13 * JW_DOUBLE_MAX + 1024)
static char *json_stream(char *p, const struct flow_record *r,
			 const struct media_stream_out *o)
{
	p = LIT(p, "{\"ssrc\":");
	p = jw_put_u64(p, o->ssrc);
	if (o->dir == r->toserver_dir)
		p = LIT(p, ",\"direction\":\"toserver\",\"packets\":");
	else
		p = LIT(p, ",\"direction\":\"toclient\",\"packets\":");
	p = jw_put_u64(p, o->packets);
	if (o->packets == 0) {          /* RTCP reports only */
		p = json_rtcp(p, o);
		*p++ = '}';
		return p;
	}
	p = KU64(p, "payload_type", o->pt);
	p = KU64(p, "clock_rate", o->clock_rate);
	if (o->clock_estimated)
		p = LIT(p, ",\"clock_estimated\":true,\"expected\":");
	else
		p = LIT(p, ",\"clock_estimated\":false,\"expected\":");
	p = jw_put_u64(p, o->expected);
	p = KI64(p, "lost", o->lost);
	p = KU64(p, "duplicates", o->duplicates);
	p = KU64(p, "reordered", o->reordered);
	p = KDOUBLE(p, "jitter_ms", o->jitter_ms, 3);
	p = KDOUBLE(p, "mean_jitter_ms", o->mean_jitter_ms, 3);
	p = KDOUBLE(p, "max_jitter_ms", o->max_jitter_ms, 3);
	p = KDOUBLE(p, "max_delta_ms", o->max_delta_ms, 3);
	p = LIT(p, ",\"bitrate_kbps\":{\"mean\":");
	p = jw_put_double(p, o->kbps_mean, 1);
	p = KDOUBLE(p, "peak", o->kbps_peak, 1);
	*p++ = '}';
	if (o->rtcp.reports)
		p = json_rtcp(p, o);
	if (o->packets >= 2) {
		p = KDOUBLE(p, "r_factor", o->r_factor, 1);
		p = KDOUBLE(p, "mos", o->mos, 2);
	}
	*p++ = '}';
	return p;
}

/* The media array, when the flow carried RTP/RTCP. */
static char *json_media(struct jsonw *w, const struct flow_record *r, char *p)
{
	if (r->media.n == 0)
		return p;
	for (int i = 0; i < r->media.n; i++) {
		if ((p = room(w, p, STREAM_MAX + 64)) == NULL)
			return NULL;
		p = i ? LIT(p, ",") : LIT(p, ",\"media\":[");
		p = json_stream(p, r, &r->media.s[i]);
	}
	*p++ = ']';
	if (r->media.capped) {
		p = KU64(p, "media_capped", r->media.capped);
	}
	return p;
}

/* The "lync" object and the record's end. */
static char *json_lync(struct eve *e, const struct flow_record *r, char *p)
{
	p = LIT(p, ",\"lync\":{\"labels\":[");
	for (int i = 0; i < r->nlabels && p; i++) {
		if (i)
			*p++ = ',';
		p = json_label_cached(e, p, r->rs, r->labels[i],
				      (enum support)r->audit.support);
	}
	if (p == NULL || (p = room(&e->jw, p, VERDICT_MAX)) == NULL)
		return NULL;
	*p++ = ']';
	p = json_verdict(e, r, p);
	if ((p = json_inspection(e, r, p)) == NULL ||
	    (p = json_media(&e->jw, r, p)) == NULL ||
	    (p = room(&e->jw, p, 2)) == NULL)
		return NULL;
	*p++ = '}';
	*p++ = '}';
	return p;
}

/* The record at p (room for the head). */
static char *json_record(struct eve *e, const struct flow_record *r, char *p)
{
	const char *app = record_name(r, REC_APP_PROTO);

	p = json_head(e, r, p);
	if (app) {
		p = LIT(p, ",\"app_proto\":");
		p = jw_put_str(p, app, strlen(app));
	}
	p = json_counters(e, r, p);
	return json_lync(e, r, p);
}

void eve_flow(struct eve *e, const struct flow_record *r)
{
	struct jsonw *w = &e->jw;
	size_t start;
	char *p;

	if (!e->append)
		jw_reset(w);
	start = w->len;
	p = jw_room(w, HEAD_MAX + JW_STR_MAX(RECORD_NAMES_LEN) + FLOW_MAX + 64);
	if (p != NULL && (p = json_record(e, r, p)) != NULL && !w->oom) {
		if (e->append)
			*p++ = '\n';   /* room: jw_room keeps 2 bytes spare */
		jw_commit(w, p);
	} else if (e->append) {
		w->len = start;         /* the records before stay whole */
		w->oom = false;
		e->lost++;
	}
}
