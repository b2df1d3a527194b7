/* flow.h: the bidirectional flow record and the flow table.
 *
 * A flow is keyed by (addresses, ports, L4 protocol, VLAN ids) in canonical
 * order: endpoint A is the smaller (address, port) pair, so both directions
 * of a conversation find the same flow.  The table is a seeded hash with
 * chaining, bounded by max_flows; when full, the least recently seen flow is
 * evicted.  Idle timeouts are driven by packet time, so a replay of a
 * capture ends flows at the same points and produces identical output.
 * Flows sit on one least-recently-seen list per L4 protocol, so expiry and
 * eviction take from the oldest end and never scan the table.
 */
#ifndef LW_FLOW_H
#define LW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/pkt.h"

enum flow_state { FLOW_NEW, FLOW_ESTABLISHED, FLOW_CLOSED };

/* Why a flow record was written (EVE's flow.reason plus "evicted"). */
enum flow_end {
	END_TIMEOUT,   /* idle timeout, or a closed TCP flow's linger ended */
	END_FORCED,    /* active timeout: a long flow reported periodically */
	END_SHUTDOWN,  /* still open at the end of input */
	END_EVICTED,   /* pushed out by max_flows */
};

/* How the server side was decided (JSON lync.server_side_by): the lower
 * port, or a system port; the first sender of a UDP flow is the client; a
 * host seen serving a Lync-specific port; the inventory; a documented
 * port; the bytes (a ClientHello, a request line, a STUN request and its
 * response); a TCP handshake. */
enum side_by { SIDE_PORT, SIDE_FIRST, SIDE_RULE, SIDE_INVENTORY, SIDE_WIRE,
	       SIDE_HANDSHAKE, SIDE_HOST };

struct flow_key {
	uint8_t a[16], b[16];   /* addresses, network order; a <= b by (addr, port) */
	uint16_t pa, pb;        /* ports, host order */
	uint16_t vlan[2];       /* outer, inner; 0 when absent */
	uint8_t l4;             /* L4_TCP or L4_UDP */
	uint8_t ipver;          /* 4 or 6 */
};

/* Direction of a packet relative to the key. */
#define DIR_AB 0 /* from a to b */
#define DIR_BA 1

struct inspect_state;
struct inspect_meta;
struct wire_state;
struct media_flow;

struct flow {
	struct flow_key key;
	uint32_t hash;                  /* the key's hash (low bits pick the
					 * chain): hashed once per packet,
					 * never again (in the key's tail
					 * padding) */
	struct flow *hnext;             /* hash chain */
	struct flow *lprev, *lnext;     /* least-recently-seen list */
	uint64_t id;                    /* from 1, unique per run (cfg.ids) */
	uint64_t first_us, last_us;     /* packet times */
	uint64_t bytes[2];              /* wire bytes per direction (DIR_*) */
	uint32_t pkts[2];               /* packets per direction (DIR_*) */
	uint8_t nvlan;
	uint8_t state;                  /* enum flow_state */
	uint8_t tcp_seen[2];            /* TCP flags seen per direction */
	uint8_t server_dir;             /* DIR_AB: b is the server; DIR_BA: a is */
	uint8_t side_by;                /* enum side_by */
	uint8_t verdict;                /* set by the audit stage */
	uint8_t flags;                  /* FLOW_F_* marks of later stages */
	struct inspect_state *insp;     /* nDPI state while under inspection */
	struct inspect_meta *meta;      /* what nDPI named (host, TLS), or NULL */
	uint16_t app, app_master;       /* nDPI protocol ids (0: unknown) */
	uint8_t app_confidence;
	uint8_t insp_done;
	uint64_t app_risk;              /* nDPI risk bits: bit n = risk n */
	/* What lyncwatch's own wire checks (inspect/wire) said; the state
	 * lives only while they are fed: */
	struct wire_state *wire;
	uint32_t wire_arg;              /* their result (inspect/wireflow.h) */
	uint32_t wire_excluded;
	uint16_t wire_pkts;
	uint8_t wire_proto, wire_detail;
	int8_t wire_client;
	uint8_t wire_done;
	uint8_t tls_cc;                 /* TLS client certificate: the state
					 * (low 3 bits) and client payloads
					 * watched (inspect/wireflow.c) */
	uint64_t report_us;             /* packet time of the last forced report */
	struct media_flow *media;       /* RTP/RTCP measurement (inspect/media.h) */
};

#define FLOW_F_ALERTED 0x01 /* a violation of this flow was announced */
#define FLOW_F_NO_DPI  0x02 /* not inspected: nDPI cannot change its audit
			     * or read it (mid-stream TLS) */

struct flow_table_cfg {
	uint32_t max_flows;      /* > 0 */
	uint32_t tcp_idle_s;     /* idle timeout of an open TCP flow */
	uint32_t tcp_closed_s;   /* linger of a TCP flow after FIN/FIN or RST */
	uint32_t udp_idle_s;     /* idle timeout of a UDP flow */
	uint64_t seed;           /* hash seed */
	/* Shared source of flow ids (tables of several workers), or NULL: the
	 * table numbers its flows itself from 1.  Either way ids grow with
	 * creation within one table. */
	_Atomic uint64_t *ids;
};

/* Called for every flow as it leaves the table, before it is freed. */
typedef void (*flow_end_fn)(struct flow *f, enum flow_end why, void *ctx);

struct flow_table_stats {
	uint64_t created, ended, evicted, active, peak_active;
};

struct flow_table;

/* Returns NULL when out of memory. */
struct flow_table *flow_table_new(const struct flow_table_cfg *cfg,
				  flow_end_fn on_end, void *ctx);
void flow_table_free(struct flow_table *t); /* ends nothing; frees all */

/*
 * Finds or creates the flow of p (which decoded DECODE_OK), updates its
 * counters, times and TCP state, and moves it to the fresh end of its list.
 * *dir is set to the packet's DIR_*; *created is true for a new flow.  A
 * SYN on a closed flow ends the old flow first.  Returns NULL only when
 * out of memory.
 */
struct flow *flow_table_update(struct flow_table *t, const struct pkt *p,
			       int *dir, bool *created);

/* Look-ahead for a batch of packets (p decoded DECODE_OK): the hash of
 * p's flow, its chain head fetched toward the cache (or, for a hash
 * known already, flow_table_prefetch_chain).  A packet or two
 * later flow_table_prefetch(t, hash) fetches the chain's first flow and,
 * once that has arrived, its list neighbours and the first line of the
 * state of later stages it points to; flow_table_update_hashed()
 * then finds them there.  Hints only: nothing observable changes. */
uint32_t flow_table_hash(const struct flow_table *t, const struct pkt *p);
void flow_table_prefetch_chain(const struct flow_table *t, uint32_t hash);
void flow_table_prefetch(const struct flow_table *t, uint32_t hash);
void flow_table_prefetch_near(const struct flow_table *t, uint32_t hash);

/* The first flow of hash's chain with that hash, or NULL: most likely the
 * flow of the packet hashed (a hint for look-ahead; keys not compared). */
const struct flow *flow_table_peek(const struct flow_table *t, uint32_t hash);

/* flow_table_update with p's hash from flow_table_hash (same table). */
struct flow *flow_table_update_hashed(struct flow_table *t,
				      const struct pkt *p, uint32_t hash,
				      int *dir, bool *created);

/* The id the next flow created gets (then id + 1, ...); with cfg.ids set
 * this has no effect.  Offline, the run's packet number of the flow's
 * first packet: the same however flows are split among engines. */
void flow_table_next_id(struct flow_table *t, uint64_t id);

/* A hash of p's canonical key (p decoded DECODE_OK), the same for both
 * directions of a flow.  Its low 32 bits are flow_table_hash()'s in a
 * table of that seed; offline engines are chosen by the high 32. */
uint64_t flow_pkt_hash(const struct pkt *p, uint64_t seed);

/* Ends every flow idle past its timeout at packet time now_us. */
void flow_table_expire(struct flow_table *t, uint64_t now_us);

/* Ends every flow still in the table, oldest first, with `why`. */
void flow_table_flush(struct flow_table *t, enum flow_end why);

void flow_table_get_stats(const struct flow_table *t,
			  struct flow_table_stats *out);

const char *flow_end_name(enum flow_end why);
const char *flow_state_name(enum flow_state st);
const char *side_by_name(enum side_by by);

/* Server and client endpoint of a flow, from key and server_dir. */
static inline const uint8_t *flow_server_addr(const struct flow *f)
{
	return f->server_dir == DIR_AB ? f->key.b : f->key.a;
}
static inline const uint8_t *flow_client_addr(const struct flow *f)
{
	return f->server_dir == DIR_AB ? f->key.a : f->key.b;
}
static inline uint16_t flow_server_port(const struct flow *f)
{
	return f->server_dir == DIR_AB ? f->key.pb : f->key.pa;
}
static inline uint16_t flow_client_port(const struct flow *f)
{
	return f->server_dir == DIR_AB ? f->key.pa : f->key.pb;
}
/* Packets/bytes toward the server: the direction client -> server. */
static inline int flow_toserver_dir(const struct flow *f)
{
	return f->server_dir == DIR_AB ? DIR_AB : DIR_BA;
}

#endif
