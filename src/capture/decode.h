/* decode.h: link layer to L4 (TCP/UDP) into a struct pkt.
 *
 * Supported link types: Ethernet (with 802.1Q, 802.1ad and 0x9100 tags),
 * Linux cooked v1 and v2, raw IP (DLT_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6),
 * BSD null/loopback (DLT_NULL, DLT_LOOP); inside IP, GRE (RFC 2784/2890)
 * carrying IPv4, IPv6 or Ethernet, and ERSPAN types I, II and III (remote
 * mirror sessions), whose inner packet is the one decoded.  Every read is
 * bounds-checked against the captured length; nothing is read past it.
 */
#ifndef LW_DECODE_H
#define LW_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/pkt.h"

/* Outcome of decoding one packet.  The first three are not errors. */
enum decode_status {
	DECODE_OK = 0,       /* TCP or UDP first fragment / whole datagram */
	DECODE_FRAGMENT,     /* a non-first IPv4/IPv6 fragment: counted only */
	DECODE_NOT_IP,       /* ARP, LLDP, ...: counted only */
	DECODE_OTHER_L4,     /* ICMP, ESP, SCTP, ...: counted only */
	DECODE_TRUNCATED,    /* a header runs past the captured bytes */
	DECODE_INVALID,      /* a field is impossible (IHL < 5, ...) */
	DECODE_UNSUPPORTED,  /* link type or encapsulation not handled */
	DECODE_NSTATUS
};

/* Maximum IPv6 extension headers walked before the packet is INVALID. */
#define DECODE_MAX_EXT_HDRS 8

/* Tunnels (GRE, ERSPAN) removed before a deeper one is UNSUPPORTED. */
#define DECODE_MAX_TUNNELS 2

/* Returns the lower-case name of a status, e.g. "truncated". */
const char *decode_status_name(enum decode_status st);

/* True when `dlt` (a pcap DLT_* value) is a link type decode_packet reads. */
int decode_link_supported(int dlt);

/*
 * Decodes one captured frame of link type `dlt`.  `caplen` bytes are at
 * `data`; `wirelen` is the original length.  On DECODE_OK every field of
 * *out is set; on any other status *out is partly filled and must not be
 * used for flow tracking.  `out->ts_us` is left for the caller to set.
 */
enum decode_status decode_packet(int dlt, const uint8_t *data,
				 uint32_t caplen, uint32_t wirelen,
				 struct pkt *out);

/* decode_packet's two paths, apart for the fuzz harness that compares
 * them.  The general one reads every supported frame.  The fast one reads
 * only an Ethernet II frame of IPv4 without options, not a fragment,
 * carrying TCP or UDP whose header was captured and lies within the IP
 * (and UDP) lengths: true with *out as the general path sets it (status
 * DECODE_OK); false for any other frame, *out then unspecified. */
enum decode_status decode_packet_general(int dlt, const uint8_t *data,
					 uint32_t caplen, uint32_t wirelen,
					 struct pkt *out);
bool decode_packet_fast(const uint8_t *data, uint32_t caplen,
			uint32_t wirelen, struct pkt *out);

#endif
