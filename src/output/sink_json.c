/* sink_json.c: EVE JSON Lines (eve.h) to a file or stdout. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/eve.h"
#include "output/sink.h"

/* Writes the line in e; counts a failed write or flush. */
static void json_emit(struct sink *s, bool flush)
{
	struct eve *e = s->priv;

	if (jw_write_line(&e->jw, s->cfg->json))
		s->write_errors++;
	if (flush && fflush(s->cfg->json) != 0)
		s->write_errors++;
}

static void json_flow(struct sink *s, const struct flow_record *r)
{
	eve_flow(s->priv, r);
	json_emit(s, s->cfg->flush_each);
}

static void json_summary(struct sink *s, const struct summary *sm)
{
	eve_summary(s->priv, sm);
	json_emit(s, false);
}

static void json_interim(struct sink *s, const struct interim *in)
{
	eve_interim(s->priv, in);
	json_emit(s, true);
}

static int json_open(struct sink *s)
{
	struct eve *e;

	if (s->cfg->json == NULL)
		return 0;
	if ((e = malloc(sizeof(*e))) == NULL)
		return -1;
	eve_init(e, s->cfg->lang, true);
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
	.close = json_close,
};
