/* text.c: pieces shared by the text-line checks (SIP, HTTP): method
 * tokens (RFC 3261 section 25.1, RFC 9110 section 9), request targets,
 * status codes and line ends. */
#include <string.h>

#include "inspect/wire/check.h"

#define TOKEN_MAX  24
#define TARGET_MAX 2048

/* Index 0 stands for any other token. */
static const char *const methods[] = {
	"?",
	/* SIP (RFC 3261, 3262, 3265, 3311, 3428, 3515, 3903, 6086) */
	"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK",
	"SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE",
	"UPDATE",
	/* Lync's own SIP methods ([MS-SIPRE], [MS-SIP]) */
	"SERVICE", "NEGOTIATE", "BENOTIFY",
	/* HTTP (RFC 9110, RFC 5789, WebDAV, Outlook RPC over HTTP) */
	"GET", "POST", "PUT", "DELETE", "HEAD", "CONNECT", "TRACE", "PATCH",
	"PROPFIND", "RPC_IN_DATA", "RPC_OUT_DATA",
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

uint32_t wire_method_index(const uint8_t *tok, size_t n)
{
	for (uint32_t i = 1; i < NMETHODS; i++)
		if (strlen(methods[i]) == n && memcmp(methods[i], tok, n) == 0)
			return i;
	return 0;
}

const char *wire_method_name(uint32_t idx)
{
	return idx < NMETHODS ? methods[idx] : "?";
}

static bool is_tokch(uint8_t b)
{
	return (b >= 'A' && b <= 'Z') || b == '-' || b == '_';
}

bool wire_token_sp(struct cursor *c, const uint8_t **tok, size_t *n)
{
	struct cursor t = *c;
	size_t i = 0;
	uint8_t b = 0;

	while (cur_peek(&t, i, &b) && is_tokch(b) && i < TOKEN_MAX)
		i++;
	if (i == 0 || b != ' ' || !cur_peek(&t, i, &b))
		return false;
	*tok = t.p;
	*n = i;
	(void)cur_skip(c, i + 1);
	return true;
}

bool wire_target_sp(struct cursor *c)
{
	uint8_t b;

	for (size_t i = 0; i < TARGET_MAX && cur_peek(c, i, &b); i++) {
		if (b == ' ')
			return i > 0 && cur_skip(c, i + 1);
		if (b < 0x21 || b == 0x7f)
			return false;
	}
	return false;
}

bool wire_status3(struct cursor *c, uint32_t *code)
{
	uint32_t v = 0;
	uint8_t b;

	for (size_t i = 0; i < 3; i++) {
		if (!cur_peek(c, i, &b) || b < '0' || b > '9')
			return false;
		v = v * 10 + (uint32_t)(b - '0');
	}
	*code = v;
	return cur_skip(c, 3);
}

bool wire_line_end(struct cursor *c)
{
	uint8_t b;

	for (size_t i = 0; cur_peek(c, i, &b); i++) {
		if (b == '\n')
			return true;
		if (b == '\r') {
			return cur_peek(c, i + 1, &b) && b == '\n';
		}
		if (b < 0x20 && b != '\t')
			return false;
	}
	return false;
}

void wire_skip_crlf(struct cursor *c)
{
	uint8_t b;

	while (cur_peek(c, 0, &b) && (b == '\r' || b == '\n'))
		(void)cur_skip(c, 1);
}

bool wire_crlf(struct cursor *c)
{
	return cur_match(c, "\r\n", 2) || cur_match(c, "\n", 1);
}

bool wire_binary(const uint8_t *p, uint32_t len)
{
	struct cursor c = cur_make(p, len);
	uint8_t b;

	while (cur_u8(&c, &b))
		if ((b < 0x20 && b != '\t' && b != '\r' && b != '\n') ||
		    b == 0x7f)
			return true;
	return false;
}
