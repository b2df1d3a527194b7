/* capture.h: packets from capture files (pcap, pcapng, "-" for stdin) or
 * from a live interface, through libpcap, with an optional BPF filter. */
#ifndef LW_CAPTURE_H
#define LW_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

#include "capture/savefile.h"

#define CAPTURE_ERRLEN 512

struct savefile;

struct capture {
	pcap_t *p;
	struct savefile *sf;    /* file records read past libpcap (savefile.h),
				 * or NULL */
	struct bpf_program prog; /* the filter (bf_insns NULL: none) */
	volatile int brk;       /* capture_break() with sf */
	const char *name;       /* file as given ("-" is stdin), or interface */
	int live;               /* 1 for an interface */
	int timeout_ms;         /* live: how long capture_next waits */
	int dlt;                /* link type */
	uint64_t pktno;         /* packets read so far (1-based number of the last) */
	int64_t size;           /* file size in bytes, -1 when unknown (stdin) */
	void *iobuf;            /* the file stream's buffer, or NULL */
	char err[CAPTURE_ERRLEN];
};

/* A packet as read: valid until the next capture_next(), or, when buf is
 * not 0, until buffer buf is released (capture_set_release); then its
 * bytes also lie at offset off of the file open on capture_file_fd. */
struct raw_packet {
	uint64_t ts_us;
	uint32_t caplen, len;
	const uint8_t *data;
	uint32_t buf;
	int64_t off;
};

/* Opens a capture file and applies filter (NULL: none).  Returns 0, or -1
 * with c->err set to "NAME: reason". */
int capture_open_file(struct capture *c, const char *name, const char *filter);

struct capture_live_cfg {
	const char *iface;
	int snaplen;            /* bytes kept of each packet */
	int buffer_kib;         /* kernel buffer, KiB; 0: libpcap's default */
	int promisc;            /* 0 or 1 */
	int timeout_ms;         /* how long a read waits for packets; also
				 * how long a packet may wait in the ring */
	const char *filter;     /* BPF expression, or NULL */
};

/* Opens and activates an interface (pcap_create, pcap_activate; the
 * TPACKET_V3 ring, packets delivered by the block), applies the filter, and checks that decode reads its link
 * type.  Returns 0, or -1 with c->err set ("eth9: no such interface", a
 * permission hint, ...).  Warnings from pcap_activate go to stderr. */
int capture_open_live(struct capture *c, const struct capture_live_cfg *cfg);

/* Return values of capture_next(). */
#define CAPTURE_PACKET 1   /* *out holds a packet */
#define CAPTURE_NONE 0     /* live: no packet before the timeout */
#define CAPTURE_END (-2)   /* end of file, or capture_break() */
#define CAPTURE_ERROR (-1) /* c->err: "NAME: packet N: reason" */

/* Reads the next packet; what was read before stays valid on error. */
int capture_next(struct capture *c, struct raw_packet *out);

/* Keeps the packets of a file read past libpcap (savefile.h) valid
 * beyond the next capture_next(): each comes with the number of the read
 * buffer it lies in (raw_packet.buf, rising from 1); before that buffer
 * is read over or freed, release(ctx, n) is called, and every use of
 * packets from buffers numbered n or less must be over when it returns.
 * Packets with buf 0 (read by libpcap) are valid until the next call
 * only.  Called on the reading thread, from capture_next and
 * capture_close. */
void capture_set_release(struct capture *c, void (*release)(void *ctx, uint32_t n),
			 void *ctx);

/* Makes a pending or the next capture_next() return CAPTURE_END.  Safe in a
 * signal handler. */
void capture_break(struct capture *c);

/* Joins the socket of a live capture to PACKET_FANOUT group `group` in hash
 * mode (with defragmentation), so that the kernel spreads flows over the
 * group's sockets, both directions of a flow to the same one (the kernel
 * hashes the flow symmetrically).  Returns 0, or -1 with c->err set. */
int capture_join_fanout(struct capture *c, uint16_t group);

/* Packets received and dropped, from pcap_stats (live); 0 when unknown. */
struct capture_counters {
	uint64_t received, dropped, ifdropped;
};
int capture_counters(struct capture *c, struct capture_counters *out);

/* What another thread needs to read the records of a file capture's own
 * reader itself (a raw_packet with buf not 0 has its header at off -
 * SAVEFILE_REC_HDR): the file (the capture's, open until capture_close),
 * how its records are written, and the filter they pass.  False when the
 * own reader does not read the file. */
struct capture_records {
	int fd;
	int dlt;
	struct savefile_fmt fmt;
	const struct bpf_program *filter; /* or NULL */
};
bool capture_records(const struct capture *c, struct capture_records *out);

/* Bytes of the file read so far, or -1 when unknown. */
int64_t capture_offset(const struct capture *c);

void capture_close(struct capture *c);

#endif
