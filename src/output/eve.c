/* eve.c: the stats and tls_server records as JSON in the shape of
 * Suricata's EVE (see eve.h); the flow record is eve_flow.c's. */
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

void eve_json_tls(struct jsonw *w, const struct flow_record *r)
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
	eve_label_caches_free(e);
}
