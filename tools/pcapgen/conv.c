/* conv.c: scripts of messages and how pcapgen puts them on the wire: one
 * datagram per message (UDP), or a TCP connection with its handshake,
 * MSS-sized segments, acknowledgements and close (see build.h). */
#include <string.h>

#include "build.h"

void push(struct out *o, struct script *s, int dir, size_t len,
	  const char *what)
{
	if (len == 0 || s->n == SCRIPT_MAX)
		fatal(o->path, "%s does not fit in a script", what);
	s->m[s->n].dir = dir;
	s->m[s->n].data = s->data + s->used;
	s->m[s->n].len = len;
	s->n++;
	s->used += len;
}

void script_reset(struct script *s)
{
	s->n = 0;
	s->used = 0;
}

/* Sends each message of the script as one datagram, the client's from c
 * to s, with a short turn-around between them. */
void udp_exchange(struct out *o, const struct ep *c, const struct ep *srv,
		  const struct script *sc)
{
	for (int i = 0; i < sc->n; i++) {
		const struct msg *m = &sc->m[i];
		if (m->dir == C2S)
			udp_send(o, c, srv, m->data, m->len);
		else
			udp_send(o, srv, c, m->data, m->len);
		out_wait(o, 600);
	}
}

/* ------------------------------------------------------------------ TCP */

/* SYN options as Windows sends them: MSS, NOP, WS 8, NOP, NOP, SACK_PERM */
static void syn_options(uint8_t opt[12], size_t mss)
{
	static const uint8_t tmpl[12] = { 2, 4, 0, 0, 1, 3, 3, 8, 1, 1, 4, 2 };

	memcpy(opt, tmpl, 12);
	put16(opt + 2, (unsigned)mss);
}

/* Sends one segment in direction dir with coherent seq/ack: ack is the
 * peer's next sequence number; SYN and FIN take one sequence number. */
void tcp_seg(struct out *o, struct tcp_conv *t, int dir, uint8_t flags,
	     const uint8_t *data, size_t len)
{
	uint8_t opt[12];
	struct seg s = { .src = &t->ep[dir], .dst = &t->ep[!dir], .proto = 6,
			 .flags = flags, .seq = t->next[dir],
			 .data = data, .len = len };

	s.ack = (flags & 0x10) ? t->next[!dir] : 0;
	s.win = (flags & 0x02) ? 8192 : 2053;  /* x256 after WS 8 */
	if (flags & 0x02) {
		syn_options(opt, t->mss);
		s.opt = opt;
		s.optlen = sizeof(opt);
	}
	emit(o, &s);
	t->next[dir] += (uint32_t)len + ((flags & 0x03) ? 1 : 0);
}

void tcp_open(struct out *o, struct tcp_conv *t, const struct ep *c,
	      const struct ep *srv)
{
	t->ep[C2S] = *c;
	t->ep[S2C] = *srv;
	t->next[C2S] = pl_rng_u32(&o->rng);
	t->next[S2C] = pl_rng_u32(&o->rng);
	t->mss = c->h->a.family == 4 ? MSS4 : MSS6;
	tcp_seg(o, t, C2S, TH_SYN, NULL, 0);
	out_wait(o, 350);
	tcp_seg(o, t, S2C, TH_SYN | TH_ACK, NULL, 0);
	out_wait(o, 350);
	tcp_seg(o, t, C2S, TH_ACK, NULL, 0);
	out_wait(o, 500);
}

/* Sends a message in MSS-sized segments, PSH on the last; a message of
 * several segments is acknowledged by the receiver. */
void tcp_send(struct out *o, struct tcp_conv *t, int dir,
	      const uint8_t *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t n = len - off > t->mss ? t->mss : len - off;
		uint8_t fl = TH_ACK | (off + n == len ? TH_PSH : 0);
		tcp_seg(o, t, dir, fl, data + off, n);
		off += n;
	}
	if (len > t->mss) {
		out_wait(o, 200);
		tcp_seg(o, t, !dir, TH_ACK, NULL, 0);
	}
	out_wait(o, 900);
}

/* FIN/ACK from `first`, FIN/ACK back, last ACK. */
void tcp_close(struct out *o, struct tcp_conv *t, int first)
{
	tcp_seg(o, t, first, TH_FIN | TH_ACK, NULL, 0);
	out_wait(o, 300);
	tcp_seg(o, t, !first, TH_FIN | TH_ACK, NULL, 0);
	out_wait(o, 300);
	tcp_seg(o, t, first, TH_ACK, NULL, 0);
	out_wait(o, 2000);
}

void tcp_play(struct out *o, struct tcp_conv *t, const struct script *sc)
{
	for (int i = 0; i < sc->n; i++)
		tcp_send(o, t, sc->m[i].dir, sc->m[i].data, sc->m[i].len);
}

/* A whole connection: handshake, the script, FIN/ACK both ways (the
 * client closes). */
void tcp_conversation(struct out *o, const struct ep *c,
		      const struct ep *srv, const struct script *sc)
{
	struct tcp_conv t;

	tcp_open(o, &t, c, srv);
	tcp_play(o, &t, sc);
	tcp_close(o, &t, C2S);
}

void conversation(struct out *o, bool udp, const struct ep *c,
		  const struct ep *srv, const struct script *sc)
{
	if (udp)
		udp_exchange(o, c, srv, sc);
	else
		tcp_conversation(o, c, srv, sc);
}
