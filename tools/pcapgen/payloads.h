/* payloads.h: application messages for the capture generator, byte by byte.
 *
 * Every builder writes one message (or one record/PDU sequence) into the
 * caller's buffer `buf` of `cap` bytes and returns its length, or 0 when it
 * does not fit (buf is then unspecified).  Multi-byte fields are written in
 * the byte order of their protocol; the comment of each builder names the
 * specification it follows.  Nothing here reads a clock or the system
 * random source: "random" fields come from a pl_rng the caller seeds, so the
 * output is a function of the arguments.
 */
#ifndef LW_PAYLOADS_H
#define LW_PAYLOADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ randomness */

/* SplitMix64 (Steele, Lea, Flood 2014): a fixed-seed generator. */
struct pl_rng {
	uint64_t s;
};

void pl_rng_seed(struct pl_rng *r, uint64_t seed);
uint32_t pl_rng_u32(struct pl_rng *r);
void pl_rng_fill(struct pl_rng *r, uint8_t *p, size_t n);

/* An address as the generator keeps it: family 4 or 6, bytes in network
 * order (4 or 16 of them used). */
struct pl_addr {
	int family;
	uint8_t b[16];
};

/* ------------------------------------------------------------------ TLS */

/* TLS 1.2 ClientHello (RFC 5246 7.4.1.2) in one handshake record, with
 * server_name (RFC 6066 3), supported_groups and ec_point_formats (RFC
 * 8422), signature_algorithms, extended_master_secret (RFC 7627),
 * renegotiation_info (RFC 5746) and supported_versions (RFC 8446 4.2.1,
 * offering 1.2 only).  `sni` may be NULL (no server_name extension). */
size_t pl_tls_client_hello(uint8_t *buf, size_t cap, const char *sni,
			   struct pl_rng *rng);

/* TLS 1.2 ServerHello record (RFC 5246 7.4.1.3) choosing
 * TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, with renegotiation_info,
 * extended_master_secret and ec_point_formats.  No Certificate follows. */
size_t pl_tls_server_hello(uint8_t *buf, size_t cap, struct pl_rng *rng);

/* The client's second flight: ClientKeyExchange (RFC 8422 5.7, an
 * uncompressed P-256 point), ChangeCipherSpec, and an encrypted Finished
 * record (AES-GCM sized: 8-byte explicit nonce + 16 + 16-byte tag). */
size_t pl_tls_client_finish(uint8_t *buf, size_t cap, struct pl_rng *rng);

/* The server's ChangeCipherSpec and encrypted Finished records. */
size_t pl_tls_server_finish(uint8_t *buf, size_t cap, struct pl_rng *rng);

/* application_data records (RFC 5246 6.2.3.3) carrying `plain` bytes of
 * (unseen) cleartext as AES-GCM ciphertext: opaque bytes of the right
 * size; split into records of at most 16384 bytes of cleartext. */
size_t pl_tls_app_data(uint8_t *buf, size_t cap, size_t plain,
		       struct pl_rng *rng);

/* ------------------------------------------------------------------ SIP */

/* One SIP message (RFC 3261 7).  A request when `method` is set, else a
 * response with `status` and `reason`.  Content-Length is computed; a
 * Content-Type is written only with a body. */
struct pl_sip {
	const char *method;       /* "REGISTER", "INVITE", ... or NULL */
	const char *uri;          /* Request-URI */
	int status;               /* response: 200, 401, ... */
	const char *reason;       /* response: "OK", ... */
	const char *transport;    /* Via transport: "TCP", "TLS", "UDP" */
	const char *via_host;     /* sent-by of the topmost Via */
	uint16_t via_port;
	const char *branch;       /* Via branch, "z9hG4bK..." */
	const char *from;         /* From name-addr, e.g. "<sip:a@b>" */
	const char *from_tag;
	const char *to;           /* To name-addr */
	const char *to_tag;       /* NULL: no tag */
	const char *call_id;
	uint32_t cseq;
	const char *cseq_method;  /* NULL: the request's method */
	const char *contact;      /* NULL: none */
	const char *user_agent;   /* User-Agent (requests) or Server */
	const char *extra;        /* more header lines, each ending CRLF */
	const char *content_type; /* with body */
	const char *body;         /* NULL: no body */
};

size_t pl_sip_message(uint8_t *buf, size_t cap, const struct pl_sip *m);

/* An SDP offer/answer (RFC 4566, RFC 3264) for one audio stream: PCMU and
 * PCMA (RFC 3551), SIREN/16000 on dynamic type 111 as Lync offers it, and
 * telephone-event (RFC 4733).  Written as text into `buf`, NUL-terminated;
 * returns the length without the NUL, 0 when it does not fit. */
size_t pl_sdp_audio(char *buf, size_t cap, const struct pl_addr *conn,
		    uint16_t port, uint32_t sess_id);

/* ----------------------------------------------------------------- STUN */

/* Binding Request (RFC 5389 6, class request, method Binding) with
 * transaction id `txid`; with `ms_version`, an MS-VERSION attribute
 * (MS-TURN 2.2.2.16, type 0x8008) precedes the FINGERPRINT (15.5). */
size_t pl_stun_binding_request(uint8_t *buf, size_t cap,
			       const uint8_t txid[12], bool ms_version);

/* Binding Success Response with XOR-MAPPED-ADDRESS (RFC 5389 15.2) of
 * the requester's reflexive address and port, then FINGERPRINT. */
size_t pl_stun_binding_response(uint8_t *buf, size_t cap,
				const uint8_t txid[12],
				const struct pl_addr *mapped, uint16_t port);

/* ------------------------------------------------------------ RTP, RTCP */

/* One RTP packet (RFC 3550 5.1): version 2, no padding, no extension, no
 * CSRC; `payload_len` bytes of codec payload from `rng`. */
struct pl_rtp {
	uint8_t pt;               /* payload type, 0..127 */
	bool marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
};

size_t pl_rtp(uint8_t *buf, size_t cap, const struct pl_rtp *h,
	      size_t payload_len, struct pl_rng *rng);

/* A compound RTCP packet (RFC 3550 6.1): Sender Report (6.4.1) without
 * report blocks, then SDES (6.5) with one CNAME item. */
struct pl_rtcp_sr {
	uint32_t ssrc;
	uint32_t ntp_sec, ntp_frac; /* NTP timestamp (RFC 5905 format) */
	uint32_t rtp_ts;
	uint32_t packets, octets;   /* sender's counts so far */
	const char *cname;
};

size_t pl_rtcp_sr(uint8_t *buf, size_t cap, const struct pl_rtcp_sr *sr);

/* -------------------------------------------------------------- DCE/RPC */

/* Connection-oriented bind (C706 12.6.4.3, PDU type 11), version 5.0,
 * little-endian NDR data representation, one presentation context:
 * abstract syntax `uuid` (text form) version maj.min, transfer syntax NDR
 * 8a885d04-1ceb-11c9-9fe8-08002b104860 v2. */
size_t pl_dcerpc_bind(uint8_t *buf, size_t cap, uint32_t call_id,
		      const char *uuid, uint16_t ver_major, uint16_t ver_minor);

/* bind_ack (C706 12.6.4.4, PDU type 12) accepting that context, with the
 * secondary address `sec_addr` (the port as text, e.g. "135"). */
size_t pl_dcerpc_bind_ack(uint8_t *buf, size_t cap, uint32_t call_id,
			  uint32_t assoc_group, const char *sec_addr);

/* ------------------------------------------------------------------ SMB */

/* SMB2 NEGOTIATE request (MS-SMB2 2.2.3) offering dialects 2.0.2, 2.1,
 * 3.0 and 3.0.2, in a NetBIOS session message (RFC 1002 4.3.1). */
size_t pl_smb2_negotiate_request(uint8_t *buf, size_t cap,
				 struct pl_rng *rng);

/* SMB2 NEGOTIATE response (MS-SMB2 2.2.4) choosing 3.0.2, with a SPNEGO
 * negTokenInit (RFC 4178 4.2.1) listing Kerberos and NTLMSSP as its
 * security buffer.  `filetime`: the server's SystemTime (100 ns units
 * since 1601-01-01). */
size_t pl_smb2_negotiate_response(uint8_t *buf, size_t cap,
				  uint64_t filetime, struct pl_rng *rng);

/* ----------------------------------------------------------------- DHCP */

/* A DHCP message (RFC 2131 2, options RFC 2132).  Client messages
 * (DISCOVER, REQUEST, INFORM) carry option 60 "MS-UC-Client" and a
 * parameter request list with 43 and 120; server messages (OFFER, ACK)
 * carry the lease, option 120 (RFC 3361, the SIP server by name) and
 * option 43 with the MS-UC-Client sub-options that Lync's DHCPUtil
 * configures (1 identifier, 2 URL scheme, 3 web server FQDN, 4 port,
 * 5 certificate provisioning path). */
enum pl_dhcp_type {
	PL_DHCPDISCOVER = 1,
	PL_DHCPOFFER = 2,
	PL_DHCPREQUEST = 3,
	PL_DHCPACK = 5,
	PL_DHCPINFORM = 8,
};

struct pl_dhcp {
	enum pl_dhcp_type type;
	uint32_t xid;
	uint8_t chaddr[6];
	bool broadcast;              /* the BROADCAST flag */
	uint8_t ciaddr[4], yiaddr[4], siaddr[4];
	uint8_t requested[4];        /* option 50 when not 0.0.0.0 */
	uint8_t server_id[4];        /* option 54 when not 0.0.0.0 */
	const char *hostname;        /* option 12 (client), or NULL */
	/* server side */
	uint8_t netmask[4], router[4], dns[4];
	uint32_t lease_s;
	const char *domain;          /* option 15 */
	const char *sip_server;      /* option 120, an FQDN */
	const char *web_fqdn;        /* option 43 sub-option 3 */
};

size_t pl_dhcp(uint8_t *buf, size_t cap, const struct pl_dhcp *d);

/* ----------------------------------------------------------------- HTTP */

/* HTTP/1.1 GET (RFC 9112 3) with Host, User-Agent, Accept, Connection. */
size_t pl_http_get(uint8_t *buf, size_t cap, const char *host,
		   const char *path, const char *user_agent);

/* HTTP/1.1 response with Content-Type, Content-Length, Server and a fixed
 * Date (the capture's day), then `body`. */
size_t pl_http_response(uint8_t *buf, size_t cap, int status,
			const char *reason, const char *content_type,
			const char *body);

/* ---------------------------------------------------------- SQL Browser */

/* CLNT_UCAST_EX (MC-SQLR 2.2.3): the single byte 0x03. */
size_t pl_sqlbrowser_request(uint8_t *buf, size_t cap);

/* SVR_RESP (MC-SQLR 2.2.5): 0x05, RESP_SIZE (uint16 LE), RESP_DATA: one
 * "ServerName;..;InstanceName;..;IsClustered;No;Version;..;tcp;PORT;;"
 * record per instance. */
struct pl_sql_instance {
	const char *name;
	const char *version;
	uint16_t tcp_port;
};

size_t pl_sqlbrowser_response(uint8_t *buf, size_t cap, const char *server,
			      const struct pl_sql_instance *inst, int n);

/* ------------------------------------------------------------------ DNS */

/* A DNS query (RFC 1035 4.1) for one name, QTYPE A, AAAA or SRV, with RD;
 * the response adds one answer: A/AAAA with `addr`, SRV (RFC 2782) with
 * priority 0, weight 0, `srv_port` and `srv_target`. */
enum pl_dns_type { PL_DNS_A = 1, PL_DNS_AAAA = 28, PL_DNS_SRV = 33 };

struct pl_dns {
	uint16_t id;
	const char *name;
	enum pl_dns_type type;
	/* response only */
	struct pl_addr addr;
	uint16_t srv_port;
	const char *srv_target;
	uint32_t ttl;
};

size_t pl_dns_query(uint8_t *buf, size_t cap, const struct pl_dns *q);
size_t pl_dns_response(uint8_t *buf, size_t cap, const struct pl_dns *q);

/* ------------------------------------------------------------ SSH, RDP */

/* SSH identification string (RFC 4253 4.2): "SSH-2.0-<software>\r\n". */
size_t pl_ssh_banner(uint8_t *buf, size_t cap, const char *software);

/* SSH_MSG_KEXINIT (RFC 4253 7.1) in a binary packet (6) without MAC. */
size_t pl_ssh_kexinit(uint8_t *buf, size_t cap, struct pl_rng *rng);

/* RDP X.224 Connection Request with a mstshash cookie and RDP_NEG_REQ
 * (MS-RDPBCGR 2.2.1.1) in a TPKT (RFC 1006 6). */
size_t pl_rdp_connect_request(uint8_t *buf, size_t cap, const char *user);

/* X.224 Connection Confirm with RDP_NEG_RSP choosing CredSSP
 * (MS-RDPBCGR 2.2.1.2). */
size_t pl_rdp_connect_confirm(uint8_t *buf, size_t cap);

#endif
