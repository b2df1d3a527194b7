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

#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

struct savefile;

/* A reader for the file behind fp, which libpcap (p) has opened and read
 * the file header of, with microsecond time stamps; NULL when the file is
 * not one this reader takes (libpcap then reads all of it) or when out of
 * memory. */
struct savefile *savefile_open(pcap_t *p, FILE *fp);

/* The next record: 1 with *h and *data (valid until the next call), or 0
 * when this reader stops (see above; it stays stopped). */
int savefile_next(struct savefile *sf, struct pcap_pkthdr *h,
		  const uint8_t **data);

/* The file offset of the first record not handed out. */
int64_t savefile_offset(const struct savefile *sf);

void savefile_free(struct savefile *sf);

#endif
