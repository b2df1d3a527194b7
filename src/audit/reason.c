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

/* The server as a phrase: "name (ip)" or "ip"; returns its length. */
static size_t host_phrase(const struct flow *f, const struct inv_host *h,
			  char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	size_t n = textfmt_addr(flow_server_addr(f), f->key.ipver, ip, sizeof(ip));
	size_t m = h != NULL ? h->namelen : 0;

	if (m == 0) {
		memcpy(buf, ip, n);             /* len >= INET6_ADDRSTRLEN */
		buf[n] = '\0';
		return n;
	}
	if (m + n + 4 <= len) {                 /* "name (ip)" whole */
		memcpy(buf, h->name, m);
		memcpy(buf + m, " (", 2);
		memcpy(buf + m + 2, ip, n);
		memcpy(buf + m + 2 + n, ")", 2);
		return m + n + 3;
	}
	return textfmt(buf, len, "%s (%s)", h->name, ip);
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

/* The parts of a sentence that vary flow by flow: the server's host
 * phrase (host_phrase's), its port in decimal, and what the own checks
 * read (wire_detail's, at most 95 bytes).  The memo's sentences hold a
 * mark byte in their place. */
struct vars {
	const char *host, *port, *what;
	size_t hostlen, portlen;        /* theirs (what's is measured) */
};

/* The evidence, as a phrase: "the bytes show SIP OPTIONS request (nDPI:
 * http)". */
static void evidence_phrase(const struct auditor *a, const struct audit_result *ar,
			    const struct inspect_view *iv, const struct vars *v,
			    char *buf, size_t len)
{
	if (ar->by == EV_NDPI)
		textfmt(buf, len, TR(a, "nDPI confirmed %s (own checks: %s)",
				     "nDPI が %s を確認 (独自検査: %s)"),
			ndpi_phrase(a, iv), v->what);
	else if (ar->wire.proto != WIRE_NONE)
		textfmt(buf, len, TR(a, "the bytes show %s (nDPI: %s)",
				     "通信内容は %s (nDPI: %s)"),
			v->what, ndpi_phrase(a, iv));
	else
		textfmt(buf, len, TR(a, "own checks: %s; nDPI: %s",
				     "独自検査: %s、nDPI: %s"),
			v->what, ndpi_phrase(a, iv));
}

static void reason_unlabelled(const struct auditor *a, const struct flow *f,
			      const struct label_set *ls, const struct audit_result *ar,
			      const struct vars *v, char *out, size_t len)
{
	char row[256];
	const char *host = v->host, *port = v->port;
	const char *l4 = l4_name(f->key.l4);
	const char *other = l4_name(f->key.l4 == L4_TCP ? L4_UDP : L4_TCP);

	if (ls->other_l4 >= 0) {
		row_phrase(a, &a->rs->rules[ls->other_l4], row, sizeof(row));
		if (!(ar->flags & (1u << FLAG_WRONG_TRANSPORT)) &&
		    a->lang == LANG_JA)
			textfmt(out, len, "%s 宛ての %s %s は %s でのみ記載されています (%s)。"
				"他のプロトコルと共用のポートのため判定しません",
				host, l4, port, other, row);
		else if (!(ar->flags & (1u << FLAG_WRONG_TRANSPORT)))
			textfmt(out, len, "%s %s to %s is documented only for %s (%s), "
				"on a port shared with other protocols: not judged",
				l4, port, host, other, row);
		else if (a->lang == LANG_JA)
			textfmt(out, len, "%s 宛ての %s %s は %s でのみ記載されています: %s",
				host, l4, port, other, row);
		else
			textfmt(out, len, "%s %s to %s is documented only for %s (%s)",
				l4, port, host, other, row);
	} else if (a->lang == LANG_JA) {
		textfmt(out, len, "%s 宛ての %s %s はどの規則にも記載されていません",
			host, l4, port);
	} else {
		textfmt(out, len, "%s %s to %s is in no rule", l4, port, host);
	}
}

/* Why labels were not judged: the port alone, on a shared port. */
static void reason_unjudged(const struct auditor *a,
			    const struct label_set *ls, const char *head,
			    const char *host, char *out, size_t len)
{
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
			    const struct inspect_view *iv, const struct vars *v,
			    char *out, size_t len)
{
	char row[256], head[384], ev[256];

	row_phrase(a, &a->rs->rules[ls->rule[0]], row, sizeof(row));
	if (ls->primary)
		textfmt(head, sizeof(head), TR(a, "%s %s is documented as %s",
					       "%s %s は %s として記載されています"),
			l4_name(f->key.l4), v->port, row);
	else
		textfmt(head, sizeof(head), TR(a, "%s %s is covered only by the clients' catch-all rows (media, file transfer, application sharing)",
					       "%s %s はクライアントの包括的な行 (メディア、ファイル転送、アプリケーション共有) にのみ該当します"),
			l4_name(f->key.l4), v->port);
	if (!ar->judged) {
		reason_unjudged(a, ls, head, v->host, out, len);
	} else if (ar->flags & (1u << FLAG_ROLE_MISMATCH)) {
		textfmt(out, len, TR(a, "%s, but %s holds no such role",
				     "%s が、%s はその役割を持ちません"), head, v->host);
	} else if (ar->flags & ((1u << FLAG_APP_MISMATCH) | (1u << FLAG_UNEXPECTED_APP))) {
		evidence_phrase(a, ar, iv, v, ev, sizeof(ev));
		textfmt(out, len, TR(a, "%s, but %s", "%s が、%s"), head, ev);
	} else if (ar->flags & (1u << FLAG_OPTIONAL_PORT)) {
		textfmt(out, len, TR(a, "%s, as an optional or legacy port",
				     "%s (オプションまたは旧バージョン用のポート)"), head);
	} else if (ar->flags & (1u << FLAG_UNVERIFIED)) {
		evidence_phrase(a, ar, iv, v, ev, sizeof(ev));
		textfmt(out, len, TR(a, "%s; it could not be confirmed: %s",
				     "%s。確認できませんでした: %s"), head, ev);
	} else if (ar->outcome == APP_CONFIRMED) {
		evidence_phrase(a, ar, iv, v, ev, sizeof(ev));
		textfmt(out, len, TR(a, "%s, and %s", "%s。%s"), head, ev);
	} else {
		textfmt(out, len, "%s", head);
	}
}

/* Whether the flow's sentence is an unlabelled one. */
static bool unlabelled(const struct label_set *ls, const struct audit_result *ar)
{
	return ls->n == 0 || (ar->flags & (1u << FLAG_WRONG_TRANSPORT));
}

/* The flow's sentence with the parts v. */
static void reason_write(const struct auditor *a, const struct flow *f,
			 const struct label_set *ls, const struct audit_result *ar,
			 const struct inspect_view *iv, const struct vars *v,
			 char *out, size_t len)
{
	if (unlabelled(ls, ar))
		reason_unlabelled(a, f, ls, ar, v, out, len);
	else
		reason_labelled(a, f, ls, ar, iv, v, out, len);
}

/* The memo's key of a flow's sentence, or false when it names nDPI's own
 * words (those vary flow by flow). */
static bool memo_key(const struct auditor *a, const struct flow *f,
		     const struct label_set *ls, const struct audit_result *ar,
		     const struct inspect_view *iv, struct reason_key *k)
{
	const char *ndpi = ndpi_phrase(a, iv);

	memset(k, 0, sizeof(*k));
	k->rs = a->rs;
	k->lang = (uint8_t)a->lang;
	k->l4 = f->key.l4;
	if (unlabelled(ls, ar)) {
		k->unlabelled = 1;
		k->rule = ls->other_l4 >= 0 ? (uint32_t)ls->other_l4 : UINT32_MAX;
		k->flags = ar->flags & (1u << FLAG_WRONG_TRANSPORT);
		return true;
	}
	if (iv != NULL && ndpi == iv->app_proto)
		return false;
	k->ndpi = ndpi;
	k->rule = ls->rule[0];
	k->flags = ar->flags;
	k->primary = ls->primary;
	k->judged = ar->judged;
	k->outcome = ar->outcome;
	k->by = ar->by;
	k->proto = ar->wire.proto;
	return true;
}

static bool key_eq(const struct reason_key *x, const struct reason_key *y)
{
	return x->rs == y->rs && x->ndpi == y->ndpi && x->rule == y->rule &&
	       x->flags == y->flags && x->lang == y->lang && x->l4 == y->l4 &&
	       x->primary == y->primary && x->judged == y->judged &&
	       x->outcome == y->outcome && x->by == y->by &&
	       x->proto == y->proto && x->unlabelled == y->unlabelled;
}

static unsigned memo_slot(const struct reason_key *k)
{
	uint64_t x = (uint64_t)k->rule | (uint64_t)k->flags << 32;
	uint64_t y = (uint64_t)k->proto | (uint64_t)k->outcome << 8 |
		     (uint64_t)k->by << 16 | (uint64_t)k->judged << 24 |
		     (uint64_t)k->unlabelled << 32 | (uint64_t)k->primary << 40 |
		     (uint64_t)k->l4 << 48 | (uint64_t)k->lang << 56;
	uint64_t h = x * 0x9E3779B97F4A7C15ull ^ y * 0xC2B2AE3D27D4EB4Full;

	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 32;
	return (unsigned)(h % REASON_MEMO_SLOTS);
}

/* The marks standing for the parts in a memo's sentence (REASON_VARS of
 * them: host, port, what): bytes no sentence holds otherwise (a sentence
 * holding one twice is not kept). */
static const struct vars marks = { "\x01", "\x02", "\x03", 1, 1 };

/* Words the sentence of key k into slot i, the parts left out and their
 * places noted (in order); false when it cannot be kept (too long, or a
 * mark found twice). */
static bool memo_fill(const struct auditor *a, const struct flow *f,
		      const struct label_set *ls, const struct audit_result *ar,
		      const struct inspect_view *iv, const struct reason_key *k,
		      unsigned i)
{
	char t[AUDIT_REASON_MAX];
	size_t n, o = 0;
	uint8_t seen = 0, nvar = 0;
	struct reason_slot *sl = &a->memo->slot[i];

	reason_write(a, f, ls, ar, iv, &marks, t, sizeof(t));
	n = strlen(t);
	if (n + 1 >= sizeof(t))         /* perhaps cut: the parts' lengths */
		return false;           /* decide where */
	for (size_t j = 0; j < n; j++) {
		unsigned char c = (unsigned char)t[j];

		if (c >= 1 && c <= REASON_VARS) {
			if (seen & (1u << c))
				return false;
			seen |= (uint8_t)(1u << c);
			sl->var[nvar].at = (uint16_t)o;
			sl->var[nvar++].which = (uint8_t)(c - 1);
			continue;
		}
		t[o++] = (char)c;
	}
	if (o >= REASON_MEMO_LEN)
		return false;
	t[o] = '\0';
	sl->k = *k;
	sl->used = true;
	sl->plain = jw_plain(t, o);
	sl->len = (uint16_t)o;
	sl->nvar = nvar;
	memcpy(sl->text, t, o + 1);
	return true;
}

/* wire_detail's text of r (a function of its detail code and argument):
 * the memo's copy (kept until the next call), or what[96] without a
 * memo; *len gets its length. */
static const char *detail_text(const struct auditor *a,
			       const struct wire_result *r, char what[96],
			       size_t *len)
{
	unsigned i = ((r->arg ^ (uint32_t)r->detail << 24) * 0x9E3779B1u) >> 24;
	struct reason_detail *d;

	if (a->memo == NULL) {
		wire_detail(r, what, 96);
		*len = strlen(what);
		return what;
	}
	d = &a->memo->detail[i % REASON_DETAIL_SLOTS];
	if (!d->used || d->code != r->detail || d->arg != r->arg) {
		wire_detail(r, d->text, sizeof(d->text));
		d->len = (uint8_t)strlen(d->text);
		d->code = r->detail;
		d->arg = r->arg;
		d->used = true;
	}
	*len = d->len;
	return d->text;
}

/* The sentence of slot i with the parts v put back into ar->reason (the
 * detail worded here when the sentence names it); false when it would
 * not fit whole (then it is worded directly). */
static bool memo_put(const struct auditor *a, unsigned i, const struct vars *v,
		     char what[96], struct audit_result *ar)
{
	const struct reason_slot *sl = &a->memo->slot[i];
	size_t from = 0, o = 0, n;
	bool plain = sl->plain;
	const char *part;

	for (int j = 0; j < sl->nvar; j++) {
		size_t at = sl->var[j].at;

		switch (sl->var[j].which) {
		case 0:
			part = v->host;
			n = v->hostlen;
			plain = plain && jw_plain(part, n);
			break;
		case 1:
			part = v->port;
			n = v->portlen;
			break;
		default:
			part = detail_text(a, &ar->wire, what, &n);
			break;
		}
		/* what is written, this part, the rest of the text, a NUL */
		if (o + n + sl->len - from + 1 > sizeof(ar->reason))
			return false;
		memcpy(ar->reason + o, sl->text + from, at - from);
		o += at - from;
		memcpy(ar->reason + o, part, n);
		o += n;
		from = at;
	}
	memcpy(ar->reason + o, sl->text + from, sl->len - from + 1);
	ar->reason_len = (uint16_t)(o + sl->len - from);
	ar->reason_plain = plain;
	return true;
}

/* A port in decimal into b (8 bytes), NUL-terminated; its length. */
static size_t port_text(unsigned port, char b[8])
{
	char *e = jw_put_u64(b, port & 0xffff);

	*e = '\0';
	return (size_t)(e - b);
}

/* The parts of f's sentence into v: the host only when `with_host`, the
 * detail left empty (memo_put and audit_reason word it when needed). */
static void vars_of(const struct flow *f, const struct label_set *ls,
		    bool with_host, char host[128], char port[8], char what[96],
		    struct vars *v)
{
	host[0] = '\0';
	what[0] = '\0';
	v->hostlen = with_host ? host_phrase(f, ls->server, host, 128) : 0;
	v->portlen = port_text(flow_server_port(f), port);
	v->host = host;
	v->port = port;
	v->what = what;
}

/* Whether the sentence of a labelled flow names its host. */
static bool names_host(const struct label_set *ls, const struct audit_result *ar)
{
	return ar->judged ? (ar->flags & (1u << FLAG_ROLE_MISMATCH)) != 0 :
			    ls->primary;
}

void audit_reason(const struct auditor *a, const struct flow *f,
		  const struct label_set *ls, const struct inspect_view *iv,
		  struct audit_result *ar)
{
	char host[128], port[8], what[96];
	struct reason_key k;
	struct vars v;
	unsigned i;

	vars_of(f, ls, unlabelled(ls, ar) || names_host(ls, ar),
		host, port, what, &v);
	if (a->memo != NULL && memo_key(a, f, ls, ar, iv, &k)) {
		i = memo_slot(&k);
		if (((a->memo->slot[i].used && key_eq(&a->memo->slot[i].k, &k)) ||
		     memo_fill(a, f, ls, ar, iv, &k, i)) &&
		    memo_put(a, i, &v, what, ar))
			return;
	}
	if (!unlabelled(ls, ar)) {
		size_t n;

		v.what = detail_text(a, &ar->wire, what, &n);
	}
	reason_write(a, f, ls, ar, iv, &v, ar->reason, sizeof(ar->reason));
	ar->reason_len = (uint16_t)strlen(ar->reason);
	ar->reason_plain = jw_plain(ar->reason, ar->reason_len);
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
	size_t used, n;

	for (int i = 0; i < ms->n; i++) {
		const struct media_stream_out *o = &ms->s[i];

		if (!o->poor)
			continue;
		used = ar->reason_len;
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
		ar->reason_len = (uint16_t)(used + n);
		ar->reason_plain = ar->reason_plain &&
				   jw_plain(ar->reason + used, n);
		return;
	}
}
