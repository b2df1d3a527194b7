/* decode.c: link layer to L4 (TCP/UDP) into a struct pkt.
 *
 * \summary: Ethernet II, IEEE 802.1Q/802.1ad VLAN tags, Linux cooked v1/v2,
 * raw IP and BSD null/loopback; IPv4 (RFC 791), IPv6 and its extension
 * headers (RFC 8200), TCP (RFC 793, RFC 9293) and UDP (RFC 768); GRE
 * (RFC 2784, keys and sequence numbers RFC 2890) and ERSPAN types I, II
 * and III (draft-foschiano-erspan), decapsulated to the mirrored frame.
 *
 * One function per layer, each reading through a struct cursor.  Before
 * them, a fast path takes the common frame whole (Ethernet II, IPv4
 * without options, not a fragment, TCP or UDP, headers captured and within
 * the lengths) and gives up on anything else; tests/fuzz/fuzz_decode.c
 * checks that both paths set every field alike.  The cursor
 * starts at the smaller of caplen and wire length and is cut to the IP and
 * UDP lengths on the way in, so no reader can pass the captured bytes or
 * the enclosing header's length.  A header that the IP header says cannot
 * fit is INVALID; one that fits but was not captured is TRUNCATED.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture/cursor.h"
#include "capture/decode.h"
#include "capture/pkt.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

#define ETHER_HDR_LEN   14
#define SLL_HDR_LEN     16      /* protocol (ethertype) at offset 14 */
#define SLL2_HDR_LEN    20      /* protocol (ethertype) at offset 0 */
#define IPV4_HDR_LEN    20      /* without options */
#define IPV6_HDR_LEN    40
#define TCP_HDR_LEN     20      /* without options */
#define UDP_HDR_LEN     8
#define IPV6_FRAG_LEN   8

/* Tags walked before the frame is INVALID; only PKT_MAX_VLAN ids are kept. */
#define DECODE_MAX_VLAN_TAGS 4

/* Ethertypes, host order. Below ETHERTYPE_MIN the field is an 802.3 length
 * and an LLC header follows. */
enum {
	ETHERTYPE_MIN    = 0x0600,
	ETHERTYPE_IPV4   = 0x0800,
	ETHERTYPE_8021Q  = 0x8100,
	ETHERTYPE_IPV6   = 0x86dd,
	ETHERTYPE_8021AD = 0x88a8,
	ETHERTYPE_QINQ   = 0x9100,      /* pre-802.1ad vendor QinQ */
	ETHERTYPE_TEB    = 0x6558,      /* GRE: transparent Ethernet bridging */
	ETHERTYPE_ERSPAN = 0x88be,      /* GRE: ERSPAN type I (no sequence) or II */
	ETHERTYPE_ERSPAN3 = 0x22eb,     /* GRE: ERSPAN type III */
};

/* GRE flags (RFC 2784, RFC 2890), in the first 16 bits. */
#define GRE_C       0x8000      /* checksum and offset present */
#define GRE_R       0x4000      /* routing present (RFC 1701, obsolete) */
#define GRE_K       0x2000      /* key present */
#define GRE_S       0x1000      /* sequence number present */
#define GRE_VERSION 0x0007
#define ERSPAN2_HDR_LEN 8
#define ERSPAN3_HDR_LEN 12
#define ERSPAN3_O   0x01        /* platform-specific subheader follows */
#define ERSPAN3_SUB_LEN 8

/* IP protocol / IPv6 next header numbers (IANA). */
enum {
	IPP_HOPOPTS  = 0,
	IPP_ROUTING  = 43,
	IPP_FRAGMENT = 44,
	IPP_AH       = 51,
	IPP_DSTOPTS  = 60,
	IPP_GRE      = 47,
};

/* BSD address families in DLT_NULL/DLT_LOOP headers. AF_INET6 differs
 * between the BSDs: 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (Darwin). */
enum {
	BSD_AF_INET         = 2,
	BSD_AF_INET6_BSD    = 24,
	BSD_AF_INET6_FREE   = 28,
	BSD_AF_INET6_DARWIN = 30,
};

#define IPV4_OFFMASK 0x1fff     /* fragment offset, 8-byte units */
#define IPV4_MF      0x2000     /* more fragments */
#define IPV6_OFFMASK 0xfff8     /* fragment offset in the high 13 bits */
#define IPV6_MF      0x0001     /* more fragments */

static const char *const status_names[DECODE_NSTATUS] = {
	[DECODE_OK]          = "ok",
	[DECODE_FRAGMENT]    = "fragment",
	[DECODE_NOT_IP]      = "not-ip",
	[DECODE_OTHER_L4]    = "other-l4",
	[DECODE_TRUNCATED]   = "truncated",
	[DECODE_INVALID]     = "invalid",
	[DECODE_UNSUPPORTED] = "unsupported",
};

const char *decode_status_name(enum decode_status st)
{
	if ((unsigned int)st >= DECODE_NSTATUS)
		return "unknown";
	return status_names[st];
}

int decode_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return 1;
	default:
		return 0;
	}
}

/* Bytes the IP header says remain in the datagram after the cursor.  Valid
 * once p->l3 and p->ip_len are set; never negative, since the cursor was
 * cut to end at or before p->l3 + p->ip_len. */
static size_t ip_left(const struct cursor *c, const struct pkt *p)
{
	return p->ip_len - (size_t)(c->p - p->l3);
}

/* Whether an n-byte header fits at the cursor: INVALID when the IP length
 * leaves no room for it, TRUNCATED when it fits but was not captured. */
static enum decode_status need(const struct cursor *c, const struct pkt *p,
			       size_t n)
{
	if (n > ip_left(c, p))
		return DECODE_INVALID;
	if (!cur_has(c, n))
		return DECODE_TRUNCATED;
	return DECODE_OK;
}

/* TCP header (RFC 9293 section 3.1). Ports in host order; the payload is
 * what was captured of the segment. */
static enum decode_status decode_tcp(struct cursor *c, struct pkt *p)
{
	struct cursor h = *c;
	uint8_t off, flags;
	size_t hlen;
	enum decode_status st = need(c, p, TCP_HDR_LEN);

	if (st != DECODE_OK)
		return st;
	if (!cur_be16(&h, &p->sport) || !cur_be16(&h, &p->dport) ||
	    !cur_be32(&h, &p->seq) || !cur_skip(&h, 4) ||
	    !cur_u8(&h, &off) || !cur_u8(&h, &flags))
		return DECODE_TRUNCATED;
	hlen = (size_t)(off >> 4) * 4;
	if (hlen < TCP_HDR_LEN)
		return DECODE_INVALID;
	st = need(c, p, hlen);
	if (st != DECODE_OK)
		return st;
	p->tcp_flags = flags;
	if (!cur_skip(c, hlen))
		return DECODE_TRUNCATED;
	p->payload = c->p;
	p->payload_len = (uint32_t)cur_left(c);
	return DECODE_OK;
}

/* UDP header (RFC 768).  The length field must cover the header and fit in
 * the IP payload; the payload is cut to it.  In a first fragment (`first`)
 * the length covers the whole datagram, so it may pass the fragment's end:
 * the payload is then what the fragment holds. */
static enum decode_status decode_udp(struct cursor *c, struct pkt *p,
				     bool first)
{
	struct cursor h = *c;
	uint16_t ulen;
	enum decode_status st = need(c, p, UDP_HDR_LEN);

	if (st != DECODE_OK)
		return st;
	if (!cur_be16(&h, &p->sport) || !cur_be16(&h, &p->dport) ||
	    !cur_be16(&h, &ulen))
		return DECODE_TRUNCATED;
	if (ulen < UDP_HDR_LEN || (ulen > ip_left(c, p) && !first))
		return DECODE_INVALID;
	cur_limit(c, ulen);
	if (!cur_skip(c, UDP_HDR_LEN))
		return DECODE_TRUNCATED;
	p->payload = c->p;
	p->payload_len = (uint32_t)cur_left(c);
	return DECODE_OK;
}

/* GRE and ERSPAN decapsulation makes IP -> GRE -> (Ethernet ->) IP a
 * recursion, bounded by DECODE_MAX_TUNNELS (checked in decode_gre).
 * NOLINTBEGIN(misc-no-recursion) */
static enum decode_status decode_gre(struct cursor *c, struct pkt *p);

/* Dispatches on the IP protocol / final IPv6 next header.  `first`: the
 * datagram is the first fragment of several. */
static enum decode_status decode_l4(struct cursor *c, struct pkt *p,
				    uint8_t proto, bool first)
{
	p->l4 = proto;
	switch (proto) {
	case L4_TCP:
		return decode_tcp(c, p);
	case L4_UDP:
		return decode_udp(c, p, first);
	case IPP_GRE:
		return decode_gre(c, p);
	default:        /* ICMP, ESP (50), no next header (59), SCTP, ... */
		return DECODE_OTHER_L4;
	}
}

/* IPv4 header (RFC 791 section 3.1).  The cursor is cut to the total
 * length; a total length past the captured bytes is a short capture, not an
 * error: ip_len keeps the claimed length and l3_len the captured one. */
static enum decode_status decode_ipv4(struct cursor *c, struct pkt *p)
{
	struct cursor h = *c;
	uint8_t vihl, proto;
	uint16_t tot_len, frag;
	size_t hlen;

	if (!cur_u8(&h, &vihl))
		return DECODE_TRUNCATED;
	if (vihl >> 4 != 4 || (vihl & 0x0f) < IPV4_HDR_LEN / 4)
		return DECODE_INVALID;
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (!cur_has(c, hlen))
		return DECODE_TRUNCATED;
	if (!cur_skip(&h, 1) || !cur_be16(&h, &tot_len) || !cur_skip(&h, 2) ||
	    !cur_be16(&h, &frag) || !cur_skip(&h, 1) || !cur_u8(&h, &proto) ||
	    !cur_skip(&h, 2) || !cur_copy(&h, p->src, 4) ||
	    !cur_copy(&h, p->dst, 4))
		return DECODE_TRUNCATED;
	if (tot_len < hlen)
		return DECODE_INVALID;
	p->ipver = 4;
	p->addr_len = 4;
	p->l4 = proto;
	p->ip_len = tot_len;
	cur_limit(c, tot_len);
	p->l3 = c->p;
	p->l3_len = (uint32_t)cur_left(c);
	if (!cur_skip(c, hlen))
		return DECODE_TRUNCATED;
	if ((frag & IPV4_OFFMASK) != 0)
		return DECODE_FRAGMENT;
	return decode_l4(c, p, proto, (frag & IPV4_MF) != 0); /* whole or first */
}

static int ipv6_is_ext(uint8_t nh)
{
	return nh == IPP_HOPOPTS || nh == IPP_ROUTING || nh == IPP_FRAGMENT ||
	       nh == IPP_AH || nh == IPP_DSTOPTS;
}

/* Length in bytes of an extension header from its type and length byte:
 * AH counts 4-byte units minus 2 (RFC 4302), the fragment header is fixed,
 * the others count 8-byte units minus 1 (RFC 8200 section 4). */
static size_t ipv6_ext_len(uint8_t nh, uint8_t len_field)
{
	if (nh == IPP_FRAGMENT)
		return IPV6_FRAG_LEN;
	if (nh == IPP_AH)
		return ((size_t)len_field + 2) * 4;
	return ((size_t)len_field + 1) * 8;
}

/* Steps over the extension header of type *nh at the cursor and sets *nh
 * to the header after it.  FRAGMENT for a non-first fragment; *first is
 * set for a fragment header of a first fragment with more to come. */
static enum decode_status decode_ipv6_ext(struct cursor *c, struct pkt *p,
					  uint8_t *nh, bool *first)
{
	struct cursor h = *c;
	uint8_t next, len_field;
	uint16_t frag;
	size_t len;
	enum decode_status st = need(c, p, 2);

	if (st != DECODE_OK)
		return st;
	if (!cur_u8(&h, &next) || !cur_u8(&h, &len_field))
		return DECODE_TRUNCATED;
	len = ipv6_ext_len(*nh, len_field);
	st = need(c, p, len);
	if (st != DECODE_OK)
		return st;
	if (*nh == IPP_FRAGMENT) {
		if (!cur_be16(&h, &frag))
			return DECODE_TRUNCATED;
		if ((frag & IPV6_OFFMASK) != 0) {
			p->l4 = next;
			return DECODE_FRAGMENT;
		}
		*first = (frag & IPV6_MF) != 0;
	}
	if (!cur_skip(c, len))
		return DECODE_TRUNCATED;
	*nh = next;
	return DECODE_OK;
}

/* Walks the extension header chain to the upper-layer header, at most
 * DECODE_MAX_EXT_HDRS headers; hop-by-hop is only allowed first. */
static enum decode_status decode_ipv6_chain(struct cursor *c, struct pkt *p,
					    uint8_t nh)
{
	enum decode_status st;
	bool first = false;

	for (unsigned int n = 0; ipv6_is_ext(nh); n++) {
		if (n == DECODE_MAX_EXT_HDRS)
			return DECODE_INVALID;
		if (nh == IPP_HOPOPTS && n != 0)
			return DECODE_INVALID;
		st = decode_ipv6_ext(c, p, &nh, &first);
		if (st != DECODE_OK)
			return st;
	}
	return decode_l4(c, p, nh, first);
}

/* IPv6 header (RFC 8200 section 3).  The cursor is cut to 40 + payload
 * length.  A jumbogram (payload length 0, RFC 2675) leaves no room for its
 * hop-by-hop header and so is INVALID. */
static enum decode_status decode_ipv6(struct cursor *c, struct pkt *p)
{
	struct cursor h = *c;
	uint8_t vtc, nh;
	uint16_t plen;

	if (!cur_u8(&h, &vtc))
		return DECODE_TRUNCATED;
	if (vtc >> 4 != 6)
		return DECODE_INVALID;
	if (!cur_has(c, IPV6_HDR_LEN))
		return DECODE_TRUNCATED;
	if (!cur_skip(&h, 3) || !cur_be16(&h, &plen) || !cur_u8(&h, &nh) ||
	    !cur_skip(&h, 1) || !cur_copy(&h, p->src, 16) ||
	    !cur_copy(&h, p->dst, 16))
		return DECODE_TRUNCATED;
	p->ipver = 6;
	p->addr_len = 16;
	p->ip_len = (uint32_t)IPV6_HDR_LEN + plen;
	cur_limit(c, p->ip_len);
	p->l3 = c->p;
	p->l3_len = (uint32_t)cur_left(c);
	if (!cur_skip(c, IPV6_HDR_LEN))
		return DECODE_TRUNCATED;
	return decode_ipv6_chain(c, p, nh);
}

/* IP version from the first nibble (raw IP link types). */
static enum decode_status decode_ip(struct cursor *c, struct pkt *p)
{
	if (!cur_has(c, 1))
		return DECODE_TRUNCATED;
	switch (c->p[0] >> 4) {
	case 4:
		return decode_ipv4(c, p);
	case 6:
		return decode_ipv6(c, p);
	default:
		return DECODE_INVALID;
	}
}

static int is_vlan_tpid(uint16_t type)
{
	return type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
	       type == ETHERTYPE_QINQ;
}

/* Walks VLAN tags (IEEE 802.1Q) while *type is a tag protocol id: at most
 * DECODE_MAX_VLAN_TAGS, the first PKT_MAX_VLAN ids stored outermost first.
 * On DECODE_OK *type is the encapsulated ethertype. */
static enum decode_status decode_vlan(struct cursor *c, struct pkt *p,
				      uint16_t *type)
{
	uint16_t tci;

	for (unsigned int n = 0; is_vlan_tpid(*type); n++) {
		if (n == DECODE_MAX_VLAN_TAGS)
			return DECODE_INVALID;
		if (!cur_has(c, 4) || !cur_be16(c, &tci) || !cur_be16(c, type))
			return DECODE_TRUNCATED;
		if (p->nvlan < PKT_MAX_VLAN)
			p->vlan[p->nvlan++] = (uint16_t)(tci & 0x0fff);
	}
	return DECODE_OK;
}

/* Dispatches on an ethertype (host order), VLAN tags first. */
static enum decode_status decode_ethertype(struct cursor *c, struct pkt *p,
					   uint16_t type)
{
	enum decode_status st = decode_vlan(c, p, &type);

	if (st != DECODE_OK)
		return st;
	switch (type) {
	case ETHERTYPE_IPV4:
		return decode_ipv4(c, p);
	case ETHERTYPE_IPV6:
		return decode_ipv6(c, p);
	default:        /* ARP, LLDP, ...; below ETHERTYPE_MIN: 802.3 + LLC */
		return DECODE_NOT_IP;
	}
}

/* Ethernet II: destination, source, ethertype. */
static enum decode_status decode_ether(struct cursor *c, struct pkt *p)
{
	uint16_t type;

	if (!cur_has(c, ETHER_HDR_LEN) || !cur_skip(c, 12) ||
	    !cur_be16(c, &type))
		return DECODE_TRUNCATED;
	return decode_ethertype(c, p, type);
}

/* ERSPAN type III header (12 bytes) and, when its O bit says so, the
 * 8-byte platform-specific subheader; the mirrored Ethernet frame follows. */
static enum decode_status skip_erspan3(struct cursor *c)
{
	if (!cur_has(c, ERSPAN3_HDR_LEN))
		return DECODE_TRUNCATED;
	if ((c->p[ERSPAN3_HDR_LEN - 1] & ERSPAN3_O) &&
	    !cur_has(c, ERSPAN3_HDR_LEN + ERSPAN3_SUB_LEN))
		return DECODE_TRUNCATED;
	cur_skip(c, (c->p[ERSPAN3_HDR_LEN - 1] & ERSPAN3_O) ?
		 ERSPAN3_HDR_LEN + ERSPAN3_SUB_LEN : ERSPAN3_HDR_LEN);
	return DECODE_OK;
}

/* What a GRE header carries, decoded in place of the outer packet: IPv4,
 * IPv6, Ethernet (bridging), or a mirrored frame behind an ERSPAN header
 * (type I has none: no sequence number; type II has 8 bytes). */
static enum decode_status decode_gre_payload(struct cursor *c, struct pkt *p,
					     uint16_t type, bool seq)
{
	enum decode_status st;

	switch (type) {
	case ETHERTYPE_IPV4:
		return decode_ipv4(c, p);
	case ETHERTYPE_IPV6:
		return decode_ipv6(c, p);
	case ETHERTYPE_TEB:
		return decode_ether(c, p);
	case ETHERTYPE_ERSPAN:
		if (seq && !cur_skip(c, ERSPAN2_HDR_LEN))
			return DECODE_TRUNCATED;
		return decode_ether(c, p);
	case ETHERTYPE_ERSPAN3:
		st = skip_erspan3(c);
		return st != DECODE_OK ? st : decode_ether(c, p);
	default:
		return DECODE_UNSUPPORTED;
	}
}

/* GRE (RFC 2784; key and sequence number, RFC 2890): version 0 only, no
 * routing; at most DECODE_MAX_TUNNELS layers.  The inner packet's fields
 * replace the outer one's in *p. */
static enum decode_status decode_gre(struct cursor *c, struct pkt *p)
{
	uint16_t flags, type;
	size_t opt;

	if (p->tunnels >= DECODE_MAX_TUNNELS)
		return DECODE_UNSUPPORTED;
	if (!cur_be16(c, &flags) || !cur_be16(c, &type))
		return DECODE_TRUNCATED;
	if ((flags & GRE_VERSION) != 0 || (flags & GRE_R) != 0)
		return DECODE_UNSUPPORTED;      /* PPTP's enhanced GRE, routing */
	opt = ((flags & GRE_C) ? 4u : 0u) + ((flags & GRE_K) ? 4u : 0u) +
	      ((flags & GRE_S) ? 4u : 0u);
	if (!cur_skip(c, opt))
		return DECODE_TRUNCATED;
	p->tunnels++;
	return decode_gre_payload(c, p, type, (flags & GRE_S) != 0);
}
/* NOLINTEND(misc-no-recursion) */

/* Linux cooked v1: packet type, ARPHRD type, address length, 8 address
 * bytes, protocol.  Non-ethertype protocols (802.3, 802.2, netlink
 * families) are all below ETHERTYPE_MIN. */
static enum decode_status decode_sll(struct cursor *c, struct pkt *p)
{
	uint16_t type;

	if (!cur_has(c, SLL_HDR_LEN) || !cur_skip(c, 14) ||
	    !cur_be16(c, &type))
		return DECODE_TRUNCATED;
	return decode_ethertype(c, p, type);
}

/* Linux cooked v2: protocol first, then reserved, interface index, ARPHRD
 * type, packet type, address length and 8 address bytes. */
static enum decode_status decode_sll2(struct cursor *c, struct pkt *p)
{
	uint16_t type;

	if (!cur_has(c, SLL2_HDR_LEN) || !cur_be16(c, &type) ||
	    !cur_skip(c, SLL2_HDR_LEN - 2))
		return DECODE_TRUNCATED;
	return decode_ethertype(c, p, type);
}

/* IP version for a BSD address family value, 0 when not IP. */
static int bsd_af_ipver(uint32_t af)
{
	switch (af) {
	case BSD_AF_INET:
		return 4;
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREE:
	case BSD_AF_INET6_DARWIN:
		return 6;
	default:
		return 0;
	}
}

/* BSD null/loopback: a 4-byte address family.  DLT_LOOP writes it in
 * network order; DLT_NULL in the capturing host's order, which the file
 * does not record, so a value that is unknown little-endian is read
 * big-endian.  No known value reads as another one byte-swapped. */
static enum decode_status decode_null(struct cursor *c, struct pkt *p,
				      int dlt)
{
	struct cursor h = *c;
	uint32_t le, be;
	int ver = 0;

	if (!cur_le32(&h, &le) || !cur_be32(c, &be))
		return DECODE_TRUNCATED;
	if (dlt == DLT_NULL)
		ver = bsd_af_ipver(le);
	if (ver == 0)
		ver = bsd_af_ipver(be);
	if (ver == 4)
		return decode_ipv4(c, p);
	if (ver == 6)
		return decode_ipv6(c, p);
	return DECODE_NOT_IP;
}

static enum decode_status decode_link(struct cursor *c, struct pkt *p,
				      int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
		return decode_ether(c, p);
	case DLT_LINUX_SLL:
		return decode_sll(c, p);
	case DLT_LINUX_SLL2:
		return decode_sll2(c, p);
	case DLT_RAW:
		return decode_ip(c, p);
	case DLT_IPV4:
		return decode_ipv4(c, p);
	case DLT_IPV6:
		return decode_ipv6(c, p);
	case DLT_NULL:
	case DLT_LOOP:
		return decode_null(c, p, dlt);
	default:
		return DECODE_UNSUPPORTED;
	}
}

enum decode_status decode_packet_general(int dlt, const uint8_t *data,
					 uint32_t caplen, uint32_t wirelen,
					 struct pkt *out)
{
	struct cursor c = cur_make(data, caplen < wirelen ? caplen : wirelen);

	memset(out, 0, sizeof(*out));
	out->wire_len = wirelen;
	out->cap_len = caplen;
	return decode_link(&c, out, dlt);
}

/* The fast path's TCP header at the cursor (the IP payload, cut to the
 * IP length): whole within both the captured bytes and the IP length. */
static bool fast_tcp(struct cursor c, struct pkt *p)
{
	uint8_t off, flags;
	size_t hlen;

	if (!cur_has(&c, TCP_HDR_LEN) || !cur_be16(&c, &p->sport) ||
	    !cur_be16(&c, &p->dport) || !cur_be32(&c, &p->seq) ||
	    !cur_skip(&c, 4) || !cur_u8(&c, &off) || !cur_u8(&c, &flags))
		return false;
	hlen = (size_t)(off >> 4) * 4;
	if (hlen < TCP_HDR_LEN || hlen > p->ip_len - IPV4_HDR_LEN ||
	    !cur_skip(&c, hlen - 14))
		return false;
	p->tcp_flags = flags;
	p->payload = c.p;
	p->payload_len = (uint32_t)cur_left(&c);
	return true;
}

/* The fast path's UDP header: its length covers the header and fits in
 * the IP payload. */
static bool fast_udp(struct cursor c, struct pkt *p)
{
	struct cursor h = c;
	uint16_t ulen;

	if (!cur_has(&h, UDP_HDR_LEN) || !cur_be16(&h, &p->sport) ||
	    !cur_be16(&h, &p->dport) || !cur_be16(&h, &ulen) ||
	    ulen < UDP_HDR_LEN || ulen > p->ip_len - IPV4_HDR_LEN)
		return false;
	cur_limit(&c, ulen);
	if (!cur_skip(&c, UDP_HDR_LEN))
		return false;
	p->payload = c.p;
	p->payload_len = (uint32_t)cur_left(&c);
	return true;
}

bool decode_packet_fast(const uint8_t *data, uint32_t caplen,
			uint32_t wirelen, struct pkt *p)
{
	struct cursor c = cur_make(data, caplen < wirelen ? caplen : wirelen);
	struct cursor h;
	uint16_t type, tot_len, frag;
	uint8_t vihl, proto;

	if (!cur_has(&c, ETHER_HDR_LEN + IPV4_HDR_LEN) ||
	    !cur_peek_be16(&c, 12, &type) || type != ETHERTYPE_IPV4 ||
	    !cur_peek(&c, 14, &vihl) || vihl != 0x45 ||
	    !cur_peek_be16(&c, 16, &tot_len) || tot_len < IPV4_HDR_LEN ||
	    !cur_peek_be16(&c, 20, &frag) ||
	    (frag & (IPV4_OFFMASK | IPV4_MF)) != 0 ||
	    !cur_peek(&c, 23, &proto) || (proto != L4_TCP && proto != L4_UDP))
		return false;
	memset(p, 0, sizeof(*p));
	p->wire_len = wirelen;
	p->cap_len = caplen;
	p->ipver = 4;
	p->addr_len = 4;
	p->l4 = proto;
	p->ip_len = tot_len;
	cur_skip(&c, ETHER_HDR_LEN);
	cur_limit(&c, tot_len);
	p->l3 = c.p;
	p->l3_len = (uint32_t)cur_left(&c);
	h = c;
	if (!cur_skip(&h, 12) || !cur_copy(&h, p->src, 4) ||
	    !cur_copy(&h, p->dst, 4))
		return false;
	return proto == L4_TCP ? fast_tcp(h, p) : fast_udp(h, p);
}

enum decode_status decode_packet(int dlt, const uint8_t *data,
				 uint32_t caplen, uint32_t wirelen,
				 struct pkt *out)
{
	if (dlt == DLT_EN10MB && decode_packet_fast(data, caplen, wirelen, out))
		return DECODE_OK;
	return decode_packet_general(dlt, data, caplen, wirelen, out);
}
