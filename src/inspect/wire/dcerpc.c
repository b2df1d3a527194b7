/* dcerpc.c: DCE/RPC (C706 chapter 12; [MS-RPCE] section 2.2.2).
 *
 * Connection-oriented (TCP): a 16-byte header, version 5.0 or 5.1, packet
 * type 0-19, a data representation whose integer format sets the byte
 * order of the fragment length, and fragment lengths that run exactly to
 * or past the end of the segment.  Connectionless (UDP): the 80-byte
 * version 4 header, packet type 0-10, and a body length that fits. */
#include "inspect/wire/check.h"

#define CO_HDR 16
#define CL_HDR 80

/* drep[0..3]: integer (0 big, 1 little endian, high nibble) and character
 * format, floating point format 0-3, two reserved zero bytes. */
static bool drep_ok(const uint8_t d[4])
{
	return (d[0] & 0xEE) == 0 && d[1] <= 3 && d[2] == 0;
}

static uint16_t u16_order(const uint8_t b[2], bool little)
{
	unsigned lo = little ? b[0] : b[1], hi = little ? b[1] : b[0];

	return (uint16_t)((hi << 8) | lo);
}

/* Packet types sent by the client (request, ping, bind, alter context,
 * auth3, cancel, orphaned; connectionless request, ping, ack, cancel). */
static int client_of(uint8_t ptype, bool co, int side)
{
	if (co)
		return (ptype == 0 || ptype == 1 || ptype == 11 || ptype == 14 ||
			ptype == 16 || ptype == 18 || ptype == 19) ? side : 1 - side;
	return (ptype == 0 || ptype == 1 || ptype == 7 || ptype == 8) ? side
								   : 1 - side;
}

/* One CO header at c; *flen the fragment length. */
static bool co_header(struct cursor c, uint8_t *ptype, uint16_t *flen)
{
	uint8_t v, minor, flags, drep[4], fl[2], al[2];
	uint16_t alen;

	if (!cur_u8(&c, &v) || !cur_u8(&c, &minor) || !cur_u8(&c, ptype) ||
	    !cur_u8(&c, &flags) || !cur_copy(&c, drep, 4) ||
	    !cur_copy(&c, fl, 2) || !cur_copy(&c, al, 2) || !cur_skip(&c, 4))
		return false;
	*flen = u16_order(fl, drep[0] & 0x10);
	alen = u16_order(al, drep[0] & 0x10);
	return v == 5 && minor <= 1 && *ptype <= 19 && drep_ok(drep) &&
	       drep[3] == 0 && *flen >= CO_HDR && (size_t)alen + CO_HDR <= *flen;
}

static enum wire_ans co(const struct wire_in *in, struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	uint8_t ptype, first = 0;
	uint16_t flen;
	bool any = false;

	while (cur_left(&c) > 0) {
		if (!co_header(c, &ptype, &flen))
			return wire_miss(in);
		if (!any)
			first = ptype;
		any = true;
		if (!cur_skip(&c, flen))
			break;  /* runs past the segment */
	}
	if (!any)
		return wire_miss(in);
	return wire_is(hit, WD_DCERPC_CO, client_of(first, true, in->side), first);
}

static enum wire_ans cl(const struct wire_in *in, struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	uint8_t v, ptype, drep[4], bl[2], auth;
	uint16_t blen;

	if (!cur_u8(&c, &v) || !cur_u8(&c, &ptype) || !cur_skip(&c, 2) ||
	    !cur_copy(&c, drep, 3) || !cur_skip(&c, 74 - 7) ||
	    !cur_copy(&c, bl, 2) || !cur_skip(&c, 2) || !cur_u8(&c, &auth) ||
	    !cur_skip(&c, 1))
		return WA_NOT;
	drep[3] = 0;
	blen = u16_order(bl, drep[0] & 0x10);
	if (v != 4 || ptype > 10 || !drep_ok(drep) ||
	    (auth == 0 ? cur_left(&c) != blen : cur_left(&c) < blen))
		return WA_NOT;
	return wire_is(hit, WD_DCERPC_CL, client_of(ptype, false, in->side), ptype);
}

enum wire_ans wire_dcerpc(struct wire_state *w, const struct wire_in *in,
			  struct wire_hit *hit)
{
	(void)w;
	return in->dgram ? cl(in, hit) : co(in, hit);
}
