/* report_page.c: the sections of the report, in page order.  Every count
 * is also in a data-* attribute (tests read the DOM); every text from a
 * packet, a rule file or an inventory goes through html_text. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/report.h"
#include "util/escape.h"
#include "util/textfmt.h"

void html_text(FILE *f, const char *s)
{
	char buf[ESC_TEXT_MAX];

	for (const char *c = esc_text(buf, sizeof(buf), s); *c; c++) {
		switch (*c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '/':   /* no "://" in the file: no text reads as a link */
			fputs(c[1] == '/' && c > buf && c[-1] == ':' ? "&#47;" : "/", f);
			break;
		default: fputc(*c, f);
		}
	}
}

void report_addr(const uint8_t *addr, int ipver, char *buf, size_t len)
{
	char a[48];

	textfmt_addr(addr, ipver, a, sizeof(a));
	snprintf(buf, len, ipver == 6 ? "[%s]" : "%s", a);
}

static void td_num(FILE *f, uint64_t n)
{
	fprintf(f, "<td class=\"n\">%" PRIu64 "</td>", n);
}

static void td_text(FILE *f, const char *s)
{
	fputs("<td>", f);
	html_text(f, s ? s : "-");
	fputs("</td>", f);
}

void report_th_row(FILE *f, const char *const *h, int n)
{
	fputs("<thead><tr>", f);
	for (int i = 0; i < n; i++)
		fprintf(f, "<th>%s</th>", h[i]);
	fputs("</tr></thead>\n", f);
}

void report_more(const struct report_page *p, uint64_t rows, uint64_t flows)
{
	if (rows == 0)
		return;
	fprintf(p->f, "<p class=\"more\" data-more-rows=\"%" PRIu64 "\">", rows);
	if (p->lang == LANG_JA)
		fprintf(p->f, "ほか %" PRIu64 " 行 (%" PRIu64 " フロー) は省略 (--report-top)。",
			rows, flows);
	else
		fprintf(p->f, "%" PRIu64 " more rows (%" PRIu64 " flows) not shown (--report-top).",
			rows, flows);
	fputs("</p>\n", p->f);
}

static void glance_verdicts(const struct report_page *p)
{
	static const char *const hen[] = { "verdict", "flows", "bytes" };
	static const char *const hja[] = { "判定", "フロー", "バイト" };
	const struct report_data *d = p->d;
	uint64_t bytes = 0;

	fputs("<table class=\"verdicts\">", p->f);
	report_th_row(p->f, RT(p, hen, hja), 3);
	for (int v = VERDICT_OK; v <= VERDICT_N; v++) {
		enum verdict e = v == VERDICT_N ? VERDICT_UNCLASSIFIED : (enum verdict)v;

		fprintf(p->f, "<tr data-verdict=\"%s\" data-flows=\"%" PRIu64 "\" data-bytes=\"%" PRIu64 "\"><td class=\"v-%s\">%s</td>",
			verdict_name(e), d->flows[e], d->bytes[e], verdict_name(e),
			verdict_name(e));
		td_num(p->f, d->flows[e]);
		td_num(p->f, d->bytes[e]);
		fputs("</tr>\n", p->f);
		bytes += d->bytes[e];
	}
	fprintf(p->f, "<tr data-verdict=\"total\" data-flows=\"%" PRIu64 "\"><td>%s</td>",
		d->flows_total, RT(p, "all", "合計"));
	td_num(p->f, d->flows_total);
	td_num(p->f, bytes);
	fputs("</tr></table>\n", p->f);
}

static void glance_flags(const struct report_page *p)
{
	fprintf(p->f, "<table class=\"flags\">");
	for (int b = 0; b < FLAG_N; b++) {
		enum verdict v = audit_verdict(1u << b, true);

		fprintf(p->f, "<tr data-flag=\"%s\" data-flows=\"%" PRIu64 "\"><td class=\"v-%s\">%s</td>",
			audit_flag_name(b), p->d->flag_flows[b], verdict_name(v),
			audit_flag_name(b));
		td_num(p->f, p->d->flag_flows[b]);
		fputs("</tr>\n", p->f);
	}
	fputs("</table>\n", p->f);
}

/* A row of the input list: name, then the value (printf'ed). */
#define DL(p, en, ja, fmt, ...) \
	fprintf((p)->f, "<dt>%s</dt><dd>" fmt "</dd>\n", RT(p, en, ja), __VA_ARGS__)

static void glance_input(const struct report_page *p)
{
	const struct summary *sm = p->sm;
	char t0[TEXTFMT_TIME_LEN], t1[TEXTFMT_TIME_LEN];

	fputs("<dl class=\"input\">\n", p->f);
	if (p->ninputs > 0) {
		fprintf(p->f, "<dt>%s</dt><dd>", RT(p, "files", "ファイル"));
		for (int i = 0; i < p->ninputs; i++) {
			if (i)
				fputs(", ", p->f);
			html_text(p->f, p->inputs[i]);
		}
		fputs("</dd>\n", p->f);
	}
	if (sm) {
		DL(p, "packets", "パケット", "<span data-packets=\"%" PRIu64 "\">%" PRIu64 "</span> (%" PRIu64 " %s), %d %s",
		   sm->pkts, sm->pkts, sm->bytes, RT(p, "bytes", "バイト"), sm->inputs,
		   RT(p, "input(s)", "入力"));
		DL(p, "errors", "エラー", "%s %" PRIu64 ", %s %" PRIu64,
		   RT(p, "decode", "デコード"), sm->decode_errors,
		   RT(p, "input", "入力"), sm->input_errors);
		if (sm->live)
			DL(p, "drops", "破棄", "%s %" PRIu64 ", %s %" PRIu64,
			   RT(p, "kernel", "カーネル"), sm->kernel_drops,
			   RT(p, "interface", "インターフェース"), sm->iface_drops);
		DL(p, "flow table", "フロー表", "%s %" PRIu64 ", %s %" PRIu64,
		   RT(p, "peak", "最大"), sm->peak_active, RT(p, "evicted", "追い出し"),
		   sm->evicted);
	} else if (p->in) {
		DL(p, "packets", "パケット", "<span data-packets=\"%" PRIu64 "\">%" PRIu64 "</span> (%" PRIu64 " %s)",
		   p->in->pkts, p->in->pkts, p->in->bytes, RT(p, "bytes", "バイト"));
		DL(p, "drops", "破棄", "%s %" PRIu64 ", %s %" PRIu64 "; %s %" PRIu64,
		   RT(p, "kernel", "カーネル"), p->in->kernel_drops,
		   RT(p, "interface", "インターフェース"), p->in->iface_drops,
		   RT(p, "decode errors", "デコードエラー"), p->in->decode_errors);
	}
	textfmt_time(p->d->first_us, t0, sizeof(t0));
	textfmt_time(p->d->last_us, t1, sizeof(t1));
	if (p->d->flows_total)
		DL(p, "time span", "期間", "%s .. %s", t0, t1);
	fputs("</dl>\n", p->f);
}

static void glance_rules(const struct report_page *p)
{
	const struct rep_rules *rr = &p->d->rules;

	fprintf(p->f, "<dl class=\"input\"><dt>%s</dt><dd>", RT(p, "rules", "規則"));
	html_text(p->f, rr->files ? rr->files : "-");
	fprintf(p->f, " (%d %s)</dd><dt>%s</dt><dd>", rr->ncur,
		RT(p, "rows", "行"), RT(p, "inventory", "インベントリ"));
	if (p->inventory) {
		const char *sl = strrchr(p->inventory, '/');

		html_text(p->f, sl ? sl + 1 : p->inventory);
	} else {
		fputs(RT(p, "none", "なし"), p->f);
	}
	fputs("</dd></dl>\n", p->f);
}

void report_glance(const struct report_page *p)
{
	fprintf(p->f, "<section id=\"glance\"><h2>%s</h2>\n<div class=\"cols\"><div>",
		RT(p, "Verdict at a glance", "判定の概要"));
	glance_verdicts(p);
	svg_verdict_bars(p);
	fprintf(p->f, "</div><div><h3>%s</h3>", RT(p, "flows by flag", "フラグ別のフロー"));
	glance_flags(p);
	fprintf(p->f, "</div><div><h3>%s</h3>", RT(p, "input", "入力"));
	glance_input(p);
	glance_rules(p);
	fputs("</div></div></section>\n", p->f);
}

static int viol_cmp(const void *x, const void *y)
{
	const struct viol_key *a = *(const struct viol_key *const *)x;
	const struct viol_key *b = *(const struct viol_key *const *)y;
	int c = (int)a->flag - (int)b->flag;

	if (c == 0)
		c = memcmp(a->addr, b->addr, 16);
	if (c == 0)
		c = (int)a->port - (int)b->port;
	return c != 0 ? c : (int)a->l4 - (int)b->l4;
}

/* What the row expects and what the bytes showed. */
static void viol_expect(const struct report_page *p, const struct rep_viol *v)
{
	const struct rep_rule *ru = v->rule == REP_NO_RULE ? NULL :
				    report_rule(p->d, v->rule);

	fputs("<td>", p->f);
	if (ru) {
		html_text(p->f, ru->id);
		fputs(" ", p->f);
		html_text(p->f, rule_app_name((enum rule_app)ru->app));
		fputs(" (", p->f);
		html_text(p->f, ru->protocol);
		fputs(")", p->f);
	} else {
		fputs(RT(p, "no row", "行なし"), p->f);
	}
	fputs("</td><td>", p->f);
	html_text(p->f, v->seen);
	fputs(" <small>(", p->f);
	html_text(p->f, v->by);
	fputs(")</small></td>", p->f);
}

static void viol_row(const struct report_page *p, const struct rep_viol *v)
{
	char s[64], c[64], t0[TEXTFMT_TIME_LEN], t1[TEXTFMT_TIME_LEN];

	report_addr(v->k.addr, v->k.ipver, s, sizeof(s));
	report_addr(v->caddr, v->k.ipver, c, sizeof(c));
	fprintf(p->f, "<tr class=\"viol\" data-flag=\"%s\" data-server=\"",
		audit_flag_name(v->k.flag));
	textfmt_addr(v->k.addr, v->k.ipver, t0, sizeof(t0));
	html_text(p->f, t0);
	fprintf(p->f, "\" data-port=\"%u\" data-proto=\"%s\" data-flows=\"%" PRIu64 "\" data-pkts=\"%" PRIu64 "\">",
		v->k.port, sink_proto_name(v->k.l4), v->flows, v->pkts);
	fprintf(p->f, "<td class=\"v-violation\">%s</td><td>%s:%u &#8594; %s:%u/%s</td>",
		audit_flag_name(v->k.flag), c, v->cport, s, v->k.port,
		sink_proto_name(v->k.l4));
	td_text(p->f, v->rule == REP_NO_RULE ? NULL : report_rule(p->d, v->rule)->role);
	viol_expect(p, v);
	textfmt_time(v->first_us, t0, sizeof(t0));
	textfmt_time(v->last_us, t1, sizeof(t1));
	fprintf(p->f, "<td class=\"t\">%s<br>%s</td>", t0, t1);
	td_num(p->f, v->flows);
	td_num(p->f, v->pkts);
	fputs("<td><code>", p->f);
	html_text(p->f, v->cid);
	fputs("</code></td>", p->f);
	td_text(p->f, v->reason);
	fputs("</tr>\n", p->f);
}

void report_violations(const struct report_page *p)
{
	static const char *const hen[] = { "flag", "client &#8594; server", "role",
		"expected", "seen", "first / last seen", "flows", "packets",
		"sample Community ID", "reason (sample)" };
	static const char *const hja[] = { "フラグ", "クライアント &#8594; サーバー", "役割",
		"期待", "観測", "最初 / 最後", "フロー", "パケット",
		"Community ID (例)", "理由 (例)" };
	uint32_t n, i;
	uint64_t rest = 0;
	struct rep_viol **v = (struct rep_viol **)rtab_list(&p->d->viol, &n);

	fprintf(p->f, "<section id=\"violations\" data-groups=\"%u\" data-not-kept=\"%" PRIu64 "\"><h2>%s</h2>\n",
		v ? n : 0, p->d->viol.dropped, RT(p, "Violations", "違反"));
	if (v == NULL || n == 0) {
		fprintf(p->f, "<p>%s</p></section>\n", RT(p, "No violation.", "違反はありません。"));
		free(v);
		return;
	}
	qsort(v, n, sizeof(*v), viol_cmp);
	fputs("<table class=\"wide\">", p->f);
	report_th_row(p->f, RT(p, hen, hja), 10);
	for (i = 0; i < n && i < p->top; i++)
		viol_row(p, v[i]);
	fputs("</table>\n", p->f);
	for (; i < n; i++)
		rest += v[i]->flows;
	report_more(p, n > p->top ? n - p->top : 0, rest);
	fputs("</section>\n", p->f);
	free(v);
}

void report_talkers(const struct report_page *p)
{
	fprintf(p->f, "<section id=\"talkers\"><h2>%s</h2>\n<p>%s</p>\n",
		RT(p, "Who talks to whom", "通信の相手"),
		RT(p, "Flows from each client host (its role in brackets when it served a row) to each row of the tables (the rows are named under the chart).",
		   "クライアントホスト (行を提供したホストは役割を括弧内に表示) から表の各行へのフロー (行の説明は図の下)。"));
	svg_matrix(p);
	fprintf(p->f, "<h3>%s</h3>\n", RT(p, "Traffic over time, by verdict", "判定別の時間推移"));
	svg_timeline(p);
	fputs("</section>\n", p->f);
}
