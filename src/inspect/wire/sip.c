/* sip.c: SIP over UDP and TCP (RFC 3261 section 7.1, 7.2): a request line
 * (method SP Request-URI SP "SIP/2.0" CRLF, the URI sip:, sips: or tel:)
 * or a status line ("SIP/2.0" SP 3DIGIT SP reason CRLF); and the RFC 5626
 * section 4.4.1 CRLF / double-CRLF keep-alives, which say nothing either
 * way (nor do short texts without a line end, "hello", that some stacks
 * send); empty lines before a start line are skipped (section 7.5).  An HTTP line is not SIP: only "SIP/2.0" decides. */
#include "inspect/wire/check.h"

/* Longest first line looked at; a longer one is not SIP's. */
#define LINE_MAX_LEN 2048
/* Shortest text without a line end counted as a keep-alive ("hello"). */
#define KEEPALIVE_MAX 32

enum line { L_SIP, L_OTHER };

static bool has_lf(const uint8_t *p, uint32_t len)
{
	struct cursor c = cur_make(p, len < LINE_MAX_LEN ? len : LINE_MAX_LEN);
	uint8_t b;

	while (cur_u8(&c, &b))
		if (b == '\n')
			return true;
	return false;
}

/* Only white space, or a short text without a line end (some stacks send
 * "hello" or spaces between messages). */
static bool keepalive(const struct wire_in *in)
{
	struct cursor c = cur_make(in->p, in->len);
	bool white = true;
	uint8_t b;

	while (white && cur_u8(&c, &b))
		if (b != '\r' && b != '\n' && b != ' ')
			white = false;
	if (white)
		return in->len > 0;
	return in->len <= KEEPALIVE_MAX && !has_lf(in->p, in->len) &&
	       !wire_binary(in->p, in->len);
}

static bool sip_version(struct cursor *c)
{
	return cur_match(c, "SIP/2.0", 7);
}

/* Who the message says is the client: over UDP, the sender of a request
 * (the receiver of a response); over TCP, where either end of a server
 * connection may send requests, only a request opening the connection
 * (or the answer to it) says so. */
static int client_of(const struct wire_in *in, bool request)
{
	if (!in->dgram && !in->start)
		return -1;
	if (!in->dgram && request == in->other_spoke)
		return -1;
	return request ? in->side : 1 - in->side;
}

static enum line request(struct cursor c, const struct wire_in *in,
			 struct wire_hit *hit)
{
	const uint8_t *tok;
	size_t n;

	if (!wire_token_sp(&c, &tok, &n))
		return L_OTHER;
	if (!cur_imatch(&c, "sip:", 4) && !cur_imatch(&c, "sips:", 5) &&
	    !cur_imatch(&c, "tel:", 4))
		return L_OTHER;
	if (!wire_target_sp(&c) || !sip_version(&c) || !wire_crlf(&c))
		return L_OTHER;
	wire_is(hit, WD_SIP_REQUEST, client_of(in, true),
		wire_method_index(tok, n));
	return L_SIP;
}

static enum line status(struct cursor c, const struct wire_in *in,
			struct wire_hit *hit)
{
	uint32_t code;
	uint8_t b;

	if (!sip_version(&c) || !cur_match(&c, " ", 1) ||
	    !wire_status3(&c, &code) || code < 100 || code > 699 ||
	    !cur_peek(&c, 0, &b) || (b != ' ' && b != '\r' && b != '\n') ||
	    !wire_line_end(&c))
		return L_OTHER;
	wire_is(hit, WD_SIP_STATUS, client_of(in, false), code);
	return L_SIP;
}

enum wire_ans wire_sip(struct wire_state *w, const struct wire_in *in,
		       struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);

	wire_skip_crlf(&c);
	if (keepalive(in)) {
		w->flags |= WF_SIP_KEEPALIVE;
		return WA_MAYBE;
	}
	if (has_lf(in->p, in->len) &&
	    (status(c, in, hit) == L_SIP || request(c, in, hit) == L_SIP))
		return WA_IS;
	if (wire_binary(in->p, in->len < LINE_MAX_LEN ? in->len : LINE_MAX_LEN))
		return WA_NOT;
	if (!has_lf(in->p, in->len))
		return in->dgram ? WA_NOT : WA_MAYBE;
	return wire_miss(in);
}
