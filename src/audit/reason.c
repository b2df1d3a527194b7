/* reason.c: the one sentence that explains a decided verdict, in English
 * or Japanese, naming the evidence: what lyncwatch's own checks read on the
 * wire and what nDPI said. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "util/jsonw.h"
#include "util/textfmt.h"

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

/* What nDPI said, as a phrase. */
static const char *ndpi_phrase(const struct auditor *a,
			       const struct inspect_view *iv)
{
	if (iv == NULL)
		return TR(a, "not run", "未実行");
	if (iv->not_fed)
		return TR(a, "not needed", "不要");
	if (iv->app_proto == NULL || iv->seen == SEEN_NONE)
		return TR(a, "no payload", "ペイロードなし");
	if (strcmp(iv->app_proto, "failed") == 0)
		return TR(a, "nothing identified", "識別できず");
	return iv->app_proto;
}

/* The evidence, as a phrase: "the bytes show SIP OPTIONS request (nDPI:
 * http)". */
static void evidence_phrase(const struct auditor *a, const struct audit_result *ar,
			    const struct inspect_view *iv, char *buf, size_t len)
{
	char what[96];

	wire_detail(&ar->wire, what, sizeof(what));
	if (ar->by == EV_NDPI)
		textfmt(buf, len, TR(a, "nDPI confirmed %s (own checks: %s)",
				     "nDPI が %s を確認 (独自検査: %s)"),
			ndpi_phrase(a, iv), what);
	else if (ar->wire.proto != WIRE_NONE)
		textfmt(buf, len, TR(a, "the bytes show %s (nDPI: %s)",
				     "通信内容は %s (nDPI: %s)"),
			what, ndpi_phrase(a, iv));
	else
		textfmt(buf, len, TR(a, "own checks: %s; nDPI: %s",
				     "独自検査: %s、nDPI: %s"),
			what, ndpi_phrase(a, iv));
}

static void reason_unlabelled(const struct auditor *a, const struct flow *f,
			      const struct label_set *ls, const struct audit_result *ar,
			      char *out, size_t len)
{
	char host[128], row[256];
	unsigned port = flow_server_port(f);
	const char *l4 = l4_name(f->key.l4);
	const char *other = l4_name(f->key.l4 == L4_TCP ? L4_UDP : L4_TCP);

	host_phrase(f, ls->server, host, sizeof(host));
	if (ls->other_l4 >= 0) {
		row_phrase(a, &a->rs->rules[ls->other_l4], row, sizeof(row));
		if (!(ar->flags & (1u << FLAG_WRONG_TRANSPORT)) &&
		    a->lang == LANG_JA)
			textfmt(out, len, "%s 宛ての %s %u は %s でのみ記載されています (%s)。"
				"他のプロトコルと共用のポートのため判定しません",
				host, l4, port, other, row);
		else if (!(ar->flags & (1u << FLAG_WRONG_TRANSPORT)))
			textfmt(out, len, "%s %u to %s is documented only for %s (%s), "
				"on a port shared with other protocols: not judged",
				l4, port, host, other, row);
		else if (a->lang == LANG_JA)
			textfmt(out, len, "%s 宛ての %s %u は %s でのみ記載されています: %s",
				host, l4, port, other, row);
		else
			textfmt(out, len, "%s %u to %s is documented only for %s (%s)",
				l4, port, host, other, row);
	} else if (a->lang == LANG_JA) {
		textfmt(out, len, "%s 宛ての %s %u はどの規則にも記載されていません",
			host, l4, port);
	} else {
		textfmt(out, len, "%s %u to %s is in no rule", l4, port, host);
	}
}

/* Why labels were not judged: the port alone, on a shared port. */
static void reason_unjudged(const struct auditor *a, const struct flow *f,
			    const struct label_set *ls, const char *head,
			    char *out, size_t len)
{
	char host[128];

	host_phrase(f, ls->server, host, sizeof(host));
	if (!ls->primary)
		textfmt(out, len, TR(a, "%s, and nothing on the wire shows any of them: not judged",
				     "%s。通信内容からはそのいずれも確認できないため判定しません"),
			head);
	else
		textfmt(out, len, TR(a, "%s, a port shared with other protocols, and no Lync server is known at %s: not judged",
				     "%s。他のプロトコルと共用のポートであり、%s に Lync サーバーは確認されていないため判定しません"),
			head, host);
}

/* The sentence once the head is written: the host and the evidence are
 * worded only by the branches that name them. */
static void reason_labelled(const struct auditor *a, const struct flow *f,
			    const struct label_set *ls, const struct audit_result *ar,
			    const struct inspect_view *iv, char *out, size_t len)
{
	char row[256], host[128], head[384], ev[256];
	unsigned port = flow_server_port(f);

	row_phrase(a, &a->rs->rules[ls->rule[0]], row, sizeof(row));
	if (ls->primary)
		textfmt(head, sizeof(head), TR(a, "%s %u is documented as %s",
					       "%s %u は %s として記載されています"),
			l4_name(f->key.l4), port, row);
	else
		textfmt(head, sizeof(head), TR(a, "%s %u is covered only by the clients' catch-all rows (media, file transfer, application sharing)",
					       "%s %u はクライアントの包括的な行 (メディア、ファイル転送、アプリケーション共有) にのみ該当します"),
			l4_name(f->key.l4), port);
	if (!ar->judged) {
		reason_unjudged(a, f, ls, head, out, len);
	} else if (ar->flags & (1u << FLAG_ROLE_MISMATCH)) {
		host_phrase(f, ls->server, host, sizeof(host));
		textfmt(out, len, TR(a, "%s, but %s holds no such role",
				     "%s が、%s はその役割を持ちません"), head, host);
	} else if (ar->flags & ((1u << FLAG_APP_MISMATCH) | (1u << FLAG_UNEXPECTED_APP))) {
		evidence_phrase(a, ar, iv, ev, sizeof(ev));
		textfmt(out, len, TR(a, "%s, but %s", "%s が、%s"), head, ev);
	} else if (ar->flags & (1u << FLAG_OPTIONAL_PORT)) {
		textfmt(out, len, TR(a, "%s, as an optional or legacy port",
				     "%s (オプションまたは旧バージョン用のポート)"), head);
	} else if (ar->flags & (1u << FLAG_UNVERIFIED)) {
		evidence_phrase(a, ar, iv, ev, sizeof(ev));
		textfmt(out, len, TR(a, "%s; it could not be confirmed: %s",
				     "%s。確認できませんでした: %s"), head, ev);
	} else if (ar->outcome == APP_CONFIRMED) {
		evidence_phrase(a, ar, iv, ev, sizeof(ev));
		textfmt(out, len, TR(a, "%s, and %s", "%s。%s"), head, ev);
	} else {
		textfmt(out, len, "%s", head);
	}
}

/* Whether the sentence of a labelled flow names its host. */
static bool names_host(const struct label_set *ls, const struct audit_result *ar)
{
	return ar->judged ? (ar->flags & (1u << FLAG_ROLE_MISMATCH)) != 0 :
			    ls->primary;
}

/* The memo's key for a labelled flow, or false when its sentence names a
 * host or nDPI's own words (those vary flow by flow). */
static bool memo_key(const struct auditor *a, const struct flow *f,
		     const struct label_set *ls, const struct audit_result *ar,
		     const struct inspect_view *iv, struct reason_key *k)
{
	const char *ndpi = ndpi_phrase(a, iv);

	if (names_host(ls, ar) || (iv != NULL && ndpi == iv->app_proto))
		return false;
	k->rs = a->rs;
	k->ndpi = ndpi;
	k->rule = ls->rule[0];
	k->flags = ar->flags;
	k->arg = ar->wire.arg;
	k->port = flow_server_port(f);
	k->lang = (uint8_t)a->lang;
	k->l4 = f->key.l4;
	k->primary = ls->primary;
	k->judged = ar->judged;
	k->outcome = ar->outcome;
	k->by = ar->by;
	k->proto = ar->wire.proto;
	k->detail = ar->wire.detail;
	return true;
}

static bool key_eq(const struct reason_key *x, const struct reason_key *y)
{
	return x->rs == y->rs && x->ndpi == y->ndpi && x->rule == y->rule &&
	       x->flags == y->flags && x->arg == y->arg && x->port == y->port &&
	       x->lang == y->lang && x->l4 == y->l4 && x->primary == y->primary &&
	       x->judged == y->judged && x->outcome == y->outcome &&
	       x->by == y->by && x->proto == y->proto && x->detail == y->detail;
}

static unsigned memo_slot(const struct reason_key *k)
{
	uint32_t h = k->rule * 0x9E3779B1u ^ k->port * 0x85EBCA6Bu ^
		     k->arg * 0xC2B2AE35u ^ k->flags ^
		     (uint32_t)k->detail << 8 ^ (uint32_t)k->outcome << 16 ^
		     (uint32_t)k->by << 20 ^ (uint32_t)k->judged << 24;

	h ^= h >> 15;
	h *= 0x2C1B3C6Du;
	return (h >> 16) % REASON_MEMO_SLOTS;
}

/* reason_labelled into ar->reason through a->memo: a sentence that names
 * no host and no word of nDPI's is worded once per distinct key (and kept
 * when it fits REASON_MEMO_LEN), its plainness with it. */
static void reason_labelled_memo(const struct auditor *a, const struct flow *f,
				 const struct label_set *ls,
				 struct audit_result *ar,
				 const struct inspect_view *iv)
{
	struct reason_key k;
	unsigned i;
	size_t n;

	if (a->memo == NULL || !memo_key(a, f, ls, ar, iv, &k)) {
		reason_labelled(a, f, ls, ar, iv, ar->reason, sizeof(ar->reason));
		ar->reason_plain = jw_plain(ar->reason, strlen(ar->reason));
		return;
	}
	i = memo_slot(&k);
	if (a->memo->slot[i].used && key_eq(&a->memo->slot[i].k, &k)) {
		memcpy(ar->reason, a->memo->slot[i].text,
		       strlen(a->memo->slot[i].text) + 1);
		ar->reason_plain = a->memo->slot[i].plain;
		return;
	}
	reason_labelled(a, f, ls, ar, iv, ar->reason, sizeof(ar->reason));
	n = strlen(ar->reason);
	ar->reason_plain = jw_plain(ar->reason, n);
	if (n < REASON_MEMO_LEN) {
		a->memo->slot[i].k = k;
		a->memo->slot[i].used = true;
		a->memo->slot[i].plain = ar->reason_plain;
		memcpy(a->memo->slot[i].text, ar->reason, n + 1);
	}
}

void audit_reason(const struct auditor *a, const struct flow *f,
		  const struct label_set *ls, const struct inspect_view *iv,
		  struct audit_result *ar)
{
	if (ls->n == 0 || (ar->flags & (1u << FLAG_WRONG_TRANSPORT))) {
		reason_unlabelled(a, f, ls, ar, ar->reason, sizeof(ar->reason));
		ar->reason_plain = jw_plain(ar->reason, strlen(ar->reason));
	} else {
		reason_labelled_memo(a, f, ls, ar, iv);
	}
}

/* A figure with one decimal, for textfmt's %s. */
static const char *fig(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.1f", v);
	return buf;
}

/* What a poor stream crossed: "loss 5.0%, jitter 41.2 ms". */
static void poor_phrase(const struct auditor *a, const struct media_stream_out *o,
			char *buf, size_t len)
{
	double loss = o->expected ? 100.0 * (double)o->lost / (double)o->expected : 0;
	char v[32];
	size_t n = 0;

	buf[0] = '\0';
	if (o->poor & MEDIA_POOR_LOSS)
		n += textfmt(buf + n, len - n, TR(a, "loss %s%%", "損失 %s%%"),
			     fig(v, sizeof(v), loss));
	if ((o->poor & MEDIA_POOR_JITTER) && n + 1 < len)
		n += textfmt(buf + n, len - n, TR(a, "%sjitter %s ms", "%sジッター %s ms"),
			     n ? ", " : "", fig(v, sizeof(v), o->mean_jitter_ms));
	if ((o->poor & MEDIA_POOR_RTT) && n + 1 < len)
		(void)textfmt(buf + n, len - n, TR(a, "%sround trip %s ms", "%s往復遅延 %s ms"),
			      n ? ", " : "", fig(v, sizeof(v), o->rtcp.rtt_ms));
}

void audit_media(const struct auditor *a, const struct media_summary *ms,
		 struct audit_result *ar)
{
	char what[128], ssrc[16], mos[32];
	size_t used = strlen(ar->reason), n;

	for (int i = 0; i < ms->n; i++) {
		const struct media_stream_out *o = &ms->s[i];

		if (!o->poor)
			continue;
		ar->flags |= 1u << FLAG_POOR_MEDIA;
		if (ar->verdict < VERDICT_NOTICE)
			ar->verdict = VERDICT_NOTICE;
		poor_phrase(a, o, what, sizeof(what));
		snprintf(ssrc, sizeof(ssrc), "0x%08x", (unsigned)o->ssrc);
		n = textfmt(ar->reason + used, sizeof(ar->reason) - used,
			    TR(a, "%spoor media on RTP stream %s: %s (MOS %s)",
			       "%sRTP ストリーム %s のメディア品質が低い: %s (MOS %s)"),
			    used ? TR(a, "; ", "。") : "", ssrc, what,
			    fig(mos, sizeof(mos), o->mos));
		ar->reason_plain = ar->reason_plain &&
				   jw_plain(ar->reason + used, n);
		return;
	}
}
