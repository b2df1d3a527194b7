/* media.h: RTP/RTCP media quality per stream (RFC 3550), measured on the
 * wire without keys (SRTP leaves the RTP header in clear).
 *
 * A stream is one direction of a flow and one SSRC.  Per stream: packets,
 * expected (RFC 3550 A.3: extended highest sequence number - first + 1,
 * with wrap-around), lost (expected - packets, duplicates included, so it
 * may be negative, as in RFC 3550 and tshark), duplicates (a sequence
 * number seen again within the last MEDIA_DUP_WINDOW), reordered (older
 * than the highest, not a duplicate), interarrival jitter (RFC 3550 A.8,
 * J += (|D| - J) / 16, in ms), its maximum and running mean, the largest
 * gap between packets, mean and peak bitrate.
 *
 * Jitter follows tshark's (4.0) RTP analysis so that the two agree: the
 * transit reference moves only with packets whose timestamp is not before
 * the stream's first (a packet of another type whose clock is unknown
 * moves the arrival reference only);
 * maximum jitter, mean jitter and maximum delta leave out a stream's first
 * packet, marker packets, comfort noise (PT 13, 19) and the packet after
 * it, and packets whose timestamp went back.  The clock rate is the static
 * payload type's (RFC 3551); a dynamic type's is estimated from timestamp
 * increments against arrival times over the first second(s), snapped to a
 * common rate, and flagged as estimated.  No jitter is computed before a
 * rate is known.
 *
 * RTCP SR/RR report blocks (RFC 3550 6.4): the last block about each
 * stream (fraction lost, cumulative lost, jitter in timestamp units) and
 * the round trip seen from the sensor: the block's arrival time minus the
 * arrival of the SR it names (LSR) minus DLSR.
 *
 * Bounded: at most MEDIA_PER_DIR streams per direction of a flow; packets
 * of further SSRCs are counted (capped) and otherwise ignored.  The state
 * of a flow is one block, allocated at its first RTP/RTCP packet and freed
 * by media_free(); nothing is allocated per packet.
 */
#ifndef LW_MEDIA_H
#define LW_MEDIA_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/pkt.h"
#include "flow/flow.h"

#define MEDIA_PER_DIR     4
#define MEDIA_MAX_STREAMS (2 * MEDIA_PER_DIR)
#define MEDIA_DUP_WINDOW  64        /* sequence numbers remembered */
/* Flows measured at once per engine (a block is about 2 KB: 128 MB at
 * most); further flows' packets are counted, not measured. */
#define MEDIA_MAX_FLOWS   65536

struct media_flow;                  /* per-flow state (media.c) */

/* Thresholds of the poor-media notice; a stream is judged once it has
 * MEDIA_MIN_JUDGED packets.  Defaults: media_limits_default(). */
#define MEDIA_MIN_JUDGED 50
struct media_limits {
	double loss_pct;                /* lost / expected, % */
	double jitter_ms;               /* mean interarrival jitter */
	double rtt_ms;                  /* round trip from RTCP */
};

/* Why a stream is poor (media_stream_out.poor). */
#define MEDIA_POOR_LOSS   0x01
#define MEDIA_POOR_JITTER 0x02
#define MEDIA_POOR_RTT    0x04

/* What the endpoints reported about a stream in RTCP. */
struct media_rtcp_out {
	uint32_t reports;               /* report blocks seen; 0: none */
	uint8_t fraction_lost;          /* of the last block, /256 */
	uint8_t rtt_known;
	int32_t cum_lost;               /* of the last block */
	uint32_t jitter_ts;             /* of the last block, timestamp units */
	double rtt_ms;                  /* the last round trip */
};

/* One stream, as written in the record. */
struct media_stream_out {
	uint32_t ssrc;
	uint8_t dir;                    /* DIR_* its RTP packets travel */
	uint8_t pt;                     /* first payload type, not CN */
	uint8_t clock_estimated;        /* rate estimated, not the PT's */
	uint8_t poor;                   /* MEDIA_POOR_* */
	uint32_t clock_rate;            /* Hz; 0 unknown */
	uint64_t packets, expected;
	int64_t lost;
	uint64_t duplicates, reordered;
	double jitter_ms;               /* at the last packet */
	double mean_jitter_ms, max_jitter_ms, max_delta_ms;
	double kbps_mean, kbps_peak;    /* RTP bytes; peak over 1 s windows,
					 * at least the mean */
	double r_factor, mos;           /* E-model (media_quality); 0: none */
	struct media_rtcp_out rtcp;
};

struct media_summary {
	uint8_t n;                      /* streams in s[] */
	uint32_t capped;                /* packets of streams past the cap */
	struct media_stream_out s[MEDIA_MAX_STREAMS];
};

void media_limits_default(struct media_limits *l);

/* Blocks and streams freed by one thread (an engine), kept for its next
 * flows: a calloc and a free cost more than writing a stream's record.
 * At most MEDIA_POOL_KEEP of each (about 2.5 MB): memory the engine held
 * at once anyway, so the peak does not grow.  Zero-initialise,
 * media_pool_clear when done.  Functions taking a pool accept NULL:
 * calloc and free. */
#define MEDIA_POOL_KEEP 8192
struct media_pool {
	void *blocks, *streams;         /* freed ones, linked through their
					 * first bytes */
	unsigned nblocks, nstreams;
};

/* Frees what the pool keeps. */
void media_pool_clear(struct media_pool *mp);

/* Feeds one packet of f (direction dir) whose payload may be RTP or RTCP
 * (UDP: the datagram; TCP: RFC 4571 frames wholly inside the segment).
 * Allocates f's block at the first RTP/RTCP packet (from mp); on failure
 * counts *nomem and does nothing. */
void media_packet(struct flow *f, const struct pkt *p, int dir,
		  struct media_pool *mp, uint64_t *nomem);

/* The streams of f, with their quality against l; n = 0 when none. */
/* Look-ahead (a hint; nothing observable changes): fetches toward the
 * cache the stream an RTP datagram p of flow f will update, when f
 * measures one of that SSRC.  f->media should be cached already. */
void media_prefetch(const struct flow *f, const struct pkt *p);

void media_summarize(const struct flow *f, const struct media_limits *l,
		     struct media_summary *out);

/* Frees f's block and streams into mp (safe when there is none). */
void media_free(struct flow *f, struct media_pool *mp);

/* --- below: the parts, for tests --------------------------------------- */

/* One parsed RTP header. */
struct media_rtp {
	uint32_t ssrc, ts;
	uint16_t seq;
	uint8_t pt, marker;
};

/* One stream's measurement state (fixed size). */
struct media_stream {
	uint32_t ssrc;
	uint8_t used, dir, pt, estimated;
	uint8_t after_cn;               /* the previous packet was CN */
	uint8_t has_rtp;
	uint16_t base_seq, max_seq;
	uint32_t cycles;                /* wraps << 16 */
	uint64_t window;                /* bit i: max_seq - i was seen */
	uint64_t packets, dups, reordered, bytes;
	uint32_t rate;                  /* jitter clock; 0 unknown */
	int64_t ref_ts;                 /* extended timestamp of the reference */
	int64_t last_ts;                /* extended timestamp of the last packet */
	uint64_t ref_us, first_us, last_us;
	int64_t est_ts0;                /* first timestamp (rate estimation start) */
	uint64_t est_us0;
	double jitter, max_jitter, mean_jitter, max_delta; /* ms */
	uint64_t win_start_us, win_bytes, peak_bytes;   /* 1 s windows */
	struct media_rtcp_out rtcp;
};

/* Parses an RTP header from p[0..len); false if it is none. */
bool media_parse_rtp(const uint8_t *p, uint32_t len, struct media_rtp *r);

/* Adds one RTP packet (len bytes, arrived at us) to stream s. */
void media_stream_rtp(struct media_stream *s, const struct media_rtp *r,
		      uint32_t len, uint64_t us);

/* The clock rate of a static payload type (RFC 3551), 0 if dynamic or
 * unknown. */
uint32_t media_static_rate(uint8_t pt);

/* Fills o from s, quality included. */
void media_stream_out(const struct media_stream *s,
		      const struct media_limits *l, struct media_stream_out *o);

/* E-model R-factor and MOS (see media.c) from loss %, mean jitter and
 * one-way delay in ms. */
void media_quality(double loss_pct, double jitter_ms, double delay_ms,
		   double *r, double *mos);

#endif
