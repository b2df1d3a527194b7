/* audit.c: verdicts, flags and the reason sentence of a flow.
 *
 * The application check is one table: for each application a row implies,
 * the classes of what nDPI confirmed (enum seen_app) that confirm it.  A
 * confirmed application that no label accepts contradicts the labels.
 */
#include <arpa/inet.h>
#include <string.h>

#include "audit/audit.h"
#include "util/textfmt.h"

#define SEEN(s) (1u << (s))
#define SEEN_ALL 0xffffffffu

/* What confirms each rule application (enum rule_app order). */
static const uint32_t confirms[APP_N] = {
	[APP_UNSPECIFIED] = SEEN_ALL,  /* "TCP" rows: never contradicted */
	[APP_TLS] = SEEN(SEEN_TLS),
	[APP_HTTP] = SEEN(SEEN_HTTP),
	[APP_SIP] = SEEN(SEEN_SIP) | SEEN(SEEN_TLS), /* SIP, or SIP over (M)TLS */
	[APP_STUN] = SEEN(SEEN_STUN) | SEEN(SEEN_MEDIA),
	[APP_DCERPC] = SEEN(SEEN_DCERPC),
	[APP_SMB] = SEEN(SEEN_SMB),
	[APP_DHCP] = SEEN(SEEN_DHCP),
	[APP_SQL_BROWSER] = 0,         /* nDPI 4.2 has no SQL Browser dissector */
	[APP_MEDIA] = SEEN(SEEN_MEDIA) | SEEN(SEEN_STUN), /* ICE checks share the 5-tuple */
};

static const char *const verdict_names[VERDICT_N] = {
	"unclassified", "ok", "notice", "violation"
};

static const char *const flag_names[FLAG_N] = {
	"undocumented-port", "wrong-transport", "app-mismatch",
	"role-mismatch", "optional-port", "unverified"
};

#define VIOLATIONS ((1u << FLAG_UNDOCUMENTED_PORT) | (1u << FLAG_WRONG_TRANSPORT) | \
		    (1u << FLAG_APP_MISMATCH) | (1u << FLAG_ROLE_MISMATCH))

const char *verdict_name(enum verdict v)
{
	return (unsigned)v < VERDICT_N ? verdict_names[v] : "?";
}

const char *audit_flag_name(int bit)
{
	return bit >= 0 && bit < FLAG_N ? flag_names[bit] : "?";
}

enum verdict audit_verdict(uint32_t flags, bool labelled)
{
	if (flags & VIOLATIONS)
		return VERDICT_VIOLATION;
	if (flags)
		return VERDICT_NOTICE;
	return labelled ? VERDICT_OK : VERDICT_UNCLASSIFIED;
}

/* ------------------------------------------------------------ checks */

enum app_outcome { APP_CONFIRMED, APP_CONTRADICTED, APP_UNVERIFIED };

static enum app_outcome check_app(const struct auditor *a,
				  const struct label_set *ls,
				  const struct inspect_view *iv)
{
	bool confirmed = iv->confirmed && iv->seen != SEEN_NONE &&
			 iv->seen != SEEN_UNKNOWN;

	/* No payload at all (a handshake, a health check): nothing to verify. */
	if (iv->seen == SEEN_NONE)
		return APP_CONFIRMED;
	for (int i = 0; i < ls->n; i++) {
		uint32_t ok = confirms[a->rs->rules[ls->rule[i]].app];

		if (ok == SEEN_ALL || (confirmed && (ok & SEEN(iv->seen))))
			return APP_CONFIRMED;
	}
	return confirmed ? APP_CONTRADICTED : APP_UNVERIFIED;
}

static bool all_optional(const struct auditor *a, const struct label_set *ls)
{
	for (int i = 0; i < ls->n; i++)
		if (a->rs->rules[ls->rule[i]].status == STATUS_REQUIRED)
			return false;
	return ls->n > 0;
}

static bool server_is_lync(const struct auditor *a, const struct label_set *ls)
{
	return ls->server != NULL && inventory_host_is_server(a->inv, ls->server);
}

static uint32_t decide_flags(const struct auditor *a, const struct label_set *ls,
			     bool app_checked, enum app_outcome app)
{
	bool in_scope = a->audit_all || ls->server || ls->client;
	uint32_t flags = 0;

	if (!ls->primary && in_scope && ls->other_l4 >= 0)
		return 1u << FLAG_WRONG_TRANSPORT;
	if (ls->n == 0)
		return (a->audit_all || server_is_lync(a, ls)) ?
		       1u << FLAG_UNDOCUMENTED_PORT : 0;
	if (ls->role_mismatch)
		flags |= 1u << FLAG_ROLE_MISMATCH;
	if (app_checked && app == APP_CONTRADICTED)
		flags |= 1u << FLAG_APP_MISMATCH;
	if (app_checked && app == APP_UNVERIFIED)
		flags |= 1u << FLAG_UNVERIFIED;
	if ((ls->primary || in_scope) && all_optional(a, ls))
		flags |= 1u << FLAG_OPTIONAL_PORT;
	return flags;
}

/* ------------------------------------------------------------ reason */

#define TR(a, en, ja) ((a)->lang == LANG_JA ? (ja) : (en))

static const char *l4_name(uint8_t l4)
{
	return l4 == L4_TCP ? "TCP" : "UDP";
}

/* The row as a phrase: "TCP (TLS) for Front End Servers". */
static void row_phrase(const struct auditor *a, const struct rule *r,
		       char *buf, size_t len)
{
	int l = (int)a->lang;
	const char *proto = *r->text[TEXT_PROTOCOL][l] ? r->text[TEXT_PROTOCOL][l] :
			    rule_app_name(r->app);

	if (a->lang == LANG_JA)
		textfmt(buf, len, "%sの%s", r->text[TEXT_ROLE][l], proto);
	else
		textfmt(buf, len, "%s for %s", proto, r->text[TEXT_ROLE][l]);
}

static void host_phrase(const struct flow *f, const struct inv_host *h,
			char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	textfmt_addr(flow_server_addr(f), f->key.ipver, ip, sizeof(ip));
	if (h != NULL && *h->name)
		textfmt(buf, len, "%s (%s)", h->name, ip);
	else
		textfmt(buf, len, "%s", ip);
}

static const char *seen_phrase(const struct auditor *a,
			       const struct inspect_view *iv)
{
	if (iv->app_proto == NULL || iv->seen == SEEN_NONE)
		return TR(a, "no payload", "ペイロードなし");
	if (strcmp(iv->app_proto, "failed") == 0)
		return TR(a, "nothing identified", "識別できず");
	return iv->app_proto;
}

static void reason_unlabelled(const struct auditor *a, const struct flow *f,
			      const struct label_set *ls, uint32_t flags,
			      char *out, size_t len)
{
	char host[128], row[256];
	uint16_t port = flow_server_port(f);
	const char *l4 = l4_name(f->key.l4);

	host_phrase(f, ls->server, host, sizeof(host));
	if (flags & (1u << FLAG_WRONG_TRANSPORT)) {
		const struct rule *r = &a->rs->rules[ls->other_l4];
		row_phrase(a, r, row, sizeof(row));
		if (a->lang == LANG_JA)
			textfmt(out, len, "%s 宛ての %s %u は %s でのみ記載されています: %s",
				 host, l4, port, l4_name(f->key.l4 == L4_TCP ? L4_UDP : L4_TCP), row);
		else
			textfmt(out, len, "%s %u to %s is documented only for %s (%s)",
				 l4, port, host, l4_name(f->key.l4 == L4_TCP ? L4_UDP : L4_TCP), row);
	} else if (a->lang == LANG_JA) {
		textfmt(out, len, "%s 宛ての %s %u はどの規則にも記載されていません",
			 host, l4, port);
	} else {
		textfmt(out, len, "%s %u to %s is in no rule", l4, port, host);
	}
}

static void reason_labelled(const struct auditor *a, const struct flow *f,
			    const struct label_set *ls, uint32_t flags,
			    const struct inspect_view *iv, char *out, size_t len)
{
	char row[256], host[128];
	const char *l4 = l4_name(f->key.l4);
	unsigned port = flow_server_port(f);

	row_phrase(a, &a->rs->rules[ls->rule[0]], row, sizeof(row));
	host_phrase(f, ls->server, host, sizeof(host));
	if (flags & (1u << FLAG_ROLE_MISMATCH))
		textfmt(out, len, TR(a, "%s %u is documented as %s, but %s holds no such role",
				      "%s %u は %s として記載されていますが、%s はその役割を持ちません"),
			 l4, port, row, host);
	else if (flags & (1u << FLAG_APP_MISMATCH))
		textfmt(out, len, TR(a, "%s %u is documented as %s, but nDPI saw %s",
				      "%s %u は %s として記載されていますが、nDPI は %s を検出しました"),
			 l4, port, row, seen_phrase(a, iv));
	else if (flags & (1u << FLAG_OPTIONAL_PORT))
		textfmt(out, len, TR(a, "%s %u is documented as %s, as an optional or legacy port",
				      "%s %u は %s として、オプションまたは旧バージョン用のポートとして記載されています"),
			 l4, port, row);
	else if (flags & (1u << FLAG_UNVERIFIED))
		textfmt(out, len, TR(a, "%s %u is documented as %s; nDPI could not confirm it (%s)",
				      "%s %u は %s として記載されています。nDPI は確認できませんでした (%s)"),
			 l4, port, row, seen_phrase(a, iv));
	else if (iv != NULL && iv->confirmed)
		textfmt(out, len, TR(a, "%s %u is documented as %s, and nDPI confirmed %s",
				      "%s %u は %s として記載されており、nDPI が %s を確認しました"),
			 l4, port, row, iv->app_proto);
	else
		textfmt(out, len, TR(a, "%s %u is documented as %s",
				      "%s %u は %s として記載されています"), l4, port, row);
}

/* Whether the flow's application is checked against its labels.  Out of
 * scope, only an exactly documented port is: the media ranges cover half
 * the port space, and much that is not Lync. */
static bool app_in_question(const struct auditor *a, const struct label_set *ls)
{
	bool in_scope = a->audit_all || ls->server || ls->client;

	return a->dpi && ls->n > 0 && ((ls->primary && ls->exact) || in_scope);
}

bool audit_needs_app(const struct auditor *a, const struct label_set *ls)
{
	if (!app_in_question(a, ls))
		return false;
	for (int i = 0; i < ls->n; i++)
		if (confirms[a->rs->rules[ls->rule[i]].app] == SEEN_ALL)
			return false;         /* any application confirms it */
	return true;
}

void audit_flow(const struct auditor *a, const struct flow *f,
		const struct label_set *ls, const struct inspect_view *iv,
		struct audit_result *out)
{
	bool app_checked = iv != NULL && app_in_question(a, ls);
	enum app_outcome app = app_checked ? check_app(a, ls, iv) : APP_CONFIRMED;

	out->flags = decide_flags(a, ls, app_checked, app);
	out->verdict = audit_verdict(out->flags, ls->n > 0);
	if (ls->n == 0 || (out->flags & (1u << FLAG_WRONG_TRANSPORT)))
		reason_unlabelled(a, f, ls, out->flags, out->reason, sizeof(out->reason));
	else
		reason_labelled(a, f, ls, out->flags, a->dpi ? iv : NULL,
				out->reason, sizeof(out->reason));
}
