/* pkt.h: one decoded packet, as the decoder leaves it for the later stages.
 *
 * Addresses are kept as 16 bytes in network byte order; an IPv4 address
 * sits in the first 4 bytes and the rest are zero.  Ports are in host
 * order.  Pointers point into the capture buffer and are valid only until
 * the next packet is read.
 */
#ifndef LW_PKT_H
#define LW_PKT_H

#include <stdbool.h>
#include <stdint.h>

#define PKT_MAX_VLAN 2

enum l4_proto {
	L4_TCP = 6,
	L4_UDP = 17,
};

/* TCP flag bits as on the wire. */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

struct pkt {
	uint64_t ts_us;          /* capture time, microseconds since the epoch */
	uint32_t wire_len;       /* length on the wire (pcap len) */
	uint32_t cap_len;        /* bytes captured (pcap caplen) */

	uint16_t vlan[PKT_MAX_VLAN]; /* VLAN ids, outermost first */
	uint8_t nvlan;

	uint8_t ipver;           /* 4 or 6 */
	uint8_t l4;              /* enum l4_proto */
	uint8_t tcp_flags;       /* TCPF_*; 0 for UDP */
	uint8_t addr_len;        /* 4 or 16 */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t seq;            /* TCP sequence number, host order; 0 for UDP */

	const uint8_t *l3;       /* start of the IP header (for nDPI) */
	uint32_t l3_len;         /* captured bytes of the datagram from l3 */
	const uint8_t *payload;  /* L4 payload */
	uint32_t payload_len;    /* captured payload bytes */
	uint32_t ip_len;         /* datagram length the IP header claims */
	uint8_t tunnels;         /* GRE / ERSPAN layers removed (outer first) */
};

#endif
