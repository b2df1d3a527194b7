/* eve.c: one record as JSON in the shape of Suricata's EVE (see eve.h). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/wire/wire.h"
#include "output/certs.h"
#include "output/communityid.h"
#include "output/eve.h"
#include "output/sink.h"
#include "util/jsonw.h"
#include "util/textfmt.h"

static void cache_free(struct label_cache *lc)
{
	for (int i = 0; lc->json && i < lc->nrules; i++)
		free(lc->json[i]);
	free(lc->json);
	free(lc->len);
	memset(lc, 0, sizeof(*lc));
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

/* The label object of rule `idx` of rs, serialised on first use, with
 * the flow's support (which varies per flow) added at its end. */
static void json_label_cached(struct eve *j, const struct ruleset *rs,
			      uint32_t idx, enum support sup)
{
	static const struct { const char *m; size_t n; } tail[] = {
		[SUPPORT_PORT] = { "\"support\":\"port\"", sizeof("\"support\":\"port\"") - 1 },
		[SUPPORT_HOST] = { "\"support\":\"host\"", sizeof("\"support\":\"host\"") - 1 },
		[SUPPORT_INVENTORY] = { "\"support\":\"inventory\"",
					sizeof("\"support\":\"inventory\"") - 1 },
	};
	struct label_cache *lc = cache_of(j, rs);
	struct jsonw tmp;

	if (lc && lc->json[idx] == NULL) {
		jw_init(&tmp);
		json_label(j, &tmp, rs, &rs->rules[idx]);
		if (!tmp.oom && (lc->json[idx] = malloc(tmp.len + 1)) != NULL) {
			memcpy(lc->json[idx], tmp.buf, tmp.len);
			lc->json[idx][tmp.len] = '\0';
			lc->len[idx] = (uint32_t)tmp.len;
		}
		jw_free(&tmp);
	}
	if (lc != NULL && lc->json[idx] != NULL) {
		jw_raw_obj(&j->jw, lc->json[idx], lc->len[idx], tail[sup].m,
			   tail[sup].n);
		return;
	}
	jw_init(&tmp);
	json_label(j, &tmp, rs, &rs->rules[idx]);
	if (!tmp.oom)
		jw_raw_obj(&j->jw, tmp.buf, tmp.len, tail[sup].m, tail[sup].n);
	jw_free(&tmp);
}

/* A key and a time (textfmt_time's text) as its value.  The text up to
 * the second is kept per second (two slots: a record's start and end), so
 * a record's three times mostly cost their microseconds. */
static void json_ktime(struct eve *e, const char *qkey, size_t qn,
		       uint64_t us)
{
	struct eve_time *c = &e->times[(us / 1000000) & 1];
	char t[48];
	unsigned frac = (unsigned)(us % 1000000);

	if (c->len == 0 || c->sec != us / 1000000) {
		size_t n = textfmt_time(us - frac, c->text, sizeof(c->text));

		c->sec = us / 1000000;
		c->len = n > 7 ? n - 7 : 0;     /* without "uuuuuuZ" */
	}
	memcpy(t, c->text, c->len);
	for (int i = 5; i >= 0; i--, frac /= 10)
		t[c->len + (size_t)i] = (char)('0' + frac % 10);
	t[c->len + 6] = 'Z';
	jw_key_quoted(&e->jw, qkey, qn);
	jw_str_plain(&e->jw, t, c->len + 7);
}

static void json_endpoints(struct jsonw *w, const struct flow_record *r)
{
	char a[INET6_ADDRSTRLEN];
	size_t n;

	if (r->nvlan) {
		JW_KEY(w, "vlan");
		jw_arr_begin(w);
		for (int i = 0; i < r->nvlan && i < 2; i++)
			jw_u64(w, r->vlan[i]);
		jw_arr_end(w);
	}
	n = textfmt_addr(r->client_addr, r->ipver, a, sizeof(a));
	JW_KEY(w, "src_ip");
	jw_str_plain(w, a, n);
	JW_KU64(w, "src_port", r->client_port);
	n = textfmt_addr(r->server_addr, r->ipver, a, sizeof(a));
	JW_KEY(w, "dest_ip");
	jw_str_plain(w, a, n);
	JW_KU64(w, "dest_port", r->server_port);
	if (r->l4 == L4_TCP)
		JW_KLIT(w, "proto", "TCP");
	else
		JW_KLIT(w, "proto", "UDP");
}

static void json_counters(struct eve *e, const struct flow_record *r)
{
	struct jsonw *w = &e->jw;
	enum flow_end why = (enum flow_end)r->why;

	JW_KEY(w, "flow");
	jw_obj_begin(w);
	JW_KU64(w, "pkts_toserver", r->pkts_toserver);
	JW_KU64(w, "pkts_toclient", r->pkts_toclient);
	JW_KU64(w, "bytes_toserver", r->bytes_toserver);
	JW_KU64(w, "bytes_toclient", r->bytes_toclient);
	json_ktime(e, JW_QUOTED("start"), r->first_us);
	json_ktime(e, JW_QUOTED("end"), r->last_us);
	JW_KU64(w, "age", (r->last_us - r->first_us) / 1000000);
	JW_KNAME(w, "state", flow_state_name((enum flow_state)r->state));
	JW_KNAME(w, "reason", why == END_EVICTED ? "evicted" : flow_end_name(why));
	jw_obj_end(w);
}

/* A name as a string, or null. */
static void json_name_or_null(struct jsonw *w, const struct flow_record *r,
			      enum rec_name n)
{
	const char *v = record_name(r, n);

	if (v)
		jw_str(w, v);
	else
		jw_null(w);
}

/* A certificate's names (comma-separated, as inspect_tls keeps them) as
 * an array of strings. */
static void json_names(struct jsonw *w, const char *names)
{
	char one[INSPECT_TLS_NAMES_LEN];

	jw_arr_begin(w);
	for (const char *p = names; *p;) {
		size_t n = strcspn(p, ",");

		memcpy(one, p, n);
		one[n] = '\0';
		if (n)
			jw_str(w, one);
		p += n + (p[n] == ',');
	}
	jw_arr_end(w);
}

/* The certificate's fields (inside an open object). */
static void json_cert(struct jsonw *w, const struct inspect_tls *t)
{
	char s[32], hex[41];

	JW_KSTR(w, "subject", t->subject);
	JW_KSTR(w, "issuer", t->issuer);
	JW_KSTR(w, "not_before", certs_time(t->not_before, s));
	JW_KSTR(w, "not_after", certs_time(t->not_after, s));
	JW_KEY(w, "san");
	json_names(w, t->names);
	JW_KSTR(w, "sha1", certs_sha1_hex(t->sha1, hex));
}

/* The server's hello: version and cipher by nDPI's names. */
static void json_hello(struct jsonw *w, const struct inspect_tls *t)
{
	const char *c = inspect_tls_cipher_name(t->cipher);

	if (c)
		JW_KSTR(w, "cipher", c);
	if (t->weak_cipher)
		JW_KSTR(w, "cipher_rating", t->weak_cipher == 1 ? "weak" :
			"insecure");
	if (t->alpn[0]) {
		JW_KEY(w, "alpn");
		json_names(w, t->alpn);
	}
}

static void json_tls(struct jsonw *w, const struct flow_record *r)
{
	const char *ver = record_name(r, REC_TLS_VERSION);
	const char *ja3 = record_name(r, REC_JA3), *ja3s = record_name(r, REC_JA3S);
	const char *cc = wire_client_cert_name(r->tls_client_cert);

	if (!ver && !ja3 && !ja3s && !r->tls && !cc)
		return;
	JW_KEY(w, "tls");
	jw_obj_begin(w);
	if (ver)
		JW_KSTR(w, "version", ver);
	if (ja3)
		JW_KSTR(w, "ja3", ja3);
	if (ja3s)
		JW_KSTR(w, "ja3s", ja3s);
	if (r->tls) {
		if (record_name(r, REC_HOST))
			JW_KSTR(w, "sni", record_name(r, REC_HOST));
		json_hello(w, &r->tls_facts);
		if (r->tls_facts.cert)
			json_cert(w, &r->tls_facts);
	}
	if (cc)
		JW_KSTR(w, "client_cert", cc);
	jw_obj_end(w);
}

/* nDPI's view: master, confidence, guess and risks (null when not run). */
static void json_inspection(struct jsonw *w, const struct flow_record *r)
{
	JW_KEY(w, "app_master");
	json_name_or_null(w, r, REC_APP_MASTER);
	if (!r->dpi)
		return;
	JW_KEY(w, "confidence");
	json_name_or_null(w, r, REC_CONFIDENCE);
	if (record_name(r, REC_GUESS))
		JW_KSTR(w, "app_guess", record_name(r, REC_GUESS));
	JW_KEY(w, "ndpi_risks");
	jw_arr_begin(w);
	for (unsigned b = 0; b < 64; b++)
		if ((r->risks >> b) & 1) {
			const char *name = inspect_risk_name(b);
			if (name)
				jw_str(w, name);
		}
	jw_arr_end(w);
	if (record_name(r, REC_HOST))
		JW_KSTR(w, "ndpi_host", record_name(r, REC_HOST));
	json_tls(w, r);
}

/* Why the verdict: the application seen, by which evidence, on how many
 * payloads, and what the own checks read. */
static void json_evidence(struct jsonw *w, const struct audit_result *ar)
{
	char detail[128];

	wire_detail(&ar->wire, detail, sizeof(detail));
	JW_KEY(w, "evidence");
	jw_obj_begin(w);
	JW_KNAME(w, "app", audit_evidence_app(ar));
	JW_KNAME(w, "by", audit_by_name((enum ev_by)ar->by));
	JW_KEY(w, "packets");
	jw_u64(w, ar->wire.packets);
	JW_KNAME(w, "detail", detail);   /* literals and digits: plain */
	jw_obj_end(w);
}

static void json_kdouble(struct jsonw *w, const char *k, double v, int dec)
{
	jw_key(w, k);
	jw_double(w, v, dec);
}

/* What the endpoints reported in RTCP about one stream. */
static void json_rtcp(struct jsonw *w, const struct media_stream_out *o)
{
	const struct media_rtcp_out *c = &o->rtcp;

	JW_KEY(w, "rtcp");
	jw_obj_begin(w);
	JW_KU64(w, "reports", c->reports);
	json_kdouble(w, "fraction_lost_pct", c->fraction_lost * 100.0 / 256.0, 1);
	JW_KEY(w, "cumulative_lost");
	jw_i64(w, c->cum_lost);
	JW_KU64(w, "jitter_ts", c->jitter_ts);
	if (o->clock_rate)
		json_kdouble(w, "jitter_ms", c->jitter_ts * 1000.0 / o->clock_rate, 3);
	if (c->rtt_known)
		json_kdouble(w, "rtt_ms", c->rtt_ms, 3);
	jw_obj_end(w);
}

/* One RTP stream (inspect/media.h); direction as the record's. */
static void json_stream(struct jsonw *w, const struct flow_record *r,
			const struct media_stream_out *o)
{
	jw_obj_begin(w);
	JW_KU64(w, "ssrc", o->ssrc);
	if (o->dir == r->toserver_dir)
		JW_KLIT(w, "direction", "toserver");
	else
		JW_KLIT(w, "direction", "toclient");
	JW_KU64(w, "packets", o->packets);
	if (o->packets == 0) {          /* RTCP reports only */
		json_rtcp(w, o);
		jw_obj_end(w);
		return;
	}
	JW_KU64(w, "payload_type", o->pt);
	JW_KU64(w, "clock_rate", o->clock_rate);
	JW_KEY(w, "clock_estimated");
	jw_bool(w, o->clock_estimated);
	JW_KU64(w, "expected", o->expected);
	JW_KEY(w, "lost");
	jw_i64(w, o->lost);
	JW_KU64(w, "duplicates", o->duplicates);
	JW_KU64(w, "reordered", o->reordered);
	json_kdouble(w, "jitter_ms", o->jitter_ms, 3);
	json_kdouble(w, "mean_jitter_ms", o->mean_jitter_ms, 3);
	json_kdouble(w, "max_jitter_ms", o->max_jitter_ms, 3);
	json_kdouble(w, "max_delta_ms", o->max_delta_ms, 3);
	JW_KEY(w, "bitrate_kbps");
	jw_obj_begin(w);
	json_kdouble(w, "mean", o->kbps_mean, 1);
	json_kdouble(w, "peak", o->kbps_peak, 1);
	jw_obj_end(w);
	if (o->rtcp.reports)
		json_rtcp(w, o);
	if (o->packets >= 2) {
		json_kdouble(w, "r_factor", o->r_factor, 1);
		json_kdouble(w, "mos", o->mos, 2);
	}
	jw_obj_end(w);
}

/* The media array, when the flow carried RTP/RTCP. */
static void json_media(struct jsonw *w, const struct flow_record *r)
{
	if (r->media.n == 0)
		return;
	JW_KEY(w, "media");
	jw_arr_begin(w);
	for (int i = 0; i < r->media.n; i++)
		json_stream(w, r, &r->media.s[i]);
	jw_arr_end(w);
	if (r->media.capped)
		JW_KU64(w, "media_capped", r->media.capped);
}

static void json_lync(struct eve *e, const struct flow_record *r)
{
	struct jsonw *w = &e->jw;

	JW_KEY(w, "lync");
	jw_obj_begin(w);
	JW_KEY(w, "labels");
	jw_arr_begin(w);
	for (int i = 0; i < r->nlabels; i++)
		json_label_cached(e, r->rs, r->labels[i],
				  (enum support)r->audit.support);
	jw_arr_end(w);
	JW_KNAME(w, "verdict", verdict_name(r->audit.verdict));
	JW_KEY(w, "flags");
	jw_arr_begin(w);
	for (int i = 0; i < FLAG_N; i++)
		if (r->audit.flags & (1u << i))
			jw_name(w, audit_flag_name(i));
	jw_arr_end(w);
	JW_KEY(w, "reason");
	if (r->audit.reason_plain)
		jw_str_plain(w, r->audit.reason, strlen(r->audit.reason));
	else
		jw_str(w, r->audit.reason);
	if (r->nlabels)
		JW_KNAME(w, "support", audit_support_name(r->audit.support));
	json_evidence(w, &r->audit);
	JW_KNAME(w, "server_side_by", side_by_name((enum side_by)r->side_by));
	json_inspection(w, r);
	json_media(w, r);
	jw_obj_end(w);
}

/* The Community ID of r's flow: computed at its first record, reused by
 * the next ones (the same flow id and key). */
static const char *flow_cid(struct eve *e, const struct flow_record *r)
{
	struct eve_cid *c = &e->cids[r->id % EVE_CID_SLOTS];

	if (!c->used || c->id != r->id ||
	    memcmp(&c->key, &r->key, sizeof(r->key)) != 0) {
		communityid(&r->key, 0, c->cid);   /* on the writer thread */
		c->id = r->id;
		c->key = r->key;
		c->used = true;
	}
	return c->cid;
}

void eve_flow(struct eve *e, const struct flow_record *r)
{
	struct jsonw *w = &e->jw;

	jw_reset(w);
	jw_obj_begin(w);
	json_ktime(e, JW_QUOTED("timestamp"), r->last_us);
	JW_KU64(w, "flow_id", r->id);
	JW_KLIT(w, "event_type", "flow");
	json_endpoints(w, r);
	if (record_name(r, REC_APP_PROTO))
		JW_KSTR(w, "app_proto", record_name(r, REC_APP_PROTO));
	JW_KEY(w, "community_id");
	jw_str_plain(w, flow_cid(e, r), COMMUNITY_ID_LEN - 1);
	json_counters(e, r);
	json_lync(e, r);
	jw_obj_end(w);
}

/* ------------------------------------------------------------ stats */

/* A counter keyed by a name that may hold hyphens ("not-ip",
 * "app-mismatch"): keys are snake_case ("not_ip"), as every other key. */
static void json_ku64_snake(struct jsonw *w, const char *name, uint64_t v)
{
	char key[64];
	size_t i = 0;

	for (; i < sizeof(key) - 1 && name[i]; i++) {
		key[i] = name[i];
		if (key[i] == '-')
			key[i] = '_';
	}
	key[i] = '\0';
	jw_ku64(w, key, v);
}

/* Opens a stats record: {"timestamp":..,"event_type":"stats","stats":{ */
static void stats_record_begin(struct jsonw *w, uint64_t ts_us)
{
	char t[40];

	jw_reset(w);
	jw_obj_begin(w);
	textfmt_time(ts_us, t, sizeof(t));
	JW_KSTR(w, "timestamp", t);
	JW_KSTR(w, "event_type", "stats");
	JW_KEY(w, "stats");
	jw_obj_begin(w);
}

static void json_violations(struct jsonw *w, const struct summary *sm)
{
	char a[INET6_ADDRSTRLEN], t[40];

	JW_KEY(w, "flags");
	jw_obj_begin(w);
	for (int b = 0; b < FLAG_N; b++)
		json_ku64_snake(w, audit_flag_name(b), sm->flag_flows[b]);
	jw_obj_end(w);
	JW_KEY(w, "violations");
	jw_arr_begin(w);
	for (uint32_t i = 0; i < sm->nviol; i++) {
		const struct viol_group *v = &sm->viol[i];

		jw_obj_begin(w);
		JW_KSTR(w, "flag", audit_flag_name(v->flag));
		textfmt_addr(v->addr, v->ipver, a, sizeof(a));
		JW_KSTR(w, "dest_ip", a);
		JW_KU64(w, "dest_port", v->port);
		JW_KSTR(w, "proto", sink_proto_name(v->l4));
		JW_KU64(w, "flows", v->flows);
		JW_KU64(w, "pkts", v->pkts);
		textfmt_time(v->first_us, t, sizeof(t));
		JW_KSTR(w, "first_seen", t);
		textfmt_time(v->last_us, t, sizeof(t));
		JW_KSTR(w, "last_seen", t);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	JW_KU64(w, "violations_not_kept", sm->viol_not_kept);
}

static void json_inspect_stats(struct jsonw *w, const struct summary *sm)
{
	const struct inspect_stats *is = &sm->insp;

	if (!sm->dpi)
		return;
	JW_KEY(w, "ndpi");
	jw_obj_begin(w);
	JW_KU64(w, "flows_inspected", is->flows_inspected);
	JW_KU64(w, "confirmed", is->confirmed);
	JW_KU64(w, "failed", is->failed);
	JW_KU64(w, "pkts_fed", is->pkts_fed);
	JW_KU64(w, "peak_states", is->peak_states);
	JW_KU64(w, "state_bytes", is->state_bytes);
	JW_KU64(w, "memory_peak", is->mem_peak);
	JW_KU64(w, "memory_module", is->mem_module);
	JW_KU64(w, "limited", is->limited);
	JW_KU64(w, "extra_cut", is->extra_cut);
	JW_KU64(w, "skipped", is->skipped);
	JW_KU64(w, "wire_done", is->wire_done);
	jw_obj_end(w);
}

/* One row of the traffic table. */
static void json_traffic_row(struct jsonw *w, const struct summary_row *row,
			     const char *role)
{
	jw_obj_begin(w);
	JW_KSTR(w, "table", row->table);
	JW_KSTR(w, "role", role ? role : row->role);
	JW_KSTR(w, "service", row->service);
	JW_KU64(w, "flows", row->flows);
	JW_KU64(w, "pkts", row->pkts);
	JW_KU64(w, "bytes", row->bytes);
	jw_obj_end(w);
}

/* The rows of the text summary's traffic table, "(no rule)" and the flows
 * labelled by the port alone (not judged, in no other row) included. */
static void json_traffic(const struct eve *e, struct jsonw *w,
			 const struct summary *sm)
{
	JW_KEY(w, "traffic");
	jw_arr_begin(w);
	for (int i = 0; i < sm->nrows; i++)
		json_traffic_row(w, &sm->rows[i], sm->rows[i].no_rule ?
				 EVE_TR(e, "(no rule)", "(規則なし)") : NULL);
	json_traffic_row(w, &sm->port_only, EVE_TR(e, "(by the port alone)",
						   "(ポートのみ)"));
	jw_arr_end(w);
	JW_KEY(w, "traffic_distinct");    /* every flow once */
	jw_obj_begin(w);
	JW_KU64(w, "flows", sm->distinct.flows);
	JW_KU64(w, "pkts", sm->distinct.pkts);
	JW_KU64(w, "bytes", sm->distinct.bytes);
	jw_obj_end(w);
}

/* Flows by verdict and by what read their application. */
static void json_verdict_evidence(struct jsonw *w, const struct summary *sm)
{
	JW_KEY(w, "flows_by_evidence");
	jw_obj_begin(w);
	for (int v = 0; v < VERDICT_N; v++) {
		jw_key(w, verdict_name((enum verdict)v));
		jw_obj_begin(w);
		for (int b = 0; b < EV_N; b++)
			jw_ku64(w, audit_by_name((enum ev_by)b), sm->verdict_by[v][b]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

/* The hosts taken for Lync servers without an inventory entry, and why. */
static void json_hosts(struct jsonw *w, const struct summary *sm)
{
	char a[INET6_ADDRSTRLEN], t[40];

	JW_KEY(w, "inferred_servers");
	jw_arr_begin(w);
	for (uint32_t i = 0; i < sm->nhosts; i++) {
		const struct host_seen *h = &sm->hosts[i];

		textfmt_addr(h->addr, h->ipver, a, sizeof(a));
		textfmt_time(h->first_us, t, sizeof(t));
		jw_obj_begin(w);
		JW_KSTR(w, "ip", a);
		JW_KSTR(w, "proto", sink_proto_name(h->l4));
		JW_KU64(w, "port", h->port);
		JW_KSTR(w, "rule", sm->host_rule[i]);
		JW_KSTR(w, "first_seen", t);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void json_flows(struct jsonw *w, const struct summary *sm)
{
	JW_KEY(w, "flows");
	jw_obj_begin(w);
	JW_KU64(w, "total", sm->flows);
	for (int v = 0; v < VERDICT_N; v++)
		jw_ku64(w, verdict_name((enum verdict)v), sm->verdict[v]);
	JW_KU64(w, "evicted", sm->evicted);
	JW_KU64(w, "peak_active", sm->peak_active);
	JW_KU64(w, "max_flows", sm->max_flows);
	jw_obj_end(w);
}

/* The Redis output's figures, with --redis. */
static void json_redis(struct jsonw *w, const struct out_counters *c)
{
	if (!c->redis)
		return;
	JW_KEY(w, "redis");
	jw_obj_begin(w);
	JW_KU64(w, "delivered", c->redis_delivered);
	JW_KU64(w, "dropped", c->redis_dropped);
	JW_KU64(w, "reconnects", c->redis_reconnects);
	JW_KU64(w, "pending", c->redis_pending);
	jw_obj_end(w);
}

/* The findings of e with their evidence and sentence. */
static void json_findings(const struct eve *eve, struct jsonw *w,
			  const struct cert_entry *e, uint64_t end_us)
{
	char ev[256];

	JW_KEY(w, "findings");
	jw_arr_begin(w);
	for (int f = 0; f < CERT_NFINDINGS; f++) {
		if (!(e->findings >> f & 1))
			continue;
		jw_obj_begin(w);
		JW_KSTR(w, "finding", certs_finding_name((enum cert_finding)f));
		JW_KSTR(w, "evidence", certs_finding_evidence(e,
			(enum cert_finding)f, end_us, ev, sizeof(ev)));
		JW_KSTR(w, "text", certs_finding_text((enum cert_finding)f,
						      eve->lang));
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* One certificate a server presented on a port: a `tls_server` record. */
void eve_tls_server(struct eve *eve, const struct cert_entry *ce,
		    uint64_t end_us)
{
	struct jsonw *w = &eve->jw;
	char a[INET6_ADDRSTRLEN], t[40], ver[32];
	const char *vn = inspect_tls_version_name(ce->min_version, ver,
						  sizeof(ver));

	jw_reset(w);
	jw_obj_begin(w);
	textfmt_time(ce->last_us, t, sizeof(t));
	JW_KSTR(w, "timestamp", t);
	JW_KSTR(w, "event_type", "tls_server");
	textfmt_addr(ce->addr, ce->ipver, a, sizeof(a));
	JW_KSTR(w, "dest_ip", a);
	JW_KU64(w, "dest_port", ce->port);
	JW_KSTR(w, "proto", sink_proto_name(ce->l4));
	JW_KEY(w, "tls_server");
	jw_obj_begin(w);
	if (ce->role[0])
		JW_KSTR(w, "role_key", ce->role);
	if (vn)
		JW_KSTR(w, "lowest_version", vn);
	json_hello(w, &ce->t);
	json_cert(w, &ce->t);
	JW_KU64(w, "flows", ce->flows);
	JW_KU64(w, "sni_flows", ce->sni_flows);
	JW_KU64(w, "client_cert_flows", ce->client_cert_flows);
	if (ce->host_name[0])
		JW_KSTR(w, "inventory_name", ce->host_name);
	textfmt_time(ce->first_us, t, sizeof(t));
	JW_KSTR(w, "first_seen", t);
	textfmt_time(ce->last_us, t, sizeof(t));
	JW_KSTR(w, "last_seen", t);
	json_findings(eve, w, ce, end_us);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* The handshakes counted and the certificate entries not kept. */
static void json_tls_counts(struct jsonw *w, const struct summary *sm)
{
	const struct certs_counts *cc = &sm->certs_counts;

	JW_KEY(w, "tls");
	jw_obj_begin(w);
	JW_KU64(w, "handshakes", cc->handshakes);
	JW_KU64(w, "certificate_read", cc->with_cert);
	JW_KU64(w, "tls13_encrypted", cc->tls13);
	JW_KU64(w, "no_certificate", cc->no_cert);
	JW_KU64(w, "servers_certificates", sm->ncerts);
	JW_KU64(w, "not_kept", cc->not_kept);
	JW_KU64(w, "cert_warn_days", sm->cert_warn_days);
	jw_obj_end(w);
}

void eve_summary(struct eve *e, const struct summary *sm)
{
	struct jsonw *w = &e->jw;

	stats_record_begin(w, sm->last_us);
	JW_KU64(w, "packets", sm->pkts);
	JW_KU64(w, "bytes", sm->bytes);
	JW_KU64(w, "inputs", (uint64_t)sm->inputs);
	JW_KU64(w, "input_errors", sm->input_errors);
	if (sm->live) {
		JW_KEY(w, "capture");     /* pcap_stats at the end */
		jw_obj_begin(w);
		JW_KU64(w, "received", sm->received);
		JW_KU64(w, "kernel_drops", sm->kernel_drops);
		JW_KU64(w, "iface_drops", sm->iface_drops);
		jw_obj_end(w);
	}
	JW_KEY(w, "decode");
	jw_obj_begin(w);
	for (int i = 0; i < DECODE_NSTATUS; i++)
		json_ku64_snake(w, decode_status_name((enum decode_status)i),
				sm->decode[i]);
	jw_obj_end(w);
	json_flows(w, sm);
	json_verdict_evidence(w, sm);
	json_traffic(e, w, sm);
	json_hosts(w, sm);
	json_violations(w, sm);
	json_inspect_stats(w, sm);
	if (sm->dpi)
		json_tls_counts(w, sm);
	JW_KU64(w, "media_limited", sm->media_limited);
	json_redis(w, &sm->out);
	JW_KEY(w, "seconds");
	jw_double(w, sm->seconds, 3);
	JW_KEY(w, "packets_per_second");
	jw_double(w, sm->pps, 0);
	jw_obj_end(w);
	jw_obj_end(w);
}

void eve_interim(struct eve *e, const struct interim *in)
{
	struct jsonw *w = &e->jw;

	stats_record_begin(w, in->wall_us);
	JW_KEY(w, "interim");
	jw_bool(w, true);
	JW_KU64(w, "packets", in->pkts);
	JW_KU64(w, "bytes", in->bytes);
	JW_KU64(w, "received", in->received);
	JW_KU64(w, "kernel_drops", in->kernel_drops);
	JW_KU64(w, "iface_drops", in->iface_drops);
	JW_KU64(w, "active_flows", in->active_flows);
	JW_KU64(w, "flows_ended", in->flows_ended);
	JW_KU64(w, "evicted", in->evicted);
	JW_KU64(w, "decode_errors", in->decode_errors);
	JW_KU64(w, "violations", in->violations);
	json_redis(w, &in->out);
	JW_KEY(w, "packets_per_second");
	jw_double(w, in->pps, 0);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* ------------------------------------------------------------ life */

void eve_init(struct eve *e, enum lang lang, bool notes)
{
	memset(e, 0, sizeof(*e));
	jw_init(&e->jw);
	e->lang = lang;
	e->notes = notes;
}

void eve_free(struct eve *e)
{
	jw_free(&e->jw);
	cache_free(&e->labels[0]);
	cache_free(&e->labels[1]);
}
