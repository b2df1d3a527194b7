/* readall.h: everything capture_next gives for a capture file, read by
 * lyncwatch's own reader of classic pcap files or by libpcap alone
 * (LYNCWATCH_PCAP_READER=libpcap), to compare the two (tests/test_savefile.c,
 * tests/fuzz/fuzz_savefile.c). */
#ifndef LW_READALL_H
#define LW_READALL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"

/* A growing byte string (aborts when out of memory). */
struct bytes {
	uint8_t *b;
	size_t n, cap;
};

static inline void bytes_add(struct bytes *s, const void *p, size_t n)
{
	if (s->n + n > s->cap) {
		s->cap = (s->n + n) * 2 + 4096;
		s->b = realloc(s->b, s->cap);
		if (s->b == NULL)
			abort();
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

struct readall {
	struct bytes pk;            /* time, lengths and data of every packet */
	int open_rc, end;           /* capture_open_file's, the last next's */
	uint64_t pktno;
	char err[CAPTURE_ERRLEN];
	bool own;                   /* the own reader took the file */
};

static inline void readall(const char *path, const char *filter, bool own,
			   struct readall *r)
{
	struct capture c;
	struct raw_packet rp;

	memset(r, 0, sizeof(*r));
	if (own)
		unsetenv("LYNCWATCH_PCAP_READER");
	else
		setenv("LYNCWATCH_PCAP_READER", "libpcap", 1);
	r->open_rc = capture_open_file(&c, path, filter);
	unsetenv("LYNCWATCH_PCAP_READER");
	if (r->open_rc != 0) {
		snprintf(r->err, sizeof(r->err), "%s", c.err);
		return;
	}
	r->own = c.sf != NULL;
	while ((r->end = capture_next(&c, &rp)) == CAPTURE_PACKET) {
		bytes_add(&r->pk, &rp.ts_us, sizeof(rp.ts_us));
		bytes_add(&r->pk, &rp.caplen, sizeof(rp.caplen));
		bytes_add(&r->pk, &rp.len, sizeof(rp.len));
		bytes_add(&r->pk, rp.data, rp.caplen);
	}
	r->pktno = c.pktno;
	if (r->end == CAPTURE_ERROR)
		snprintf(r->err, sizeof(r->err), "%s", c.err);
	capture_close(&c);
}

/* Whether a and b tell the same (the reader that took the file aside). */
static inline bool readall_same(const struct readall *a,
				const struct readall *b)
{
	return a->open_rc == b->open_rc && a->end == b->end &&
	       a->pktno == b->pktno && strcmp(a->err, b->err) == 0 &&
	       a->pk.n == b->pk.n &&
	       (a->pk.n == 0 || memcmp(a->pk.b, b->pk.b, a->pk.n) == 0);
}

#endif
