/* dns.c: DNS (RFC 1035 section 4.1), one message per UDP datagram or
 * behind a 16-bit length over TCP (section 4.2.2): a header with a known
 * opcode (query, inverse, status, notify, update), the Z bit clear and one
 * question, then that question: labels of 1-63 printable bytes, at most
 * 255 bytes in all, a type other than 0 and class IN, CH, HS, NONE or ANY
 * (the mDNS unicast-response bit allowed). */
#include "inspect/wire/check.h"

#define DNS_HDR   12
#define NAME_MAX_LEN 255
#define COUNT_MAX 64
#define QR        0x8000
#define Z_BIT     0x0040

static bool name(struct cursor *c)
{
	size_t total = 0;
	uint8_t n, b;

	while (cur_u8(c, &n)) {
		if (n == 0)
			return true;
		if (n > 63 || (total += (size_t)n + 1) > NAME_MAX_LEN)
			return false;
		for (uint8_t i = 0; i < n; i++)
			if (!cur_u8(c, &b) || b <= 0x20 || b >= 0x7f)
				return false;
	}
	return false;
}

static bool class_ok(uint16_t cl)
{
	cl &= 0x7fff;
	return cl == 1 || cl == 3 || cl == 4 || cl == 254 || cl == 255;
}

static bool opcode_ok(uint16_t f)
{
	unsigned op = (f >> 11) & 15u;

	return op <= 2 || op == 4 || op == 5;
}

static enum wire_ans message(struct cursor c, int side, struct wire_hit *hit)
{
	uint16_t id, f, qd, an, ns, ar, qtype, qclass;

	if (!cur_be16(&c, &id) || !cur_be16(&c, &f) || !cur_be16(&c, &qd) ||
	    !cur_be16(&c, &an) || !cur_be16(&c, &ns) || !cur_be16(&c, &ar))
		return WA_NOT;
	if (!opcode_ok(f) || (f & Z_BIT) || qd != 1 || an > COUNT_MAX ||
	    ns > COUNT_MAX || ar > COUNT_MAX)
		return WA_NOT;
	if (!(f & QR) && ((f & 15) != 0 || (((f >> 11) & 15) == 0 && an)))
		return WA_NOT;
	if (!name(&c) || !cur_be16(&c, &qtype) || !cur_be16(&c, &qclass) ||
	    qtype == 0 || !class_ok(qclass))
		return WA_NOT;
	if (!(f & QR) && an + ns + ar == 0 && cur_left(&c) != 0)
		return WA_NOT;
	if (f & QR)
		return wire_is(hit, WD_DNS_RESPONSE, 1 - side,
			       qtype | (uint32_t)(f & 15) << 16);
	return wire_is(hit, WD_DNS_QUERY, side, qtype);
}

enum wire_ans wire_dns(struct wire_state *w, const struct wire_in *in,
		       struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	uint16_t len;

	(void)w;
	if (in->dgram)
		return message(c, in->side, hit);
	if (!cur_be16(&c, &len) || len < DNS_HDR || len < cur_left(&c))
		return wire_miss(in);
	cur_limit(&c, len);
	if (message(c, in->side, hit) == WA_IS)
		return WA_IS;
	return wire_miss(in);
}
