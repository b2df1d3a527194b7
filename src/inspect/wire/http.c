/* http.c: HTTP/1.x over TCP (RFC 9112 sections 3 and 4): a request line
 * (method SP request-target SP "HTTP/1." DIGIT CRLF; also the HTTP/2
 * prior-knowledge preface "PRI * HTTP/2.0") or a status line ("HTTP/1."
 * DIGIT SP 3DIGIT [SP reason] CRLF), after any empty lines (section 2.2).
 * A SIP line is not HTTP: only the version decides. */
#include "inspect/wire/check.h"

static bool http_version(struct cursor *c)
{
	uint8_t d;

	if (cur_match(c, "HTTP/2.0", 8))
		return true;
	return cur_match(c, "HTTP/1.", 7) && cur_u8(c, &d) &&
	       (d == '0' || d == '1');
}

static bool request(struct cursor c, int side, struct wire_hit *hit)
{
	const uint8_t *tok;
	size_t n;

	if (!wire_token_sp(&c, &tok, &n) || !wire_target_sp(&c) ||
	    !http_version(&c) || !wire_crlf(&c))
		return false;
	wire_is(hit, WD_HTTP_REQUEST, side, wire_method_index(tok, n));
	return true;
}

static bool status(struct cursor c, int side, struct wire_hit *hit)
{
	uint32_t code;
	uint8_t b;

	if (!http_version(&c) || !cur_match(&c, " ", 1) ||
	    !wire_status3(&c, &code) || code < 100 || code > 599 ||
	    !cur_peek(&c, 0, &b) || (b != ' ' && b != '\r' && b != '\n') ||
	    !wire_line_end(&c))
		return false;
	wire_is(hit, WD_HTTP_STATUS, 1 - side, code);
	return true;
}

enum wire_ans wire_http(struct wire_state *w, const struct wire_in *in,
			struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);

	(void)w;
	wire_skip_crlf(&c);
	if (status(c, in->side, hit) || request(c, in->side, hit))
		return WA_IS;
	return wire_miss(in);
}
