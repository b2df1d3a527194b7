/* report_tables.c: the report's tables of rows: the allow-list, the
 * coverage of the rule tables, the traffic no rule covers, and the TLS
 * certificates per server.  Counts are in data-* attributes too. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/report.h"
#include "util/textfmt.h"

static void td(FILE *f, const char *s)
{
	fputs("<td>", f);
	html_text(f, s && *s ? s : "-");
	fputs("</td>", f);
}

static void allow_row(const struct report_page *p, const struct rep_allow *a)
{
	const struct rep_rule *ru = report_rule(p->d, a->k.rule);
	char src[64], dst[48], port[16];

	allow_source(a, src, sizeof(src));
	textfmt_addr(a->k.dst, a->k.ipver, dst, sizeof(dst));
	allow_ports(a, port, sizeof(port));
	fprintf(p->f, "<tr class=\"allow\" data-src=\"%s\" data-dst=\"%s\" data-proto=\"%s\" data-port=\"%s\" data-rule=\"",
		src, dst, sink_proto_name(a->k.l4), port);
	html_text(p->f, ru->id);
	fprintf(p->f, "\" data-flows=\"%" PRIu64 "\">", a->flows);
	td(p->f, src);
	td(p->f, dst);
	td(p->f, ru->role_key);
	td(p->f, sink_proto_name(a->k.l4));
	td(p->f, port);
	td(p->f, ru->id);
	td(p->f, ru->service);
	fprintf(p->f, "<td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td></tr>\n",
		a->flows, a->bytes);
}

void report_allow(const struct report_page *p)
{
	static const char *const hen[] = { "source", "destination", "role",
		"proto", "port", "row", "service", "flows", "bytes" };
	static const char *const hja[] = { "送信元", "宛先", "役割",
		"プロトコル", "ポート", "行", "サービス", "フロー", "バイト" };
	uint32_t n = 0, i;
	uint64_t flows = 0, rest = 0;
	struct rep_allow **v = allow_sorted(p->d, &n);

	for (i = 0; v && i < n; i++)
		flows += v[i]->flows;
	fprintf(p->f, "<section id=\"allow\" data-rows=\"%u\" data-flows=\"%" PRIu64 "\" data-not-kept=\"%" PRIu64 "\"><h2>%s</h2>\n<p>%s</p>\n",
		n, flows, p->d->allow.dropped, RT(p, "Firewall allow-list", "ファイアウォール許可リスト"),
		RT(p, "What a firewall between the observed zones must pass for the documented flows seen (verdict ok, or a notice): one row per client network (/24, IPv6 /64), server, protocol, port or range of the row that labels the flow first. Also written as CSV with --allow-list.",
		   "観測されたゾーン間のファイアウォールが、観測された文書化済みのフロー (判定 ok または notice) のために許可すべきもの: クライアントのネットワーク (/24、IPv6 は /64)、サーバー、プロトコル、フローに最初のラベルを付けた行のポートまたは範囲ごとに 1 行。--allow-list で CSV にも書き出します。"));
	if (v == NULL || n == 0) {
		fprintf(p->f, "<p>%s</p></section>\n", RT(p, "No documented flow.", "文書化されたフローはありません。"));
		free(v);
		return;
	}
	fputs("<table class=\"wide\">", p->f);
	report_th_row(p->f, RT(p, hen, hja), 9);
	for (i = 0; i < n && i < p->top; i++)
		allow_row(p, v[i]);
	fputs("</table>\n", p->f);
	for (; i < n; i++)
		rest += v[i]->flows;
	report_more(p, n > p->top ? n - p->top : 0, rest);
	fputs("</section>\n", p->f);
	free(v);
}

static void coverage_row(const struct report_page *p, uint32_t i)
{
	const struct rep_rule *r = report_rule(p->d, i);
	uint64_t n = p->d->rules.flows[i];

	fputs("<tr class=\"cov\" data-rule=\"", p->f);
	html_text(p->f, r->id);
	fprintf(p->f, "\" data-flows=\"%" PRIu64 "\" data-seen=\"%d\">", n, n > 0);
	td(p->f, r->id);
	td(p->f, rule_table_name((enum rule_table)r->table));
	td(p->f, r->role);
	td(p->f, r->service);
	td(p->f, rule_l4_name(r->l4));
	td(p->f, r->ports);
	td(p->f, rule_status_name((enum rule_status)r->status));
	fprintf(p->f, "<td class=\"%s\">%s</td><td class=\"n\">%" PRIu64 "</td></tr>\n",
		n ? "seen" : "unseen", n ? RT(p, "seen", "観測") : RT(p, "not seen", "未観測"), n);
}

void report_coverage(const struct report_page *p)
{
	static const char *const hen[] = { "row", "table", "role", "service",
		"proto", "port", "status", "", "flows" };
	static const char *const hja[] = { "行", "表", "役割", "サービス",
		"プロトコル", "ポート", "状態", "", "フロー" };
	const struct rep_rules *rr = &p->d->rules;
	int seen = 0, n = rr->ncur;

	for (int i = 0; i < n; i++)
		seen += rr->flows[rr->cur[i]] > 0;
	fprintf(p->f, "<section id=\"coverage\" data-rows=\"%d\" data-seen=\"%d\"><h2>%s</h2>\n<p>",
		n, seen, RT(p, "Coverage of the documentation", "文書の網羅"));
	fprintf(p->f, RT(p, "%d of the %d rows of the loaded tables labelled at least one flow of this capture.",
			 "読み込んだ表の %2$d 行のうち %1$d 行がこのキャプチャのフローにラベルを付けました。"), seen, n);
	fputs("</p>\n<table class=\"wide\">", p->f);
	report_th_row(p->f, RT(p, hen, hja), 9);
	for (int i = 0; i < n; i++)
		coverage_row(p, rr->cur[i]);
	fputs("</table></section>\n", p->f);
}

static int port_cmp(const void *x, const void *y)
{
	const struct rep_port *a = *(const struct rep_port *const *)x;
	const struct rep_port *b = *(const struct rep_port *const *)y;

	if (a->flows != b->flows)
		return a->flows < b->flows ? 1 : -1;
	if (a->k.l4 != b->k.l4)
		return (int)a->k.l4 - (int)b->k.l4;
	return (int)a->k.port - (int)b->k.port;
}

void report_unclassified(const struct report_page *p)
{
	static const char *const hen[] = { "proto", "server port", "flows", "packets", "bytes" };
	static const char *const hja[] = { "プロトコル", "サーバーポート", "フロー", "パケット", "バイト" };
	uint32_t n = 0, i;
	uint64_t flows = 0, rest = 0;
	struct rep_port **v = (struct rep_port **)rtab_list(&p->d->ports, &n);

	for (i = 0; v && i < n; i++)
		flows += v[i]->flows;
	fprintf(p->f, "<section id=\"unclassified\" data-rows=\"%u\" data-flows=\"%" PRIu64 "\"><h2>%s</h2>\n<p>%s</p>\n",
		n, flows, RT(p, "Unclassified traffic", "未分類のトラフィック"),
		RT(p, "Flows that no row of the tables covers, by protocol and server port, most flows first.",
		   "表のどの行にも当たらないフロー (プロトコルとサーバーポート別、フローの多い順)。"));
	if (v && n) {
		qsort(v, n, sizeof(*v), port_cmp);
		fputs("<table>", p->f);
		report_th_row(p->f, RT(p, hen, hja), 5);
		for (i = 0; i < n && i < p->top; i++)
			fprintf(p->f, "<tr class=\"unc\" data-proto=\"%s\" data-port=\"%u\" data-flows=\"%" PRIu64 "\"><td>%s</td><td class=\"n\">%u</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td></tr>\n",
				sink_proto_name(v[i]->k.l4), v[i]->k.port, v[i]->flows,
				sink_proto_name(v[i]->k.l4), v[i]->k.port, v[i]->flows,
				v[i]->pkts, v[i]->bytes);
		fputs("</table>\n", p->f);
		for (; i < n; i++)
			rest += v[i]->flows;
		report_more(p, n > p->top ? n - p->top : 0, rest);
	}
	fputs("</section>\n", p->f);
	free(v);
}

static void cert_row(const struct report_page *p, const struct cert_entry *e)
{
	char a[64], hex[41], t0[32], t1[32];

	report_addr(e->addr, e->ipver, a, sizeof(a));
	fprintf(p->f, "<tr class=\"cert\" data-flows=\"%" PRIu64 "\"><td>%s:%u/%s</td>",
		e->flows, a, e->port, sink_proto_name(e->l4));
	td(p->f, e->role);
	fprintf(p->f, "<td><code>%s</code></td>", certs_sha1_hex(e->t.sha1, hex));
	td(p->f, e->t.subject);
	td(p->f, e->t.issuer);
	fprintf(p->f, "<td class=\"t\">%s<br>%s</td>", certs_time(e->t.not_before, t0),
		certs_time(e->t.not_after, t1));
	td(p->f, e->t.names);
	fprintf(p->f, "<td class=\"n\">%" PRIu64 "</td><td>", e->flows);
	for (int k = 0; k < CERT_NFINDINGS; k++)
		if (e->findings >> k & 1)
			fprintf(p->f, "<span class=\"finding\" title=\"%s\">%s</span> ",
				certs_finding_text((enum cert_finding)k, p->lang),
				certs_finding_name((enum cert_finding)k));
	fputs("</td></tr>\n", p->f);
}

void report_certs(const struct report_page *p)
{
	static const char *const hen[] = { "server", "role", "SHA-1", "subject",
		"issuer", "valid", "names", "flows", "findings" };
	static const char *const hja[] = { "サーバー", "役割", "SHA-1", "サブジェクト",
		"発行者", "有効期間", "名前", "フロー", "所見" };
	const struct summary *sm = p->sm;
	uint32_t i, n = sm ? sm->ncerts : 0;

	fprintf(p->f, "<section id=\"certs\" data-rows=\"%u\"><h2>%s</h2>\n", n,
		RT(p, "TLS certificates per server", "サーバーごとの TLS 証明書"));
	if (sm == NULL || n == 0) {
		fprintf(p->f, "<p>%s</p></section>\n", sm ?
			RT(p, "No certificate read (TLS 1.3, resumed or mid-stream handshakes carry none in the clear).",
			   "読み取った証明書はありません (TLS 1.3、再開、途中からのハンドシェイクには平文の証明書がありません)。") :
			RT(p, "At the end of the run.", "実行の終わりに表示します。"));
		return;
	}
	fputs("<table class=\"wide\">", p->f);
	report_th_row(p->f, RT(p, hen, hja), 9);
	for (i = 0; i < n && i < p->top; i++)
		cert_row(p, &sm->certs[i]);
	fputs("</table>\n", p->f);
	report_more(p, n > p->top ? n - p->top : 0, 0);
	fputs("</section>\n", p->f);
}
