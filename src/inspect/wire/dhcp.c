/* dhcp.c: DHCP (RFC 2131 section 2, RFC 2132): a BOOTP message, op 1
 * (request, from the client) or 2 (reply), hardware address length at
 * most 16, the magic cookie 99.130.83.99 at offset 236, then options up to
 * End.  The message type is option 53.  Options that run past the datagram
 * still make it DHCP, said apart (a malformed or fuzzed message). */
#include "inspect/wire/check.h"

#define COOKIE_OFF  236
#define COOKIE      0x63825363u
#define OPT_PAD     0
#define OPT_MSGTYPE 53
#define OPT_END     255

/* Walks the options; *type the DHCP message type (0 if none).  False when
 * an option runs past the datagram or no End comes. */
static bool options(struct cursor c, uint8_t *type)
{
	uint8_t code, len, v;

	*type = 0;
	while (cur_u8(&c, &code)) {
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return true;
		if (!cur_u8(&c, &len))
			return false;
		if (code == OPT_MSGTYPE && len == 1 && cur_peek(&c, 0, &v))
			*type = v;
		if (!cur_skip(&c, len))
			return false;
	}
	return false;
}

enum wire_ans wire_dhcp(struct wire_state *w, const struct wire_in *in,
			struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	uint8_t op, htype, hlen, type;
	uint32_t cookie;

	(void)w;
	if (!cur_u8(&c, &op) || !cur_u8(&c, &htype) || !cur_u8(&c, &hlen) ||
	    !cur_skip(&c, COOKIE_OFF - 3) || !cur_be32(&c, &cookie))
		return WA_NOT;
	if ((op != 1 && op != 2) || htype == 0 || hlen > 16 || cookie != COOKIE)
		return WA_NOT;
	if (options(c, &type))
		return wire_is(hit, WD_DHCP, op == 1 ? in->side : 1 - in->side,
			       type);
	return wire_is(hit, WD_DHCP_MALFORMED, op == 1 ? in->side : 1 - in->side,
		       type);
}
