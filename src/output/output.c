/* output.c: EVE-shaped JSON flow records, text lines, the summary. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/output.h"
#include "output/communityid.h"
#include "util/escape.h"
#include "util/textfmt.h"
#include "output/writer.h"

/* Picks the English or Japanese form of a message. */
#define TR(o, en, ja) ((o)->lang == LANG_JA ? (ja) : (en))

void output_init(struct output *o, const struct ruleset *rs, enum lang lang)
{
	memset(o, 0, sizeof(*o));
	o->rs = rs;
	o->lang = lang;
	jw_init(&o->jw);
}

static void cache_free(struct label_cache *lc)
{
	for (int i = 0; lc->json && lc->rs && i < lc->rs->nrules; i++)
		free(lc->json[i]);
	free(lc->json);
	free(lc->len);
	memset(lc, 0, sizeof(*lc));
}

void output_free(struct output *o)
{
	writer_free(o->writer);
	o->writer = NULL;
	jw_free(&o->jw);
	cache_free(&o->labels[0]);
	cache_free(&o->labels[1]);
}

/* "file:line" of a rule, with the file's base name so that records do not
 * depend on where the rules are installed. */
static void rule_location(const struct ruleset *rs, const struct rule *r,
			  char *buf, size_t len)
{
	const char *path = rs->files[r->file], *slash = strrchr(path, '/');

	snprintf(buf, len, "%s:%d", slash ? slash + 1 : path, r->line);
}

static const char *proto_name(uint8_t l4)
{
	return l4 == L4_TCP ? "TCP" : "UDP";
}

/* ------------------------------------------------------------ JSON */

static void json_label(struct output *o, struct jsonw *w,
		       const struct ruleset *rs, const struct rule *r)
{
	char ports[64], loc[300];
	int l = (int)o->lang;

	rule_ports_format(r, ports, sizeof(ports));
	rule_location(rs, r, loc, sizeof(loc));
	jw_obj_begin(w);
	JW_KSTR(w, "table", rule_table_name(r->table));
	JW_KSTR(w, "role", r->text[TEXT_ROLE][l]);
	JW_KSTR(w, "role_key", rs->roles[r->role].key);
	JW_KSTR(w, "service", r->text[TEXT_SERVICE][l]);
	JW_KSTR(w, "port", ports);
	JW_KSTR(w, "protocol", r->text[TEXT_PROTOCOL][l]);
	JW_KSTR(w, "app", rule_app_name(r->app));
	JW_KSTR(w, "status", rule_status_name(r->status));
	JW_KSTR(w, "note", r->text[TEXT_NOTE][l]);
	JW_KSTR(w, "id", r->id);
	JW_KSTR(w, "rule", loc);
	jw_obj_end(w);
}

/* The label object of rule `idx` of rs, serialised on first use. */
static void json_label_cached(struct output *o, const struct ruleset *rs,
			      uint32_t idx)
{
	struct label_cache *lc = NULL;
	struct jsonw tmp;

	for (int k = 0; k < 2; k++)
		if (o->labels[k].rs == rs)
			lc = &o->labels[k];
	if (lc == NULL) {
		lc = &o->labels[o->next_cache];
		o->next_cache ^= 1;
		cache_free(lc);
		lc->json = calloc((size_t)rs->nrules + 1, sizeof(*lc->json));
		lc->len = calloc((size_t)rs->nrules + 1, sizeof(*lc->len));
		lc->rs = rs;
		if (lc->json == NULL || lc->len == NULL) {
			cache_free(lc);
			json_label(o, &o->jw, rs, &rs->rules[idx]);
			return;
		}
	}
	if (lc->json[idx] == NULL) {
		jw_init(&tmp);
		json_label(o, &tmp, rs, &rs->rules[idx]);
		if (!tmp.oom && (lc->json[idx] = malloc(tmp.len + 1)) != NULL) {
			memcpy(lc->json[idx], tmp.buf, tmp.len);
			lc->json[idx][tmp.len] = '\0';
			lc->len[idx] = (uint32_t)tmp.len;
		}
		jw_free(&tmp);
		if (lc->json[idx] == NULL) {
			json_label(o, &o->jw, rs, &rs->rules[idx]);
			return;
		}
	}
	jw_raw(&o->jw, lc->json[idx], lc->len[idx]);
}

static void json_endpoints(struct output *o, const struct flow *f)
{
	struct jsonw *w = &o->jw;
	char a[INET6_ADDRSTRLEN];

	if (f->nvlan) {
		JW_KEY(w, "vlan");
		jw_arr_begin(w);
		for (int i = 0; i < f->nvlan && i < 2; i++)
			jw_u64(w, f->key.vlan[i]);
		jw_arr_end(w);
	}
	textfmt_addr(flow_client_addr(f), f->key.ipver, a, sizeof(a));
	JW_KSTR(w, "src_ip", a);
	JW_KU64(w, "src_port", flow_client_port(f));
	textfmt_addr(flow_server_addr(f), f->key.ipver, a, sizeof(a));
	JW_KSTR(w, "dest_ip", a);
	JW_KU64(w, "dest_port", flow_server_port(f));
	JW_KSTR(w, "proto", proto_name(f->key.l4));
}

static void json_counters(struct output *o, const struct flow *f,
			  enum flow_end why)
{
	struct jsonw *w = &o->jw;
	int ts = flow_toserver_dir(f), tc = 1 - ts;
	char t[40];

	JW_KEY(w, "flow");
	jw_obj_begin(w);
	JW_KU64(w, "pkts_toserver", f->pkts[ts]);
	JW_KU64(w, "pkts_toclient", f->pkts[tc]);
	JW_KU64(w, "bytes_toserver", f->bytes[ts]);
	JW_KU64(w, "bytes_toclient", f->bytes[tc]);
	textfmt_time(f->first_us, t, sizeof(t));
	JW_KSTR(w, "start", t);
	textfmt_time(f->last_us, t, sizeof(t));
	JW_KSTR(w, "end", t);
	JW_KU64(w, "age", (f->last_us - f->first_us) / 1000000);
	JW_KSTR(w, "state", flow_state_name((enum flow_state)f->state));
	JW_KSTR(w, "reason", why == END_EVICTED ? "evicted" : flow_end_name(why));
	jw_obj_end(w);
}

/* nDPI's view: master, confidence, guess and risks (null when not run). */
static void json_inspection(struct output *o, const struct inspect_view *iv)
{
	struct jsonw *w = &o->jw;

	JW_KEY(w, "app_master");
	if (iv && iv->app_master)
		jw_str(w, iv->app_master);
	else
		jw_null(w);
	if (iv == NULL)
		return;
	JW_KEY(w, "confidence");
	if (iv->confidence)
		jw_str(w, iv->confidence);
	else
		jw_null(w);
	if (iv->guess)
		JW_KSTR(w, "app_guess", iv->guess);
	JW_KEY(w, "ndpi_risks");
	jw_arr_begin(w);
	for (unsigned b = 0; b < 64; b++)
		if ((iv->risks >> b) & 1) {
			const char *name = inspect_risk_name(b);
			if (name)
				jw_str(w, name);
		}
	jw_arr_end(w);
	if (iv->host)
		JW_KSTR(w, "ndpi_host", iv->host);
	if (iv->tls_version || iv->ja3 || iv->ja3s) {
		JW_KEY(w, "tls");
		jw_obj_begin(w);
		if (iv->tls_version)
			JW_KSTR(w, "version", iv->tls_version);
		if (iv->ja3)
			JW_KSTR(w, "ja3", iv->ja3);
		if (iv->ja3s)
			JW_KSTR(w, "ja3s", iv->ja3s);
		jw_obj_end(w);
	}
}

static void json_lync(struct output *o, const struct flow_report *r)
{
	struct jsonw *w = &o->jw;

	JW_KEY(w, "lync");
	jw_obj_begin(w);
	JW_KEY(w, "labels");
	jw_arr_begin(w);
	for (int i = 0; i < r->nlabels; i++)
		json_label_cached(o, r->rs, r->labels[i]);
	jw_arr_end(w);
	JW_KSTR(w, "verdict", verdict_name(r->audit->verdict));
	JW_KEY(w, "flags");
	jw_arr_begin(w);
	for (int i = 0; i < FLAG_N; i++)
		if (r->audit->flags & (1u << i))
			jw_str(w, audit_flag_name(i));
	jw_arr_end(w);
	JW_KSTR(w, "reason", r->audit->reason);
	JW_KSTR(w, "server_side_by", side_by_name((enum side_by)r->f->side_by));
	json_inspection(o, r->iv);
	jw_obj_end(w);
}

static void json_flow(struct output *o, const struct flow_report *r)
{
	struct jsonw *w = &o->jw;
	char t[40], cid[COMMUNITY_ID_LEN];

	jw_reset(w);
	jw_obj_begin(w);
	textfmt_time(r->f->last_us, t, sizeof(t));
	JW_KSTR(w, "timestamp", t);
	JW_KU64(w, "flow_id", r->f->id);
	JW_KSTR(w, "event_type", "flow");
	json_endpoints(o, r->f);
	if (r->iv && r->iv->app_proto)
		JW_KSTR(w, "app_proto", r->iv->app_proto);
	communityid(&r->f->key, 0, cid);     /* on the writer thread */
	JW_KSTR(w, "community_id", cid);
	json_counters(o, r->f, r->why);
	json_lync(o, r);
	jw_obj_end(w);
	if (jw_write_line(w, o->json))
		o->write_errors++;
	if (o->flush_each && fflush(o->json) != 0)
		o->write_errors++;
}

/* ------------------------------------------------------------ text */

static void text_flow(struct output *o, const struct flow_report *r)
{
	const struct flow *f = r->f;
	char t[40], ca[INET6_ADDRSTRLEN], sa[INET6_ADDRSTRLEN], e[4][ESC_TEXT_MAX];
	int ts = flow_toserver_dir(f), l = (int)o->lang;

	textfmt_time(f->first_us, t, sizeof(t));
	textfmt_addr(flow_client_addr(f), f->key.ipver, ca, sizeof(ca));
	textfmt_addr(flow_server_addr(f), f->key.ipver, sa, sizeof(sa));
	fprintf(o->text, "%s %s %s%s%s:%u -> %s%s%s:%u %" PRIu32 "/%" PRIu32
		" pkts %s %s", t, proto_name(f->key.l4),
		f->key.ipver == 6 ? "[" : "", ca, f->key.ipver == 6 ? "]" : "",
		flow_client_port(f), f->key.ipver == 6 ? "[" : "", sa,
		f->key.ipver == 6 ? "]" : "", flow_server_port(f),
		f->pkts[ts], f->pkts[1 - ts],
		flow_state_name((enum flow_state)f->state),
		verdict_name(r->audit->verdict));
	if (r->iv && r->iv->app_proto)
		fprintf(o->text, " app=%s", r->iv->app_proto);
	/* Strings of a packet (host), a rule file (labels) or an inventory
	 * (in the reason) go through esc_text: nothing reaches a terminal raw. */
	if (r->iv && r->iv->host)
		fprintf(o->text, " host=%s", esc_text(e[0], sizeof(e[0]), r->iv->host));
	for (int b = 0; b < FLAG_N; b++)
		if (r->audit->flags & (1u << b))
			fprintf(o->text, " [%s]", audit_flag_name(b));
	for (int i = 0; i < r->nlabels; i++) {
		const struct rule *ru = &r->rs->rules[r->labels[i]];

		fprintf(o->text, "%s%s: %s / %s / %s", i ? " | " : " :: ",
			esc_text(e[0], sizeof(e[0]), ru->id),
			esc_text(e[1], sizeof(e[1]), ru->text[TEXT_ROLE][l]),
			*ru->text[TEXT_SERVICE][l] ?
			esc_text(e[2], sizeof(e[2]), ru->text[TEXT_SERVICE][l]) : "-",
			*ru->text[TEXT_PROTOCOL][l] ?
			esc_text(e[3], sizeof(e[3]), ru->text[TEXT_PROTOCOL][l]) : "-");
	}
	if (r->audit->verdict != VERDICT_OK)
		fprintf(o->text, " (%s)", esc_text(e[0], sizeof(e[0]), r->audit->reason));
	fputc('\n', o->text);
}

/* Formats and writes one record (on the writer thread, when it runs). */
static void write_flow(void *ctx, const struct flow_report *r)
{
	struct output *o = ctx;

	if (o->json)
		json_flow(o, r);
	if (o->text)
		text_flow(o, r);
}

#define WRITER_DEPTH 1024   /* reports queued at most (~1.5 KB each) */
#define WRITER_BATCH 64     /* reading a file: wake the writer this seldom */

int output_start_writer(struct output *o)
{
	if (o->writer == NULL)
		o->writer = writer_new(WRITER_DEPTH,
				       o->flush_each ? 1 : WRITER_BATCH,
				       write_flow, o);
	return o->writer ? 0 : -1;
}

void output_flow(struct output *o, const struct flow_report *r)
{
	if (o->json == NULL && o->text == NULL)
		return;
	if (o->writer)
		writer_submit(o->writer, r);
	else
		write_flow(o, r);
}

/* Waits for the records submitted so far: what follows (a stats record,
 * the summary) comes after them and uses the JSON buffer alone. */
static void settle(struct output *o)
{
	if (o->writer)
		writer_drain(o->writer);
}

void output_sync(struct output *o)
{
	settle(o);
}

/* ------------------------------------------------------------ summary */

static double rate(uint64_t n, double secs)
{
	return secs > 0 ? (double)n / secs : 0.0;
}

static void summary_flags(struct output *o, const struct stats *s)
{
	bool any = false;

	for (int b = 0; b < FLAG_N; b++) {
		if (s->flag_flows[b] == 0)
			continue;
		fprintf(o->summary, "%s %s %" PRIu64, any ? "," : TR(o, "flags     ", "フラグ    "),
			audit_flag_name(b), s->flag_flows[b]);
		any = true;
	}
	if (any)
		fputc('\n', o->summary);
}

static void summary_violations(struct output *o, struct stats *s)
{
	uint32_t n;
	const struct viol_group *const *v = stats_violations(s, &n);
	char a[INET6_ADDRSTRLEN], t0[40], t1[40];

	if (n == 0)
		return;
	fprintf(o->summary, "%s\n", TR(o, "violations by flag / server / port:",
				       "フラグ / サーバー / ポート別の違反:"));
	for (uint32_t i = 0; i < n; i++) {
		textfmt_addr(v[i]->addr, v[i]->ipver, a, sizeof(a));
		textfmt_time(v[i]->first_us, t0, sizeof(t0));
		textfmt_time(v[i]->last_us, t1, sizeof(t1));
		fprintf(o->summary, "  %-17s %s %s%s%s:%u  %" PRIu64 " %s, %" PRIu64 " %s, %s .. %s\n",
			audit_flag_name(v[i]->flag), proto_name(v[i]->l4),
			v[i]->ipver == 6 ? "[" : "", a, v[i]->ipver == 6 ? "]" : "",
			v[i]->port, v[i]->flows, TR(o, "flows", "フロー"), v[i]->pkts,
			TR(o, "packets", "パケット"), t0, t1);
	}
	if (s->viol_dropped)
		fprintf(o->summary, TR(o, "  (%" PRIu64 " more violations in groups not kept)\n",
				       "  (保持されないグループの違反 %" PRIu64 " 件)\n"), s->viol_dropped);
}

static void summary_text(struct output *o, struct stats *s,
			 const struct run_info *ri)
{
	FILE *f = o->summary;
	double secs = s->wall_end - s->wall_start;
	int l = (int)o->lang;
	uint64_t errs = s->decode[DECODE_TRUNCATED] + s->decode[DECODE_INVALID] +
			s->decode[DECODE_UNSUPPORTED];

	fprintf(f, "%s\n", TR(o, "== lyncwatch summary ==", "== lyncwatch 集計 =="));
	fprintf(f, TR(o, "packets    %" PRIu64 " (%" PRIu64 " bytes) from %d input(s) in %.2f s, %.0f packets/s\n",
		      "パケット   %" PRIu64 " (%" PRIu64 " バイト)、入力 %d 件、%.2f 秒、%.0f パケット/秒\n"),
		s->pkts, s->bytes, s->files, secs, rate(s->pkts, secs));
	fprintf(f, TR(o, "decoded    %" PRIu64 " TCP/UDP, %" PRIu64 " later fragments, %" PRIu64 " not IP, %" PRIu64 " other L4\n",
		      "デコード   TCP/UDP %" PRIu64 "、後続フラグメント %" PRIu64 "、非 IP %" PRIu64 "、その他の L4 %" PRIu64 "\n"),
		s->decode[DECODE_OK], s->decode[DECODE_FRAGMENT],
		s->decode[DECODE_NOT_IP], s->decode[DECODE_OTHER_L4]);
	fprintf(f, TR(o, "errors     %" PRIu64 " (truncated %" PRIu64 ", invalid %" PRIu64 ", unsupported %" PRIu64 ")\n",
		      "エラー     %" PRIu64 " (切り詰め %" PRIu64 "、不正 %" PRIu64 "、未対応 %" PRIu64 ")\n"),
		errs, s->decode[DECODE_TRUNCATED], s->decode[DECODE_INVALID],
		s->decode[DECODE_UNSUPPORTED]);
	fprintf(f, TR(o, "flows      %" PRIu64 ": ok %" PRIu64 ", notice %" PRIu64 ", violation %" PRIu64 ", unclassified %" PRIu64 "\n",
		      "フロー     %" PRIu64 ": ok %" PRIu64 "、notice %" PRIu64 "、violation %" PRIu64 "、unclassified %" PRIu64 "\n"),
		s->flows, s->verdict[VERDICT_OK], s->verdict[VERDICT_NOTICE],
		s->verdict[VERDICT_VIOLATION], s->verdict[VERDICT_UNCLASSIFIED]);
	summary_flags(o, s);
	fprintf(f, TR(o, "flow table peak %" PRIu64 " of %" PRIu64 ", evicted %" PRIu64 "\n",
		      "フロー表   最大 %" PRIu64 " / %" PRIu64 "、追い出し %" PRIu64 "\n"),
		ri->flows_active_peak, ri->max_flows, s->evicted);
	if (ri->insp)
		fprintf(f, TR(o, "nDPI       %" PRIu64 " flows inspected, %" PRIu64 " confirmed, %" PRIu64 " packets fed, peak %" PRIu64 " states, %" PRIu64 " packets held back at --max-inspect; memory peak %" PRIu64 " bytes (module %" PRIu64 ")\n",
			      "nDPI       検査 %" PRIu64 " フロー、確認 %" PRIu64 "、投入 %" PRIu64 " パケット、最大 %" PRIu64 " 状態、--max-inspect で保留 %" PRIu64 " パケット、メモリ最大 %" PRIu64 " バイト (モジュール %" PRIu64 ")\n"),
			ri->insp->flows_inspected, ri->insp->confirmed,
			ri->insp->pkts_fed, ri->insp->peak_states, ri->insp->limited,
			ri->insp->mem_peak, ri->insp->mem_module);
	fprintf(f, "%s\n", TR(o, "traffic by table / role / service:",
			      "表 / 役割 / サービス別のトラフィック:"));
	fprintf(f, "  %-6s %10s %12s %14s  %s\n", "table",
		TR(o, "flows", "フロー"), TR(o, "packets", "パケット"),
		TR(o, "bytes", "バイト"), TR(o, "role / service", "役割 / サービス"));
	for (int g = 0; g < s->ngroups; g++) {
		const struct stats_group *sg = &s->groups[g];
		const struct rule *r = sg->rule;

		if (sg->flows == 0)
			continue;
		fprintf(f, "  %-6s %10" PRIu64 " %12" PRIu64 " %14" PRIu64 "  %s / %s\n",
			rule_table_name(r->table), sg->flows, sg->pkts, sg->bytes,
			r->text[TEXT_ROLE][l],
			*r->text[TEXT_SERVICE][l] ? r->text[TEXT_SERVICE][l] : "-");
	}
	fprintf(f, "  %-6s %10" PRIu64 " %12" PRIu64 " %14" PRIu64 "  %s\n", "-",
		s->unlabelled_flows, s->unlabelled_pkts,
		s->unlabelled_bytes, TR(o, "(no rule)", "(規則なし)"));
	summary_violations(o, s);
}

static void json_violations(struct output *o, struct stats *s)
{
	struct jsonw *w = &o->jw;
	uint32_t n;
	const struct viol_group *const *v = stats_violations(s, &n);
	char a[INET6_ADDRSTRLEN], t[40];

	JW_KEY(w, "flags");
	jw_obj_begin(w);
	for (int b = 0; b < FLAG_N; b++)
		jw_ku64(w, audit_flag_name(b), s->flag_flows[b]);
	jw_obj_end(w);
	JW_KEY(w, "violations");
	jw_arr_begin(w);
	for (uint32_t i = 0; i < n; i++) {
		jw_obj_begin(w);
		JW_KSTR(w, "flag", audit_flag_name(v[i]->flag));
		textfmt_addr(v[i]->addr, v[i]->ipver, a, sizeof(a));
		JW_KSTR(w, "dest_ip", a);
		JW_KU64(w, "dest_port", v[i]->port);
		JW_KSTR(w, "proto", proto_name(v[i]->l4));
		JW_KU64(w, "flows", v[i]->flows);
		JW_KU64(w, "pkts", v[i]->pkts);
		textfmt_time(v[i]->first_us, t, sizeof(t));
		JW_KSTR(w, "first_seen", t);
		textfmt_time(v[i]->last_us, t, sizeof(t));
		JW_KSTR(w, "last_seen", t);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	JW_KU64(w, "violations_not_kept", s->viol_dropped);
}

static void json_inspect_stats(struct output *o, const struct inspect_stats *is)
{
	struct jsonw *w = &o->jw;

	if (is == NULL)
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
	jw_obj_end(w);
}

/* Opens a stats record: {"timestamp":..,"event_type":"stats","stats":{ */
static void stats_record_begin(struct output *o, uint64_t ts_us)
{
	struct jsonw *w = &o->jw;
	char t[40];

	jw_reset(w);
	jw_obj_begin(w);
	textfmt_time(ts_us, t, sizeof(t));
	JW_KSTR(w, "timestamp", t);
	JW_KSTR(w, "event_type", "stats");
	JW_KEY(w, "stats");
	jw_obj_begin(w);
}

static void summary_json(struct output *o, struct stats *s,
			 const struct run_info *ri)
{
	struct jsonw *w = &o->jw;
	double secs = s->wall_end - s->wall_start;

	stats_record_begin(o, s->last_us);
	JW_KU64(w, "packets", s->pkts);
	JW_KU64(w, "bytes", s->bytes);
	JW_KU64(w, "inputs", (uint64_t)s->files);
	JW_KEY(w, "decode");
	jw_obj_begin(w);
	for (int i = 0; i < DECODE_NSTATUS; i++)
		jw_ku64(w, decode_status_name((enum decode_status)i), s->decode[i]);
	jw_obj_end(w);
	JW_KEY(w, "flows");
	jw_obj_begin(w);
	JW_KU64(w, "total", s->flows);
	for (int v = 0; v < VERDICT_N; v++)
		jw_ku64(w, verdict_name((enum verdict)v), s->verdict[v]);
	JW_KU64(w, "evicted", s->evicted);
	JW_KU64(w, "peak_active", ri->flows_active_peak);
	JW_KU64(w, "max_flows", ri->max_flows);
	jw_obj_end(w);
	JW_KEY(w, "traffic");
	jw_arr_begin(w);
	for (int g = 0; g < s->ngroups; g++) {
		const struct rule *r = s->groups[g].rule;

		if (s->groups[g].flows == 0)
			continue;
		jw_obj_begin(w);
		JW_KSTR(w, "table", rule_table_name(r->table));
		JW_KSTR(w, "role", r->text[TEXT_ROLE][o->lang]);
		JW_KSTR(w, "service", r->text[TEXT_SERVICE][o->lang]);
		JW_KU64(w, "flows", s->groups[g].flows);
		JW_KU64(w, "pkts", s->groups[g].pkts);
		JW_KU64(w, "bytes", s->groups[g].bytes);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	json_violations(o, s);
	json_inspect_stats(o, ri->insp);
	JW_KEY(w, "seconds");
	jw_double(w, secs, 3);
	JW_KEY(w, "packets_per_second");
	jw_double(w, rate(s->pkts, secs), 0);
	jw_obj_end(w);
	jw_obj_end(w);
	if (jw_write_line(w, o->json))
		o->write_errors++;
}

void output_summary(struct output *o, struct stats *s,
		    const struct run_info *ri)
{
	settle(o);
	if (o->summary)
		summary_text(o, s, ri);
	if (o->json)
		summary_json(o, s, ri);
}

/* ------------------------------------------------------------ interim */

static uint64_t decode_errors(const struct stats *s)
{
	return s->decode[DECODE_TRUNCATED] + s->decode[DECODE_INVALID] +
	       s->decode[DECODE_UNSUPPORTED];
}

static void interim_json(struct output *o, const struct stats *s,
			 const struct interim *in)
{
	struct jsonw *w = &o->jw;

	stats_record_begin(o, in->wall_us);
	JW_KEY(w, "interim");
	jw_bool(w, true);
	JW_KU64(w, "packets", s->pkts);
	JW_KU64(w, "bytes", s->bytes);
	JW_KU64(w, "received", in->received);
	JW_KU64(w, "kernel_drops", in->kernel_drops);
	JW_KU64(w, "iface_drops", in->iface_drops);
	JW_KU64(w, "active_flows", in->active_flows);
	JW_KU64(w, "flows_ended", s->flows);
	JW_KU64(w, "evicted", in->evicted);
	JW_KU64(w, "decode_errors", decode_errors(s));
	JW_KU64(w, "violations", s->verdict[VERDICT_VIOLATION]);
	JW_KEY(w, "packets_per_second");
	jw_double(w, in->pps, 0);
	jw_obj_end(w);
	jw_obj_end(w);
	if (jw_write_line(w, o->json) || fflush(o->json) != 0)
		o->write_errors++;
}

void output_interim(struct output *o, const struct stats *s,
		    const struct interim *in)
{
	settle(o);
	fprintf(stderr, "lyncwatch: stats: %" PRIu64 " packets (%.0f/s), %" PRIu64
		" bytes, drops kernel %" PRIu64 " interface %" PRIu64 ", flows "
		"active %" PRIu64 " ended %" PRIu64 " evicted %" PRIu64 ", decode "
		"errors %" PRIu64 ", violations %" PRIu64 "\n", s->pkts, in->pps,
		s->bytes, in->kernel_drops, in->iface_drops, in->active_flows,
		s->flows, in->evicted, decode_errors(s), s->verdict[VERDICT_VIOLATION]);
	if (o->json)
		interim_json(o, s, in);
}

/* ------------------------------------------------------------ rules */

static void rule_json(FILE *f, struct jsonw *w, const struct ruleset *rs,
		      const struct rule *r)
{
	char ports[64], loc[300];

	rule_ports_format(r, ports, sizeof(ports));
	rule_location(rs, r, loc, sizeof(loc));
	jw_reset(w);
	jw_obj_begin(w);
	JW_KSTR(w, "id", r->id);
	JW_KSTR(w, "table", rule_table_name(r->table));
	JW_KSTR(w, "role_key", rs->roles[r->role].key);
	jw_kstr(w, "l4", rule_l4_name(r->l4));
	JW_KSTR(w, "port", ports);
	JW_KSTR(w, "app", rule_app_name(r->app));
	JW_KSTR(w, "status", rule_status_name(r->status));
	JW_KEY(w, "fallback");
	jw_bool(w, r->fallback);
	for (int l = 0; l < LANG_N; l++) {
		static const char *const k[TEXT_N][LANG_N] = {
			{ "role_en", "role_ja" }, { "service_en", "service_ja" },
			{ "protocol_en", "protocol_ja" }, { "note_en", "note_ja" } };
		for (int t = 0; t < TEXT_N; t++)
			jw_kstr(w, k[t][l], r->text[t][l]);
	}
	JW_KSTR(w, "rule", loc);
	jw_obj_end(w);
	jw_write_line(w, f);
}

void output_rules(FILE *f, const struct ruleset *rs, enum lang lang,
		  bool json)
{
	struct jsonw w;

	jw_init(&w);
	if (!json)
		fprintf(f, "%-10s %-6s %-7s %-12s %-11s %-8s %s\n", "id", "table",
			"l4", "port", "app", "status", "role / service / protocol");
	for (int i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];
		char ports[64];

		if (json) {
			rule_json(f, &w, rs, r);
			continue;
		}
		rule_ports_format(r, ports, sizeof(ports));
		fprintf(f, "%-10s %-6s %-7s %-12s %-11s %-8s %s / %s / %s%s\n",
			r->id, rule_table_name(r->table), rule_l4_name(r->l4), ports,
			rule_app_name(r->app), rule_status_name(r->status),
			r->text[TEXT_ROLE][lang],
			*r->text[TEXT_SERVICE][lang] ? r->text[TEXT_SERVICE][lang] : "-",
			*r->text[TEXT_PROTOCOL][lang] ? r->text[TEXT_PROTOCOL][lang] : "-",
			r->fallback ? " (fallback)" : "");
	}
	jw_free(&w);
}
