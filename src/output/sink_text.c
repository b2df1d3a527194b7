/* sink_text.c: one text line per flow record, for people (-v). */
#include <arpa/inet.h>
#include <inttypes.h>

#include "output/sink.h"
#include "util/textfmt.h"

/* " :: id: role / service / protocol | ..." */
static void text_labels(FILE *out, const struct flow_record *r, int l)
{
	for (int i = 0; i < r->nlabels; i++) {
		const struct rule *ru = &r->rs->rules[r->labels[i]];
		const char *svc = ru->text[TEXT_SERVICE][l];
		const char *proto = ru->text[TEXT_PROTOCOL][l];

		fprintf(out, "%s%s: %s / %s / %s%s", i ? " | " : " :: ", ru->id,
			ru->text[TEXT_ROLE][l], *svc ? svc : "-",
			*proto ? proto : "-", ru->fallback ? " (fallback)" : "");
	}
}

static void text_flow(struct sink *s, const struct flow_record *r)
{
	FILE *out = s->cfg->text;
	char t[40], ca[INET6_ADDRSTRLEN], sa[INET6_ADDRSTRLEN];
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
		fprintf(out, " host=%s", host);
	if (r->audit.by != EV_NONE)
		fprintf(out, " seen=%s/%s", audit_evidence_app(&r->audit),
			audit_by_name((enum ev_by)r->audit.by));
	for (int b = 0; b < FLAG_N; b++)
		if (r->audit.flags & (1u << b))
			fprintf(out, " [%s]", audit_flag_name(b));
	if (r->nlabels && r->audit.support == SUPPORT_PORT)
		fputs(" [port only]", out);
	text_labels(out, r, (int)s->cfg->lang);
	if (r->audit.verdict != VERDICT_OK)
		fprintf(out, " (%s)", r->audit.reason);
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
