/* test_media.c: RTP/RTCP stream measurement (src/inspect/media.c) against
 * RFC 3550's definitions: expected and lost (A.3, sequence wrap), jitter
 * (A.8, J += (|D| - J) / 16), duplicates, reordering, SSRC changes,
 * timestamp jumps, a stream that starts mid-capture, RTCP report blocks
 * and the round trip from LSR/DLSR, the stream cap under garbage, and the
 * E-model estimate; blocks and streams reused from a pool measure as new
 * ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/media.h"

#define MS 1000u                /* µs */

struct feed {
	struct flow f;
	uint64_t nomem;
	struct media_pool *mp;  /* NULL: calloc and free */
};

/* An RTP packet of 172 bytes (12 header + 160 payload) fed in dir. */
static void rtp(struct feed *fd, int dir, uint32_t ssrc, uint16_t seq,
		uint32_t ts, uint8_t pt, uint64_t us)
{
	uint8_t b[172] = { 0x80, pt,
			   (uint8_t)(seq >> 8), (uint8_t)seq,
			   (uint8_t)(ts >> 24), (uint8_t)(ts >> 16),
			   (uint8_t)(ts >> 8), (uint8_t)ts,
			   (uint8_t)(ssrc >> 24), (uint8_t)(ssrc >> 16),
			   (uint8_t)(ssrc >> 8), (uint8_t)ssrc };
	uint8_t *copy = malloc(sizeof(b));   /* exact size, for ASan */
	struct pkt p = { .ts_us = us, .l4 = L4_UDP, .payload = copy,
			 .payload_len = sizeof(b) };

	assert_non_null(copy);
	memcpy(copy, b, sizeof(b));
	media_packet(&fd->f, &p, dir, fd->mp, &fd->nomem);
	free(copy);
}

static void summary(struct feed *fd, struct media_summary *ms)
{
	struct media_limits l;

	media_limits_default(&l);
	media_summarize(&fd->f, &l, ms);
}

/* The stream (dir, ssrc) of a summary. */
static const struct media_stream_out *find(const struct media_summary *ms,
					   int dir, uint32_t ssrc)
{
	for (int i = 0; i < ms->n; i++)
		if (ms->s[i].dir == dir && ms->s[i].ssrc == ssrc)
			return &ms->s[i];
	fail_msg("no stream %d/%08x", dir, ssrc);
	return NULL;
}

/* n packets of PCMU (PT 0, 8000 Hz), 20 ms apart, from seq0. */
static void pcmu(struct feed *fd, uint16_t seq0, int n, uint64_t t0)
{
	for (int i = 0; i < n; i++)
		rtp(fd, DIR_AB, 1, (uint16_t)(seq0 + i), 1000u + 160u * (uint32_t)i,
		    0, t0 + (uint64_t)i * 20 * MS);
}

static void test_in_order(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;
	const struct media_stream_out *s;

	(void)state;
	pcmu(&fd, 100, 100, 1000000);
	summary(&fd, &ms);
	assert_int_equal(ms.n, 1);
	s = find(&ms, DIR_AB, 1);
	assert_int_equal(s->packets, 100);
	assert_int_equal(s->expected, 100);
	assert_int_equal(s->lost, 0);
	assert_int_equal(s->duplicates, 0);
	assert_int_equal(s->reordered, 0);
	assert_int_equal(s->clock_rate, 8000);
	assert_false(s->clock_estimated);
	assert_true(s->jitter_ms < 1e-9 && s->max_jitter_ms < 1e-9);
	assert_true(fabs(s->max_delta_ms - 20.0) < 1e-6);
	/* 172 bytes every 20 ms: 68.8 kb/s */
	assert_true(fabs(s->kbps_mean - 172 * 8 * 100 / 99.0 / 20.0) < 0.01);
	assert_true(s->mos > 4.3 && s->r_factor > 92);
	assert_int_equal(s->poor, 0);
	media_free(&fd.f, NULL);
	assert_null(fd.f.media);
}

/* A.1: the highest sequence number wraps; expected counts the cycle. */
static void test_wrap_and_loss(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;
	const struct media_stream_out *s;

	(void)state;
	for (int i = 0; i < 20; i++) {
		uint16_t seq = (uint16_t)(65530 + i);

		if (seq == 2 || seq == 65535)
			continue;                       /* lost */
		rtp(&fd, DIR_AB, 7, seq, 160u * (uint32_t)i, 8, (uint64_t)i * 20 * MS);
	}
	summary(&fd, &ms);
	s = find(&ms, DIR_AB, 7);
	assert_int_equal(s->packets, 18);
	assert_int_equal(s->expected, 20);
	assert_int_equal(s->lost, 2);
	assert_int_equal(s->reordered, 0);
	media_free(&fd.f, NULL);
}

/* A.3: received counts duplicates, so lost may go negative. */
static void test_duplicates(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;
	const struct media_stream_out *s;

	(void)state;
	pcmu(&fd, 10, 10, 0);
	rtp(&fd, DIR_AB, 1, 15, 1000 + 160 * 5, 0, 200 * MS);   /* again */
	rtp(&fd, DIR_AB, 1, 19, 1000 + 160 * 9, 0, 201 * MS);   /* again */
	summary(&fd, &ms);
	s = find(&ms, DIR_AB, 1);
	assert_int_equal(s->packets, 12);
	assert_int_equal(s->expected, 10);
	assert_int_equal(s->lost, -2);
	assert_int_equal(s->duplicates, 2);
	assert_int_equal(s->reordered, 0);
	media_free(&fd.f, NULL);
}

/* A late packet is reordered, not lost, and not a duplicate. */
static void test_reordered(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;
	const struct media_stream_out *s;
	static const uint16_t order[] = { 0, 1, 3, 2, 4, 6, 7, 5, 8, 9 };

	(void)state;
	for (int i = 0; i < 10; i++)
		rtp(&fd, DIR_AB, 3, order[i], 160u * order[i], 0,
		    (uint64_t)i * 20 * MS);
	summary(&fd, &ms);
	s = find(&ms, DIR_AB, 3);
	assert_int_equal(s->packets, 10);
	assert_int_equal(s->expected, 10);
	assert_int_equal(s->lost, 0);
	assert_int_equal(s->reordered, 2);
	assert_int_equal(s->duplicates, 0);
	media_free(&fd.f, NULL);
}

/* A.8 by hand: every other packet 5 ms late, so |D| = 5 ms each time. */
static void test_jitter(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;
	const struct media_stream_out *s;
	double j = 0, sum = 0, max = 0;
	int n = 50;

	(void)state;
	for (int i = 0; i < n; i++)
		rtp(&fd, DIR_AB, 9, (uint16_t)i, 160u * (uint32_t)i, 0,
		    (uint64_t)i * 20 * MS + (i & 1 ? 5 * MS : 0));
	for (int i = 1; i < n; i++) {
		j += (5.0 - j) / 16.0;
		sum += j;
		max = j > max ? j : max;
	}
	summary(&fd, &ms);
	s = find(&ms, DIR_AB, 9);
	assert_true(fabs(s->jitter_ms - j) < 1e-9);
	assert_true(fabs(s->max_jitter_ms - max) < 1e-9);
	assert_true(fabs(s->mean_jitter_ms - sum / (n - 1)) < 1e-9);
	assert_true(fabs(s->max_delta_ms - 25.0) < 1e-6);
	media_free(&fd.f, NULL);
}

/* A new SSRC on the same flow is another stream; both are counted. */
static void test_ssrc_change(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;

	(void)state;
	for (int i = 0; i < 10; i++)
		rtp(&fd, DIR_AB, 0xaaaa, (uint16_t)(500 + i), 160u * (uint32_t)i, 0,
		    (uint64_t)i * 20 * MS);
	for (int i = 0; i < 10; i++)      /* restarts: new SSRC, seq, ts */
		rtp(&fd, DIR_AB, 0xbbbb, (uint16_t)(9000 + i), 777u + 160u * (uint32_t)i,
		    0, (uint64_t)(10 + i) * 20 * MS);
	rtp(&fd, DIR_BA, 0xaaaa, 1, 0, 0, 0);  /* same SSRC, other way */
	summary(&fd, &ms);
	assert_int_equal(ms.n, 3);
	assert_int_equal(find(&ms, DIR_AB, 0xaaaa)->lost, 0);
	assert_int_equal(find(&ms, DIR_AB, 0xbbbb)->lost, 0);
	assert_int_equal(find(&ms, DIR_AB, 0xbbbb)->expected, 10);
	assert_int_equal(find(&ms, DIR_BA, 0xaaaa)->packets, 1);
	assert_true(find(&ms, DIR_AB, 0xbbbb)->max_jitter_ms < 1e-9);
	media_free(&fd.f, NULL);
}

/* Silence suppression (timestamp and clock advance together) costs no
 * jitter; a timestamp jump alone shows as jitter, not as loss; a
 * timestamp that wraps 2^32 is extended. */
static void test_timestamp_jumps(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;
	const struct media_stream_out *s;
	uint32_t ts = 0xffffff00u;

	(void)state;
	for (int i = 0; i < 10; i++, ts += 160)
		rtp(&fd, DIR_AB, 5, (uint16_t)i, ts, 0, (uint64_t)i * 20 * MS);
	ts += 8000;                     /* 1 s of silence, 1 s later */
	for (int i = 10; i < 20; i++, ts += 160)
		rtp(&fd, DIR_AB, 5, (uint16_t)i, ts, 0, (uint64_t)i * 20 * MS + 1000 * MS);
	summary(&fd, &ms);
	s = find(&ms, DIR_AB, 5);
	assert_true(s->max_jitter_ms < 1e-9);
	assert_int_equal(s->lost, 0);
	/* now the timestamp jumps 100 ms ahead of the clock */
	rtp(&fd, DIR_AB, 5, 20, ts + 800, 0, 20 * 20 * MS + 1000 * MS);
	summary(&fd, &ms);
	s = find(&ms, DIR_AB, 5);
	assert_true(fabs(s->jitter_ms - 100.0 / 16) < 1e-9);
	assert_int_equal(s->lost, 0);
	media_free(&fd.f, NULL);
}

/* A stream first seen mid-call counts from its first packet. */
static void test_mid_capture(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;
	const struct media_stream_out *s;

	(void)state;
	pcmu(&fd, 40000, 30, 5000 * MS);
	summary(&fd, &ms);
	s = find(&ms, DIR_AB, 1);
	assert_int_equal(s->expected, 30);
	assert_int_equal(s->lost, 0);
	media_free(&fd.f, NULL);
}

/* A dynamic type's clock rate is estimated (48 kHz Opus-like, 20 ms). */
static void test_dynamic_rate(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;
	const struct media_stream_out *s;

	(void)state;
	for (int i = 0; i < 100; i++)
		rtp(&fd, DIR_BA, 11, (uint16_t)i, 960u * (uint32_t)i, 111,
		    (uint64_t)i * 20 * MS + (uint64_t)(i % 3) * MS);
	summary(&fd, &ms);
	s = find(&ms, DIR_BA, 11);
	assert_int_equal(s->clock_rate, 48000);
	assert_true(s->clock_estimated);
	assert_true(s->max_jitter_ms > 0.1);
	media_free(&fd.f, NULL);
}

/* Garbage: a new SSRC on every packet never makes more than the cap. */
static void test_cap(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;
	uint32_t x = 12345;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		x = x * 1103515245u + 12345u;
		rtp(&fd, i & 1, x, (uint16_t)(x >> 7), x, (uint8_t)(x & 0x3f), (uint64_t)i * MS);
	}
	summary(&fd, &ms);
	assert_int_equal(ms.n, MEDIA_MAX_STREAMS);
	assert_int_equal(ms.capped, 1000 - MEDIA_MAX_STREAMS);
	media_free(&fd.f, NULL);
}

/* Garbage one way leaves room for the other way's streams. */
static void test_cap_per_direction(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;

	(void)state;
	for (uint32_t i = 0; i < 100; i++)
		rtp(&fd, DIR_AB, 0x1000 + i, (uint16_t)i, i, 0, (uint64_t)i * MS);
	rtp(&fd, DIR_BA, 0xbeef, 1, 0, 0, 200 * MS);
	summary(&fd, &ms);
	assert_int_equal(ms.n, MEDIA_PER_DIR + 1);
	assert_int_equal(ms.capped, 100 - MEDIA_PER_DIR);
	assert_int_equal(find(&ms, DIR_BA, 0xbeef)->packets, 1);
	media_free(&fd.f, NULL);
}

static size_t put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
	return 4;
}

static void rtcp_feed(struct feed *fd, int dir, const uint8_t *b, size_t n,
		      uint64_t us)
{
	uint8_t *copy = malloc(n);
	struct pkt p = { .ts_us = us, .l4 = L4_UDP, .payload = copy,
			 .payload_len = (uint32_t)n };

	assert_non_null(copy);
	memcpy(copy, b, n);
	media_packet(&fd->f, &p, dir, fd->mp, &fd->nomem);
	free(copy);
}

/* SR from A (SSRC 0xA) at t, then B's RR about stream 0xA with LSR = that
 * SR and DLSR 0.5 s, 0.6 s later: round trip 100 ms. */
static void test_rtcp(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;
	const struct media_stream_out *s;
	uint8_t sr[28] = { 0x80, 200, 0, 6 }, rr[32] = { 0x81, 201, 0, 7 };
	size_t k = 4;

	(void)state;
	k += put32(sr + k, 0xA);
	k += put32(sr + k, 0x12345678);         /* NTP seconds */
	k += put32(sr + k, 0x9abc0000);         /* NTP fraction */
	rtcp_feed(&fd, DIR_AB, sr, sizeof(sr), 10000 * MS);
	k = 4;
	k += put32(rr + k, 0xB);
	k += put32(rr + k, 0xA);                /* about A's stream */
	k += put32(rr + k, 64u << 24 | 0xfffffe); /* 25%, cumulative -2 */
	k += put32(rr + k, 1000);
	k += put32(rr + k, 80);                 /* jitter, ts units */
	k += put32(rr + k, 0x56789abc);         /* LSR */
	put32(rr + k, 32768);                   /* DLSR 0.5 s */
	rtcp_feed(&fd, DIR_BA, rr, sizeof(rr), 10600 * MS);
	summary(&fd, &ms);
	assert_int_equal(ms.n, 1);
	s = find(&ms, DIR_AB, 0xA);
	assert_int_equal(s->packets, 0);
	assert_int_equal(s->rtcp.reports, 1);
	assert_int_equal(s->rtcp.fraction_lost, 64);
	assert_int_equal(s->rtcp.cum_lost, -2);
	assert_int_equal(s->rtcp.jitter_ts, 80);
	assert_true(s->rtcp.rtt_known);
	assert_true(fabs(s->rtcp.rtt_ms - 100.0) < 1e-6);
	assert_true(s->poor & MEDIA_POOR_RTT ? false : true);
	media_free(&fd.f, NULL);
}

static void test_quality(void **state)
{
	double r, mos, r2, mos2;

	(void)state;
	media_quality(0, 0, 0, &r, &mos);
	assert_true(fabs(r - (93.2 - 10.0 / 40)) < 1e-9);
	assert_true(mos > 4.4 && mos < 4.5);
	media_quality(5, 20, 100, &r2, &mos2);
	assert_true(fabs(r2 - (93.2 - 150.0 / 40 - 12.5)) < 1e-9);
	assert_true(mos2 < mos);
	media_quality(100, 0, 0, &r, &mos);
	assert_true(r == 0 && mos >= 1.0);
}

/* Loss past the threshold makes a stream poor, once it is long enough. */
static void test_poor(void **state)
{
	struct feed fd = { 0 };
	struct media_summary ms;

	(void)state;
	for (int i = 0; i < 100; i++)
		if (i % 20 != 7)        /* 5% lost */
			rtp(&fd, DIR_AB, 1, (uint16_t)i, 160u * (uint32_t)i, 0,
			    (uint64_t)i * 20 * MS);
	summary(&fd, &ms);
	assert_int_equal(ms.s[0].lost, 5);
	assert_int_equal(ms.s[0].poor, MEDIA_POOR_LOSS);
	media_free(&fd.f, NULL);
}

/* Two streams with loss, reordering and jitter: ssrc base (AB) and base+1
 * (BA), n packets each. */
static void two_streams(struct feed *fd, uint32_t base, int n)
{
	for (int i = 0; i < n; i++) {
		uint16_t seq = (uint16_t)(i % 7 == 3 ? i + 1 : i % 7 == 4 ? i - 1 : i);
		uint64_t t = (uint64_t)i * 20 * MS + (uint64_t)(i % 5) * 3 * MS;

		if (i % 11 == 6)
			continue;
		rtp(fd, DIR_AB, base, seq, 160u * seq, 0, t);
		rtp(fd, DIR_BA, base + 1, seq, 160u * seq, 8, t + MS);
	}
}

static void same_stream(const struct media_stream_out *a,
			const struct media_stream_out *b)
{
	assert_int_equal(a->ssrc, b->ssrc);
	assert_int_equal(a->dir, b->dir);
	assert_int_equal(a->pt, b->pt);
	assert_int_equal(a->packets, b->packets);
	assert_int_equal(a->expected, b->expected);
	assert_int_equal(a->lost, b->lost);
	assert_int_equal(a->duplicates, b->duplicates);
	assert_int_equal(a->reordered, b->reordered);
	assert_int_equal(a->clock_rate, b->clock_rate);
	assert_true(a->jitter_ms == b->jitter_ms);
	assert_true(a->max_jitter_ms == b->max_jitter_ms);
	assert_true(a->kbps_mean == b->kbps_mean && a->kbps_peak == b->kbps_peak);
	assert_true(a->mos == b->mos);
}

/* A flow measured in a block and streams that held another flow's (the
 * pool's) gives what fresh ones give; the pool keeps at most
 * MEDIA_POOL_KEEP of each and clears. */
static void test_pool(void **state)
{
	struct media_pool mp = { 0 };
	struct feed a = { .mp = &mp }, b = { .mp = &mp }, fresh = { 0 };
	struct media_summary sb, sf;
	struct feed *many;

	(void)state;
	two_streams(&a, 100, 300);
	media_free(&a.f, &mp);
	assert_null(a.f.media);
	assert_int_equal(mp.nblocks, 1);
	assert_int_equal(mp.nstreams, 2);
	two_streams(&b, 200, 120);              /* fewer packets, other SSRCs */
	assert_int_equal(mp.nblocks, 0);        /* taken from the pool */
	assert_int_equal(mp.nstreams, 0);
	two_streams(&fresh, 200, 120);
	summary(&b, &sb);
	summary(&fresh, &sf);
	assert_int_equal(sb.n, 2);
	assert_int_equal(sf.n, 2);
	same_stream(find(&sb, DIR_AB, 200), find(&sf, DIR_AB, 200));
	same_stream(find(&sb, DIR_BA, 201), find(&sf, DIR_BA, 201));
	media_free(&b.f, &mp);
	media_free(&fresh.f, NULL);

	many = calloc(MEDIA_POOL_KEEP + 5, sizeof(*many));
	assert_non_null(many);
	for (int i = 0; i < MEDIA_POOL_KEEP + 5; i++) {
		many[i].mp = i < 5 ? &mp : NULL;
		rtp(&many[i], DIR_AB, 9, 1, 160, 0, 0);
	}
	for (int i = 0; i < MEDIA_POOL_KEEP + 5; i++)
		media_free(&many[i].f, &mp);
	assert_int_equal(mp.nblocks, MEDIA_POOL_KEEP);
	assert_int_equal(mp.nstreams, MEDIA_POOL_KEEP);
	media_pool_clear(&mp);
	assert_int_equal(mp.nblocks, 0);
	assert_null(mp.blocks);
	assert_null(mp.streams);
	free(many);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_wrap_and_loss),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_reordered),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_ssrc_change),
		cmocka_unit_test(test_timestamp_jumps),
		cmocka_unit_test(test_mid_capture),
		cmocka_unit_test(test_dynamic_rate),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_cap_per_direction),
		cmocka_unit_test(test_rtcp),
		cmocka_unit_test(test_quality),
		cmocka_unit_test(test_poor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
