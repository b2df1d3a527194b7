/* wireflow.h: a flow's payloads through lyncwatch's own wire checks.
 *
 * The checks (inspect/wire/) need a little state per flow while they look
 * at its first payloads: it is allocated at the flow's first payload and
 * freed as soon as they have decided, spent their budget, or the flow
 * ends.  What they said stays in the flow (f->wire_*, 16 bytes) for the
 * server side, the audit and the record.
 */
#ifndef LW_WIREFLOW_H
#define LW_WIREFLOW_H

#include <stdbool.h>

#include "capture/pkt.h"
#include "flow/flow.h"
#include "inspect/wire/wire.h"

/* Feeds p (direction dir, a DIR_*) to the checks unless f's result is
 * settled or p has no payload.  Returns true when this packet settled it
 * (f->wire_done is then set).  On allocation failure the flow is settled
 * undecided and counted in *nomem. */
bool wireflow_packet(struct flow *f, const struct pkt *p, int dir,
		     uint64_t *nomem);

/* True while the checks are still reading a TCP flow that started
 * mid-stream (no handshake seen) and have seen a TLS record header there,
 * not yet a second in line: nDPI, which cannot read mid-stream TLS, waits
 * for their answer.  Confirmed, the flow is TLS and nDPI never sees it. */
bool wireflow_tls_pending(const struct flow *f);

/* Settles f's result if the checks are still being fed (its end).  Safe
 * to call twice. */
void wireflow_end(struct flow *f);

/* f's result: what wire_get() says now (a flow still being fed) or said
 * when it was settled; a flow never fed reads proto WIRE_NONE, decided 0,
 * packets 0, client_side -1, detail WD_NO_PAYLOAD. */
void wireflow_result(const struct flow *f, struct wire_result *out);

#define CC_STATE 0x07   /* f->tls_cc: the state's bits */

/* What f's client showed of its certificate after a TLS handshake the
 * checks saw (WCC_UNKNOWN while still watching or never watched). */
static inline enum wire_client_cert wireflow_client_cert(const struct flow *f)
{
	uint8_t s = f->tls_cc & CC_STATE;

	return s == WCC_WATCH ? WCC_UNKNOWN : (enum wire_client_cert)s;
}

#endif
