/* classify.h: which side of a flow is the server, and which rules label it.
 *
 * Server side, strongest evidence first: a TCP handshake (the SYN's target,
 * the SYN-ACK's sender); an inventory server (once the inventory is
 * loaded); the port that the rules document best; the lower port.  The
 * rule evidence for one endpoint port ranks, from strongest:
 *   an exact port of a server or load-balancer row,
 *   an exact port of a client row,
 *   a system port (below 1024),
 *   a range of a non-fallback row (UDP only: a TCP endpoint is never made
 *   the server by a range, so a client's ephemeral TCP port is never
 *   labelled as media),
 * and nothing (fallback rows are not evidence).  Ties go to the lower port.
 *
 * Labels: the rules covering the server port and L4 protocol, exact rows
 * before range rows, in rule-file order; fallback rows only when no other
 * row covers the port; placeholder rows never.
 */
#ifndef LW_CLASSIFY_H
#define LW_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "pkt.h"
#include "portmatch.h"
#include "rules.h"

#define CLASSIFY_MAX_LABELS 64

struct classifier {
	const struct ruleset *rs;
	const struct portmatch *pm;
};

/* Decides or revises f's server side from packet p (direction dir). */
void classify_packet(const struct classifier *c, struct flow *f,
		     const struct pkt *p, int dir, bool created);

/* Writes the rule indexes labelling f into out (at most max); returns how
 * many. */
int classify_labels(const struct classifier *c, const struct flow *f,
		    uint32_t *out, int max);

#endif
