/* ssrp.c: the SQL Server Resolution Protocol of the SQL Browser ([MC-SQLR]
 * section 2.2), one message per UDP datagram: CLNT_BCAST_EX (0x02) and
 * CLNT_UCAST_EX (0x03), one byte; CLNT_UCAST_INST (0x04) and
 * CLNT_UCAST_DAC (0x0F, then version 0x01) with a NUL-terminated instance
 * name of at most 32 bytes; SVR_RESP (0x05) with a little-endian size equal
 * to what follows: "ServerName;..." text, or the 6-byte DAC answer. */
#include "inspect/wire/check.h"

#define CLNT_BCAST_EX   0x02
#define CLNT_UCAST_EX   0x03
#define CLNT_UCAST_INST 0x04
#define SVR_RESP        0x05
#define CLNT_UCAST_DAC  0x0F
#define INSTANCE_MAX    32
#define DAC_RESP_SIZE   6

/* A NUL-terminated name, 1..INSTANCE_MAX bytes, ending the datagram. */
static bool instance(struct cursor c)
{
	uint8_t b;

	for (size_t i = 0; i <= INSTANCE_MAX && cur_u8(&c, &b); i++) {
		if (b == 0)
			return i > 0 && cur_left(&c) == 0;
		if (b < 0x20)
			return false;
	}
	return false;
}

static enum wire_ans response(struct cursor c, int side,
			      struct wire_hit *hit)
{
	uint16_t size;
	uint8_t v;

	if (!cur_le16(&c, &size) || cur_left(&c) != size)
		return WA_NOT;
	if (size == DAC_RESP_SIZE && cur_peek(&c, 0, &v) && v == 1)
		return wire_is(hit, WD_SSRP_RESPONSE, 1 - side, size);
	if (!cur_match(&c, "ServerName;", 11) || wire_binary(c.p, (uint32_t)cur_left(&c)))
		return WA_NOT;
	return wire_is(hit, WD_SSRP_RESPONSE, 1 - side, size);
}

enum wire_ans wire_ssrp(struct wire_state *w, const struct wire_in *in,
			struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	uint8_t t, v;

	(void)w;
	if (!cur_u8(&c, &t))
		return WA_NOT;
	switch (t) {
	case CLNT_BCAST_EX:
	case CLNT_UCAST_EX:
		if (in->len != 1)
			return WA_NOT;
		return wire_is(hit, WD_SSRP_REQUEST, in->side, t);
	case CLNT_UCAST_INST:
		if (!instance(c))
			return WA_NOT;
		return wire_is(hit, WD_SSRP_REQUEST, in->side, t);
	case CLNT_UCAST_DAC:
		if (!cur_u8(&c, &v) || v != 1 || !instance(c))
			return WA_NOT;
		return wire_is(hit, WD_SSRP_REQUEST, in->side, t);
	case SVR_RESP:
		return response(c, in->side, hit);
	default:
		return WA_NOT;
	}
}
