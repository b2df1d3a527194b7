/* capture.h: packets from capture files (pcap, pcapng, "-" for stdin)
 * through libpcap, with an optional BPF filter. */
#ifndef LW_CAPTURE_H
#define LW_CAPTURE_H

#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

#define CAPTURE_ERRLEN 512

struct capture {
	pcap_t *p;
	const char *name;       /* as given; "-" is stdin */
	int dlt;                /* link type */
	uint64_t pktno;         /* packets read so far (1-based number of the last) */
	int64_t size;           /* file size in bytes, -1 when unknown (stdin) */
	char err[CAPTURE_ERRLEN];
};

/* A packet as read: valid until the next capture_next(). */
struct raw_packet {
	uint64_t ts_us;
	uint32_t caplen, len;
	const uint8_t *data;
};

/* Opens a capture file and applies filter (NULL: none).  Returns 0, or -1
 * with c->err set to "NAME: reason". */
int capture_open_file(struct capture *c, const char *name, const char *filter);

/* Reads the next packet: 1 read, 0 end of file, -1 error with c->err set to
 * "NAME: packet N: reason" (what was read before stays valid). */
int capture_next(struct capture *c, struct raw_packet *out);

/* Bytes of the file read so far, or -1 when unknown. */
int64_t capture_offset(const struct capture *c);

void capture_close(struct capture *c);

#endif
