/* ssh.c: the SSH identification string (RFC 4253 section 4.2):
 * "SSH-2.0-" or "SSH-1.99-", a software version of printable characters,
 * optional comments, CR LF (a bare LF accepted), at most 255 bytes.  Both
 * sides send one, so it does not say which is the client. */
#include "inspect/wire/check.h"

#define BANNER_MAX 255

enum wire_ans wire_ssh(struct wire_state *w, const struct wire_in *in,
		       struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	uint32_t v = 2;
	uint8_t b;

	(void)w;
	if (!cur_match(&c, "SSH-2.0-", 8)) {
		if (!cur_match(&c, "SSH-1.99-", 9))
			return wire_miss(in);
		v = 199;
	}
	if (!cur_peek(&c, 0, &b) || b <= 0x20 || b >= 0x7f)
		return in->len < 16 ? WA_MAYBE : wire_miss(in);
	cur_limit(&c, BANNER_MAX - (size_t)(c.p - in->p));
	if (!wire_line_end(&c))
		return cur_has(&c, BANNER_MAX) ? wire_miss(in) : WA_MAYBE;
	return wire_is(hit, WD_SSH_BANNER, -1, v);
}
