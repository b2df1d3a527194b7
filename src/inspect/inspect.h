/* inspect.h: what nDPI says of a flow.  inspect.c is the only file that
 * includes nDPI; nothing here exposes an nDPI type.
 *
 * Life of a flow under inspection: its first packet with a payload
 * allocates one state (f->insp); every packet with a payload is fed to
 * nDPI until nDPI has decided (application confirmed by DPI and no extra
 * dissection pending) or the packet budget is spent; then the result is
 * stored in the flow's app* fields, the state is freed and f->insp_done is
 * set.  A flow that ends while under inspection is finished by
 * inspect_flow_end().  Packets without payload (SYN floods, bare ACKs)
 * never allocate and are never fed.
 *
 * One inspector per thread: nDPI's module is not thread safe.  Every
 * function below but inspect_new() accepts a NULL inspector (--no-dpi):
 * packets are then ignored, flows read as never inspected, the counters
 * as zero.
 */
#ifndef LW_INSPECT_H
#define LW_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow/flow.h"
#include "capture/pkt.h"

/* Packets with payload fed to nDPI per flow, at most. */
#define INSPECT_DEFAULT_BUDGET 24
#define INSPECT_MAX_BUDGET 65535
/* Of them, packets fed after nDPI has confirmed the app, for the metadata
 * it still extracts (TLS: the server's hello and certificate). */
#define INSPECT_DEFAULT_EXTRA 4
/* Flows in that metadata phase at once, at most. */
#define INSPECT_DEFAULT_MAX_EXTRA 32768
/* States alive at once by default (--max-inspect), per capture thread.
 * A state costs about 700 bytes, plus what nDPI buffers: the worst is a
 * flow that stops inside a TLS record nDPI reassembles (bench/ndpimem.sh,
 * heap bytes counted through set_ndpi_malloc): 16 KB in 11 segments of
 * 1400 bytes: 16.1 KB a flow; a 64 KB record in 23 such segments (one
 * short of the default --dpi-packets): 32.1 KB; in 7 jumbo segments of
 * 9000 bytes: 63.7 KB.  At this cap: 132 MB, 264 MB and 522 MB at most,
 * plus the module's 4.9 MB, whatever --max-flows is.  Without a cap the
 * first case took 0.97 GB for 60,000 flows. */
#define INSPECT_DEFAULT_MAX_STATES 8192

/* Room for the names inspect_view() writes (app_proto, app_master, guess,
 * host, TLS version, JA3s). */
#define INSPECT_VIEW_BUFLEN 384

struct inspector;

/* One nDPI module with every dissector enabled, and the counters.
 * budget_pkts: packets with payload fed per flow, 1..INSPECT_MAX_BUDGET.
 * Returns NULL on a bad budget or when nDPI cannot be initialised. */
struct inspector *inspect_new(unsigned budget_pkts);

/* After nDPI confirmed the app: payload packets still fed for metadata, at
 * most (default INSPECT_DEFAULT_EXTRA; 0: the state is freed at the
 * confirmation), and flows in that phase at once, at most (default
 * INSPECT_DEFAULT_MAX_EXTRA); a flow confirmed at that cap skips the phase
 * and is counted in extra_cut. */
void inspect_set_extra(struct inspector *in, unsigned extra_pkts,
		       uint64_t max_flows);

/* Caps the states alive at once (0: no cap; default
 * INSPECT_DEFAULT_MAX_STATES).  At the cap, a
 * flow's first payload packet allocates nothing and is counted in
 * `limited`; the flow is tried again at its next payload packet. */
void inspect_set_max_states(struct inspector *in, uint64_t max_states);

/* Frees the module.  Flows still holding a state must have been finished
 * with inspect_flow_end() first (their states are not tracked here). */
void inspect_free(struct inspector *in);

/* Feeds one packet of flow f to nDPI (dir, a DIR_*, is informational:
 * nDPI 4.2 orders the endpoints itself).  No-op when f->insp_done, when p
 * has no payload, or when the datagram was captured short (nDPI rejects a
 * datagram shorter than its IP length).  Allocates f->insp at the first
 * fed packet; on allocation failure the packet is skipped and counted.
 * Finishes the flow (see above) once decided or at the budget. */
void inspect_packet(struct inspector *in, struct flow *f, const struct pkt *p,
		    int dir);

/* Frees what inspection left in f (the names inspect_view copies out),
 * once its last record is written. */
void inspect_release(struct flow *f);

/* Never inspects f (which has no state yet): marks it FLOW_F_NO_DPI, so
 * its view stays empty (SEEN_NONE, no app_proto), and counts it. */
void inspect_skip(struct inspector *in, struct flow *f);

/* Call when f leaves the flow table: if f is under inspection, asks nDPI
 * for its final answer (giveup, with port guessing), stores it and frees
 * the state.  Otherwise a no-op.  Safe to call twice. */
void inspect_flow_end(struct inspector *in, struct flow *f);

/* lyncwatch's own wire checks have named f's application: nDPI is not fed
 * f any more (its answer so far is taken, as at the flow's end), unless
 * `metadata` says it still reads what only it extracts (a TLS handshake's
 * server name and JA3, an HTTP host).  Counted in wire_done.  A flow not
 * fed yet is never fed (FLOW_F_NO_DPI).  No-op for metadata, or when f's
 * inspection is over. */
void inspect_enough(struct inspector *in, struct flow *f, bool metadata);

/* The class of application nDPI confirmed by deep packet inspection.
 * Guesses (by port, by IP) are never a class: they read SEEN_UNKNOWN. */
enum seen_app {
	SEEN_NONE,        /* never inspected (no payload seen, or --no-dpi) */
	SEEN_UNKNOWN,     /* inspected, nDPI confirmed nothing */
	SEEN_TLS,         /* TLS, and apps nDPI names inside TLS (by SNI) */
	SEEN_HTTP,        /* cleartext HTTP, and apps named inside it */
	SEEN_SIP,         /* cleartext SIP */
	SEEN_STUN,        /* STUN/TURN (nDPI 4.2: UDP only) */
	SEEN_MEDIA,       /* RTP, RTCP, DTLS, SkypeCall (MS STUN media) */
	SEEN_DCERPC,
	SEEN_SMB,         /* SMBv1, SMBv2/3 */
	SEEN_DHCP,        /* DHCP, DHCPv6 */
	SEEN_SQL,         /* Microsoft SQL Server TDS */
	SEEN_OTHER_CLEAR, /* another protocol readable on the wire: DNS, FTP,
			   * Telnet, SMTP, POP, IMAP, LDAP, SNMP, ... */
	SEEN_OTHER,       /* another confirmed protocol (SSH, RDP, ...) */
};

/* Stable lower-case name of a class ("none", "unknown", "tls", ...). */
const char *inspect_seen_name(enum seen_app s);

/* Bounds of the certificate facts kept per TLS flow (bytes, NUL
 * included); a longer text is cut (the names at a name's boundary). */
#define INSPECT_TLS_DN_LEN 160     /* subject, issuer */
#define INSPECT_TLS_NAMES_LEN 256  /* subject alternative names */
#define INSPECT_TLS_ALPN_LEN 64

/* What nDPI 4.2 read of a TLS handshake's server side: its hello and its
 * (first) certificate.  nDPI does not read a certificate the client
 * presents, nor one a TLS 1.3 server sends (encrypted). */
struct inspect_tls {
	uint16_t version;            /* the server's, e.g. 0x0303; 0: unknown */
	uint16_t cipher;             /* the suite the server chose; 0: unknown */
	uint8_t weak_cipher;         /* nDPI's rating: 0 safe, 1 weak, 2 insecure */
	bool cert;                   /* a certificate was read: the fields
				      * below are set */
	uint8_t sha1[20];            /* SHA-1 of the certificate's DER */
	int64_t not_before, not_after; /* validity, s since the epoch (UTC) */
	char subject[INSPECT_TLS_DN_LEN]; /* nDPI's "C=.., O=.., CN=.." */
	char issuer[INSPECT_TLS_DN_LEN];
	char names[INSPECT_TLS_NAMES_LEN]; /* dNSNames, comma-separated */
	char alpn[INSPECT_TLS_ALPN_LEN];   /* the client's ALPN list, ditto */
};

/* nDPI's name of a TLS version (0x0303: "TLSv1.2") into buf, or NULL. */
const char *inspect_tls_version_name(uint16_t version, char *buf, size_t len);

/* nDPI's name of a cipher suite ("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
 * or NULL when it has none. */
const char *inspect_tls_cipher_name(uint16_t cipher);

/* What nDPI said of a flow, for output and audit. */
struct inspect_view {
	const char *app_proto;  /* nDPI's name, lower case, "master.app" when
				 * nDPI gives both ("tls.microsoft365",
				 * "stun.skypecall"); "failed" when inspected
				 * and nothing was confirmed by DPI; NULL when
				 * never inspected */
	const char *app_master; /* master protocol, lower case, or NULL */
	const char *guess;      /* nDPI's unconfirmed label (by port or IP),
				 * lower case, or NULL; never in app_proto */
	enum seen_app seen;
	bool not_fed;           /* never inspected on purpose: its answer
				 * could not change the audit, or the own
				 * checks read mid-stream TLS (FLOW_F_NO_DPI) */
	bool confirmed;         /* nDPI's confidence was DPI ("DPI (cache)",
				 * a correlation with other flows, is not) */
	const char *confidence; /* ndpi_confidence_get_name(), e.g. "DPI",
				 * "Match by port"; NULL when never inspected */
	uint64_t risks;         /* nDPI risk bits (bit n = risk n), as stored
				 * in f->app_risk */
	/* What nDPI read in the payload, each NULL when it found none: */
	const char *host;       /* SNI, HTTP Host, DNS query name, ... */
	const char *tls_version;/* "TLSv1.2", ... */
	const char *ja3, *ja3s; /* JA3 of the client's and server's hello */
	bool tls;               /* a TLS server hello or certificate was read:
				 * tls_facts is set (a copy) */
	struct inspect_tls tls_facts;
};

/* Fills *out from f's stored result.  Names are written into buf
 * (INSPECT_VIEW_BUFLEN bytes suffice; a name that does not fit reads
 * NULL).  Call after inspect_flow_end(): a flow still under inspection
 * reads as never inspected.  nDPI's names of the (app, master) pairs come
 * from a memo in `in` (32 slots), filled here. */
void inspect_view(struct inspector *in, const struct flow *f,
		  struct inspect_view *out, char *buf, size_t buflen);

/* nDPI's name of risk bit `bit` (e.g. 5: "Known Protocol on Non Standard
 * Port"), or NULL when no risk has that bit.  To list a flow's risks:
 * for (bit = 0; bit < 64; bit++) if (risks >> bit & 1) name(bit).
 * Risks are recorded, never turned into verdicts: nDPI 4.2 flags TLS on
 * Lync's TLS ports (anything but 443) as a known protocol on a
 * non-standard port. */
const char *inspect_risk_name(unsigned bit);

/* The counters of struct inspect_stats that add up over several
 * inspectors (workers): the one list that declares and sums them. */
#define INSPECT_STATS_SUMS(X) \
	X(flows_inspected) /* states allocated */ \
	X(decided)         /* finished because nDPI had decided */ \
	X(gave_up)         /* finished at the budget or at flow end */ \
	X(confirmed)       /* finished with an app confirmed by DPI */ \
	X(failed)          /* finished without one ("failed") */ \
	X(pkts_fed)        /* packets given to nDPI */ \
	X(short_skipped)   /* payload packets not fed: captured short */ \
	X(nomem)           /* state allocations that failed */ \
	X(limited)         /* allocations refused at max_states */ \
	X(extra_cut)       /* confirmed flows denied the metadata phase */ \
	X(skipped)         /* flows not inspected (inspect_skip) */ \
	X(wire_done)       /* flows no longer fed: the own checks decided */ \
	X(extra_live)      /* flows in the metadata phase now */ \
	X(live_states)     /* states allocated now */ \
	X(peak_states)     /* most states at once (summed: an upper bound) */ \
	X(mem_bytes)       /* heap held by nDPI (its allocations through \
			      set_ndpi_malloc, reassembly buffers included) \
			      and by the states, now */ \
	X(mem_peak)        /* ... at the peak (summed: an upper bound) */ \
	X(mem_module)      /* ... once the module was initialised */

#define INSPECT_STATS_DECLARE(name) uint64_t name;

struct inspect_stats {
	INSPECT_STATS_SUMS(INSPECT_STATS_DECLARE)
	uint64_t state_bytes;     /* size of one state, bytes (not summed) */
};

void inspect_get_stats(const struct inspector *in, struct inspect_stats *out);

/* The states live now, and the most live at once since the previous call
 * (offline engines' peaks add up exactly: filework.c); 0 and 0 when in is
 * NULL.  Called per packet: reads two counters, copies no stats. */
void inspect_span(struct inspector *in, uint64_t *live, uint64_t *top);

#endif
