/* deploy.h: the deploy scene's model, shared by deploy.c (the hosts,
 * the classes, the flow engine, the files) and deploy_msgs.c (what each
 * class's flows carry).  See deploy.c for the scene. */
#ifndef LW_PCAPGEN_DEPLOY_H
#define LW_PCAPGEN_DEPLOY_H

#include <stdio.h>

#include "build.h"

/* ---------------------------------------------------------------- hosts */

enum deploy_host {
	D_POOL, D_FE1, D_FE2, D_FE3, D_FE4, D_DIRVIP, D_DIR1, D_DIR2, D_MED1,
	D_MED2, D_EDGE, D_PCHAT, D_OWA, D_RP, D_GW1, D_GW2,
	/* not Lync servers: the inventory lists them as comments only */
	D_RTR, D_DNS, D_WEB1, D_WEB2, D_INET1, D_INET2, D_INET3, D_INET4,
	D_RDP, D_SQL, D_SSH, D_N
};

#define H_CLIENT 0xff       /* a client of 198.19.0.0/16 (per flow) */
#define H_PEER   0xfe       /* another client (peer-to-peer) */
#define KIND_TABLE 1024     /* flow number % this -> class */

/* ------------------------------------------------------------- classes */

/* What a flow carries. */
enum deploy_kind {
	K_TLS,          /* TLS: handshake + records, or mid-stream records */
	K_SIP,          /* cleartext SIP over TCP, requests both ways */
	K_SIP_OPTIONS,  /* cleartext OPTIONS and 200 over TCP */
	K_SIP_CLEAR,    /* cleartext REGISTER/401 on a TLS port */
	K_SIP_UDP,      /* OPTIONS over UDP, retransmitted, no answer */
	K_HTTP,         /* GET and 200 */
	K_HTTP_443,     /* cleartext GET /meet/ and 400 on a TLS port */
	K_STUN,         /* MS-TURN binding transactions */
	K_RTP_BARE,     /* RTP alone, one way */
	K_MEDIA_P2P,    /* ICE checks both ways, then RTP and RTCP */
	K_MEDIA_SRV,    /* ICE checks from the client, then RTP and RTCP */
	K_MEDIA_GW,     /* RTP and RTCP, either side first */
	K_DCERPC, K_SMB, K_SQLB, K_DHCP, K_DNS, K_RDP, K_SSH, K_TDS, K_OPAQUE
};

/* A server port and the row it is meant to match. */
struct deploy_port {
	uint16_t port;              /* 0: a port of lo..hi */
	const char *rule;           /* "-": no Lync row meant */
};

struct deploy_class {
	const char *name;
	uint16_t weight;            /* flows per 1000 */
	uint8_t kind;               /* enum deploy_kind */
	bool udp;
	uint8_t src[3], nsrc;       /* client side hosts, or H_CLIENT */
	uint8_t dst[4], ndst;       /* server side hosts, or H_PEER */
	struct deploy_port p[9];
	uint8_t np;
	uint16_t lo, hi;            /* media: the server's port range */
	const char *verdict, *flags;
	uint8_t tls;                /* K_TLS: application sizes (below) */
};

enum { TS_SIGNIN, TS_MTLS, TS_PSOM, TS_WEB };

/* --------------------------------------------------------------- flows */

struct dmsg {
	uint32_t off;
	uint16_t len;
	uint8_t dir;
};

#define DMSG_MAX SCRIPT_MAX

/* A flow in progress: its messages, then (media) its RTP. */
struct dflow {
	struct host cl, peer;        /* per-flow clients */
	struct tcp_conv t;           /* [C2S] the answer's client side */
	const struct deploy_class *c;
	uint8_t *buf;
	size_t cap;
	struct dmsg m[DMSG_MAX];
	uint8_t nm, mi;              /* messages, the next one */
	uint16_t off;                /* bytes of message mi already sent */
	uint8_t hs;                  /* handshake packets sent (TCP) */
	uint8_t fin;                 /* closing packets to send: 3 or 0 */
	bool ack_due;                /* the receiver acknowledges next */
	uint8_t ack_dir;
	struct pl_rtp rtp[2];
	uint16_t rtp_left, rtp_sent[2];
	uint16_t rtp_plen;
	uint8_t rtp_dir;             /* direction of the next RTP packet */
	uint32_t rtp_rate;           /* the payload type's RTP clock, Hz */
	uint32_t rtp_ts0[2];         /* a direction's first RTP timestamp */
	uint64_t rtp_t0[2];          /* and its time (out.ts_us) */
};

struct deploy {
	struct out o;
	struct host h[D_N];
	uint16_t eph[D_N];           /* next source port of a server */
	uint16_t rtp_port[D_N];      /* next media port of a gateway */
	uint32_t nphones;            /* DHCP flows so far */
	uint8_t class_of[KIND_TABLE];
	struct script s;
	struct dflow *slot;
	uint32_t nslot;
	uint64_t nflows, next_flow;
	uint64_t ntcp, nmid;         /* TCP flows, of them mid-stream */
	FILE *answers;
};

/* The class table spread over KIND_TABLE flow numbers by weight, in a
 * fixed-seed shuffle. */
/* The messages of flow f (number i, hashes g) into d->s; mid: a TCP flow
 * captured mid-stream. */
void deploy_msgs(struct deploy *d, const struct dflow *f, uint64_t i,
		 uint32_t g, bool mid);
/* The RTP of f's kind (none for kinds without media). */
void media_plan(struct deploy *d, struct dflow *f, uint32_t g);
/* The next media packet of f. */
void media_send(struct deploy *d, struct dflow *f);

#endif
