/* rdp.c: RDP's transport, TPKT (RFC 1006 section 6: version 3, reserved
 * 0, big-endian length counting the 4-byte header) carrying X.224 (ITU-T
 * X.224, [MS-RDPBCGR] 2.2.1.1): a Connection Request (0xE0) from the
 * client, a Connection Confirm (0xD0) from the server, or a Data TPDU
 * (0xF0, length indicator 2, end of TSDU). */
#include "inspect/wire/check.h"

#define TPKT_HDR 4
#define X224_CR  0xE0
#define X224_CC  0xD0
#define X224_DT  0xF0
#define X224_EOT 0x80

enum wire_ans wire_rdp(struct wire_state *w, const struct wire_in *in,
		       struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	uint8_t ver, rsv, li, code, eot;
	uint16_t len, dst;

	(void)w;
	if (!cur_u8(&c, &ver) || !cur_u8(&c, &rsv) || !cur_be16(&c, &len) ||
	    ver != 3 || rsv != 0 || len < TPKT_HDR + 3 || len < in->len ||
	    !cur_u8(&c, &li) || !cur_u8(&c, &code) ||
	    (size_t)li + 1 > (size_t)len - TPKT_HDR)
		return wire_miss(in);
	if (len != in->len && (code & 0xF0) != X224_DT)
		return wire_miss(in);
	switch (code & 0xF0) {
	case X224_CR:
	case X224_CC:
		if (li < 6 || !cur_be16(&c, &dst) ||
		    ((code & 0xF0) == X224_CR && dst != 0))
			return wire_miss(in);
		return (code & 0xF0) == X224_CR
			       ? wire_is(hit, WD_RDP_CR, in->side, code)
			       : wire_is(hit, WD_RDP_CC, 1 - in->side, code);
	case X224_DT:
		if (li != 2 || !cur_u8(&c, &eot) || eot != X224_EOT)
			return wire_miss(in);
		return wire_is(hit, WD_RDP_DATA, -1, code);
	default:
		return wire_miss(in);
	}
}
