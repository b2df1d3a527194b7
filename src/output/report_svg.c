/* report_svg.c: the report's charts, inline SVG (no xmlns: an <svg> in
 * an HTML5 page needs none; no script, no external reference). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/report.h"
#include "util/textfmt.h"

#define MATRIX_COLS 12     /* rows of the rule tables shown, at most */
#define MATRIX_ROWS 25     /* hosts shown, at most */

/* Colours of the verdicts, by enum verdict. */
static const char *const verdict_colour[VERDICT_N] = {
	"#9e9e9e", "#2e7d32", "#f9a825", "#c62828" };

/* Verdicts in the order the page lists them. */
static const enum verdict verdict_order[VERDICT_N] = {
	VERDICT_OK, VERDICT_NOTICE, VERDICT_VIOLATION, VERDICT_UNCLASSIFIED };

void svg_verdict_bars(const struct report_page *p)
{
	const struct report_data *d = p->d;
	uint64_t max = 1;
	FILE *f = p->f;

	for (int v = 0; v < VERDICT_N; v++)
		if (d->flows[v] > max)
			max = d->flows[v];
	fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 640 112\" width=\"640\" "
		"height=\"112\" role=\"img\"><title>%s</title>\n",
		RT(p, "flows by verdict", "判定別のフロー"));
	for (int i = 0; i < VERDICT_N; i++) {
		enum verdict v = verdict_order[i];
		double w = 440.0 * (double)d->flows[v] / (double)max;

		fprintf(f, "<text x=\"0\" y=\"%d\">%s</text><rect x=\"110\" y=\"%d\" "
			"width=\"%.1f\" height=\"20\" fill=\"%s\"/><text x=\"%.1f\" "
			"y=\"%d\">%" PRIu64 "</text>\n", 16 + 28 * i, verdict_name(v),
			2 + 28 * i, w, verdict_colour[v], 116 + w, 16 + 28 * i,
			d->flows[v]);
	}
	fputs("</svg>\n", f);
}

/* The pairs' rules by flows, most first; NULL-free, malloc'ed. */
struct col { const struct rep_rule *rule; uint32_t idx; uint64_t flows; };

static int col_cmp(const void *x, const void *y)
{
	const struct col *a = x, *b = y;

	if (a->flows != b->flows)
		return a->flows < b->flows ? 1 : -1;
	return strcmp(a->rule->id, b->rule->id);
}

static struct col *matrix_cols(const struct report_data *d,
			       struct rep_pair **v, uint32_t n, int *ncols)
{
	struct col *c = calloc((size_t)n + 1, sizeof(*c));
	int k = 0;

	if (c == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		int j = 0;

		while (j < k && c[j].idx != v[i]->k.rule)
			j++;
		if (j == k) {
			c[k].idx = v[i]->k.rule;
			c[k++].rule = report_rule(d, v[i]->k.rule);
		}
		c[j].flows += v[i]->flows;
	}
	qsort(c, (size_t)k, sizeof(*c), col_cmp);
	*ncols = k < MATRIX_COLS ? k : MATRIX_COLS;
	return c;
}

static int host_cmp(const void *x, const void *y)
{
	const struct rep_host *a = *(const struct rep_host *const *)x;
	const struct rep_host *b = *(const struct rep_host *const *)y;

	if (a->flows != b->flows)
		return a->flows < b->flows ? 1 : -1;
	return memcmp(&a->k, &b->k, sizeof(a->k));
}

/* The hosts that were the client of a labelled flow, most flows first. */
static struct rep_host **matrix_rows(const struct report_page *p, int *nrows)
{
	uint32_t n, k = 0, lim = p->top < MATRIX_ROWS ? p->top : MATRIX_ROWS;
	struct rep_host **h = (struct rep_host **)rtab_list(&p->d->hosts, &n);

	if (h == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		if (h[i]->flows)
			h[k++] = h[i];
	qsort(h, k, sizeof(*h), host_cmp);
	*nrows = (int)(lim < k ? lim : k);
	return h;
}

static uint64_t pair_flows(const struct report_data *d, const struct rep_host *h,
			   uint32_t ru)
{
	struct pair_key k;
	const struct rep_pair *pr;

	memset(&k, 0, sizeof(k));
	k.h = h->k;
	k.rule = ru;
	pr = rtab_find(&d->pairs, &k);
	return pr ? pr->flows : 0;
}

static void matrix_cell(FILE *f, int x, int y, uint64_t n, uint64_t max)
{
	double a = n ? 0.15 + 0.85 * (double)n / (double)max : 0;

	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"46\" height=\"20\" "
		"fill=\"#1565c0\" fill-opacity=\"%.2f\" stroke=\"#ddd\"/>", x, y, a);
	if (n)
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
			"fill=\"%s\">%" PRIu64 "</text>", x + 23, y + 15,
			a > 0.5 ? "#fff" : "#000", n);
	fputc('\n', f);
}

static void matrix_head(const struct report_page *p, const struct col *c,
			int ncols)
{
	for (int j = 0; j < ncols; j++) {
		fprintf(p->f, "<text class=\"col\" transform=\"translate(%d,118) "
			"rotate(-60)\"><title>", 290 + 48 * j + 23);
		html_text(p->f, c[j].rule->role);
		fputs(" / ", p->f);
		html_text(p->f, c[j].rule->service);
		fputs("</title>", p->f);
		html_text(p->f, c[j].rule->id);
		fputs("</text>\n", p->f);
	}
}

static void matrix_body(const struct report_page *p, struct rep_host **h,
			int nrows, const struct col *c, int ncols)
{
	uint64_t max = 1;
	char a[64];

	for (int i = 0; i < ncols; i++)
		if (c[i].flows > max)
			max = c[i].flows;
	for (int i = 0; i < nrows; i++) {
		int y = 124 + 22 * i;

		textfmt_addr(h[i]->k.addr, h[i]->k.ipver, a, sizeof(a));
		fprintf(p->f, "<text x=\"0\" y=\"%d\">", y + 15);
		html_text(p->f, a);
		if (h[i]->served) {
			fputs(" (", p->f);
			html_text(p->f, h[i]->served);
			fputc(')', p->f);
		}
		fputs("</text>\n", p->f);
		for (int j = 0; j < ncols; j++)
			matrix_cell(p->f, 290 + 48 * j, y,
				    pair_flows(p->d, h[i], c[j].idx), max);
	}
}

/* The columns' rows in words, under the chart. */
static void matrix_legend(const struct report_page *p, const struct col *c,
			  int ncols)
{
	fputs("<p class=\"legend\">", p->f);
	for (int j = 0; j < ncols; j++) {
		fputs(j ? "; <b>" : "<b>", p->f);
		html_text(p->f, c[j].rule->id);
		fputs("</b> ", p->f);
		html_text(p->f, c[j].rule->role);
		if (*c[j].rule->service) {
			fputs(" / ", p->f);
			html_text(p->f, c[j].rule->service);
		}
		fprintf(p->f, " (%s ", rule_l4_name(c[j].rule->l4));
		html_text(p->f, c[j].rule->ports);
		fputc(')', p->f);
	}
	fputs("</p>\n", p->f);
}

void svg_matrix(const struct report_page *p)
{
	uint32_t n;
	struct rep_pair **v = (struct rep_pair **)rtab_list(&p->d->pairs, &n);
	struct rep_host **h = NULL;
	struct col *c = NULL;
	int ncols = 0, nrows = 0;

	if (v == NULL || (c = matrix_cols(p->d, v, n, &ncols)) == NULL ||
	    (h = matrix_rows(p, &nrows)) == NULL || ncols == 0 || nrows == 0) {
		fprintf(p->f, "<p>%s</p>\n", RT(p, "No labelled flow.",
						  "ラベル付きのフローはありません。"));
	} else {
		int w = 290 + 48 * ncols + 20, ht = 124 + 22 * nrows + 4;

		fprintf(p->f, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
			"height=\"%d\" role=\"img\"><title>%s</title>\n", w, ht, w, ht,
			RT(p, "flows by client host and rule row",
			   "クライアントホストと規則行ごとのフロー"));
		matrix_head(p, c, ncols);
		matrix_body(p, h, nrows, c, ncols);
		fputs("</svg>\n", p->f);
		matrix_legend(p, c, ncols);
	}
	free(v);
	free(c);
	free(h);
}

static int minute_cmp(const void *x, const void *y)
{
	const struct rep_minute *a = *(const struct rep_minute *const *)x;
	const struct rep_minute *b = *(const struct rep_minute *const *)y;

	return a->k.minute < b->k.minute ? -1 : a->k.minute > b->k.minute;
}

/* Sums the minutes into REPORT_TL_BUCKETS bars at most, each `width`
 * minutes wide from the first minute. */
static uint32_t timeline_buckets(struct rep_minute **m, uint32_t n,
				 struct rep_minute *b, uint64_t *width)
{
	uint64_t span = m[n - 1]->k.minute - m[0]->k.minute + 1;
	uint32_t nb;

	*width = (span + REPORT_TL_BUCKETS - 1) / REPORT_TL_BUCKETS;
	nb = (uint32_t)((span + *width - 1) / *width);
	memset(b, 0, sizeof(*b) * nb);
	for (uint32_t i = 0; i < n; i++) {
		struct rep_minute *o = &b[(m[i]->k.minute - m[0]->k.minute) / *width];

		for (int v = 0; v < VERDICT_N; v++) {
			o->flows[v] += m[i]->flows[v];
			o->bytes[v] += m[i]->bytes[v];
		}
	}
	return nb;
}

static void timeline_bars(FILE *f, const struct rep_minute *b, uint32_t nb,
			  bool bytes)
{
	uint64_t max = 1;
	double bw = 600.0 / nb > 40 ? 40 : 600.0 / nb;

	for (uint32_t i = 0; i < nb; i++) {
		uint64_t s = 0;

		for (int v = 0; v < VERDICT_N; v++)
			s += bytes ? b[i].bytes[v] : b[i].flows[v];
		if (s > max)
			max = s;
	}
	fprintf(f, "<text x=\"0\" y=\"12\">%" PRIu64 "</text>\n", max);
	for (uint32_t i = 0; i < nb; i++) {
		double y = 150;

		for (int k = 0; k < VERDICT_N; k++) {
			enum verdict v = verdict_order[k];
			double hgt = 130.0 * (double)(bytes ? b[i].bytes[v] :
						b[i].flows[v]) / (double)max;

			if (hgt <= 0)
				continue;
			y -= hgt;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"%s\"/>\n", 80 + bw * i, y,
				bw > 2 ? bw - 1 : bw, hgt, verdict_colour[v]);
		}
	}
}

static void timeline_chart(const struct report_page *p, struct rep_minute **m,
			   uint32_t n, bool bytes)
{
	struct rep_minute *b = calloc(REPORT_TL_BUCKETS + 1, sizeof(*b));
	char t0[TEXTFMT_TIME_LEN];
	uint64_t width;
	uint32_t nb;

	if (b == NULL)
		return;
	nb = timeline_buckets(m, n, b, &width);
	textfmt_time(m[0]->k.minute * 60000000u, t0, sizeof(t0));
	fprintf(p->f, "<figure><svg class=\"chart\" viewBox=\"0 0 700 170\" "
		"width=\"700\" height=\"170\" role=\"img\"><title>%s</title>\n",
		bytes ? RT(p, "bytes over time", "時間ごとのバイト") :
		RT(p, "flows over time", "時間ごとのフロー"));
	timeline_bars(p->f, b, nb, bytes);
	fprintf(p->f, "<line x1=\"80\" y1=\"150\" x2=\"680\" y2=\"150\" "
		"stroke=\"#444\"/><text x=\"80\" y=\"166\">%s</text></svg>\n"
		"<figcaption>%s, %" PRIu64 " %s</figcaption></figure>\n", t0,
		bytes ? RT(p, "bytes by first packet time", "最初のパケット時刻ごとのバイト") :
		RT(p, "flows by first packet time", "最初のパケット時刻ごとのフロー"),
		width, RT(p, "min a bar", "分/本"));
	free(b);
}

void svg_timeline(const struct report_page *p)
{
	uint32_t n;
	struct rep_minute **m = (struct rep_minute **)rtab_list(&p->d->minutes, &n);

	if (m != NULL && n > 0) {
		qsort(m, n, sizeof(*m), minute_cmp);
		timeline_chart(p, m, n, false);
		timeline_chart(p, m, n, true);
	}
	free(m);
}
