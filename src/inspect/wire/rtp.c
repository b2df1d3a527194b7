/* rtp.c: RTP and RTCP version 2 (RFC 3550 sections 5.1 and 6.4), over UDP
 * and RFC 4571-framed over TCP.
 *
 * RTP: "is" once one side sent two packets of one SSRC whose sequence
 * numbers increase by 1 to SEQ_STEP_MAX (loss allowed); an SSRC that keeps
 * changing is not RTP, nor a flow of more than OTHER_MAX other datagrams.  Payload types 72-79 are RTCP multiplexed on the
 * RTP port (RFC 5761 section 4) and left to the RTCP check.
 * RTCP: a datagram that is exactly a compound of packets of types 200-207
 * decides; an SRTCP datagram (RFC 3711 section 3.4: only the first header
 * and sender SSRC are in clear, an index and tag follow) decides on the
 * second one of the same sender SSRC. */
#include "inspect/wire/check.h"

#define RTP_HDR      12
#define SEQ_STEP_MAX 100
#define STRIKES_MAX  3
#define OTHER_MAX    2       /* non-RTP datagrams tolerated before RTP */
#define RTCP_SR      200
#define RTCP_RR      201
#define SRTCP_TRAILER 4      /* E flag and index, before the tag */

struct rtp {
	uint32_t ssrc;
	uint16_t seq;
	uint8_t pt;
};

/* One RTP header in c, padding included; false if it cannot be one. */
static bool rtp_parse(struct cursor c, struct rtp *r)
{
	uint8_t b0, b1, pad;
	uint16_t plen;

	if (!cur_u8(&c, &b0) || (b0 >> 6) != 2 || !cur_u8(&c, &b1) ||
	    !cur_be16(&c, &r->seq) || !cur_skip(&c, 4) ||
	    !cur_be32(&c, &r->ssrc) || !cur_skip(&c, (size_t)(b0 & 15) * 4))
		return false;
	r->pt = b1 & 0x7f;
	if ((b0 & 0x10) &&
	    (!cur_skip(&c, 2) || !cur_be16(&c, &plen) ||
	     !cur_skip(&c, (size_t)plen * 4)))
		return false;
	if (b0 & 0x20)
		return cur_left(&c) > 0 && cur_peek(&c, cur_left(&c) - 1, &pad) &&
		       pad >= 1 && pad <= cur_left(&c);
	return true;
}

static bool is_mux_rtcp(const uint8_t *p, uint32_t len)
{
	struct cursor c = cur_make(p, len);
	uint8_t b1;

	return cur_peek(&c, 1, &b1) && (b1 & 0x7f) >= 72 && (b1 & 0x7f) <= 79;
}

/* Adds one packet to its side's run; true once the run is two long. */
static enum wire_ans rtp_track(struct wire_state *w, int side,
			       const struct rtp *r)
{
	struct wire_rtp_dir *d = &w->rtp[side];
	uint16_t step = (uint16_t)(r->seq - d->seq);

	w->flags |= WF_RTP_SEEN;
	if (d->n && d->ssrc == r->ssrc) {
		if (step == 0 || step > 0xffff - SEQ_STEP_MAX)
			return WA_MAYBE;  /* duplicate or reordered */
		d->seq = r->seq;
		if (step <= SEQ_STEP_MAX) {
			d->n++;
			return WA_IS;
		}
		d->n = 1;
	} else {
		if (d->n && d->strikes < 0xff)
			d->strikes++;
		d->ssrc = r->ssrc;
		d->seq = r->seq;
		d->n = 1;
	}
	return d->strikes >= STRIKES_MAX ? WA_NOT : WA_MAYBE;
}

/* A packet that is not RTP: tolerated up to OTHER_MAX in a flow (a media
 * flow may open with other messages, e.g. an address discovery). */
static enum wire_ans other(struct wire_state *w)
{
	if (w->rtp_other < 0xff)
		w->rtp_other++;
	return w->rtp_other > OTHER_MAX ? WA_NOT : WA_MAYBE;
}

/* One RTP packet (or muxed RTCP, left alone) filling c. */
static enum wire_ans rtp_one(struct wire_state *w, int side, struct cursor c,
			     uint32_t *ssrc)
{
	struct rtp r;

	if (is_mux_rtcp(c.p, (uint32_t)cur_left(&c)))
		return WA_MAYBE;
	if (cur_left(&c) < RTP_HDR || !rtp_parse(c, &r))
		return other(w);
	*ssrc = r.ssrc;
	return rtp_track(w, side, &r);
}

/* RFC 4571: frames of a 16-bit length; the last may run past the
 * segment.  Returns the strongest answer of the whole frames. */
static enum wire_ans framed(struct wire_state *w, const struct wire_in *in,
			    bool rtcp, struct wire_hit *hit);

enum wire_ans wire_rtp(struct wire_state *w, const struct wire_in *in,
		       struct wire_hit *hit)
{
	uint32_t ssrc = 0;
	enum wire_ans a;

	if (!in->dgram)
		return framed(w, in, false, hit);
	a = rtp_one(w, in->side, cur_make(in->p, in->len), &ssrc);
	if (a == WA_IS)
		return wire_is(hit, WD_RTP, -1, ssrc);
	return a;
}

/* ---------------------------------------------------------------- RTCP */

/* Walks a compound packet; *n packets of which the first has type *pt.
 * True when the packets fill c exactly. */
static bool compound(struct cursor c, uint8_t *pt, uint8_t *n)
{
	*n = 0;
	while (cur_left(&c) > 0) {
		uint8_t b0, t;
		uint16_t words;

		if (!cur_u8(&c, &b0) || (b0 >> 6) != 2 || !cur_u8(&c, &t) ||
		    t < 200 || t > 207 || !cur_be16(&c, &words))
			return false;
		if ((t == RTCP_SR && words < 6 + 6u * (b0 & 31)) ||
		    (t == RTCP_RR && words < 1 + 6u * (b0 & 31)))
			return false;
		if (!cur_skip(&c, (size_t)words * 4))
			return false;
		if (*n == 0)
			*pt = t;
		if (*n < 0xff)
			(*n)++;
	}
	return *n > 0;
}

/* The first header of an SRTCP packet: its sender SSRC, if the rest
 * leaves room for the trailer. */
static bool srtcp_head(struct cursor c, uint8_t *pt, uint32_t *ssrc)
{
	uint8_t b0;
	uint16_t words;

	return cur_u8(&c, &b0) && (b0 >> 6) == 2 && cur_u8(&c, pt) &&
	       (*pt == RTCP_SR || *pt == RTCP_RR) && cur_be16(&c, &words) &&
	       words >= 1 && cur_be32(&c, ssrc) &&
	       cur_has(&c, (size_t)words * 4 - 4 + SRTCP_TRAILER);
}

static enum wire_ans rtcp_one(struct wire_state *w, int side,
			      struct cursor c, struct wire_hit *hit)
{
	struct wire_rtp_dir *d = &w->rtp[side];
	uint32_t ssrc;
	uint8_t pt = 0, n;

	if (compound(c, &pt, &n))
		return wire_is(hit, WD_RTCP, -1, pt | (uint32_t)n << 8);
	if (!srtcp_head(c, &pt, &ssrc))
		return WA_NOT;
	if (d->rtcp_n && d->rtcp_ssrc == ssrc)
		return wire_is(hit, WD_SRTCP, -1, pt | 1u << 8);
	d->rtcp_ssrc = ssrc;
	d->rtcp_n = 1;
	return WA_MAYBE;
}

enum wire_ans wire_rtcp(struct wire_state *w, const struct wire_in *in,
			struct wire_hit *hit)
{
	if (!in->dgram)
		return framed(w, in, true, hit);
	return rtcp_one(w, in->side, cur_make(in->p, in->len), hit);
}

static enum wire_ans framed(struct wire_state *w, const struct wire_in *in,
			    bool rtcp, struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	enum wire_ans best = WA_MAYBE;
	uint16_t n;
	uint32_t ssrc = 0, frames = 0;

	while (cur_be16(&c, &n) && cur_has(&c, n)) {
		struct cursor f = cur_make(c.p, n);
		enum wire_ans a = rtcp ? rtcp_one(w, in->side, f, hit)
				       : rtp_one(w, in->side, f, &ssrc);

		if (a == WA_NOT)
			return wire_miss(in);
		if (a == WA_IS)
			best = WA_IS;
		(void)cur_skip(&c, n);
		frames++;
	}
	if (frames == 0)
		return wire_miss(in);
	if (best == WA_IS && !rtcp)
		return wire_is(hit, WD_RTP_TCP, -1, ssrc);
	return best;
}
