/* sink_report.c: --report FILE.html, the audit report as one
 * self-contained page (inline CSS and SVG, no external resource, a line
 * of script that only marks the page as rendered), and --allow-list
 * FILE.csv.
 *
 * Both are rewritten whole at each interim stats record (live) and at the
 * end, as PATH.tmp renamed over PATH: a reader, or a run stopped by a
 * signal, never leaves half a file; the previous complete one stays until
 * the next is complete.  Both paths are tried at start-up, before any
 * packet is read.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "output/report.h"
#include "output/sink.h"

struct report_sink {
	pthread_mutex_t lock;        /* records (writer) vs pages (caller) */
	struct report_data d;
};

static const char css[] =
"body{font:14px/1.4 system-ui,sans-serif;margin:0 2em 2em;color:#222}"
"h1{font-size:1.6em;margin:.6em 0 .2em}h2{border-bottom:2px solid #1565c0;"
"margin-top:1.6em}h3{font-size:1.05em;margin:.6em 0 .3em}"
"nav a{margin-right:1em}table{border-collapse:collapse;margin:.4em 0}"
"th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
"th{background:#eef3fa}td.n{text-align:right;font-variant-numeric:tabular-nums}"
"td.t{white-space:nowrap;font-size:.85em}table.wide{font-size:.9em}"
".cols{display:flex;flex-wrap:wrap;gap:2em}.v-ok{color:#2e7d32}"
".v-notice{color:#a66d00}.v-violation{color:#c62828;font-weight:bold}"
".v-unclassified{color:#666}td.unseen{color:#999}td.seen{color:#2e7d32}"
"dl.input{display:grid;grid-template-columns:max-content auto;gap:2px 1em}"
"dt{font-weight:bold}dd{margin:0}svg.chart{font-size:11px;max-width:100%;height:auto}"
".finding{background:#fdecea;color:#c62828;padding:0 3px}.more{color:#666}"
".legend{font-size:.85em;color:#444;max-width:1100px}"
"footer{margin-top:2em;color:#666;font-size:.85em}";

static void page_head(const struct report_page *p)
{
	fprintf(p->f, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width\">"
		"<title>%s</title><style>%s</style></head>\n<body data-js=\"off\" "
		"data-final=\"%d\">\n<h1>%s</h1>\n", RT(p, "en", "ja"),
		RT(p, "lyncwatch audit report", "lyncwatch 監査レポート"), css,
		p->sm != NULL, RT(p, "lyncwatch audit report", "lyncwatch 監査レポート"));
	fprintf(p->f, "<p>%s</p>\n<nav><a href=\"#glance\">%s</a><a href=\"#violations\">%s</a>"
		"<a href=\"#talkers\">%s</a><a href=\"#allow\">%s</a><a href=\"#coverage\">%s</a>"
		"<a href=\"#unclassified\">%s</a><a href=\"#certs\">%s</a></nav>\n",
		p->sm ? RT(p, "The end of the run.", "実行終了時点。") :
		RT(p, "While the capture runs: rewritten at each stats interval.",
		   "キャプチャ実行中: 統計の間隔ごとに書き直します。"),
		RT(p, "verdicts", "判定"), RT(p, "violations", "違反"),
		RT(p, "who talks to whom", "通信の相手"), RT(p, "allow-list", "許可リスト"),
		RT(p, "coverage", "網羅"), RT(p, "unclassified", "未分類"),
		RT(p, "certificates", "証明書"));
}

void report_page_write(const struct report_page *p)
{
	page_head(p);
	report_glance(p);
	report_violations(p);
	report_talkers(p);
	report_allow(p);
	report_coverage(p);
	report_unclassified(p);
	report_certs(p);
	fprintf(p->f, "<footer>%s %s</footer>\n<script>document.body.setAttribute("
		"'data-js','ok');</script>\n</body></html>\n",
		RT(p, "written by", "作成:"), "lyncwatch " PACKAGE_VERSION);
}

/* Opens PATH.tmp (emptied) into *tmp; NULL with a message. */
static FILE *file_begin(struct sink *s, const char *opt, const char *path,
			char **tmp)
{
	char err[512];
	size_t n = strlen(path) + 5;
	FILE *f = NULL;

	*tmp = malloc(n);
	if (*tmp == NULL)
		return NULL;
	snprintf(*tmp, n, "%s.tmp", path);
	if (s->cfg->open_file == NULL)
		f = fopen(*tmp, "w");
	else if (s->cfg->open_file(*tmp, OUTPUT_TRUNCATE, &f, err, sizeof(err)) != 0)
		f = NULL;
	if (f == NULL) {
		fprintf(stderr, "lyncwatch: %s %s: %s\n", opt, path,
			s->cfg->open_file ? err : "cannot write");
		free(*tmp);
		*tmp = NULL;
	}
	return f;
}

/* Closes PATH.tmp and renames it over PATH; counts a failure. */
static void file_end(struct sink *s, const char *opt, const char *path,
		     FILE *f, char *tmp, bool bad)
{
	if (ferror(f) != 0)
		bad = true;
	if (fclose(f) != 0)
		bad = true;
	if (!bad && rename(tmp, path) != 0)
		bad = true;
	if (bad) {
		fprintf(stderr, "lyncwatch: %s %s: write error\n", opt, path);
		s->write_errors++;
		(void)remove(tmp);
	}
	free(tmp);
}

static void write_files(struct sink *s, const struct summary *sm,
			const struct interim *in)
{
	struct report_sink *rp = s->priv;
	const struct output_cfg *c = s->cfg;
	char *tmp;
	FILE *f;

	pthread_mutex_lock(&rp->lock);
	if (c->report && (f = file_begin(s, "--report", c->report, &tmp)) != NULL) {
		struct report_page p = { .f = f, .lang = c->lang, .d = &rp->d,
			.top = c->report_top ? c->report_top : REPORT_DEFAULT_TOP,
			.sm = sm, .in = in, .inventory = c->inventory,
			.inputs = c->inputs, .ninputs = c->ninputs };

		report_page_write(&p);
		file_end(s, "--report", c->report, f, tmp, false);
	} else if (c->report) {
		s->write_errors++;
	}
	if (c->allow_list &&
	    (f = file_begin(s, "--allow-list", c->allow_list, &tmp)) != NULL)
		file_end(s, "--allow-list", c->allow_list, f, tmp,
			 allow_write_csv(f, &rp->d) != 0);
	else if (c->allow_list)
		s->write_errors++;
	pthread_mutex_unlock(&rp->lock);
}

static void report_flow(struct sink *s, const struct flow_record *r)
{
	struct report_sink *rp = s->priv;

	if (r->why == END_FORCED)
		return;
	pthread_mutex_lock(&rp->lock);
	report_data_add(&rp->d, r);
	pthread_mutex_unlock(&rp->lock);
}

static void report_interim(struct sink *s, const struct interim *in)
{
	write_files(s, NULL, in);
}

static void report_summary(struct sink *s, const struct summary *sm)
{
	write_files(s, sm, NULL);
}

/* Tries PATH.tmp (made, then removed): a path that cannot be written is
 * an error now, before any packet.  0, or -1 with a message. */
static int try_path(struct sink *s, const char *opt, const char *path)
{
	struct stat st;
	char *tmp;
	FILE *f;

	if (path == NULL)
		return 0;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "lyncwatch: %s %s: not a regular file\n", opt, path);
		return -1;
	}
	if ((f = file_begin(s, opt, path, &tmp)) == NULL)
		return -1;
	fclose(f);
	(void)remove(tmp);
	free(tmp);
	return 0;
}

static int report_open(struct sink *s)
{
	const struct output_cfg *c = s->cfg;
	struct report_sink *rp;

	if (c->report == NULL && c->allow_list == NULL)
		return 0;
	if (try_path(s, "--report", c->report) ||
	    try_path(s, "--allow-list", c->allow_list))
		return -1;
	rp = calloc(1, sizeof(*rp));
	if (rp == NULL || report_data_init(&rp->d, c->rs, c->lang) != 0) {
		free(rp);
		return -1;
	}
	pthread_mutex_init(&rp->lock, NULL);
	s->priv = rp;
	return 1;
}

static void report_close(struct sink *s)
{
	struct report_sink *rp = s->priv;

	if (rp == NULL)
		return;
	report_data_free(&rp->d);
	pthread_mutex_destroy(&rp->lock);
	free(rp);
	s->priv = NULL;
}

const struct sink_ops sink_report_ops = {
	.name = "report",
	.open = report_open,
	.flow = report_flow,
	.interim = report_interim,
	.summary = report_summary,
	.close = report_close,
};
