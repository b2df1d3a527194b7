/* stun.c: STUN and its relatives, over UDP and TCP.
 *
 * RFC 5389 section 6 (magic cookie 0x2112A442, attributes padded to 4
 * bytes, the length field covering them exactly); classic STUN, RFC 3489
 * section 11.1 (no cookie: Binding and Shared Secret types only);
 * Microsoft's TURN, [MS-TURN] section 2.2 (no cookie, its own message types
 * or its MAGIC-COOKIE attribute 0x000F = 0x72C64BC6; on RFC 5389 framing,
 * the MS-VERSION attribute 0x8008); TURN ChannelData, RFC 5766 section 11.4
 * (channel 0x4000-0x7FFF, "is" on the second message of one channel).
 * Over TCP, messages follow one another unframed (RFC 5389 section 7.2.2),
 * each behind a 16-bit length (RFC 4571 framing), or behind [MS-TURN]
 * 2.1.4's framing header (type 0x02 control message or 0x03 end-to-end
 * data, a zero byte, a 16-bit length). */
#include "inspect/wire/check.h"

#define STUN_HDR      20
#define COOKIE        0x2112A442u
#define MS_COOKIE     0x72C64BC6u
#define ATTR_MS_MAGIC 0x000F
#define ATTR_MS_VER   0x8008
#define FRAMED        (1u << 16)  /* arg: RFC 4571 framing */
#define MS_FRAMED     (1u << 17)  /* arg: [MS-TURN] TCP framing */
#define MS_CONTROL    0x02

enum kind { K_NO, K_STUN, K_CLASSIC, K_MSTURN, K_CHANNEL };

struct msg {
	uint16_t type, len;
	bool ms_magic, ms_ver;
};

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Walks the attributes filling exactly the rest of c. */
static bool attrs(struct cursor c, struct msg *m)
{
	while (cur_left(&c) > 0) {
		uint16_t at, al;
		uint32_t v;
		struct cursor a;

		if (!cur_be16(&c, &at) || !cur_be16(&c, &al))
			return false;
		a = c;
		if (at == ATTR_MS_MAGIC && al == 4 && cur_be32(&a, &v) &&
		    v == MS_COOKIE)
			m->ms_magic = true;
		if (at == ATTR_MS_VER)
			m->ms_ver = true;
		if (!cur_skip(&c, cur_left(&c) == al ? al : pad4(al)))
			return false;
	}
	return true;
}

static bool classic_type(uint16_t t)
{
	return t == 0x0001 || t == 0x0101 || t == 0x0111 || t == 0x0002 ||
	       t == 0x0102 || t == 0x0112;
}

/* [MS-TURN] 2.2.1: Allocate, Send, Data indication, Set Active
 * Destination requests and answers. */
static bool msturn_type(uint16_t t)
{
	return t == 0x0003 || t == 0x0103 || t == 0x0113 || t == 0x0004 ||
	       t == 0x0115 || t == 0x0006 || t == 0x0106 || t == 0x0116;
}

/* One message filling c exactly (a datagram may pad ChannelData). */
static enum kind message(struct cursor c, bool dgram, struct msg *m)
{
	uint32_t cookie;

	*m = (struct msg){ 0 };
	if (!cur_be16(&c, &m->type) || !cur_be16(&c, &m->len))
		return K_NO;
	if ((m->type & 0xC000) == 0x4000) {
		size_t left = cur_left(&c);

		if (left == m->len || (left == pad4(m->len) && left >= m->len) ||
		    (dgram && left >= m->len && left <= pad4(m->len)))
			return K_CHANNEL;
		return K_NO;
	}
	if ((m->type & 0xC000) || (m->len & 3) || !cur_be32(&c, &cookie) ||
	    !cur_skip(&c, 12) || cur_left(&c) != m->len || !attrs(c, m))
		return K_NO;
	if (cookie == COOKIE)
		return m->ms_ver ? K_MSTURN : K_STUN;
	if (m->ms_magic || msturn_type(m->type))
		return K_MSTURN;
	return classic_type(m->type) ? K_CLASSIC : K_NO;
}

/* The side the message says is the client (RFC 5389 section 6 classes:
 * the sender of a request; the receiver of a response). */
static int client_of(uint16_t type, int side)
{
	unsigned cls = ((type >> 7) & 2u) | ((type >> 4) & 1u);

	if (cls == 0)
		return side;
	return cls == 1 ? -1 : 1 - side;
}

static enum wire_ans verdict(struct wire_state *w, const struct wire_in *in,
			     enum kind k, const struct msg *m, uint32_t framed,
			     struct wire_hit *hit)
{
	static const uint8_t det[] = { 0, WD_STUN, WD_STUN_CLASSIC, WD_MSTURN };

	if (k == K_NO)
		return WA_NOT;
	if (k != K_CHANNEL)
		return wire_is(hit, det[k], client_of(m->type, in->side),
			       m->type | framed);
	if (w->chan_n && w->chan == m->type) {
		return wire_is(hit, WD_TURN_CHANNELDATA, -1, m->type);
	}
	w->chan = m->type;
	w->chan_n = 1;
	return WA_MAYBE;
}

/* [MS-TURN] 2.1.4: a control message frame holding one message. */
static enum wire_ans ms_framed(struct wire_state *w, const struct wire_in *in,
			       struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	uint8_t type, zero;
	uint16_t n;
	enum kind k;
	struct msg m;

	if (!cur_u8(&c, &type) || type != MS_CONTROL || !cur_u8(&c, &zero) ||
	    zero != 0 || !cur_be16(&c, &n) || !cur_has(&c, n))
		return wire_miss(in);
	k = message(cur_make(c.p, n), false, &m);
	if (k == K_NO || k == K_CHANNEL)
		return wire_miss(in);
	return verdict(w, in, k, &m, MS_FRAMED, hit);
}

/* TCP: the first message of the segment, unframed or framed. */
static enum wire_ans stream(struct wire_state *w, const struct wire_in *in,
			    struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	struct cursor f = c;
	uint16_t t, n;
	enum kind k;
	struct msg m;

	if (cur_be16(&c, &t) && cur_be16(&c, &n)) {
		size_t whole = (t & 0xC000) == 0x4000 ? 4u + pad4(n) : STUN_HDR + (size_t)n;

		if (whole <= in->len) {
			k = message(cur_make(in->p, whole), false, &m);
			if (k != K_NO)
				return verdict(w, in, k, &m, 0, hit);
		}
	}
	if (cur_be16(&f, &n) && n >= 4 && cur_has(&f, n)) {
		k = message(cur_make(f.p, n), false, &m);
		if (k != K_NO)
			return verdict(w, in, k, &m, FRAMED, hit);
	}
	return ms_framed(w, in, hit);
}

enum wire_ans wire_stun(struct wire_state *w, const struct wire_in *in,
			struct wire_hit *hit)
{
	struct msg m;

	if (!in->dgram)
		return stream(w, in, hit);
	return verdict(w, in, message(cur_make(in->p, in->len), true, &m), &m,
		       0, hit);
}
