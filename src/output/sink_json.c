/* sink_json.c: EVE JSON Lines (eve.h) to a file or stdout.
 *
 * Flow records are gathered in the eve's buffer (eve.append) and written
 * JSON_BATCH bytes at a time, and whenever the output settles (the flush
 * op: before a stats record, the summary and a reopen; live, each time
 * the writer's queue runs empty), so the file gets whole records in
 * order with one write call per batch instead of one per record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/eve.h"
#include "output/sink.h"

#define JSON_BATCH ((size_t)64 * 1024)

/* Writes the flow records gathered; counts a failed write. */
static void json_pending(struct sink *s)
{
	struct eve *e = s->priv;

	s->write_errors += (int)e->lost;
	e->lost = 0;
	if (e->jw.len == 0)
		return;
	if (fwrite(e->jw.buf, 1, e->jw.len, s->cfg->json) != e->jw.len ||
	    ferror(s->cfg->json))
		s->write_errors++;
	jw_reset(&e->jw);
}

/* Writes the line in e (the flow records before it written first);
 * counts a failed write or flush. */
static void json_emit(struct sink *s, bool flush)
{
	struct eve *e = s->priv;

	if (jw_write_line(&e->jw, s->cfg->json))
		s->write_errors++;
	jw_reset(&e->jw);
	if (flush && fflush(s->cfg->json) != 0)
		s->write_errors++;
}

/* Live (flush_each), output.c flushes (json_flush) once the writer's
 * queue has run empty, not after every record. */
static void json_flow(struct sink *s, const struct flow_record *r)
{
	struct eve *e = s->priv;

	e->ahead = s->ahead;
	e->ahead_ctx = s->ahead_ctx;
	eve_flow(e, r);
	if (e->jw.len >= JSON_BATCH || e->lost)
		json_pending(s);
}

static void json_flush(struct sink *s, bool final)
{
	(void)final;
	json_pending(s);
	if (fflush(s->cfg->json) != 0)
		s->write_errors++;
}

static void json_summary(struct sink *s, const struct summary *sm)
{
	json_pending(s);
	for (uint32_t i = 0; i < sm->ncerts; i++) {
		eve_tls_server(s->priv, &sm->certs[i], sm->last_us);
		json_emit(s, false);
	}
	eve_summary(s->priv, sm);
	json_emit(s, false);
}

static void json_interim(struct sink *s, const struct interim *in)
{
	json_pending(s);
	eve_interim(s->priv, in);
	json_emit(s, true);
}

/* SIGHUP (log rotation): the file at the --json path again, created anew
 * when it was moved away.  The new file takes the old one's descriptor
 * (dup2), so the FILE the caller holds writes there from now on.  Standard
 * output is left as it is.  Returns 0, or -1 (writing goes on to the old
 * file). */
static int json_reopen(struct sink *s)
{
	const struct output_cfg *c = s->cfg;
	char err[512];
	FILE *nf;
	int rc = 0;

	json_pending(s);
	if (c->json == stdout || c->json_name == NULL || c->open_file == NULL ||
	    strcmp(c->json_name, "-") == 0)
		return 0;
	if (fflush(c->json) != 0)
		s->write_errors++;
	if (c->open_file(c->json_name, 0, &nf, err, sizeof(err)) != 0) {
		fprintf(stderr, "lyncwatch: SIGHUP: %s\n", err);
		return -1;
	}
	if (dup2(fileno(nf), fileno(c->json)) < 0) {
		fprintf(stderr, "lyncwatch: SIGHUP: %s: %s\n", c->json_name,
			strerror(errno));
		rc = -1;
	}
	fclose(nf);
	return rc;
}

static int json_open(struct sink *s)
{
	struct eve *e;

	if (s->cfg->json == NULL)
		return 0;
	if ((e = malloc(sizeof(*e))) == NULL)
		return -1;
	eve_init(e, s->cfg->lang, s->cfg->json_notes);
	e->append = true;
	s->priv = e;
	return 1;
}

static void json_close(struct sink *s)
{
	if (s->priv == NULL)
		return;
	eve_free(s->priv);
	free(s->priv);
	s->priv = NULL;
}

const struct sink_ops sink_json_ops = {
	.name = "json",
	.open = json_open,
	.flow = json_flow,
	.interim = json_interim,
	.summary = json_summary,
	.flush = json_flush,
	.reopen = json_reopen,
	.close = json_close,
};
