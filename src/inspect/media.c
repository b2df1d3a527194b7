/* media.c: RTP/RTCP stream measurement (see media.h). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cursor.h"
#include "inspect/media.h"

#define RTP_HDR        12
#define PT_CN          13
#define PT_CN_OLD      19
#define RTCP_SR        200
#define RTCP_RR        201
#define EST_SPAN_US    1000000u  /* rate estimation: span needed */
#define US_PER_S       1000000.0
#define NTP_UNIX       2208988800u

/* The sender report last seen in one direction. */
struct media_sr {
	uint32_t ntp_mid;               /* middle 32 bits of its NTP time */
	uint64_t us;                    /* when the sensor saw it */
};

/* Streams take slots in order of first packet and keep them: s[0..n) are
 * in use, each allocated when its first packet comes (most flows carry
 * one stream a way, so a flow holds ~0.6 KB, not the 2 KB of all eight).
 * Their keys sit together at the front, so finding a packet's stream
 * reads one cache line, not one per stream. */
struct media_flow {
	uint32_t ssrc[MEDIA_MAX_STREAMS];       /* of s[i] */
	uint8_t dir[MEDIA_MAX_STREAMS];         /* of s[i], DIR_* */
	uint8_t n;                              /* slots in use */
	struct media_stream *s[MEDIA_MAX_STREAMS];
	struct media_sr sr[2];          /* per DIR_* */
	uint32_t capped;
};

void media_limits_default(struct media_limits *l)
{
	/* Microsoft, "Network requirements" for Lync/Skype for Business
	 * media (see lyncwatch(8)): packet loss < 1% over 15 s, mean
	 * interarrival jitter < 30 ms, round trip < 100 ms. */
	l->loss_pct = 1.0;
	l->jitter_ms = 30.0;
	l->rtt_ms = 100.0;
}

uint32_t media_static_rate(uint8_t pt)
{
	switch (pt) {
	case 0: case 3: case 4: case 5: case 7: case 8: case 9:
	case 12: case 13: case 15: case 18: case 19:
		return 8000;    /* G.722's RTP clock is 8000 too (RFC 3551) */
	case 6:
		return 16000;
	case 10: case 11:
		return 44100;
	case 16:
		return 11025;
	case 17:
		return 22050;
	case 14: case 25: case 26: case 28: case 31: case 32: case 33:
	case 34:
		return 90000;
	default:
		return 0;
	}
}

bool media_parse_rtp(const uint8_t *p, uint32_t len, struct media_rtp *r)
{
	struct cursor c = cur_make(p, len);
	uint8_t b0, b1;

	if (!cur_u8(&c, &b0) || (b0 >> 6) != 2 || !cur_u8(&c, &b1) ||
	    !cur_be16(&c, &r->seq) || !cur_be32(&c, &r->ts) ||
	    !cur_be32(&c, &r->ssrc) || !cur_skip(&c, (size_t)(b0 & 15) * 4))
		return false;
	r->pt = b1 & 0x7f;
	r->marker = b1 >> 7;
	return !(r->pt >= 72 && r->pt <= 79);   /* RTCP, RFC 5761 */
}

/* ------------------------------------------------------------ sequence */

/* RFC 3550 A.1/A.3 without probation: a step forward of less than half
 * the sequence space advances the highest number (counting a wrap);
 * anything else is a duplicate (seen within the window) or reordered. */
static void seq_update(struct media_stream *s, uint16_t seq)
{
	uint16_t fwd = (uint16_t)(seq - s->max_seq);
	uint16_t back = (uint16_t)(s->max_seq - seq);

	if (fwd != 0 && fwd < 0x8000) {
		if (seq < s->max_seq)
			s->cycles += 1u << 16;
		s->window = fwd >= 64 ? 0 : s->window << fwd;
		s->window |= 1;
		s->max_seq = seq;
		return;
	}
	if (back < MEDIA_DUP_WINDOW && (s->window >> back) & 1) {
		s->dups++;
		return;
	}
	if (back < MEDIA_DUP_WINDOW)
		s->window |= 1ull << back;
	s->reordered++;
}

/* ---------------------------------------------------------------- rate */

static uint32_t snap_rate(double hz)
{
	static const uint32_t rates[] = { 8000, 11025, 16000, 22050, 24000,
					  32000, 44100, 48000, 90000 };
	uint32_t best = 0;
	double err = 0.05;      /* at most 5% off: else unknown */

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		double e = fabs(hz / rates[i] - 1.0);

		if (e < err) {
			err = e;
			best = rates[i];
		}
	}
	return best;
}

/* A dynamic type's rate, once the stream spans EST_SPAN_US (a shorter
 * stream keeps rate 0: no jitter). */
static void estimate_rate(struct media_stream *s)
{
	uint64_t span = s->last_us - s->est_us0;

	if (s->rate || s->pt < 96 || span < EST_SPAN_US || s->last_ts <= s->est_ts0)
		return;
	s->rate = snap_rate((double)(s->last_ts - s->est_ts0) * US_PER_S /
			    (double)span);
	s->estimated = s->rate != 0;
}

/* -------------------------------------------------------------- jitter */

static int64_t extend_ts(int64_t last, uint32_t ts)
{
	return last + (int32_t)(ts - (uint32_t)last);
}

/* Jitter and delta of one packet after the first (see media.h). */
static void timing(struct media_stream *s, const struct media_rtp *r,
		   int64_t ext, uint64_t us)
{
	bool cn = r->pt == PT_CN || r->pt == PT_CN_OLD;
	bool in_time = ext >= s->est_ts0;       /* not before the first, as tshark 4.0 */
	uint32_t rate = r->pt < 96 ? media_static_rate(r->pt) : s->rate;
	double delta = ((double)us - (double)s->ref_us) / 1000.0;
	bool regular;

	if (rate) {
		double nominal = (double)(ext - s->ref_ts) * 1000.0 / rate;

		s->jitter += (fabs(delta - nominal) - s->jitter) / 16.0;
	}
	regular = !r->marker && !cn && in_time && !s->after_cn;
	if (regular) {
		if (delta > s->max_delta)
			s->max_delta = delta;
		/* tshark's running mean: over the packets so far. */
		if (rate && s->jitter > s->max_jitter)
			s->max_jitter = s->jitter;
		if (rate)
			s->mean_jitter = (s->mean_jitter * (double)(s->packets - 2) +
					  s->jitter) / (double)(s->packets - 1);
	}
	s->after_cn = cn;
	/* As tshark 4.0: a packet of another type whose clock is unknown
	 * (telephone-event, ...) moves the arrival reference only. */
	if (in_time) {
		s->ref_us = us;
		if (rate || r->pt == s->pt)
			s->ref_ts = ext;
	}
}

static void bitrate(struct media_stream *s, uint32_t len, uint64_t us)
{
	if (us - s->win_start_us >= 1000000u) {
		if (s->win_bytes > s->peak_bytes)
			s->peak_bytes = s->win_bytes;
		s->win_start_us = us;
		s->win_bytes = 0;
	}
	s->win_bytes += len;
	s->bytes += len;
}

static void stream_start(struct media_stream *s, const struct media_rtp *r,
			 uint64_t us)
{
	s->has_rtp = 1;
	s->pt = r->pt;
	s->base_seq = s->max_seq = r->seq;
	s->window = 1;
	s->ref_ts = s->last_ts = s->est_ts0 = r->ts;
	s->ref_us = s->first_us = s->last_us = s->est_us0 = us;
	s->win_start_us = us;
	s->after_cn = r->pt == PT_CN || r->pt == PT_CN_OLD;
}

void media_stream_rtp(struct media_stream *s, const struct media_rtp *r,
		      uint32_t len, uint64_t us)
{
	int64_t ext;

	s->packets++;
	if (!s->has_rtp) {
		stream_start(s, r, us);
		bitrate(s, len, us);
		return;
	}
	if ((s->pt == PT_CN || s->pt == PT_CN_OLD) && r->pt != PT_CN &&
	    r->pt != PT_CN_OLD)
		s->pt = r->pt;
	ext = extend_ts(s->last_ts, r->ts);
	seq_update(s, r->seq);
	if (us > s->last_us)
		s->last_us = us;
	s->last_ts = ext;
	estimate_rate(s);
	timing(s, r, ext, us);
	bitrate(s, len, us);
}

/* ---------------------------------------------------------------- pool */

/* A zeroed object of size bytes from the free list *head (of *n), or
 * from calloc. */
static void *pool_take(void **head, unsigned *n, size_t size)
{
	void *o = *head;

	if (o == NULL)
		return calloc(1, size);
	memcpy(head, o, sizeof(*head));
	(*n)--;
	memset(o, 0, size);
	return o;
}

/* Keeps o on the free list *head (of *n), or frees it when full. */
static void pool_give(void **head, unsigned *n, void *o)
{
	if (*n >= MEDIA_POOL_KEEP) {
		free(o);
		return;
	}
	memcpy(o, head, sizeof(*head));
	*head = o;
	(*n)++;
}

static void pool_drain(void **head, unsigned *n)
{
	while (*head != NULL) {
		void *o = *head;

		memcpy(head, o, sizeof(*head));
		free(o);
	}
	*n = 0;
}

void media_pool_clear(struct media_pool *mp)
{
	pool_drain(&mp->blocks, &mp->nblocks);
	pool_drain(&mp->streams, &mp->nstreams);
}

static void *take_block(struct media_pool *mp)
{
	return mp ? pool_take(&mp->blocks, &mp->nblocks, sizeof(struct media_flow)) :
		    calloc(1, sizeof(struct media_flow));
}

static void *take_stream(struct media_pool *mp)
{
	return mp ? pool_take(&mp->streams, &mp->nstreams, sizeof(struct media_stream)) :
		    calloc(1, sizeof(struct media_stream));
}

/* ------------------------------------------------------------- streams */

/* The stream (dir, ssrc) of m, created if there is room; NULL past the
 * cap (counted). */
/* The stream of ssrc in direction dir, taken on its first packet; NULL
 * when the flow has its fill of streams (counted in capped) or out of
 * memory (counted in *nomem when not NULL). */
static struct media_stream *stream_of(struct media_flow *m, int dir,
				      uint32_t ssrc, struct media_pool *mp,
				      uint64_t *nomem)
{
	struct media_stream *s;
	int n = 0;

	for (int i = 0; i < m->n; i++) {
		if (m->dir[i] != dir)
			continue;
		if (m->ssrc[i] == ssrc)
			return m->s[i];
		n++;
	}
	if (n >= MEDIA_PER_DIR || m->n >= MEDIA_MAX_STREAMS) {
		m->capped++;
		return NULL;
	}
	if ((s = take_stream(mp)) == NULL) {
		if (nomem)
			(*nomem)++;
		return NULL;
	}
	m->ssrc[m->n] = ssrc;
	m->dir[m->n] = (uint8_t)dir;
	m->s[m->n++] = s;
	s->used = 1;
	s->dir = (uint8_t)dir;
	s->ssrc = ssrc;
	return s;
}

/* ---------------------------------------------------------------- RTCP */

/* One report block, sent in direction dir at us: about a stream that
 * travels the other way. */
static void report_block(struct media_flow *m, int dir, struct cursor *c,
			 uint64_t us)
{
	uint32_t ssrc, lost, ext, jitter, lsr, dlsr;
	uint8_t frac;
	struct media_stream *s;
	const struct media_sr *sr = &m->sr[1 - dir];

	if (!cur_be32(c, &ssrc) || !cur_u8(c, &frac) || !cur_be24(c, &lost) ||
	    !cur_be32(c, &ext) || !cur_be32(c, &jitter) ||
	    !cur_be32(c, &lsr) || !cur_be32(c, &dlsr))
		return;
	if ((s = stream_of(m, 1 - dir, ssrc, NULL, NULL)) == NULL)
		return;
	s->rtcp.reports++;
	s->rtcp.fraction_lost = frac;
	/* 24-bit two's complement */
	s->rtcp.cum_lost = (int32_t)(lost ^ 0x800000u) - 0x800000;
	s->rtcp.jitter_ts = jitter;
	if (lsr != 0 && sr->us != 0 && sr->ntp_mid == lsr) {
		double rtt = ((double)(us - sr->us) -
			      (double)dlsr * US_PER_S / 65536.0) / 1000.0;

		if (rtt >= 0) {
			s->rtcp.rtt_ms = rtt;
			s->rtcp.rtt_known = 1;
		}
	}
}

/* One RTCP packet of a compound (its header read: count, type, words). */
static void rtcp_packet(struct media_flow *m, int dir, struct cursor c,
			uint8_t count, uint8_t type, uint64_t us)
{
	uint32_t ntp_hi, ntp_lo;

	if (!cur_skip(&c, 4))           /* sender SSRC */
		return;
	if (type == RTCP_SR) {
		if (!cur_be32(&c, &ntp_hi) || !cur_be32(&c, &ntp_lo) ||
		    !cur_skip(&c, 12))
			return;
		m->sr[dir].ntp_mid = ntp_hi << 16 | ntp_lo >> 16;
		m->sr[dir].us = us;
	}
	for (uint8_t i = 0; i < count; i++)
		report_block(m, dir, &c, us);
}

/* A compound RTCP packet filling c; false if it is none. */
static bool rtcp_compound(struct media_flow *m, int dir, struct cursor c,
			  uint64_t us, bool dry)
{
	bool any = false;

	while (cur_left(&c) > 0) {
		uint8_t b0, type;
		uint16_t words;
		struct cursor one;

		if (!cur_u8(&c, &b0) || (b0 >> 6) != 2 || !cur_u8(&c, &type) ||
		    type < 200 || type > 207 || !cur_be16(&c, &words) ||
		    !cur_has(&c, (size_t)words * 4))
			return any;
		one = cur_make(c.p, (size_t)words * 4);
		if (!dry && (type == RTCP_SR || type == RTCP_RR))
			rtcp_packet(m, dir, one, b0 & 31, type, us);
		(void)cur_skip(&c, (size_t)words * 4);
		any = true;
	}
	return any;
}

/* --------------------------------------------------------------- feed */

/* One RTP or RTCP message (a datagram or a frame). */
static void message(struct flow *f, const uint8_t *p, uint32_t len, int dir,
		    uint64_t us, struct media_pool *mp, uint64_t *nomem)
{
	struct media_rtp r;
	struct media_stream *s;
	bool rtp = media_parse_rtp(p, len, &r) && len >= RTP_HDR;

	if (!rtp && !rtcp_compound(NULL, dir, cur_make(p, len), us, true))
		return;
	if (f->media == NULL && (f->media = take_block(mp)) == NULL) {
		(*nomem)++;
		return;
	}
	if (!rtp) {
		(void)rtcp_compound(f->media, dir, cur_make(p, len), us, false);
		return;
	}
	if ((s = stream_of(f->media, dir, r.ssrc, mp, nomem)) != NULL)
		media_stream_rtp(s, &r, len, us);
}

void media_packet(struct flow *f, const struct pkt *p, int dir,
		  struct media_pool *mp, uint64_t *nomem)
{
	struct cursor c;
	uint16_t n;

	if (p->payload_len == 0)
		return;
	if (p->l4 != L4_TCP) {
		message(f, p->payload, p->payload_len, dir, p->ts_us, mp, nomem);
		return;
	}
	c = cur_make(p->payload, p->payload_len);
	while (cur_be16(&c, &n) && n > 0 && cur_has(&c, n)) {
		message(f, c.p, n, dir, p->ts_us, mp, nomem);
		(void)cur_skip(&c, n);
	}
}

void media_prefetch(const struct flow *f, const struct pkt *p)
{
	const struct media_flow *m = f->media;
	struct cursor c = cur_make(p->payload, p->payload_len);
	uint32_t ssrc;

	if (m == NULL || p->l4 == L4_TCP || !cur_skip(&c, 8) ||
	    !cur_be32(&c, &ssrc))
		return;
	for (int i = 0; i < m->n; i++)
		if (m->ssrc[i] == ssrc) {
			const char *b = (const char *)m->s[i];

			/* what an RTP packet updates: the lines before rtcp */
			for (size_t off = 0; off < offsetof(struct media_stream, rtcp);
			     off += 64)
				__builtin_prefetch(b + off, 1);
		}
}

/* ------------------------------------------------------------- output */

/* E-model, ITU-T G.107 simplified as commonly used (Cole and Rosenbluth,
 * "Voice over IP performance monitoring", 2001): effective latency
 * Le = delay + 2 * jitter + 10 ms; R = 93.2 - Le / 40 (Le < 160 ms) or
 * 93.2 - (Le - 120) / 10; R -= 2.5 * loss %; R in [0, 100].  MOS from R
 * as G.107 Annex B: 1 + 0.035 R + 7e-6 R (R - 60) (100 - R). */
void media_quality(double loss_pct, double jitter_ms, double delay_ms,
		   double *r, double *mos)
{
	double le = delay_ms + 2.0 * jitter_ms + 10.0;
	double rr = le < 160.0 ? 93.2 - le / 40.0 : 93.2 - (le - 120.0) / 10.0;

	rr -= 2.5 * (loss_pct > 0 ? loss_pct : 0);
	if (rr < 0)
		rr = 0;
	if (rr > 100)
		rr = 100;
	*r = rr;
	*mos = 1.0 + 0.035 * rr + 7e-6 * rr * (rr - 60.0) * (100.0 - rr);
	if (*mos < 1.0)
		*mos = 1.0;
}

static void judge(struct media_stream_out *o, const struct media_limits *l)
{
	double loss = o->expected ? 100.0 * (double)o->lost / (double)o->expected : 0;

	o->poor = 0;
	if (o->packets >= MEDIA_MIN_JUDGED && loss > l->loss_pct)
		o->poor |= MEDIA_POOR_LOSS;
	if (o->packets >= MEDIA_MIN_JUDGED && o->clock_rate &&
	    o->mean_jitter_ms > l->jitter_ms)
		o->poor |= MEDIA_POOR_JITTER;
	if (o->rtcp.rtt_known && o->rtcp.rtt_ms > l->rtt_ms)
		o->poor |= MEDIA_POOR_RTT;
	if (o->packets >= 2)
		media_quality(loss, o->mean_jitter_ms,
			      o->rtcp.rtt_known ? o->rtcp.rtt_ms / 2 : 0,
			      &o->r_factor, &o->mos);
}

void media_stream_out(const struct media_stream *s,
		      const struct media_limits *l, struct media_stream_out *o)
{
	uint64_t span = s->last_us - s->first_us;
	uint64_t peak = s->win_bytes > s->peak_bytes ? s->win_bytes : s->peak_bytes;

	memset(o, 0, sizeof(*o));
	o->ssrc = s->ssrc;
	o->dir = s->dir;
	o->pt = s->pt;
	if (s->has_rtp)
		o->clock_rate = s->pt < 96 ? media_static_rate(s->pt) : s->rate;
	o->clock_estimated = s->pt >= 96 && s->estimated;
	o->packets = s->packets;
	if (s->has_rtp) {
		o->expected = s->cycles + s->max_seq - s->base_seq + 1u;
		o->lost = (int64_t)o->expected - (int64_t)s->packets;
	}
	o->duplicates = s->dups;
	o->reordered = s->reordered;
	o->jitter_ms = s->jitter;
	o->mean_jitter_ms = s->mean_jitter;
	o->max_jitter_ms = s->max_jitter;
	o->max_delta_ms = s->max_delta;
	if (span > 0)
		o->kbps_mean = (double)s->bytes * 8.0 * 1000.0 / (double)span;
	o->kbps_peak = (double)peak * 8.0 / 1000.0;
	if (o->kbps_peak < o->kbps_mean)        /* shorter than a window */
		o->kbps_peak = o->kbps_mean;
	o->rtcp = s->rtcp;
	judge(o, l);
}

void media_summarize(const struct flow *f, const struct media_limits *l,
		     struct media_summary *out)
{
	out->n = 0;
	out->capped = 0;
	if (f->media == NULL)
		return;
	out->capped = f->media->capped;
	for (int i = 0; i < f->media->n; i++)
		media_stream_out(f->media->s[i], l, &out->s[out->n++]);
}

void media_free(struct flow *f, struct media_pool *mp)
{
	if (f->media == NULL)
		return;
	for (int i = 0; i < f->media->n; i++) {
		if (mp)
			pool_give(&mp->streams, &mp->nstreams, f->media->s[i]);
		else
			free(f->media->s[i]);
	}
	if (mp)
		pool_give(&mp->blocks, &mp->nblocks, f->media);
	else
		free(f->media);
	f->media = NULL;
}
