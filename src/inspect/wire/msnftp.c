/* msnftp.c: MSNFTP, the MSN/Lync client-to-client file transfer over TCP:
 * each side opens with the line "VER MSNFTP" (the connecting receiver
 * first, the sender answers the same), then USR, FIL and TFR lines and the
 * file in blocks.  The first speaker of a connection seen from its start
 * is the client. */
#include "inspect/wire/check.h"

#define LINE_MAX_LEN 64

enum wire_ans wire_msnftp(struct wire_state *w, const struct wire_in *in,
			  struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	int client = -1;
	uint8_t b;

	if (!cur_match(&c, "VER ", 4))
		return wire_miss(in);
	cur_limit(&c, LINE_MAX_LEN);
	while (!cur_match(&c, "MSNFTP", 6))
		if (!cur_u8(&c, &b) || b < 0x20)
			return wire_miss(in);
	if (!wire_line_end(&c))
		return wire_miss(in);
	if (w->from_start && in->start && !in->other_spoke)
		client = in->side;
	return wire_is(hit, WD_MSNFTP, client, 0);
}
