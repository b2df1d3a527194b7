/* test_savefile.c: the own reader of classic pcap files (savefile.h)
 * against libpcap's.
 *
 * Proves: for every file, capture_next gives the same packets (time,
 * lengths, bytes), the same end, the same error message and the same
 * packet count whether the own reader takes the file or libpcap reads it
 * all (LYNCWATCH_PCAP_READER=libpcap); that the own reader does take the
 * files it is meant for (Ethernet, 2.4, microseconds or nanoseconds, both
 * byte orders) and leaves others (another link type, version 2.3, a
 * pipe: it reads with pread) and a pipe's packets are libpcap's; with a
 * BPF filter the same
 * packets pass; files written here: good ones, time stamps past 2^31
 * (libpcap 1.10 reads them as signed in the machine's byte order and as
 * unsigned in the other), a record longer than the snapshot
 * length, short headers and bodies at every cut of the last record,
 * records larger than the reader's megabyte, and 3,000 random mutations of
 * good files of both byte orders (fixed seed).  Packets handed out stay
 * intact, in buffers numbered in order, until their buffer is released
 * (capture_set_release), and closing releases the last ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "fuzz/readall.h"

struct wr {
	struct bytes s;
	bool be;
};

static void put32(struct wr *w, uint32_t v)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++)
		b[w->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
	bytes_add(&w->s, b, 4);
}

static void put16(struct wr *w, uint16_t v)
{
	uint8_t b[2];

	b[w->be ? 1 : 0] = (uint8_t)v;
	b[w->be ? 0 : 1] = (uint8_t)(v >> 8);
	bytes_add(&w->s, b, 2);
}

static void file_header(struct wr *w, uint32_t magic, uint16_t minor,
			uint32_t snaplen, uint32_t linktype)
{
	put32(w, magic);
	put16(w, 2);
	put16(w, minor);
	put32(w, 0);
	put32(w, 0);
	put32(w, snaplen);
	put32(w, linktype);
}

/* A record of caplen bytes (an Ethernet/IPv4/UDP frame's start, then a
 * counter) claiming len on the wire. */
static void record(struct wr *w, uint32_t sec, uint32_t frac, uint32_t caplen,
		   uint32_t len, uint32_t seed)
{
	static const uint8_t eth[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
				       0x08, 0x00, 0x45, 0, 0, 40, 0, 0, 0, 0,
				       64, 17 };

	put32(w, sec);
	put32(w, frac);
	put32(w, caplen);
	put32(w, len);
	for (uint32_t i = 0; i < caplen; i++) {
		uint8_t c = i < sizeof(eth) ? eth[i] : (uint8_t)(seed + i);

		bytes_add(&w->s, &c, 1);
	}
}

static char *write_tmp(const struct wr *w)
{
	char *path = strdup("/tmp/lw-savefile-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, w->s.b, w->s.n), (ssize_t)w->s.n);
	close(fd);
	return path;
}

/* Both readers on the bytes of w; returns whether the own one took it. */
static bool same_both_ways(const struct wr *w, const char *filter)
{
	char *path = write_tmp(w);
	struct readall a, b;

	readall(path, filter, true, &a);
	readall(path, filter, false, &b);
	unlink(path);
	free(path);
	assert_false(b.own);
	assert_int_equal(a.open_rc, b.open_rc);
	assert_int_equal(a.end, b.end);
	assert_int_equal(a.pktno, b.pktno);
	assert_string_equal(a.err, b.err);
	assert_int_equal(a.pk.n, b.pk.n);
	assert_true(readall_same(&a, &b));
	free(a.pk.b);
	free(b.pk.b);
	return a.own;
}

/* A good file of n records in byte order be, microseconds or not. */
static struct wr good(bool be, bool nsec, int n)
{
	struct wr w = { .be = be };

	file_header(&w, nsec ? 0xa1b23c4du : 0xa1b2c3d4u, 4, 65535, 1);
	for (int i = 0; i < n; i++)
		record(&w, 1700000000u + (uint32_t)i, nsec ? 999999999u - (uint32_t)i :
		       999999u - (uint32_t)i, 60 + (uint32_t)i % 1400,
		       1514, (uint32_t)i);
	return w;
}

static void test_good_files(void **state)
{
	(void)state;
	for (int be = 0; be < 2; be++)
		for (int nsec = 0; nsec < 2; nsec++) {
			struct wr w = good(be, nsec, 3000);

			assert_true(same_both_ways(&w, NULL));
			assert_true(same_both_ways(&w, "udp and len > 800"));
			free(w.s.b);
		}
}

static void test_not_taken(void **state)
{
	struct wr w = { 0 };

	(void)state;
	file_header(&w, 0xa1b2c3d4u, 3, 65535, 1);      /* 2.3: lengths guessed */
	record(&w, 1, 2, 80, 60, 0);                     /* caplen > len: swapped */
	assert_false(same_both_ways(&w, NULL));
	free(w.s.b);
	memset(&w, 0, sizeof(w));
	file_header(&w, 0xa1b2c3d4u, 4, 65535, 101);    /* raw IP */
	record(&w, 1, 2, 60, 60, 0);
	assert_false(same_both_ways(&w, NULL));
	free(w.s.b);
}

/* Time stamps past 2^31 and odd fractions (libpcap reads them signed in
 * the machine's byte order, unsigned in the other), an empty record, one
 * of the snapshot length and one longer (libpcap cuts it), then every cut
 * of the last two records: short headers and bodies. */
static void odd_records(bool be, bool nsec)
{
	struct wr w = good(be, nsec, 10);
	size_t whole;

	record(&w, 0x90000000u, 5, 100, 100, 1);
	record(&w, 0xffffffffu, 0x80000000u, 100, 100, 2);
	record(&w, 7, 0x7fffffffu, 100, 100, 3);
	record(&w, 8, 0xffffffffu, 100, 100, 4);
	record(&w, 9, 0xfffffc18u, 100, 100, 5);        /* -1000 */
	record(&w, 9, 1, 0, 0, 6);
	record(&w, 9, 1, 65535, 70000, 7);
	whole = w.s.n;
	record(&w, 9, 2, 65536, 70000, 8);
	record(&w, 9, 3, 100, 100, 9);
	assert_true(same_both_ways(&w, NULL));
	for (size_t cut = whole; cut < w.s.n; cut += (cut < whole + 40 ? 1 : 997)) {
		struct wr t = w;

		t.s.n = cut;
		(void)same_both_ways(&t, NULL);
	}
	free(w.s.b);
}

/* A good file through a pipe: libpcap reads it, all of it. */
static void test_pipe(void **state)
{
	struct wr w = good(false, false, 200);
	char *path = write_tmp(&w);
	char pipe_path[64];
	struct readall a, b;
	int fd[2];

	(void)state;
	readall(path, NULL, true, &b);
	assert_true(b.own);
	assert_int_equal(pipe(fd), 0);
	assert_true(w.s.n < 65536);             /* fits the pipe's buffer */
	assert_int_equal(write(fd[1], w.s.b, w.s.n), (ssize_t)w.s.n);
	close(fd[1]);
	snprintf(pipe_path, sizeof(pipe_path), "/proc/self/fd/%d", fd[0]);
	readall(pipe_path, NULL, true, &a);
	close(fd[0]);
	assert_false(a.own);
	assert_int_equal(a.pktno, 200);
	assert_true(readall_same(&a, &b));
	unlink(path);
	free(path);
	free(a.pk.b);
	free(b.pk.b);
	free(w.s.b);
}

static void test_odd_records(void **state)
{
	struct wr big = { 0 };

	(void)state;
	for (int be = 0; be < 2; be++)
		for (int nsec = 0; nsec < 2; nsec++)
			odd_records(be, nsec);
	/* Records of the largest snapshot: more than the megabyte held. */
	big.be = true;
	file_header(&big, 0xa1b2c3d4u, 4, 262144, 1);
	for (int i = 0; i < 9; i++)
		record(&big, 1, (uint32_t)i, 262144 - (uint32_t)i, 262144, (uint32_t)i);
	record(&big, 1, 9, 300000, 300000, 9);          /* past the maximum */
	assert_true(same_both_ways(&big, NULL));
	free(big.s.b);
}

/* Packets kept across reads (capture_set_release): each one's bytes
 * checked when its buffer is released, not before. */
#define HELD_MAX 20000
static struct {
	const uint8_t *data[HELD_MAX];
	uint32_t buf[HELD_MAX], caplen[HELD_MAX];
	size_t n, checked;            /* packets kept; checked ones from 0 */
	uint32_t last;                /* the last buffer released */
	size_t calls;
} held;

static void check_held(void *ctx, uint32_t n)
{
	(void)ctx;
	assert_true(n > held.last);
	held.last = n;
	held.calls++;
	while (held.checked < held.n && held.buf[held.checked] <= n) {
		size_t i = held.checked++;

		/* record(): 24 header bytes, then (seed + j) with seed i */
		for (uint32_t j = 24; j < held.caplen[i]; j++)
			assert_int_equal(held.data[i][j], (uint8_t)(i + j));
	}
}

/* Reads path with check_held as the release function, closing the
 * capture after stop packets. */
static void read_held(const char *path, size_t stop)
{
	struct capture c;
	struct raw_packet rp;
	uint32_t prev = 1;

	memset(&held, 0, sizeof(held));
	assert_int_equal(capture_open_file(&c, path, NULL), 0);
	capture_set_release(&c, check_held, NULL);
	while (held.n < stop && capture_next(&c, &rp) == CAPTURE_PACKET) {
		assert_true(held.n < HELD_MAX);
		assert_true(rp.buf >= prev && rp.buf > held.last);
		prev = rp.buf;
		held.data[held.n] = rp.data;
		held.buf[held.n] = rp.buf;
		held.caplen[held.n++] = rp.caplen;
		assert_true(held.checked < held.n);  /* the last one is held */
	}
	capture_close(&c);
}

static void test_held(void **state)
{
	struct wr w = good(false, false, 12000);  /* 8.7 MB: the ring of 4
						   * buffers goes round twice */
	char *path = write_tmp(&w);
	struct capture c;
	struct raw_packet rp;

	(void)state;
	read_held(path, 12000);
	assert_int_equal(held.n, 12000);
	assert_true(held.calls >= 6);        /* every buffer read over */
	assert_int_equal(held.checked, 12000);  /* the end released them */
	read_held(path, 5000);               /* closed halfway */
	assert_int_equal(held.checked, 5000);
	/* Without a release function: valid until the next only. */
	assert_int_equal(capture_open_file(&c, path, NULL), 0);
	assert_int_equal(capture_next(&c, &rp), CAPTURE_PACKET);
	assert_int_equal(rp.buf, 0);
	capture_close(&c);
	setenv("LYNCWATCH_PCAP_READER", "libpcap", 1);
	assert_int_equal(capture_open_file(&c, path, NULL), 0);
	capture_set_release(&c, check_held, NULL);
	assert_int_equal(capture_next(&c, &rp), CAPTURE_PACKET);
	assert_int_equal(rp.buf, 0);         /* libpcap's: valid until the next */
	capture_close(&c);
	unsetenv("LYNCWATCH_PCAP_READER");
	unlink(path);
	free(path);
	free(w.s.b);
}

static void test_mutations(void **state)
{
	struct wr w = good(false, true, 40), v = good(true, true, 40);
	uint32_t x = 12345;

	(void)state;
	for (int k = 0; k < 3000; k++) {
		if (k == 1500) {                /* the other byte order */
			free(w.s.b);
			w = v;
		}
		struct wr t = { .s = { .n = w.s.n, .cap = w.s.n } };

		t.s.b = malloc(w.s.n);
		assert_non_null(t.s.b);
		memcpy(t.s.b, w.s.b, w.s.n);
		for (int m = 0; m < 1 + k % 4; m++) {
			x = x * 1103515245u + 12345u;
			/* Mostly in the records' headers (every record starts
			 * 16 + caplen after the last); some anywhere. */
			t.s.b[24 + (x >> 8) % (t.s.n - 24)] = (uint8_t)(x >> 3);
		}
		if (k % 7 == 0) {
			x = x * 1103515245u + 12345u;
			t.s.n -= (x >> 8) % 200;
		}
		(void)same_both_ways(&t, k % 5 == 0 ? "ip[9] = 17" : NULL);
		free(t.s.b);
	}
	free(w.s.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_files),
		cmocka_unit_test(test_not_taken),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_odd_records),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_held),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
