/* sink_summary.c: the text summary at the end of a run, and a stats line
 * on the diagnostic stream (stderr) for each interim stats record. */
#include <arpa/inet.h>
#include <inttypes.h>

#include "output/sink.h"
#include "util/escape.h"
#include "util/textfmt.h"

#define TR(en, ja) SINK_TR(s, en, ja)

static void summary_flags(struct sink *s, const struct summary *sm)
{
	FILE *f = s->cfg->summary;
	bool any = false;

	for (int b = 0; b < FLAG_N; b++) {
		if (sm->flag_flows[b] == 0)
			continue;
		fprintf(f, "%s %s %" PRIu64, any ? "," : TR("flags     ", "フラグ    "),
			audit_flag_name(b), sm->flag_flows[b]);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

static void summary_violations(struct sink *s, const struct summary *sm)
{
	FILE *f = s->cfg->summary;
	char a[INET6_ADDRSTRLEN], t0[40], t1[40];

	if (sm->nviol == 0)
		return;
	fprintf(f, "%s\n", TR("violations by flag / server / port:",
			      "フラグ / サーバー / ポート別の違反:"));
	for (uint32_t i = 0; i < sm->nviol; i++) {
		const struct viol_group *v = &sm->viol[i];

		textfmt_addr(v->addr, v->ipver, a, sizeof(a));
		textfmt_time(v->first_us, t0, sizeof(t0));
		textfmt_time(v->last_us, t1, sizeof(t1));
		fprintf(f, "  %-17s %s %s%s%s:%u  %" PRIu64 " %s, %" PRIu64 " %s, %s .. %s\n",
			audit_flag_name(v->flag), sink_proto_name(v->l4),
			v->ipver == 6 ? "[" : "", a, v->ipver == 6 ? "]" : "",
			v->port, v->flows, TR("flows", "フロー"), v->pkts,
			TR("packets", "パケット"), t0, t1);
	}
	if (sm->viol_not_kept)
		fprintf(f, TR("  (%" PRIu64 " more violations in groups not kept)\n",
			      "  (保持されないグループの違反 %" PRIu64 " 件)\n"), sm->viol_not_kept);
}

static void traffic_row(FILE *f, const struct summary_row *row,
			const char *what)
{
	fprintf(f, "  %-6s %10" PRIu64 " %12" PRIu64 " %14" PRIu64 "  ",
		row->table, row->flows, row->pkts, row->bytes);
	if (what)
		fprintf(f, "%s\n", what);
	else
		fprintf(f, "%s / %s\n", row->role, *row->service ? row->service : "-");
}

/* The traffic table: one header (what a row counts), then the columns'
 * names, the rows, and every flow once. */
static void summary_traffic(struct sink *s, const struct summary *sm)
{
	FILE *f = s->cfg->summary;

	fprintf(f, "%s\n", TR("traffic    (a flow counts under each of its labels)",
			      "トラフィック (フローはそのラベルごとに数えます)"));
	fprintf(f, "  %-6s %10s %12s %14s  %s\n", "table",
		TR("flows", "フロー"), TR("packets", "パケット"),
		TR("bytes", "バイト"), TR("role / service", "役割 / サービス"));
	for (int i = 0; i < sm->nrows; i++)
		traffic_row(f, &sm->rows[i], sm->rows[i].no_rule ?
			    TR("(no rule)", "(規則なし)") : NULL);
	traffic_row(f, &sm->port_only,
		    TR("(by the port alone: not judged, not counted above)",
		       "(ポートのみ: 判定せず、上記に含めない)"));
	traffic_row(f, &sm->distinct, TR("distinct flows", "フロー (重複なし)"));
}

/* Flows by verdict and by what decided their application. */
static void summary_evidence(struct sink *s, const struct summary *sm)
{
	FILE *f = s->cfg->summary;

	fprintf(f, "%s\n  %-13s %10s %10s %10s %10s\n",
		TR("evidence   (flows by verdict and what read the application)",
		   "根拠       (判定ごとのフローとアプリケーションを判別したもの)"),
		"", TR("wire", "通信内容"), "nDPI", TR("both", "両方"),
		TR("none", "なし"));
	for (int v = VERDICT_OK; v < VERDICT_N; v++)
		fprintf(f, "  %-13s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
			verdict_name((enum verdict)v), sm->verdict_by[v][EV_WIRE],
			sm->verdict_by[v][EV_NDPI], sm->verdict_by[v][EV_BOTH],
			sm->verdict_by[v][EV_NONE]);
	fprintf(f, "  %-13s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
		verdict_name(VERDICT_UNCLASSIFIED),
		sm->verdict_by[VERDICT_UNCLASSIFIED][EV_WIRE],
		sm->verdict_by[VERDICT_UNCLASSIFIED][EV_NDPI],
		sm->verdict_by[VERDICT_UNCLASSIFIED][EV_BOTH],
		sm->verdict_by[VERDICT_UNCLASSIFIED][EV_NONE]);
}

/* The hosts taken for Lync servers without an inventory entry, and why. */
static void summary_hosts(struct sink *s, const struct summary *sm)
{
	FILE *f = s->cfg->summary;
	char a[INET6_ADDRSTRLEN], t[40];

	if (sm->nhosts == 0)
		return;
	fprintf(f, "%s\n", TR("inferred servers (seen serving a Lync-specific port, the bytes confirming its row)",
			       "推定サーバー (Lync 固有のポートで応答し、通信内容が行と一致したホスト)"));
	for (uint32_t i = 0; i < sm->nhosts; i++) {
		const struct host_seen *h = &sm->hosts[i];
		const char *rule = sm->host_rule[i];

		textfmt_addr(h->addr, h->ipver, a, sizeof(a));
		textfmt_time(h->first_us, t, sizeof(t));
		fprintf(f, "  %-39s %s %-5u %-10s %s %s\n", a,
			sink_proto_name(h->l4), h->port, rule, TR("from", "開始"), t);
	}
	if (sm->hosts_not_kept)
		fprintf(f, TR("  (%" PRIu64 " more not kept)\n", "  (保持されない %" PRIu64 " 件)\n"),
			sm->hosts_not_kept);
}

/* packets, decoded, errors, flows and flags lines. */
static void summary_counts(struct sink *s, const struct summary *sm)
{
	FILE *f = s->cfg->summary;

	fprintf(f, TR("packets    %" PRIu64 " (%" PRIu64 " bytes) from %d input(s) in %.2f s, %.0f packets/s\n",
		      "パケット   %" PRIu64 " (%" PRIu64 " バイト)、入力 %d 件、%.2f 秒、%.0f パケット/秒\n"),
		sm->pkts, sm->bytes, sm->inputs, sm->seconds, sm->pps);
	if (sm->live)
		fprintf(f, TR("capture    received %" PRIu64 ", dropped by the kernel %" PRIu64 ", by the interface %" PRIu64 "\n",
			      "キャプチャ 受信 %" PRIu64 "、カーネルで破棄 %" PRIu64 "、インターフェースで破棄 %" PRIu64 "\n"),
			sm->received, sm->kernel_drops, sm->iface_drops);
	fprintf(f, TR("decoded    %" PRIu64 " TCP/UDP, %" PRIu64 " later fragments, %" PRIu64 " not IP, %" PRIu64 " other L4\n",
		      "デコード   TCP/UDP %" PRIu64 "、後続フラグメント %" PRIu64 "、非 IP %" PRIu64 "、その他の L4 %" PRIu64 "\n"),
		sm->decode[DECODE_OK], sm->decode[DECODE_FRAGMENT],
		sm->decode[DECODE_NOT_IP], sm->decode[DECODE_OTHER_L4]);
	fprintf(f, TR("errors     %" PRIu64 " (truncated %" PRIu64 ", invalid %" PRIu64 ", unsupported %" PRIu64 ", input %" PRIu64 ")\n",
		      "エラー     %" PRIu64 " (切り詰め %" PRIu64 "、不正 %" PRIu64 "、未対応 %" PRIu64 "、入力 %" PRIu64 ")\n"),
		sm->errors, sm->decode[DECODE_TRUNCATED],
		sm->decode[DECODE_INVALID], sm->decode[DECODE_UNSUPPORTED],
		sm->input_errors);
	fprintf(f, TR("flows      %" PRIu64 ": ok %" PRIu64 ", notice %" PRIu64 ", violation %" PRIu64 ", unclassified %" PRIu64 "\n",
		      "フロー     %" PRIu64 ": ok %" PRIu64 "、notice %" PRIu64 "、violation %" PRIu64 "、unclassified %" PRIu64 "\n"),
		sm->flows, sm->verdict[VERDICT_OK], sm->verdict[VERDICT_NOTICE],
		sm->verdict[VERDICT_VIOLATION], sm->verdict[VERDICT_UNCLASSIFIED]);
	summary_flags(s, sm);
}

/* What became of the TLS handshakes: read, encrypted, or why not. */
static void certs_counts_line(struct sink *s, const struct summary *sm)
{
	const struct certs_counts *cc = &sm->certs_counts;

	fprintf(s->cfg->summary, TR("tls        %" PRIu64 " handshakes: certificate read %" PRIu64 ", TLS 1.3 (encrypted) %" PRIu64 ", none read %" PRIu64 " (resumed, or cut off before the certificate: no finding)\n",
				    "TLS        ハンドシェイク %" PRIu64 ": 証明書読み取り %" PRIu64 "、TLS 1.3 (暗号化) %" PRIu64 "、読み取りなし %" PRIu64 " (再開、または証明書の前で途切れた: 所見なし)\n"),
		cc->handshakes, cc->with_cert, cc->tls13, cc->no_cert);
	if (cc->not_kept)
		fprintf(s->cfg->summary, TR("  (%" PRIu64 " certificates of servers not kept)\n",
					    "  (保持されないサーバー証明書 %" PRIu64 " 件)\n"),
			cc->not_kept);
}

/* The certificate's texts (from the wire: escaped for a terminal). */
static void certs_texts(struct sink *s, const struct inspect_tls *t)
{
	char sub[ESC_TEXT_MAX], iss[ESC_TEXT_MAX], nam[ESC_TEXT_MAX];
	char t0[32], t1[32];

	fprintf(s->cfg->summary, "    %s %s\n    %s %s\n    %s %s .. %s\n    %s %s\n",
		TR("subject", "サブジェクト"), esc_text(sub, sizeof(sub), t->subject),
		TR("issuer ", "発行者"), esc_text(iss, sizeof(iss), t->issuer),
		TR("valid  ", "有効期間"), certs_time(t->not_before, t0),
		certs_time(t->not_after, t1), TR("names  ", "名前"),
		t->names[0] ? esc_text(nam, sizeof(nam), t->names) : "-");
}

/* One certificate of one server and port, then its findings (their
 * evidence may quote a name from the wire: escaped). */
static void certs_entry(struct sink *s, const struct cert_entry *e,
			uint64_t end_us)
{
	FILE *f = s->cfg->summary;
	char a[INET6_ADDRSTRLEN], hex[41], ev[256], esc[ESC_TEXT_MAX];

	textfmt_addr(e->addr, e->ipver, a, sizeof(a));
	fprintf(f, "  %s%s%s:%u %s %s  sha1 %s  %" PRIu64 " %s\n",
		e->ipver == 6 ? "[" : "", a, e->ipver == 6 ? "]" : "", e->port,
		sink_proto_name(e->l4), e->role[0] ? e->role : "-",
		certs_sha1_hex(e->t.sha1, hex), e->flows, TR("flows", "フロー"));
	certs_texts(s, &e->t);
	for (int k = 0; k < CERT_NFINDINGS; k++)
		if (e->findings >> k & 1)
			fprintf(f, "    ! %s: %s (%s)\n",
				certs_finding_name((enum cert_finding)k),
				certs_finding_text((enum cert_finding)k,
						   s->cfg->lang),
				esc_text(esc, sizeof(esc), certs_finding_evidence(e,
					(enum cert_finding)k, end_us, ev, sizeof(ev))));
}

/* The certificate table, when the capture held a TLS handshake. */
static void summary_certs(struct sink *s, const struct summary *sm)
{
	if (!sm->dpi || sm->certs_counts.handshakes == 0)
		return;
	certs_counts_line(s, sm);
	if (sm->ncerts == 0)
		return;
	fprintf(s->cfg->summary, TR("certificates by server and port (findings at capture time; expiring: within %u days of the last packet)\n",
				    "サーバー・ポート別の証明書 (所見はキャプチャ時点; 期限間近: 最終パケットから %u 日以内)\n"),
		sm->cert_warn_days);
	for (uint32_t i = 0; i < sm->ncerts; i++)
		certs_entry(s, &sm->certs[i], sm->last_us);
}

static void summary_text(struct sink *s, const struct summary *sm)
{
	FILE *f = s->cfg->summary;
	const struct inspect_stats *is = &sm->insp;

	if (f == NULL)
		return;
	fprintf(f, "%s\n", TR("== lyncwatch summary ==", "== lyncwatch 集計 =="));
	summary_counts(s, sm);
	if (sm->media_limited)
		fprintf(f, TR("media      %" PRIu64 " packets not measured: media blocks in use at the limit\n",
			      "メディア   %" PRIu64 " パケット未測定 (メディア測定の上限)\n"),
			sm->media_limited);
	fprintf(f, TR("flow table peak %" PRIu64 " of %" PRIu64 ", evicted %" PRIu64 "\n",
		      "フロー表   最大 %" PRIu64 " / %" PRIu64 "、追い出し %" PRIu64 "\n"),
		sm->peak_active, sm->max_flows, sm->evicted);
	if (sm->dpi)
		fprintf(f, TR("nDPI       %" PRIu64 " flows inspected, %" PRIu64 " confirmed, %" PRIu64 " packets fed, peak %" PRIu64 " states, %" PRIu64 " packets held back at --max-inspect; memory peak %" PRIu64 " bytes (module %" PRIu64 ")\n",
			      "nDPI       検査 %" PRIu64 " フロー、確認 %" PRIu64 "、投入 %" PRIu64 " パケット、最大 %" PRIu64 " 状態、--max-inspect で保留 %" PRIu64 " パケット、メモリ最大 %" PRIu64 " バイト (モジュール %" PRIu64 ")\n"),
			is->flows_inspected, is->confirmed, is->pkts_fed,
			is->peak_states, is->limited, is->mem_peak, is->mem_module);
	if (sm->out.redis)
		fprintf(f, TR("redis      %" PRIu64 " records delivered, %" PRIu64 " dropped, %" PRIu64 " reconnects\n",
			      "redis      配信 %" PRIu64 " レコード、破棄 %" PRIu64 "、再接続 %" PRIu64 "\n"),
			sm->out.redis_delivered, sm->out.redis_dropped,
			sm->out.redis_reconnects);
	summary_evidence(s, sm);
	summary_traffic(s, sm);
	summary_hosts(s, sm);
	summary_violations(s, sm);
	summary_certs(s, sm);
}

static void summary_interim(struct sink *s, const struct interim *in)
{
	if (s->cfg->diag == NULL)
		return;
	fprintf(s->cfg->diag, "lyncwatch: stats: %" PRIu64 " packets (%.0f/s), %" PRIu64
		" bytes, drops kernel %" PRIu64 " interface %" PRIu64 ", flows "
		"active %" PRIu64 " ended %" PRIu64 " evicted %" PRIu64 ", decode "
		"errors %" PRIu64 ", violations %" PRIu64 "\n", in->pkts, in->pps,
		in->bytes, in->kernel_drops, in->iface_drops, in->active_flows,
		in->flows_ended, in->evicted, in->decode_errors, in->violations);
	if (in->out.redis)
		fprintf(s->cfg->diag, "lyncwatch: stats: redis %" PRIu64
			" delivered, %" PRIu64 " dropped, %" PRIu64 " reconnects, %"
			PRIu64 " pending\n", in->out.redis_delivered,
			in->out.redis_dropped, in->out.redis_reconnects,
			in->out.redis_pending);
}

static int summary_open(struct sink *s)
{
	return s->cfg->summary != NULL || s->cfg->diag != NULL;
}

const struct sink_ops sink_summary_ops = {
	.name = "summary",
	.open = summary_open,
	.interim = summary_interim,
	.summary = summary_text,
};
