/* wire.c: the dispatcher of the wire checks (see wire.h).
 *
 * Every check of the flow's L4 protocol looks at each payload, in the
 * order of the table below, until one says "is"; those that say "is not"
 * are left out for the rest of the flow.  TCP retransmissions are skipped
 * when the sequence number is known. */
#include <string.h>

#include "capture/pkt.h"
#include "inspect/wire/check.h"
#include "inspect/wire/wire.h"

#define ON_TCP 1
#define ON_UDP 2

/* Payloads examined in all before feeding ends, whatever the sides. */
#define WIRE_MAX_PACKETS (3 * WIRE_BUDGET)

static const struct check {
	uint8_t proto;
	uint8_t on;             /* ON_TCP | ON_UDP */
	wire_check_fn fn;
} checks[] = {
	/* an earlier entry wins when two say "is" on one payload */
	{ WIRE_TLS, ON_TCP, wire_tls },
	{ WIRE_SIP, ON_TCP | ON_UDP, wire_sip },
	{ WIRE_HTTP, ON_TCP, wire_http },
	{ WIRE_STUN, ON_TCP | ON_UDP, wire_stun },
	{ WIRE_RTP, ON_TCP | ON_UDP, wire_rtp },
	{ WIRE_RTCP, ON_TCP | ON_UDP, wire_rtcp },
	{ WIRE_DCERPC, ON_TCP | ON_UDP, wire_dcerpc },
	{ WIRE_SMB, ON_TCP, wire_smb },
	{ WIRE_DHCP, ON_UDP, wire_dhcp },
	{ WIRE_SSRP, ON_UDP, wire_ssrp },
	{ WIRE_RDP, ON_TCP, wire_rdp },
	{ WIRE_TDS, ON_TCP, wire_tds },
	{ WIRE_MSNFTP, ON_TCP, wire_msnftp },
	{ WIRE_SSH, ON_TCP, wire_ssh },
	{ WIRE_DNS, ON_TCP | ON_UDP, wire_dns },
};
#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

static const char *const names[WIRE_N] = {
	"none", "tls", "sip", "http", "stun", "rtp", "rtcp", "dcerpc", "smb",
	"dhcp", "ssrp", "tds", "msnftp", "rdp", "ssh", "dns",
};

const char *wire_proto_name(enum wire_proto p)
{
	return (unsigned)p < WIRE_N ? names[p] : "?";
}

static uint8_t on_mask(const struct wire_state *w)
{
	return w->l4 == L4_UDP ? ON_UDP : ON_TCP;
}

void wire_init(struct wire_state *w, uint8_t l4, bool from_start)
{
	memset(w, 0, sizeof(*w));
	w->l4 = l4;
	w->from_start = (uint8_t)(l4 == L4_TCP && from_start);
	w->client_side = -1;
	if (l4 != L4_TCP && l4 != L4_UDP)
		w->decided = 1;  /* nothing to check */
}

/* Both sides' budgets spent, or one side's while the other stays silent
 * for another WIRE_BUDGET payloads, or WIRE_MAX_PACKETS examined. */
static bool spent(const struct wire_state *w)
{
	return (w->fed[0] >= WIRE_BUDGET && w->fed[1] >= WIRE_BUDGET) ||
	       w->skipped >= WIRE_BUDGET || w->packets >= WIRE_MAX_PACKETS;
}

static bool all_excluded(const struct wire_state *w)
{
	for (size_t i = 0; i < NCHECKS; i++)
		if ((checks[i].on & on_mask(w)) &&
		    !(w->excluded & (1u << checks[i].proto)))
			return false;
	return true;
}

static void decide(struct wire_state *w, uint8_t proto,
		   const struct wire_hit *hit)
{
	w->decided = 1;
	w->proto = proto;
	w->detail = hit->detail;
	w->client_side = hit->client_side;
	w->arg = hit->arg;
}

/* Runs the checks still in the running on one payload. */
static void run(struct wire_state *w, const struct wire_in *in)
{
	struct wire_hit hit;

	for (size_t i = 0; i < NCHECKS; i++) {
		const struct check *k = &checks[i];
		enum wire_ans a;

		if (!(k->on & on_mask(w)) || (w->excluded & (1u << k->proto)))
			continue;
		hit = (struct wire_hit){ WD_NONE, -1, 0 };
		a = k->fn(w, in, &hit);
		if (a == WA_IS) {
			decide(w, k->proto, &hit);
			return;
		}
		if (a == WA_NOT)
			w->excluded |= 1u << k->proto;
	}
	if (all_excluded(w)) {
		hit = (struct wire_hit){ WD_ALL_EXCLUDED, -1, w->packets };
		decide(w, WIRE_NONE, &hit);
	}
}

/* TCP: drops bytes already seen on this side (retransmissions); sets
 * *gap when bytes are missing before these.  False: nothing new. */
static bool tcp_trim(struct wire_state *w, int side, uint32_t seq,
		     const uint8_t **p, uint32_t *len, bool *gap)
{
	uint8_t bit = (uint8_t)(1u << side);
	int32_t d = (int32_t)(seq - w->next_seq[side]);

	*gap = false;
	if (w->seq_known & bit) {
		if (d < 0) {
			uint32_t old = (uint32_t)-(int64_t)d;

			if (old >= *len)
				return false;
			*p += old;
			*len -= old;
			seq += old;
		} else if (d > 0) {
			*gap = true;
		}
	}
	w->seq_known |= bit;
	w->next_seq[side] = seq + *len;
	return true;
}

static bool feed(struct wire_state *w, int side, bool has_seq, uint32_t seq,
		 const uint8_t *p, uint32_t len)
{
	uint8_t spoke = (uint8_t)(side ? WF_SPOKE1 : WF_SPOKE0);
	struct wire_in in = { .side = side };

	if (w->decided || spent(w))
		return true;
	if ((side != 0 && side != 1) || len == 0 || p == NULL)
		return false;
	if (w->fed[side] >= WIRE_BUDGET) {
		w->skipped++;
		return spent(w);
	}
	if (has_seq && w->l4 == L4_TCP &&
	    !tcp_trim(w, side, seq, &p, &len, &in.gap))
		return false;
	in.p = p;
	in.len = len;
	in.dgram = w->l4 == L4_UDP;
	in.start = w->from_start && !(w->flags & spoke) && !in.gap;
	in.other_spoke = (w->flags & (side ? WF_SPOKE0 : WF_SPOKE1)) != 0;
	w->flags |= spoke;
	w->packets++;
	if (len >= WIRE_TINY) {
		w->fed[side]++;
		w->flags |= WF_LONG_SEEN;
	}
	run(w, &in);
	return w->decided || spent(w);
}

bool wire_feed(struct wire_state *w, int side, const uint8_t *p,
	       uint32_t len)
{
	return feed(w, side, false, 0, p, len);
}

bool wire_feed_seq(struct wire_state *w, int side, uint32_t seq,
		   const uint8_t *p, uint32_t len)
{
	return feed(w, side, true, seq, p, len);
}

/* Why a flow is still undecided. */
static void undecided(const struct wire_state *w, struct wire_result *r)
{
	bool open_sip = !(w->excluded & (1u << WIRE_SIP));

	r->arg = w->packets;
	if (w->packets == 0)
		r->detail = WD_NO_PAYLOAD;
	else if ((w->flags & WF_SIP_KEEPALIVE) && open_sip)
		r->detail = WD_SIP_KEEPALIVE;
	else if (!(w->flags & WF_LONG_SEEN))
		r->detail = WD_TOO_SHORT;
	else if (w->tls_seen && !(w->excluded & (1u << WIRE_TLS)))
		r->detail = WD_TLS_UNCONFIRMED;
	else if ((w->flags & WF_RTP_SEEN) && !(w->excluded & (1u << WIRE_RTP)))
		r->detail = WD_RTP_UNCONFIRMED;
	else if (w->l4 == L4_TCP && !w->from_start)
		r->detail = WD_MIDSTREAM;
	else
		r->detail = WD_NO_MATCH;
}

void wire_get(const struct wire_state *w, struct wire_result *out)
{
	memset(out, 0, sizeof(*out));
	out->decided = w->decided;
	out->packets = w->packets;
	out->excluded = w->excluded;
	out->client_side = -1;
	if (w->decided) {
		out->client_side = w->client_side;
		out->proto = w->proto;
		out->detail = w->detail;
		out->arg = w->arg;
	} else {
		undecided(w, out);
	}
}
