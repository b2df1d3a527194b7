/* audit.c: the decision: verdict, flags and evidence of a flow.
 *
 * The application check is two tables: for each application a row
 * implies, the protocols of the own wire checks (enum wire_proto) and the
 * classes of what nDPI confirmed (enum seen_app) that confirm it.  The
 * clients' catch-all rows (fallback) accept only what they describe:
 * media (RTP, RTCP, STUN) and file transfer (MSNFTP).
 */
#include "audit/audit.h"
#include "inspect/wireflow.h"

#define SEEN(s) (1u << (s))
#define W(p) (1u << (p))
#define ANY 0xffffffffu

#define W_MEDIA (W(WIRE_RTP) | W(WIRE_RTCP) | W(WIRE_STUN))

/* What the own checks accept for each rule application (enum rule_app). */
static const uint32_t wire_accepts[APP_N] = {
	[APP_UNSPECIFIED] = ANY,       /* "TCP" rows: never contradicted */
	[APP_TLS] = W(WIRE_TLS),
	[APP_HTTP] = W(WIRE_HTTP),
	[APP_SIP] = W(WIRE_SIP) | W(WIRE_TLS), /* SIP, or SIP over (M)TLS */
	/* MS-TURN over TCP (the Edge's TCP rows) starts with a TLS-framed
	 * pseudo handshake. */
	[APP_STUN] = W(WIRE_STUN) | W(WIRE_TLS),
	[APP_DCERPC] = W(WIRE_DCERPC),
	[APP_SMB] = W(WIRE_SMB),
	[APP_DHCP] = W(WIRE_DHCP),
	[APP_SQL_BROWSER] = W(WIRE_SSRP),
	[APP_MEDIA] = W_MEDIA,         /* ICE checks share the 5-tuple */
};

/* What nDPI's confirmed classes accept (enum rule_app order). */
static const uint32_t ndpi_accepts[APP_N] = {
	[APP_UNSPECIFIED] = ANY,
	[APP_TLS] = SEEN(SEEN_TLS),
	[APP_HTTP] = SEEN(SEEN_HTTP),
	[APP_SIP] = SEEN(SEEN_SIP) | SEEN(SEEN_TLS),
	[APP_STUN] = SEEN(SEEN_STUN) | SEEN(SEEN_MEDIA),
	[APP_DCERPC] = SEEN(SEEN_DCERPC),
	[APP_SMB] = SEEN(SEEN_SMB),
	[APP_DHCP] = SEEN(SEEN_DHCP),
	[APP_SQL_BROWSER] = 0,         /* nDPI 4.2 has no SQL Browser dissector */
	[APP_MEDIA] = SEEN(SEEN_MEDIA) | SEEN(SEEN_STUN),
};

static const char *const verdict_names[VERDICT_N] = {
	"unclassified", "ok", "notice", "violation"
};

static const char *const flag_names[FLAG_N] = {
	"undocumented-port", "wrong-transport", "app-mismatch",
	"role-mismatch", "optional-port", "unverified", "unexpected-app",
	"poor-media"
};

static const char *const by_names[] = { "none", "wire", "ndpi", "both" };

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

const char *audit_by_name(enum ev_by by)
{
	return (unsigned)by <= EV_BOTH ? by_names[by] : "?";
}

const char *audit_support_name(enum support s)
{
	static const char *const names[] = { "port", "host", "inventory" };

	return (unsigned)s <= SUPPORT_INVENTORY ? names[s] : "?";
}

const char *audit_evidence_app(const struct audit_result *ar)
{
	if (ar->wire.proto != WIRE_NONE)
		return wire_proto_name((enum wire_proto)ar->wire.proto);
	if (ar->seen != SEEN_NONE)
		return inspect_seen_name((enum seen_app)ar->seen);
	return "none";
}

enum verdict audit_verdict(uint32_t flags, bool labelled)
{
	if (flags & VIOLATIONS)
		return VERDICT_VIOLATION;
	if (flags)
		return VERDICT_NOTICE;
	return labelled ? VERDICT_OK : VERDICT_UNCLASSIFIED;
}

/* ------------------------------------------------------------ evidence */

static uint32_t rule_wire_accepts(const struct rule *r)
{
	if (r->fallback)
		return r->app == APP_MEDIA ? W_MEDIA : W(WIRE_MSNFTP);
	return wire_accepts[r->app];
}

static uint32_t rule_ndpi_accepts(const struct rule *r)
{
	if (r->fallback)
		return r->app == APP_MEDIA ? SEEN(SEEN_MEDIA) | SEEN(SEEN_STUN) : 0;
	return ndpi_accepts[r->app];
}

/* The application check: what the own checks (w) and nDPI (iv, or NULL)
 * say against what the labels accept; *by says which evidence decided. */
static enum app_outcome check_app(const struct auditor *a,
				  const struct label_set *ls,
				  const struct wire_result *w,
				  const struct inspect_view *iv, uint8_t *by)
{
	uint32_t acc_w = 0, acc_s = 0;
	bool nd, nd_ok;

	*by = EV_NONE;
	for (int i = 0; i < ls->n; i++) {
		const struct rule *r = &a->rs->rules[ls->rule[i]];

		if (rule_wire_accepts(r) == ANY)
			return APP_NOT_CHECKED;
		acc_w |= rule_wire_accepts(r);
		acc_s |= rule_ndpi_accepts(r);
	}
	nd = iv != NULL && iv->confirmed && iv->seen > SEEN_UNKNOWN;
	nd_ok = nd && (acc_s & SEEN(iv->seen));
	if (w->packets == 0 && (iv == NULL || iv->seen == SEEN_NONE))
		return APP_NO_PAYLOAD;
	if (w->proto != WIRE_NONE) {
		bool ok = (acc_w & W(w->proto)) != 0;

		*by = nd && nd_ok == ok ? EV_BOTH : EV_WIRE;
		return ok ? APP_CONFIRMED : APP_CONTRADICTED;
	}
	if (nd_ok) {
		*by = EV_NDPI;
		return APP_CONFIRMED;
	}
	/* Every own check of what the labels accept said "is not", and nDPI
	 * names another application: both say it is something else. */
	if (nd && w->packets > 0 && (acc_w & ~w->excluded) == 0) {
		*by = EV_BOTH;
		return APP_CONTRADICTED;
	}
	return APP_UNVERIFIED;
}

/* ------------------------------------------------------------ decision */

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

/* Whether the flow is in the inventory's (or --audit-all's) scope. */
static bool inv_scope(const struct auditor *a, const struct label_set *ls)
{
	return a->audit_all || ls->server != NULL || ls->client != NULL;
}

/* Whether the labels tie the flow to Lync beyond a shared port. */
static bool strong(const struct label_set *ls)
{
	return ls->support != SUPPORT_PORT ||
	       (ls->primary && ls->exact && !ls->shared);
}

/* No label: the wrong transport, an undocumented port, or nothing. */
static void decide_unlabelled(const struct auditor *a,
			      const struct label_set *ls,
			      struct audit_result *out)
{
	if (ls->other_l4 >= 0 &&
	    (inv_scope(a, ls) || ls->support != SUPPORT_PORT ||
	     !a->rs->rules[ls->other_l4].shared))
		out->flags = 1u << FLAG_WRONG_TRANSPORT;
	else if (ls->n == 0 && (a->audit_all || server_is_lync(a, ls)))
		out->flags = 1u << FLAG_UNDOCUMENTED_PORT;
	out->judged = out->flags != 0 || ls->n > 0;
}

/* Only the clients' catch-all rows label the flow: they describe media,
 * file transfer and application sharing, nothing else. */
static void decide_fallback(const struct auditor *a, const struct label_set *ls,
			    struct audit_result *out)
{
	/* In audit scope (as for undocumented ports): the server is a Lync
	 * server (by the inventory, or seen serving a Lync-specific port), or
	 * --audit-all.  RDP or HTTP between two clients is not Lync traffic. */
	bool scope = a->audit_all || ls->support != SUPPORT_PORT;

	switch ((enum app_outcome)out->outcome) {
	case APP_CONFIRMED:
		out->judged = true;
		break;
	case APP_CONTRADICTED:
		out->judged = true;
		out->flags |= scope ? 1u << FLAG_APP_MISMATCH :
				      1u << FLAG_UNEXPECTED_APP;
		break;
	case APP_UNVERIFIED:
		out->judged = scope;
		if (scope)
			out->flags |= 1u << FLAG_UNVERIFIED;
		break;
	default:
		out->judged = scope;
	}
}

static void decide_primary(const struct auditor *a, const struct label_set *ls,
			   struct audit_result *out)
{
	out->judged = inv_scope(a, ls) || strong(ls);
	if (!out->judged)
		return;
	if (ls->role_mismatch)
		out->flags |= 1u << FLAG_ROLE_MISMATCH;
	if (out->outcome == APP_CONTRADICTED)
		out->flags |= 1u << FLAG_APP_MISMATCH;
	if (out->outcome == APP_UNVERIFIED)
		out->flags |= 1u << FLAG_UNVERIFIED;
	if (all_optional(a, ls))
		out->flags |= 1u << FLAG_OPTIONAL_PORT;
}

void audit_decide(const struct auditor *a, const struct flow *f,
		  const struct label_set *ls, const struct inspect_view *iv,
		  struct audit_result *out)
{
	out->flags = 0;
	out->by = EV_NONE;
	out->outcome = APP_NOT_CHECKED;
	out->reason[0] = '\0';
	out->reason_len = 0;
	out->reason_plain = true;
	out->support = ls->support;
	out->seen = iv != NULL && iv->confirmed && iv->seen > SEEN_UNKNOWN ?
		    (uint8_t)iv->seen : SEEN_NONE;
	wireflow_result(f, &out->wire);
	if (!ls->primary && (ls->n == 0 || ls->other_l4 >= 0)) {
		decide_unlabelled(a, ls, out);
	} else {
		out->outcome = (uint8_t)check_app(a, ls, &out->wire, iv, &out->by);
		if (ls->primary)
			decide_primary(a, ls, out);
		else
			decide_fallback(a, ls, out);
	}
	/* What the bytes are, whether or not a label asked. */
	if (out->by == EV_NONE && out->wire.proto != WIRE_NONE)
		out->by = out->seen != SEEN_NONE ? EV_BOTH : EV_WIRE;
	else if (out->by == EV_NONE && out->seen != SEEN_NONE)
		out->by = EV_NDPI;
	out->verdict = audit_verdict(out->flags, ls->n > 0 && out->judged);
}

void audit_flow(const struct auditor *a, const struct flow *f,
		const struct label_set *ls, const struct inspect_view *iv,
		struct audit_result *out)
{
	audit_decide(a, f, ls, iv, out);
	audit_reason(a, f, ls, iv, out);
}

bool audit_needs_app(const struct auditor *a, const struct label_set *ls)
{
	if (ls->n == 0 || (ls->primary && !inv_scope(a, ls) && !strong(ls)))
		return false;
	for (int i = 0; i < ls->n; i++)
		if (rule_wire_accepts(&a->rs->rules[ls->rule[i]]) == ANY)
			return false;     /* any application confirms it */
	return true;
}
