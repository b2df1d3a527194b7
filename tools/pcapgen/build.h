/* build.h: the capture builder every pcapgen scene shares.
 *
 * A scene describes hosts and conversations; the builder turns them into
 * frames, layer by layer (link type, IPv4/IPv6 with correct checksums,
 * TCP/UDP), around the application messages of payloads.c, and writes
 * them to a pcap file.  Time starts at T0 and only moves forward by fixed
 * steps; the only randomness is the fixed-seed generator of struct out, so
 * two runs write identical bytes.  Every error is fatal (status 2, a
 * message naming the file; a partly written capture is removed).
 *
 * build.c:  hosts, frames and the capture writer;
 * conv.c:   scripts of messages, UDP exchanges and TCP conversations;
 * dialog.c: application dialogs (TLS, SIP, RTP/RTCP, STUN, DNS, HTTP,
 *           Windows services) as scripts or as packets on the wire.
 */
#ifndef LW_PCAPGEN_BUILD_H
#define LW_PCAPGEN_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "payloads.h"

#define T0_SEC 1767603600u  /* 2026-01-05T09:00:00Z */
#define FILETIME_T0 ((uint64_t)(T0_SEC + 11644473600u) * 10000000u)
#define MSS4 1460           /* TCP MSS over IPv4 and IPv6 (1500 MTU) */
#define MSS6 1440

#define C2S 0               /* direction: client to server */
#define S2C 1

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* ---------------------------------------------------------------- model */

struct host {
	const char *name;
	const char *roles;    /* inventory roles, or NULL: not a Lync host */
	struct pl_addr a;
	uint8_t mac[6];
	uint8_t ttl;          /* initial TTL / hop limit: 128 Windows, 64 */
};

/* A host as a scene's table lists it (see hosts_init). */
struct host_def {
	const char *name, *roles, *addr;
	uint32_t mac;
	uint8_t ttl;
};

struct ep {
	const struct host *h;
	uint16_t port;        /* host order */
};

/* One capture being written. */
struct out {
	const char *path;
	pcap_t *pd;
	pcap_dumper_t *dump;
	int dlt;
	uint16_t vlan[2];     /* 802.1Q ids, outermost first (Ethernet) */
	int nvlan;            /* 0, 1 (802.1Q) or 2 (QinQ: 802.1ad + 802.1Q) */
	bool v6ext;           /* IPv6: Hop-by-Hop, Dest. Options, Fragment */
	const struct host *local; /* SLL/SLL2: the capturing host (by MAC) */
	uint64_t ts_us;       /* time of the next packet, from T0 */
	uint32_t gap_us;      /* clock step after each packet (40 us) */
	uint16_t ip_id;
	uint32_t frag_id;
	unsigned npkts;
	bool remove_on_error;  /* a regular file this run created by name */
	struct pl_rng rng;
};

/* One L4 segment to put on the wire. */
struct seg {
	const struct ep *src, *dst;
	uint8_t proto;        /* 6 or 17 */
	uint8_t flags;        /* TCP flags */
	uint32_t seq, ack;
	uint16_t win;
	const uint8_t *opt;   /* TCP options, a multiple of 4 bytes */
	size_t optlen;
	const uint8_t *data;
	size_t len;
};

/* --------------------------------------------------- build.c: the basics */

__attribute__((noreturn, format(printf, 2, 3)))
void fatal(const char *path, const char *fmt, ...);

/* Fills h from text; MAC 02:00:<mac_id as 4 bytes>. */
void host_init(struct host *h, const char *name, const char *roles,
	       const char *addr, uint32_t mac_id, uint8_t ttl);
/* host_init for each of defs[0..n). */
void hosts_init(struct host *h, const struct host_def *defs, int n);
const char *host_addr_text(const struct host *h, char *buf, size_t n);

void put16(uint8_t *p, unsigned v);
void put32(uint8_t *p, uint32_t v);

/* Opens `path` for writing a capture of link type dlt; the generator's
 * PRNG starts from `seed`.  On a later fatal error the file is removed if
 * it is a regular file (never a device such as /dev/full, nor stdout). */
void out_open(struct out *o, const char *path, int dlt, uint64_t seed);
void out_close(struct out *o);
/* Moves the clock forward by us microseconds. */
void out_wait(struct out *o, uint64_t us);
/* Writes one packet at the current time, then advances the clock by
 * o->gap_us. */
void emit(struct out *o, const struct seg *s);
void udp_send(struct out *o, const struct ep *src, const struct ep *dst,
	      const uint8_t *data, size_t len);

/* A bijection of 0 .. 2^30-1 (xorshift-multiply, every step invertible
 * modulo 2^30), to spread flow numbers over addresses and ports. */
uint32_t mix30(uint32_t x);
/* The decimal argument s of `what`, within lo..hi, or a fatal error. */
uint64_t num_arg(const char *what, const char *s, uint64_t lo, uint64_t hi);

/* Writes an inventory file of hosts h[0..n): `header` (comment lines),
 * one `ADDRESS ROLES NAME` line per host with roles, then the hosts
 * without roles as comments. */
void write_inventory(const char *path, const char *header,
		     const struct host *h, int n);

/* ------------------------------------------------ conv.c: conversations */

/* Messages of one conversation, in order, with their bytes. */
#define SCRIPT_MAX 24
#define SCRIPT_BYTES 65536

struct msg {
	int dir;                           /* C2S or S2C */
	const uint8_t *data;
	size_t len;
};

struct script {
	struct msg m[SCRIPT_MAX];
	int n;
	size_t used;
	uint8_t data[SCRIPT_BYTES];
};

/* The free space of a script, as the (buf, cap) arguments of a builder;
 * ROOM_AT leaves `off` bytes in front (for a length prefix). */
#define ROOM(s) ((s)->data + (s)->used), (sizeof((s)->data) - (s)->used)
#define ROOM_AT(s, off) ((s)->data + (s)->used + (off)), \
	(sizeof((s)->data) - (s)->used - (off))

/* Appends the message a builder just wrote at ROOM(s); len 0 (it did not
 * fit) is fatal. */
void push(struct out *o, struct script *s, int dir, size_t len,
	  const char *what);
void script_reset(struct script *s);

/* Sends each message of the script as one datagram, the client's from c
 * to srv, with a short turn-around between them. */
void udp_exchange(struct out *o, const struct ep *c, const struct ep *srv,
		  const struct script *sc);

struct tcp_conv {
	struct ep ep[2];                   /* [C2S] client, [S2C] server */
	uint32_t next[2];                  /* next sequence number to send */
	size_t mss;
};

/* Sends one segment in direction dir with coherent seq/ack: ack is the
 * peer's next sequence number; SYN and FIN take one sequence number. */
void tcp_seg(struct out *o, struct tcp_conv *t, int dir, uint8_t flags,
	     const uint8_t *data, size_t len);
/* SYN, SYN-ACK, ACK with random initial sequence numbers. */
void tcp_open(struct out *o, struct tcp_conv *t, const struct ep *c,
	      const struct ep *srv);
/* Sends a message in MSS-sized segments, PSH on the last; a message of
 * several segments is acknowledged by the receiver. */
void tcp_send(struct out *o, struct tcp_conv *t, int dir,
	      const uint8_t *data, size_t len);
/* FIN/ACK from `first`, FIN/ACK back, last ACK. */
void tcp_close(struct out *o, struct tcp_conv *t, int first);
void tcp_play(struct out *o, struct tcp_conv *t, const struct script *sc);
/* A whole connection: handshake, the script, FIN/ACK both ways (the
 * client closes). */
void tcp_conversation(struct out *o, const struct ep *c,
		      const struct ep *srv, const struct script *sc);
/* The script as a TCP conversation, or as UDP datagrams when udp. */
void conversation(struct out *o, bool udp, const struct ep *c,
		  const struct ep *srv, const struct script *sc);

/* ------------------------------------------- dialog.c: application data */

/* Application-data sizes of typical Lync TLS connections (cleartext
 * bytes, alternating client, server). */
extern const size_t tls_signin[6], tls_psom[4], tls_web[2], tls_mtls[2];
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ClientHello (with `sni`, or none when NULL) and ServerHello. */
void script_tls_hellos(struct out *o, struct script *s, const char *sni);
/* application_data records of the given cleartext sizes, alternating
 * client, server. */
void script_tls_app(struct out *o, struct script *s, const size_t *app,
		    int napp);
/* The hellos, both Finished flights, then script_tls_app. */
void script_tls(struct out *o, struct script *s, const char *sni,
		const size_t *app, int napp);
/* A whole TCP connection carrying script_tls. */
void tls_flow(struct out *o, const struct ep *c, const struct ep *srv,
	      const char *sni, const size_t *app, int napp);
#define TLS_FLOW(o, c, s, sni, app) tls_flow(o, c, s, sni, app, NELEM(app))

/* SIP request and its responses over one transport. */
struct sip_call {
	const char *transport;       /* "TCP" or "UDP" */
	const struct ep *c, *s;      /* UAC and UAS */
	const char *from, *to, *call_id, *branch, *uri;
	const char *ua, *server;     /* User-Agent of the UAC, Server of the UAS */
	const char *contact;         /* Contact of requests, or NULL */
};

/* One message of the SIP transaction k: a request when `method` is set,
 * else a response with `status`; `cseq_method` is the method of the
 * transaction (the request's own for a request).  Responses other than
 * 100 and the ACK of a 2xx carry the UAS's To tag. */
size_t sip_build(uint8_t *buf, size_t cap, const struct sip_call *k,
		 const char *method, int status, const char *reason,
		 const char *cseq_method, const char *body, const char *extra);
/* A lone request of its own transaction (no response follows). */
void script_sip_request(struct out *o, struct script *s,
			const struct sip_call *k, const char *method);
/* OPTIONS and its 200 OK. */
void script_sip_options(struct out *o, struct script *s,
			const struct sip_call *k);
/* REGISTER and its 200 OK (RFC 3261 10). */
void script_sip_register(struct out *o, struct script *s,
			 const struct sip_call *k);
/* INVITE with an SDP offer (RTP on c_rtp), 100 Trying, 200 OK with the
 * answer (s_rtp), ACK. */
void script_sip_invite(struct out *o, struct script *s,
		       const struct sip_call *k, uint16_t c_rtp,
		       uint16_t s_rtp);

/* One RTP stream's state. */
struct rtp_stream {
	const struct ep *src, *dst;
	struct pl_rtp h;
	size_t plen;                       /* payload bytes per packet */
	uint32_t step;                     /* timestamp units per packet */
	uint32_t sent;
};

/* An RTCP compound SR of stream st, from and to the RTCP ports (+1). */
void rtcp_send(struct out *o, const struct rtp_stream *st);
/* The next RTP packet of st (marker only on the first). */
void rtp_send(struct out *o, struct rtp_stream *st);
/* Bidirectional RTP between a and b: n packets each way, 20 ms apart
 * (PCMU for pt 0, else 16 kHz SIREN-sized), with an RTCP compound SR
 * from each side (on port + 1) after the first and the last packets. */
void rtp_call(struct out *o, const struct ep *a, const struct ep *b,
	      uint8_t pt, int n);

/* STUN binding transactions per STUN flow.  nDPI 4.2 reports STUN after
 * three messages it accepts, and it accepts requests only (its message-type
 * test rejects 0x0101, the success response), so three requests. */
#define STUN_CHECKS 3

/* STUN_CHECKS binding transactions (request, success response mapping
 * `mapped`:`port`), as an ICE agent re-checks; `ms`: with MS-VERSION;
 * `tcp`: each message framed as RFC 4571 (RFC 6544 3). */
void script_stun(struct out *o, struct script *s, bool ms, bool tcp,
		 const struct pl_addr *mapped, uint16_t port);
/* script_stun over UDP from c to srv; the response maps the client's own
 * address (no NAT inside). */
void stun_binding(struct out *o, const struct ep *c, const struct ep *srv,
		  bool ms);

/* RFC 4571 framing: the message was built at ROOM_AT(s, 2); writes its
 * 16-bit length at `start`.  Returns the framed length, 0 when the message
 * did not fit. */
size_t rfc4571(uint8_t *start, size_t n);
/* n random bytes: neither TLS nor anything else. */
size_t opaque(uint8_t *buf, size_t cap, size_t n, struct pl_rng *rng);

/* An HTTP/1.1 GET and its response. */
struct http_x {
	const char *host, *path, *ua;
	int status;
	const char *reason, *ctype, *body;
};

#define UA_BROWSER "Mozilla/5.0 (Windows NT 6.3; Win64; x64)"

void script_http(struct out *o, struct script *s, const struct http_x *x);
/* A browser's GET /meet/ in cleartext to `host` and the 400 IIS gives
 * on a TLS port. */
void script_http_meet(struct out *o, struct script *s, const char *host);
/* A DNS query and its answer. */
void script_dns(struct out *o, struct script *s, const struct pl_dns *q);
/* DCE/RPC bind of `uuid` ver_major.ver_minor and its bind_ack (secondary
 * address "135"). */
void script_dcerpc(struct out *o, struct script *s, uint32_t call_id,
		   const char *uuid, uint16_t ver_major, uint16_t ver_minor,
		   uint32_t assoc_group);
/* SMB2 NEGOTIATE and its response (server time `filetime`). */
void script_smb2(struct out *o, struct script *s, uint64_t filetime);
/* SQL Browser CLNT_UCAST_EX and SVR_RESP listing inst[0..n). */
void script_sqlbrowser(struct out *o, struct script *s, const char *server,
		       const struct pl_sql_instance *inst, int n);
/* SSH: the server's banner, the client's, KEXINIT both ways. */
void script_ssh(struct out *o, struct script *s, const char *server_sw,
		const char *client_sw);
/* RDP X.224 Connection Request and Confirm. */
void script_rdp(struct out *o, struct script *s, const char *user);

#endif
