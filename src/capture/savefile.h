/* savefile.h: the records of a classic pcap file (pcap-savefile(5)) read
 * straight from its file descriptor, a megabyte at a time.
 *
 * libpcap reads a savefile with two fread calls a packet; on a busy
 * capture that is a fifth of the offline packet path.  This reader takes
 * over from libpcap once libpcap has opened the file and judged its
 * header, for the common case only: a regular file, Ethernet, version 2.4
 * (the lengths in their place), microsecond or nanosecond time stamps in
 * either byte order.  It hands out every record that libpcap would hand
 * out unchanged (the whole header and caplen bytes present, caplen within
 * the snapshot length).  At anything else (the end of the file, a short
 * record, a length past the snapshot, a read error) it stops and gives the
 * offset of that record: the caller seeks libpcap's stream there and
 * libpcap reads on, with its own checks, corrections and messages, so
 * that what comes out is what libpcap alone would have given.
 */
#ifndef LW_SAVEFILE_H
#define LW_SAVEFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

struct savefile;

/* How the file's records are written: a record is a header of
 * SAVEFILE_REC_HDR bytes and caplen bytes after it. */
#define SAVEFILE_REC_HDR 16
struct savefile_fmt {
	bool be;                    /* the file's numbers are big-endian */
	bool swapped;               /* ... in the other order than the CPU's */
	bool nsec;                  /* nanosecond time stamps */
	uint32_t snapshot;          /* libpcap's, from the file header */
};

/* The record header at r as savefile_next gives it (time stamps in
 * microseconds); false when its caplen is past the snapshot length (the
 * reader stops at such a record). */
bool savefile_record(const struct savefile_fmt *f, const uint8_t *r,
		     struct pcap_pkthdr *h);

/* A reader for the file behind fp, which libpcap (p) has opened and read
 * the file header of, with microsecond time stamps; NULL when the file is
 * not one this reader takes (libpcap then reads all of it) or when out of
 * memory. */
struct savefile *savefile_open(pcap_t *p, FILE *fp);

/* The next record: 1 with *h and *data (valid until the next call; with
 * a release function, see below, until released), or 0
 * when this reader stops (see above; it stays stopped). */
int savefile_next(struct savefile *sf, struct pcap_pkthdr *h,
		  const uint8_t **data);

/* Records handed out stay valid while later ones are read: they lie in
 * a ring of buffers, numbered from 1 as they are read into.  Before the
 * reader reads over buffer number n (or frees it), it calls release(ctx,
 * n): when that returns, nothing may use records from buffers numbered n
 * or less any more.  Without a release function, only the last record
 * handed out is valid. */
typedef void (*savefile_release_fn)(void *ctx, uint32_t n);

void savefile_set_release(struct savefile *sf, savefile_release_fn fn, void *ctx);

/* The number of the buffer the last record handed out lies in; 0
 * without a release function. */
uint32_t savefile_buffer(const struct savefile *sf);

/* The file descriptor read from (the caller's; the records' bytes stay
 * there, at their offsets, while the file is open), and how its records
 * are written. */
int savefile_fd(const struct savefile *sf);
const struct savefile_fmt *savefile_format(const struct savefile *sf);

/* The file offset of the first record not handed out. */
int64_t savefile_offset(const struct savefile *sf);

void savefile_free(struct savefile *sf);

#endif
