/* audit.c: verdicts.  A labelled flow is "ok" with a sentence naming the
 * documented row; an unlabelled one is "unclassified". */
#include <stdio.h>

#include "audit.h"

static const char *const verdict_names[VERDICT_N] = {
	"unclassified", "ok", "notice", "violation"
};

static const char *const flag_names[FLAG_N] = {
	"undocumented-port", "wrong-transport", "app-mismatch",
	"role-mismatch", "optional-port", "unverified"
};

const char *audit_flag_name(int bit)
{
	return bit >= 0 && bit < FLAG_N ? flag_names[bit] : "?";
}

const char *verdict_name(enum verdict v)
{
	return (unsigned)v < VERDICT_N ? verdict_names[v] : "?";
}

void audit_flow(const struct auditor *a, const struct flow *f,
		const uint32_t *labels, int n, struct audit_result *out)
{
	const char *l4 = f->key.l4 == L4_TCP ? "TCP" : "UDP";
	const struct rule *r;

	out->flags = 0;
	if (n == 0) {
		out->verdict = VERDICT_UNCLASSIFIED;
		snprintf(out->reason, sizeof(out->reason), a->lang == LANG_JA ?
			 "%s %u はどの規則にも記載されていません" :
			 "%s %u is in no rule", l4, flow_server_port(f));
		return;
	}
	r = &a->rs->rules[labels[0]];
	out->verdict = VERDICT_OK;
	snprintf(out->reason, sizeof(out->reason), a->lang == LANG_JA ?
		 "%s %u は %s の %s として記載されています" :
		 "%s %u is documented as %s for %s", l4, flow_server_port(f),
		 a->lang == LANG_JA ? r->text[TEXT_ROLE][LANG_JA] :
		 r->text[TEXT_PROTOCOL][LANG_EN],
		 a->lang == LANG_JA ? r->text[TEXT_PROTOCOL][LANG_JA] :
		 r->text[TEXT_ROLE][LANG_EN]);
}
