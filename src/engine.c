/* engine.c: one thread's pipeline, from raw packet to flow record. */
#include <stdlib.h>
#include <string.h>

#include "classify/classify.h"
#include "capture/decode.h"
#include "engine.h"
#include "inspect/inspect.h"
#include "inspect/media.h"
#include "inspect/wireflow.h"

#define EXPIRE_EVERY_US 1000000u /* sweep idle flows once a packet-second */

struct engine {
	struct engine_cfg cfg;
	const struct ruleset *rs;
	struct classifier cls;
	struct auditor aud;
	struct flow_table *ft;
	struct inspector *insp;      /* NULL without nDPI */
	struct learner *learner;     /* NULL without --learn-inventory */
	struct output *out;
	struct stats stats;
	uint64_t next_expire;        /* packet time of the next idle sweep */
	uint64_t wire_nomem;         /* flows the own checks could not follow */
	uint64_t media_nomem;        /* media blocks that could not be had */
	uint64_t media_blocks;       /* flows with a media block now */
	struct media_pool mpool;     /* their freed blocks and streams */
	enum verdict worst;
	struct inv_cache ic;         /* cls's memo of the inventory */
	struct label_memo lm;        /* cls's memo of label sets */
	struct reason_memo memo;     /* aud's memo of reason sentences */
	uint8_t may_mark[65536 / 8]; /* a bit a server port: some rule
				      * note_host marks for documents it */
};

static void lock(struct engine *e)
{
	if (e->cfg.lock)
		pthread_mutex_lock(e->cfg.lock);
}

static void unlock(struct engine *e)
{
	if (e->cfg.lock)
		pthread_mutex_unlock(e->cfg.lock);
}

/* A flow whose bytes confirm an exactly documented, product-specific
 * server port (not `shared`, not the client table) shows its server to be
 * a Lync server: its other documented ports are Lync traffic too. */
static void note_host(struct engine *e, const struct flow *f,
		      const struct label_set *ls, const struct audit_result *ar)
{
	uint16_t port = flow_server_port(f);

	if (e->cfg.hosts == NULL || ar->outcome != APP_CONFIRMED ||
	    !ls->primary || ls->support == SUPPORT_INVENTORY)
		return;
	for (int i = 0; i < ls->n; i++) {
		const struct rule *r = &e->rs->rules[ls->rule[i]];

		if (r->table == TABLE_CLIENT || r->shared || r->fallback)
			continue;
		for (int k = 0; k < r->nports; k++)
			if (r->ports[k].lo == port && r->ports[k].hi == port) {
				hosts_mark(e->cfg.hosts, f->key.ipver,
					   flow_server_addr(f), f->key.l4, port,
					   ls->rule[i], f->first_us);
				return;
			}
	}
}

/* Whether nDPI, once the own checks have named f's application, still
 * reads something only it extracts: the names and hashes of a TLS
 * handshake, the host of an HTTP request. */
static bool wire_wants_metadata(const struct flow *f)
{
	switch (f->wire_detail) {
	case WD_TLS_CLIENT_HELLO:
	case WD_TLS_SERVER_HELLO:
	case WD_TLS_SSL2_HELLO:
	case WD_HTTP_REQUEST:
	case WD_HTTP_STATUS:
		return true;
	default:
		return false;
	}
}

/* Whether the own checks settled f as TLS records in line mid-stream. */
static bool wire_tls_midstream(const struct flow *f)
{
	return f->wire_proto != WIRE_NONE &&
	       (f->wire_detail == WD_TLS_APPDATA_MID ||
		f->wire_detail == WD_TLS_RECORDS_MID);
}

/* Fills e->may_mark from e->rs: the ports some rule documents exactly
 * that note_host would mark a host for (any table but the client one, not
 * shared, not a fallback). */
static void fill_may_mark(struct engine *e)
{
	memset(e->may_mark, 0, sizeof(e->may_mark));
	for (int i = 0; i < e->rs->nrules; i++) {
		const struct rule *r = &e->rs->rules[i];

		if (r->table == TABLE_CLIENT || r->shared || r->fallback)
			continue;
		for (int k = 0; k < r->nports; k++)
			if (r->ports[k].lo == r->ports[k].hi)
				e->may_mark[r->ports[k].lo / 8] |=
					(uint8_t)(1u << (r->ports[k].lo % 8));
	}
}

/* Whether an endpoint at addr:port may be marked at pos: note_host marks
 * the server of a flow whose server port is one fill_may_mark set, never
 * a server the inventory names (their labels' support is the
 * inventory's), and a mark changes nothing once the host has one from
 * before pos. */
static bool may_mark_end(const struct engine *e, const struct pkt *p,
			 uint16_t port, const uint8_t addr[16], uint64_t pos)
{
	return (e->may_mark[port / 8] & (1u << (port % 8))) &&
	       !classify_inv_server(&e->cls, p->ipver, addr) &&
	       !hosts_marked_below(e->cfg.hosts, p->ipver, addr, pos);
}

bool engine_may_mark(const struct engine *e, const struct pkt *p, uint64_t pos)
{
	return e->cfg.hosts != NULL &&
	       (may_mark_end(e, p, p->sport, p->src, pos) ||
		may_mark_end(e, p, p->dport, p->dst, pos));
}

/* The own checks have settled f: the bytes may say who serves, and may
 * show the server to be a Lync server.  A server port no rule could mark
 * for skips the labels and the audit (their lookups in the hosts table
 * would wait for the other engines, offline, for nothing). */
static void on_wire_settled(struct engine *e, struct flow *f)
{
	struct label_set ls;
	struct audit_result ar;
	uint16_t port;

	classify_wire_side(f, f->wire_client);
	port = flow_server_port(f);
	if (e->cfg.hosts == NULL || f->wire_proto == WIRE_NONE ||
	    !(e->may_mark[port / 8] & (1u << (port % 8))))
		return;
	classify_labels(&e->cls, f, &ls);
	audit_decide(&e->aud, f, &ls, NULL, &ar);
	note_host(e, f, &ls, &ar);
}

static void media_drop(struct engine *e, struct flow *f)
{
	if (f->media == NULL)
		return;
	media_free(f, &e->mpool);
	e->media_blocks--;
}

/* Writes the record of f: at its end (counted in the stats and the
 * learner), or as a forced periodic report of a long flow (not counted:
 * its end will be). */
static void report_flow(struct engine *e, struct flow *f, enum flow_end why)
{
	struct label_set ls;
	struct audit_result ar;
	struct inspect_view iv, *ivp = NULL;
	char ivbuf[INSPECT_VIEW_BUFLEN];
	struct flow_record own, *rec = &own;
	struct media_summary ms;
	bool want;

	ms.n = 0;
	ms.capped = 0;
	if (e->cfg.media)
		media_summarize(f, &e->cfg.media_limits, &ms);
	if (why != END_FORCED) {
		inspect_flow_end(e->insp, f);
		wireflow_end(f);
	}
	if (e->insp) {
		inspect_view(e->insp, f, &iv, ivbuf, sizeof(ivbuf));
		ivp = &iv;
	}
	classify_labels(&e->cls, f, &ls);
	audit_flow(&e->aud, f, &ls, ivp, &ar);
	audit_media(&e->aud, &ms, &ar);
	if (why != END_FORCED)
		note_host(e, f, &ls, &ar);
	f->verdict = (uint8_t)ar.verdict;
	if (ar.verdict > e->worst)
		e->worst = ar.verdict;
	if (why != END_FORCED)
		stats_flow(&e->stats, f, ls.rule, ls.n, &ar);
	want = output_wants_record(e->out, ivp);
	if (want) {
		if (e->cfg.record_slot && (rec = e->cfg.record_slot(e->cfg.record_ctx)) == NULL)
			rec = &own;
		record_fill(rec, f, why, e->rs, ls.rule, ls.n, &ar, ivp);
		record_server_name(rec, ls.server);
		record_media(rec, f, &ms);
	}
	lock(e);
	if (why != END_FORCED && e->learner)
		learn_flow(e->learner, f);
	if (want && e->cfg.on_record == NULL)
		output_flow(e->out, rec);
	unlock(e);
	if (want && e->cfg.on_record)
		e->cfg.on_record(e->cfg.record_ctx, rec);
	if (why != END_FORCED) {
		inspect_release(f);
		media_drop(e, f);
	}
}

/* Whether p of f may carry RTP/RTCP worth measuring: a UDP flow the own
 * checks have not settled yet (so a stream counts from its first packet),
 * or settled as RTP, RTCP or STUN (ICE checks precede the media on the
 * same 5-tuple), or left undecided after RTP was seen; a TCP flow settled
 * as RFC 4571-framed RTP/RTCP. */
static bool media_wanted(const struct flow *f, const struct pkt *p)
{
	bool udp = p->l4 == L4_UDP;

	if (!f->wire_done)
		return udp;
	switch (f->wire_proto) {
	case WIRE_RTP:
	case WIRE_RTCP:
		return true;
	case WIRE_STUN:
		return udp;
	case WIRE_NONE:
		return udp && f->media != NULL && !(f->wire_done >> 1);
	default:
		return false;
	}
}

/* Feeds p to f's media measurement: at most MEDIA_MAX_FLOWS flows have a
 * block at once; the packets of further flows are counted. */
static void media_feed(struct engine *e, struct flow *f, const struct pkt *p,
		       int dir)
{
	bool had;

	if (!e->cfg.media || p->payload_len == 0)
		return;
	if (!media_wanted(f, p)) {
		media_drop(e, f);
		return;
	}
	if (f->media == NULL && e->media_blocks >= MEDIA_MAX_FLOWS) {
		e->stats.media_limited++;
		return;
	}
	had = f->media != NULL;
	media_packet(f, p, dir, &e->mpool, &e->media_nomem);
	if (!had && f->media != NULL)
		e->media_blocks++;
}

static void on_flow_end(struct flow *f, enum flow_end why, void *ctx)
{
	report_flow(ctx, f, why);
}

/* Announces a violation of f if one is decided now (once per flow). */
static void maybe_alert(struct engine *e, struct flow *f)
{
	struct label_set ls;
	struct audit_result ar;
	struct inspect_view iv;
	char ivbuf[INSPECT_VIEW_BUFLEN];

	classify_labels(&e->cls, f, &ls);
	if (e->insp)
		inspect_view(e->insp, f, &iv, ivbuf, sizeof(ivbuf));
	/* Before inspection has ended, judge without nDPI's evidence. */
	audit_decide(&e->aud, f, &ls, e->insp && f->insp_done ? &iv : NULL, &ar);
	if (ar.verdict != VERDICT_VIOLATION)
		return;
	audit_reason(&e->aud, f, &ls, e->insp && f->insp_done ? &iv : NULL, &ar);
	f->flags |= FLOW_F_ALERTED;
	lock(e);
	e->cfg.on_alert(e->cfg.alert_ctx, f, &ar);
	unlock(e);
}

struct engine *engine_new(const struct engine_cfg *cfg, const struct ruleset *rs,
			  const struct portmatch *pm, const struct inventory *inv,
			  struct output *out, struct learner *learner)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->cfg = *cfg;
	e->rs = rs;
	fill_may_mark(e);
	e->out = out;
	e->learner = learner;
	e->cls = (struct classifier){ .rs = rs, .pm = pm, .inv = inv,
				      .hosts = cfg->hosts,
				      .strict_fallback = cfg->audit_all,
				      .ic = &e->ic, .lm = &e->lm };
	e->aud = (struct auditor){ .rs = rs, .inv = inv, .lang = cfg->lang,
				   .audit_all = cfg->audit_all, .memo = &e->memo };
	e->ft = flow_table_new(&cfg->ft, on_flow_end, e);
	if (e->ft == NULL || stats_init(&e->stats, rs)) {
		fprintf(stderr, "lyncwatch: out of memory\n");
		engine_free(e);
		return NULL;
	}
	if (cfg->dpi && (e->insp = inspect_new(cfg->dpi_budget)) == NULL) {
		fprintf(stderr, "lyncwatch: cannot initialise nDPI\n");
		engine_free(e);
		return NULL;
	}
	inspect_set_extra(e->insp, cfg->dpi_extra, cfg->dpi_extra_flows);
	inspect_set_max_states(e->insp, cfg->max_inspect);
	e->stats.wall_start = stats_now();
	return e;
}

void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	flow_table_free(e->ft);
	media_pool_clear(&e->mpool);
	inspect_free(e->insp);
	stats_free(&e->stats);
	free(e);
}

/* --dpi-scope audit: at a flow's first payload, marks it FLOW_F_NO_DPI when
 * nDPI's answer could not change its audit (its labels are known by then:
 * the server side is decided at the first packet or the SYN). */
static void skip_if_moot(struct engine *e, struct flow *f)
{
	struct label_set ls;

	classify_labels(&e->cls, f, &ls);
	if (!audit_needs_app(&e->aud, &ls))
		inspect_skip(e->insp, f);
}

void engine_prefetch_chain(const struct engine *e, uint32_t hash)
{
	flow_table_prefetch_chain(e->ft, hash);
}

void engine_prefetch(const struct engine *e, uint32_t hash)
{
	flow_table_prefetch(e->ft, hash);
}

void engine_prefetch_near(const struct engine *e, uint32_t hash)
{
	flow_table_prefetch_near(e->ft, hash);
}

void engine_prefetch_last(const struct engine *e, uint32_t hash,
			  const struct pkt *p)
{
	const struct flow *f;

	if (e->cfg.media && p->payload_len && (f = flow_table_peek(e->ft, hash)))
		media_prefetch(f, p);
}

int engine_packet(struct engine *e, int dlt, const struct raw_packet *rp)
{
	struct pkt p;
	enum decode_status st = decode_packet(dlt, rp->data, rp->caplen, rp->len, &p);

	return engine_decoded(e, rp, st, &p,
			      st == DECODE_OK ? flow_table_hash(e->ft, &p) : 0);
}

int engine_decoded(struct engine *e, const struct raw_packet *rp,
		   enum decode_status st, const struct pkt *pp, uint32_t hash)
{
	struct pkt p;
	struct flow *f;
	bool created, settled;
	uint8_t done;
	int dir;

	stats_packet(&e->stats, rp->len, rp->ts_us, st);
	if (st != DECODE_OK)
		return 0;
	p = *pp;
	p.ts_us = rp->ts_us;
	if (!e->cfg.clock_extern && p.ts_us >= e->next_expire) {
		flow_table_expire(e->ft, p.ts_us);
		e->next_expire = p.ts_us + EXPIRE_EVERY_US;
	}
	f = flow_table_update_hashed(e->ft, &p, hash, &dir, &created);
	if (f == NULL)
		return -1;
	classify_packet(&e->cls, f, &p, dir, created);
	settled = wireflow_packet(f, &p, dir, &e->wire_nomem);
	if (settled)
		on_wire_settled(e, f);
	media_feed(e, f, &p, dir);
	done = f->insp_done;
	if (e->insp && e->cfg.dpi_audit_only && p.payload_len && !done &&
	    f->insp == NULL && !(f->flags & FLOW_F_NO_DPI))
		skip_if_moot(e, f);
	/* nDPI cannot read mid-stream TLS: it waits while the own checks
	 * confirm the framing, and once they have, never sees the flow. */
	if (settled && wire_tls_midstream(f))
		inspect_enough(e->insp, f, false);
	else if (!wireflow_tls_pending(f))
		inspect_packet(e->insp, f, &p, dir);
	/* Once the own checks have named the application, nDPI is fed only
	 * for what it alone reads: a TLS handshake's names, an HTTP host. */
	if (settled && f->wire_proto != WIRE_NONE)
		inspect_enough(e->insp, f, wire_wants_metadata(f));
	if (e->cfg.on_alert && !(f->flags & FLOW_F_ALERTED) &&
	    (created || settled || done != f->insp_done))
		maybe_alert(e, f);
	if (created)
		f->report_us = f->first_us;
	else if (e->cfg.active_timeout_s &&
		 p.ts_us - f->report_us >= e->cfg.active_timeout_s * 1000000ull) {
		report_flow(e, f, END_FORCED);
		f->report_us = p.ts_us;
	}
	return 0;
}

int engine_set_rules(struct engine *e, const struct ruleset *rs,
		     const struct portmatch *pm, const struct inventory *inv)
{
	if (stats_rebind(&e->stats, rs))
		return -1;
	e->rs = rs;
	fill_may_mark(e);
	inventory_cache_clear(&e->ic);
	memset(&e->lm, 0, sizeof(e->lm));
	e->cls = (struct classifier){ .rs = rs, .pm = pm, .inv = inv,
				      .hosts = e->cfg.hosts,
				      .strict_fallback = e->cfg.audit_all,
				      .ic = &e->ic, .lm = &e->lm };
	memset(&e->memo, 0, sizeof(e->memo));
	e->aud.rs = rs;
	e->aud.inv = inv;
	return 0;
}

void engine_next_id(struct engine *e, uint64_t id)
{
	flow_table_next_id(e->ft, id);
}

void engine_expire(struct engine *e, uint64_t now_us)
{
	flow_table_expire(e->ft, now_us);
}

void engine_flush(struct engine *e, enum flow_end why)
{
	struct flow_table_stats fs;

	flow_table_flush(e->ft, why);
	flow_table_get_stats(e->ft, &fs);
	e->stats.evicted = fs.evicted;
	e->stats.wall_end = stats_now();
}

struct stats *engine_stats(struct engine *e)
{
	return &e->stats;
}

void engine_merge_stats(struct engine *dst, const struct engine *src)
{
	if (stats_merge(&dst->stats, &src->stats))
		fprintf(stderr, "lyncwatch: summary: out of memory merging the "
			"workers' traffic groups\n");
	if (src->worst > dst->worst)
		dst->worst = src->worst;
}

enum verdict engine_worst(const struct engine *e)
{
	return e->worst;
}

void engine_run_info(const struct engine *e, struct run_info *ri,
		     struct inspect_stats *is)
{
	struct flow_table_stats fs;

	memset(ri, 0, sizeof(*ri));
	flow_table_get_stats(e->ft, &fs);
	ri->flows_active_peak = fs.peak_active;
	ri->max_flows = e->cfg.ft.max_flows;
	ri->insp = NULL;
	if (e->insp) {
		inspect_get_stats(e->insp, is);
		ri->insp = is;
	}
}

void engine_span(struct engine *e, uint64_t *flows, uint64_t *states,
		 uint64_t *states_top)
{
	struct flow_table_stats fs;

	flow_table_get_stats(e->ft, &fs);
	*flows = fs.active;
	inspect_span(e->insp, states, states_top);
}

void engine_flow_stats(const struct engine *e, struct flow_table_stats *out)
{
	flow_table_get_stats(e->ft, out);
}
