/* classify.h: which side of a flow is the server, and which rules label it.
 *
 * Server side, strongest evidence first: a TCP handshake (the SYN's target,
 * the SYN-ACK's sender); the bytes (classify_wire_side: the sender of a TLS
 * ClientHello, of a request line, of a STUN request); the port that the
 * rules document better (a server's own UDP to a DNS server's 53 is the DNS
 * server's); an inventory server (when exactly one endpoint is a Lync
 * server of the inventory); a host seen serving a Lync-specific port
 * (hosts.h; when exactly one endpoint is); for UDP between undocumented
 * ports, the receiver of the first packet (its sender is the client:
 * peer-to-peer media between clients); the lower port.  The rule evidence
 * for one endpoint port ranks, from strongest:
 *   an exact port of a server or load-balancer row,
 *   an exact port of a client row,
 *   an exact port of a row of the other L4 protocol (SIP over UDP to
 *   a port documented for TCP),
 *   a system port (below 1024),
 * and nothing: ranges and fallback rows are no evidence (a client's
 * ephemeral port inside a server media range must not make it a server).
 * Ties go to the lower port, except between two UDP ports that are no
 * evidence at all: there the first sender is the client.
 *
 * Labels: the rules covering the server port and L4 protocol, exact rows
 * before range rows, in rule-file order (a range row of the server or
 * load-balancer tables only for a server known to the inventory or seen
 * serving a product-specific port: a peer-to-peer media flow between two
 * clients whose port happens to fall in a server media range is no server
 * traffic); fallback rows only when no other
 * row covers the port, and not on a port that a row documents for the other
 * L4 protocol (with strict_fallback, only for a server the inventory knows,
 * which narrowing then requires to be a client); placeholder rows never.  When the inventory knows
 * the server, rows are narrowed to its roles: a row stays when the host
 * holds its role, or when it is a non-fallback client-table row (those name
 * the clients that use the port, not the server).  When narrowing leaves
 * nothing, the flow is a role mismatch and keeps the unnarrowed labels.
 */
#ifndef LW_CLASSIFY_H
#define LW_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow.h"
#include "classify/hosts.h"
#include "classify/inventory.h"
#include "capture/pkt.h"
#include "classify/portmatch.h"
#include "classify/rules.h"

#define CLASSIFY_MAX_LABELS 64

/* A direct-mapped memo of the label sets classify_labels derives from
 * (L4, server port, the server's inventory entry, support), for one
 * thread: an engine's classifier.  Zeroed is empty; whoever switches to
 * another rule set, port matcher or inventory zeroes it first. */
#define LABEL_MEMO_SLOTS 4096

struct label_memo {
	struct {
		const struct inv_host *server;
		uint16_t port;
		uint8_t l4, support, used;
		bool primary, exact, role_mismatch, shared;
		uint8_t n;
		int other_l4;
		uint32_t rule[CLASSIFY_MAX_LABELS];
	} slot[LABEL_MEMO_SLOTS];
};

struct classifier {
	const struct ruleset *rs;
	const struct portmatch *pm;
	const struct inventory *inv;   /* NULL without --inventory */
	const struct hosts *hosts;     /* servers inferred from the capture,
					* or NULL */
	bool strict_fallback;          /* fallback rows label only flows whose
					* server the inventory knows (--audit-all) */
	struct inv_cache *ic;          /* the caller's memo of inv's answers,
					* cleared for each inv; NULL: none */
	struct label_memo *lm;         /* the caller's memo of label sets,
					* cleared likewise; NULL: none */
};

/* How strongly the labels are tied to the flow's server (JSON "support"):
 * by the port alone; by the host itself, seen serving a product-specific
 * port in the same capture (hosts.h); by the inventory. */
enum support { SUPPORT_PORT, SUPPORT_HOST, SUPPORT_INVENTORY };

/* What the rules and the inventory say of one flow. */
struct label_set {
	uint32_t rule[CLASSIFY_MAX_LABELS]; /* rule indexes, in label order */
	int n;
	bool primary;          /* the labels are not fallback rows */
	bool exact;            /* some label names the port exactly (not a range) */
	bool role_mismatch;    /* the server's roles hold none of the rows */
	bool shared;           /* every label is a `shared` row */
	uint8_t support;       /* enum support */
	int other_l4;          /* when no non-fallback rule covers the server
				* port for the flow's L4, one that covers it
				* for the other L4 protocol; else -1 */
	const struct inv_host *server, *client; /* inventory hosts, or NULL;
				* the client's looked up only when the
				* server has none (all the audit asks:
				* whether either is in the inventory) */
};

/* Whether the inventory names addr a server (false without one). */
bool classify_inv_server(const struct classifier *c, int ipver,
			 const uint8_t addr[16]);

/* Decides or revises f's server side from packet p (direction dir). */
void classify_packet(const struct classifier *c, struct flow *f,
		     const struct pkt *p, int dir, bool created);

/* The bytes of f say which side is the client (client_side: 0 for the
 * key's endpoint a, 1 for b; -1: they do not say): that decides the server
 * side unless a TCP handshake did.  (The inspect stage reads the bytes; the
 * engine passes its answer here.) */
void classify_wire_side(struct flow *f, int client_side);

/* Fills out with the labels of f and what the audit needs to judge them. */
void classify_labels(const struct classifier *c, const struct flow *f,
		     struct label_set *out);

#endif
