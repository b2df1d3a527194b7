/* wire.h: lyncwatch's own protocol checks on the first payloads of a flow.
 *
 * One small bounds-checked module per protocol family (tls.c, sip.c, ...,
 * in the manner of tcpdump's print-*.c) answers "is", "is not" or "cannot
 * tell yet" for each payload; the dispatcher (wire.c) runs every check of
 * the flow's L4 protocol on each payload until one says "is".  A check that
 * says "is not" is left out from then on; when all are left out the flow is
 * decided as WIRE_NONE.  Feeding ends undecided after WIRE_BUDGET payloads
 * of each side.  Nothing is allocated; every read goes through the cursor
 * helpers and stays inside the payload handed in.
 */
#ifndef LW_WIRE_H
#define LW_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Payloads examined per side before feeding ends undecided. */
#define WIRE_BUDGET 8

enum wire_proto {
	WIRE_NONE, WIRE_TLS, WIRE_SIP, WIRE_HTTP, WIRE_STUN,
	WIRE_RTP, WIRE_RTCP, WIRE_DCERPC, WIRE_SMB, WIRE_DHCP,
	WIRE_SSRP,	/* SQL Server Resolution Protocol (SQL Browser) */
	WIRE_TDS, WIRE_MSNFTP, WIRE_RDP, WIRE_SSH, WIRE_DNS, WIRE_N
};

/* What a result's `detail` says (formatted by wire_detail()); `arg` is the
 * argument named in each comment. */
enum wire_detail_code {
	WD_NONE = 0,
	/* why a flow is undecided, or decided as WIRE_NONE */
	WD_NO_PAYLOAD,          /* no payload fed */
	WD_TOO_SHORT,           /* every payload shorter than any header */
	WD_NO_MATCH,            /* arg: payloads examined */
	WD_MIDSTREAM,           /* TCP without handshake; arg: segments */
	WD_TLS_UNCONFIRMED,     /* TLS record headers, not two in line */
	WD_RTP_UNCONFIRMED,     /* RTP-looking, no consistent pair yet */
	WD_SIP_KEEPALIVE,       /* only RFC 5626 CRLF keep-alives */
	WD_ALL_EXCLUDED,        /* every check said "is not"; arg: payloads */
	/* TLS: arg = record or hello version (0x0303 ...) */
	WD_TLS_CLIENT_HELLO, WD_TLS_SERVER_HELLO, WD_TLS_SSL2_HELLO,
	WD_TLS_HELLO_NOEXT,     /* a whole ClientHello without extensions,
				 * as MS-TURN's pseudo-TLS over TCP 443 */
	WD_TLS_APPDATA_MID,     /* application data records, mid-stream */
	WD_TLS_RECORDS_MID,     /* other records in line, mid-stream */
	WD_TLS_RECORDS,         /* records in line from the stream start,
				 * no hello seen */
	/* SIP, HTTP: arg = method index (wire_method_name) or status code */
	WD_SIP_REQUEST, WD_SIP_STATUS, WD_HTTP_REQUEST, WD_HTTP_STATUS,
	/* STUN family: arg = message type (low 16 bits); bit 16: RFC 4571
	 * framing over TCP; bit 17: [MS-TURN] TCP framing */
	WD_STUN, WD_STUN_CLASSIC, WD_MSTURN,
	WD_TURN_CHANNELDATA,    /* arg: channel number */
	/* RTP: arg = SSRC */
	WD_RTP, WD_RTP_TCP,
	/* RTCP: arg = first packet type | packets in the compound << 8 */
	WD_RTCP, WD_SRTCP,
	/* DCE/RPC: arg = packet type */
	WD_DCERPC_CO, WD_DCERPC_CL,
	/* SMB: arg = command */
	WD_SMB1, WD_SMB2, WD_SMB3_TRANSFORM, WD_NBSS_REQUEST,
	/* DHCP: arg = DHCP message type (option 53), 0 if absent */
	WD_DHCP, WD_DHCP_MALFORMED,
	/* SQL Browser: arg = request type, or the response size */
	WD_SSRP_REQUEST, WD_SSRP_RESPONSE,
	/* TDS: arg = packet type of the first | second << 8 */
	WD_TDS_PRELOGIN, WD_TDS_LOGIN7, WD_TDS_PACKETS,
	WD_TDS_REQUEST,         /* SQL batch, RPC or transaction manager
				 * request with its ALL_HEADERS; arg: type */
	WD_MSNFTP,
	WD_RDP_CR, WD_RDP_CC, WD_RDP_DATA,
	WD_SSH_BANNER,          /* arg: 2 (SSH-2.0) or 199 (SSH-1.99) */
	WD_DNS_QUERY,           /* arg: query type */
	WD_DNS_RESPONSE,        /* arg: query type | rcode << 16 */
	WD_N
};

/* One direction's TLS record tracking. */
struct wire_tls_dir {
	uint16_t rem;           /* bytes of the current record still to come */
	uint8_t synced;         /* rem is known */
	uint8_t npart;          /* bytes of a split record header kept */
	uint8_t part[4];        /* those bytes */
};

/* One direction's RTP (and SRTCP) consistency. */
struct wire_rtp_dir {
	uint32_t ssrc;          /* SSRC of the last RTP packet */
	uint32_t rtcp_ssrc;     /* sender SSRC of the last RTCP packet */
	uint16_t seq;           /* its sequence number */
	uint8_t n;              /* consistent RTP packets in a row */
	uint8_t strikes;        /* SSRC changes and impossible jumps */
	uint8_t rtcp_n;         /* RTCP packets with the same sender SSRC */
	uint8_t pad[3];
};

/* Per-flow state; fixed size, no pointers. */
struct wire_state {
	uint8_t l4;             /* L4_TCP or L4_UDP */
	uint8_t from_start;     /* the TCP handshake was seen */
	uint8_t decided;
	uint8_t proto;          /* enum wire_proto, once decided */
	uint8_t detail;         /* enum wire_detail_code */
	int8_t client_side;
	uint8_t fed[2];         /* payloads examined per side */
	uint32_t arg;
	uint32_t excluded;      /* 1u << proto: checks that said "is not" */
	uint32_t next_seq[2];   /* TCP: the next expected sequence number */
	uint8_t seq_known;      /* bit s: next_seq[s] is set */
	uint8_t flags;          /* WF_* (wire.c) */
	uint16_t packets;       /* payloads examined */
	uint8_t tls_hits;       /* record headers found where predicted */
	uint8_t tls_seen;       /* record headers found at all */
	uint8_t tls_types;      /* bit (type - 20) of records in line */
	uint8_t tds_n;          /* well-formed TDS headers */
	uint8_t tds_types[2];   /* the first two TDS packet types */
	uint16_t chan;          /* TURN channel of the last ChannelData */
	uint8_t chan_n;         /* ChannelData messages on that channel */
	uint8_t rtp_other;      /* datagrams that were not RTP */
	uint8_t skipped;        /* payloads of a side past its budget */
	uint8_t pad;
	struct wire_tls_dir tls[2];
	struct wire_rtp_dir rtp[2];
};

/* l4: L4_TCP or L4_UDP (capture/pkt.h).  from_start: the TCP handshake
 * was seen, so each side's first payload starts its byte stream (false
 * for UDP and for TCP connections captured mid-stream). */
void wire_init(struct wire_state *w, uint8_t l4, bool from_start);

/* One payload (a TCP segment's or UDP datagram's captured bytes) sent by
 * side 0 (the flow key's endpoint a) or 1 (b).  Returns true once decided
 * or once the budget is spent: the caller may stop feeding.  Never reads
 * outside p[0..len). */
bool wire_feed(struct wire_state *w, int side, const uint8_t *p,
	       uint32_t len);

/* As wire_feed, for a TCP segment whose sequence number (host order) is
 * known: retransmitted bytes are skipped and a gap (a lost segment) makes
 * the record-tracking checks resynchronise instead of failing. */
bool wire_feed_seq(struct wire_state *w, int side, uint32_t seq,
		   const uint8_t *p, uint32_t len);

struct wire_result {
	uint8_t proto;          /* enum wire_proto confirmed, or WIRE_NONE */
	uint8_t decided;        /* a proto confirmed, or every check said no */
	int8_t client_side;     /* 0/1: the side the bytes say is the client;
				 * -1 unknown */
	uint8_t detail;         /* enum wire_detail_code */
	uint16_t packets;       /* payloads examined */
	uint32_t arg;           /* the detail's argument */
	uint32_t excluded;      /* 1u << proto: checks that said "is not" */
};

void wire_get(const struct wire_state *w, struct wire_result *out);

/* "tls", "sip", ...: stable lower case; "none" for WIRE_NONE. */
const char *wire_proto_name(enum wire_proto p);

/* The sentence fragment for a result, e.g. "SIP OPTIONS request" or "TLS
 * application data (mid-stream)"; always NUL-terminated when len > 0. */
void wire_detail(const struct wire_result *r, char *buf, size_t len);

/* What a TLS client's second flight shows of its certificate (RFC 5246
 * sections 7.4.4 and 7.4.6): a client that a server's CertificateRequest
 * asked for one answers with a Certificate message, the first of its
 * second flight (an empty list when it has none); a client not asked
 * starts that flight with ClientKeyExchange.  Only TLS 1.2 and earlier
 * show it: TLS 1.3 encrypts the flight, and an abbreviated (resumed)
 * handshake has none, both starting with ChangeCipherSpec. */
enum wire_client_cert {
	WCC_UNKNOWN = 0,   /* not watched, or the flight was never seen */
	WCC_WATCH,         /* the segment says nothing yet: keep watching */
	WCC_PRESENTED,     /* a Certificate message with a certificate */
	WCC_EMPTY,         /* a Certificate message with none: asked, none */
	WCC_NONE,          /* ClientKeyExchange first: not asked */
	WCC_HIDDEN,        /* ChangeCipherSpec first: resumed, or TLS 1.3 */
};

/* What one client payload p[0..len) of a TLS connection followed from its
 * handshake says: WCC_WATCH unless it starts with a record that answers
 * (reads the record header, the first handshake message's type and its
 * certificate list's length, nothing more). */
enum wire_client_cert wire_tls_client_flight(const uint8_t *p, uint32_t len);

/* "presented", "empty", "none", "hidden"; NULL for the other values. */
const char *wire_client_cert_name(enum wire_client_cert c);

/* A SIP/HTTP method's name from its index in a WD_*_REQUEST arg. */
const char *wire_method_name(uint32_t idx);

#endif
