/* savefile.c: classic pcap records read straight from the file (see
 * savefile.h; the format: pcap-savefile(5)). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/savefile.h"

#define FILE_HDR_LEN 24
#define REC_HDR_LEN SAVEFILE_REC_HDR
#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
#define BUF_BYTES (1u << 20)        /* > a record of the largest snapshot */
#define RING 4u                     /* buffers read into in turn */

struct savefile {
	int fd;
	struct savefile_fmt fmt;
	bool stopped;
	uint8_t *ring[RING];        /* allocated when first read into */
	uint32_t num;               /* buf's number (savefile_buffer) */
	uint8_t *buf;               /* ring[(num - 1) % RING] */
	size_t len, at;             /* bytes held; the next record's start */
	int64_t base;               /* file offset of buf[0] */
	savefile_release_fn release;
	void *ctx;
};

static uint32_t get32(const struct savefile_fmt *f, const uint8_t *b)
{
	if (f->be)
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		       (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[1] << 8 | b[0];
}

static uint16_t get16(const struct savefile_fmt *f, const uint8_t *b)
{
	return (uint16_t)(f->be ? b[0] << 8 | b[1] : b[1] << 8 | b[0]);
}

/* A time stamp field as libpcap 1.10 gives it: a signed 32-bit number in
 * the machine's byte order, unsigned when it swapped the bytes. */
static long time_field(const struct savefile_fmt *f, uint32_t v)
{
	return f->swapped ? (long)v : (long)(int32_t)v;
}

/* Reads the file header at offset 0 into sf (byte order, precision);
 * false when it is not a version 2.4+ pcap file of this reader's. */
static bool read_header(struct savefile *sf)
{
	struct savefile_fmt *f = &sf->fmt;
	uint8_t h[FILE_HDR_LEN];
	uint32_t magic;

	if (pread(sf->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return false;
	f->be = false;
	magic = get32(f, h);
	if (magic != MAGIC_USEC && magic != MAGIC_NSEC) {
		f->be = true;
		magic = get32(f, h);
		if (magic != MAGIC_USEC && magic != MAGIC_NSEC)
			return false;
	}
	f->nsec = magic == MAGIC_NSEC;
	f->swapped = f->be != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	/* 2.4 and later: caplen and len in their place (libpcap swaps or
	 * guesses for older versions; it reads those itself). */
	return get16(f, h + 4) == 2 && get16(f, h + 6) >= 4;
}

struct savefile *savefile_open(pcap_t *p, FILE *fp)
{
	struct savefile *sf;
	struct stat st;
	int fd = fileno(fp);

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    pcap_datalink(p) != DLT_EN10MB || pcap_snapshot(p) <= 0 ||
	    ftell(fp) != FILE_HDR_LEN)
		return NULL;
	sf = calloc(1, sizeof(*sf));
	if (sf == NULL)
		return NULL;
	sf->fd = fd;
	sf->fmt.snapshot = (uint32_t)pcap_snapshot(p);
	sf->base = FILE_HDR_LEN;
	sf->num = 1;
	if (!read_header(sf) || (sf->buf = sf->ring[0] = malloc(BUF_BYTES)) == NULL) {
		free(sf);
		return NULL;
	}
	return sf;
}

void savefile_set_release(struct savefile *sf, savefile_release_fn fn, void *ctx)
{
	sf->release = fn;
	sf->ctx = ctx;
}

uint32_t savefile_buffer(const struct savefile *sf)
{
	return sf->release ? sf->num : 0;
}

/* Moves on to the next buffer of the ring with the bytes from sf->at (a
 * record not whole yet); false when out of memory.  The buffer's last
 * records are released first. */
static bool next_buffer(struct savefile *sf)
{
	size_t keep = sf->len - sf->at;
	uint8_t **b = &sf->ring[sf->num % RING];

	if (sf->release && sf->num >= RING)
		sf->release(sf->ctx, sf->num + 1 - RING);
	if (*b == NULL && (*b = malloc(BUF_BYTES)) == NULL)
		return false;
	memcpy(*b, sf->buf + sf->at, keep);
	sf->buf = *b;
	sf->num++;
	sf->base += (int64_t)sf->at;
	sf->at = 0;
	sf->len = keep;
	return true;
}

/* Keeps the bytes from sf->at and reads more after them (in the next
 * buffer when records were handed out of this one); false at the end of
 * the file, on a read error (libpcap meets it again and says so) or when
 * out of memory. */
static bool refill(struct savefile *sf)
{
	ssize_t n;

	if (sf->at > 0 && !next_buffer(sf))
		return false;
	do
		n = pread(sf->fd, sf->buf + sf->len, BUF_BYTES - sf->len,
			  (off_t)(sf->base + (int64_t)sf->len));
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return false;
	sf->len += (size_t)n;
	return true;
}

bool savefile_record(const struct savefile_fmt *f, const uint8_t *r,
		     struct pcap_pkthdr *h)
{
	h->caplen = get32(f, r + 8);
	if (h->caplen > f->snapshot)
		return false;
	h->ts.tv_sec = time_field(f, get32(f, r));
	h->ts.tv_usec = (suseconds_t)time_field(f, get32(f, r + 4));
	if (f->nsec)
		h->ts.tv_usec /= 1000;
	h->len = get32(f, r + 12);
	return true;
}

int savefile_next(struct savefile *sf, struct pcap_pkthdr *h,
		  const uint8_t **data)
{
	const uint8_t *r;
	uint32_t caplen;

	if (sf->stopped)
		return 0;
	while (sf->len - sf->at < REC_HDR_LEN)
		if (!refill(sf))
			goto stop;
	r = sf->buf + sf->at;
	caplen = get32(&sf->fmt, r + 8);
	if (caplen > sf->fmt.snapshot)
		goto stop;
	while (sf->len - sf->at < REC_HDR_LEN + (size_t)caplen)
		if (!refill(sf))
			goto stop;
	r = sf->buf + sf->at;
	(void)savefile_record(&sf->fmt, r, h);
	*data = r + REC_HDR_LEN;
	sf->at += REC_HDR_LEN + (size_t)caplen;
	return 1;
stop:
	sf->stopped = true;
	return 0;
}

int savefile_fd(const struct savefile *sf)
{
	return sf->fd;
}

const struct savefile_fmt *savefile_format(const struct savefile *sf)
{
	return &sf->fmt;
}

int64_t savefile_offset(const struct savefile *sf)
{
	return sf->base + (int64_t)sf->at;
}

void savefile_free(struct savefile *sf)
{
	if (sf == NULL)
		return;
	if (sf->release)
		sf->release(sf->ctx, sf->num);
	for (unsigned i = 0; i < RING; i++)
		free(sf->ring[i]);
	free(sf);
}
