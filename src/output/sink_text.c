/* sink_text.c: one text line per flow record, for people (-v). */
#include <arpa/inet.h>
#include <inttypes.h>

#include "output/sink.h"
#include "util/escape.h"
#include "util/textfmt.h"

/* " :: id: role / service / protocol | ..."  Texts of a rule file go
 * through esc_text, as every string of a packet or an inventory does:
 * nothing reaches a terminal raw. */
static void text_labels(FILE *out, const struct flow_record *r, int l)
{
	char e[4][ESC_TEXT_MAX];

	for (int i = 0; i < r->nlabels; i++) {
		const struct rule *ru = &r->rs->rules[r->labels[i]];
		const char *svc = esc_text(e[2], sizeof(e[2]), ru->text[TEXT_SERVICE][l]);
		const char *proto = esc_text(e[3], sizeof(e[3]), ru->text[TEXT_PROTOCOL][l]);

		fprintf(out, "%s%s: %s / %s / %s%s", i ? " | " : " :: ",
			esc_text(e[0], sizeof(e[0]), ru->id),
			esc_text(e[1], sizeof(e[1]), ru->text[TEXT_ROLE][l]), *svc ? svc : "-",
			*proto ? proto : "-", ru->fallback ? " (fallback)" : "");
	}
}

/* " media: > 0x1a2b3c4d 250 pkts lost 2/252 jitter 0.42 ms MOS 4.4 | ..."
 * (">" toward the server, "<" toward the client; RTCP-only streams are
 * left out). */
static void text_media(FILE *out, const struct flow_record *r)
{
	int k = 0;

	for (int i = 0; i < r->media.n; i++) {
		const struct media_stream_out *o = &r->media.s[i];

		if (o->packets == 0)
			continue;
		fprintf(out, "%s%s 0x%08" PRIx32 " %" PRIu64 " pkts lost %" PRId64
			"/%" PRIu64, k++ ? " | " : " media: ",
			o->dir == r->toserver_dir ? ">" : "<", o->ssrc, o->packets,
			o->lost, o->expected);
		if (o->clock_rate)      /* else no jitter was measured */
			fprintf(out, " jitter %.2f ms", o->mean_jitter_ms);
		if (o->packets >= 2)
			fprintf(out, " MOS %.1f", o->mos);
	}
}

static void text_flow(struct sink *s, const struct flow_record *r)
{
	FILE *out = s->cfg->text;
	char t[40], ca[INET6_ADDRSTRLEN], sa[INET6_ADDRSTRLEN], e[ESC_TEXT_MAX];
	const char *lb = r->ipver == 6 ? "[" : "", *rb = r->ipver == 6 ? "]" : "";
	const char *app = record_name(r, REC_APP_PROTO);
	const char *host = record_name(r, REC_HOST);

	textfmt_time(r->first_us, t, sizeof(t));
	textfmt_addr(r->client_addr, r->ipver, ca, sizeof(ca));
	textfmt_addr(r->server_addr, r->ipver, sa, sizeof(sa));
	fprintf(out, "%s %s %s%s%s:%u -> %s%s%s:%u %" PRIu64 "/%" PRIu64
		" pkts %s %s", t, sink_proto_name(r->l4), lb, ca, rb,
		r->client_port, lb, sa, rb, r->server_port,
		r->pkts_toserver, r->pkts_toclient,
		flow_state_name((enum flow_state)r->state),
		verdict_name(r->audit.verdict));
	if (app)
		fprintf(out, " app=%s", app);
	if (host)
		fprintf(out, " host=%s", esc_text(e, sizeof(e), host));
	if (r->audit.by != EV_NONE)
		fprintf(out, " seen=%s/%s", audit_evidence_app(&r->audit),
			audit_by_name((enum ev_by)r->audit.by));
	for (int b = 0; b < FLAG_N; b++)
		if (r->audit.flags & (1u << b))
			fprintf(out, " [%s]", audit_flag_name(b));
	if (r->nlabels && r->audit.support == SUPPORT_PORT)
		fputs(" [port only]", out);
	text_labels(out, r, (int)s->cfg->lang);
	text_media(out, r);
	if (r->audit.verdict != VERDICT_OK)
		fprintf(out, " (%s)", esc_text(e, sizeof(e), r->audit.reason));
	fputc('\n', out);
}

static int text_open(struct sink *s)
{
	return s->cfg->text != NULL;
}

const struct sink_ops sink_text_ops = {
	.name = "text",
	.open = text_open,
	.flow = text_flow,
};
