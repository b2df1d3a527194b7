/* wireflow.c: the per-flow life of the wire checks' state. */
#include <stdlib.h>

#include "inspect/wireflow.h"

static void settle(struct flow *f)
{
	struct wire_result r;

	wire_get(f->wire, &r);
	f->wire_proto = r.proto;
	f->wire_detail = r.detail;
	f->wire_client = r.client_side;
	f->wire_pkts = r.packets;
	f->wire_arg = r.arg;
	f->wire_excluded = r.excluded;
	f->wire_done = 1 | (uint8_t)(r.decided << 1);
	if ((r.detail == WD_TLS_CLIENT_HELLO || r.detail == WD_TLS_SERVER_HELLO) &&
	    r.client_side >= 0)
		f->tls_cc = WCC_WATCH;
	free(f->wire);
	f->wire = NULL;
}

/* The client's payloads after a handshake the checks saw: the first that
 * answers (wire_tls_client_flight) settles f->tls_cc; after CC_WATCH_MAX
 * payloads without an answer it stays unknown. */
#define CC_ONE   0x08
#define CC_WATCH_MAX 6

static void watch_client_cert(struct flow *f, const struct pkt *p, int dir)
{
	enum wire_client_cert cc;

	if (dir != f->wire_client)
		return;
	cc = wire_tls_client_flight(p->payload, p->payload_len);
	if (cc != WCC_WATCH)
		f->tls_cc = (uint8_t)cc;
	else if ((f->tls_cc += CC_ONE) / CC_ONE >= CC_WATCH_MAX)
		f->tls_cc = WCC_UNKNOWN;
}

bool wireflow_packet(struct flow *f, const struct pkt *p, int dir,
		     uint64_t *nomem)
{
	bool done;

	if (p->payload_len == 0)
		return false;
	if (f->wire_done) {
		if ((f->tls_cc & CC_STATE) == WCC_WATCH)
			watch_client_cert(f, p, dir);
		return false;
	}
	if (f->wire == NULL) {
		if ((f->wire = malloc(sizeof(*f->wire))) == NULL) {
			(*nomem)++;
			f->wire_client = -1;
			f->wire_done = 1;
			return true;
		}
		wire_init(f->wire, f->key.l4, f->side_by == SIDE_HANDSHAKE);
	}
	/* DIR_AB: endpoint a sent it, which the checks call side 0. */
	if (p->l4 == L4_TCP)
		done = wire_feed_seq(f->wire, dir, p->seq, p->payload,
				     p->payload_len);
	else
		done = wire_feed(f->wire, dir, p->payload, p->payload_len);
	if (done)
		settle(f);
	return done;
}

bool wireflow_tls_pending(const struct flow *f)
{
	const struct wire_state *w = f->wire;

	return w != NULL && !w->decided && w->l4 == L4_TCP && !w->from_start &&
	       w->tls_seen > 0;
}

void wireflow_end(struct flow *f)
{
	if (f->wire != NULL)
		settle(f);
}

void wireflow_result(const struct flow *f, struct wire_result *out)
{
	if (f->wire != NULL) {          /* still being fed: what it says now */
		wire_get(f->wire, out);
		return;
	}
	out->proto = f->wire_done ? f->wire_proto : WIRE_NONE;
	out->decided = (uint8_t)(f->wire_done >> 1);
	out->client_side = -1;
	if (f->wire_done)
		out->client_side = f->wire_client;
	out->detail = f->wire_done ? f->wire_detail : WD_NO_PAYLOAD;
	out->packets = f->wire_pkts;
	out->arg = f->wire_arg;
	out->excluded = f->wire_excluded;
}

