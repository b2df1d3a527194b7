/* smb.c: SMB over the NetBIOS session service framing of TCP 139/445
 * (RFC 1002 section 4.3; [MS-SMB2] section 2.1): a session message (type
 * 0, 24-bit length, as SMB2 uses it) holding an SMB1 (\xffSMB, [MS-CIFS]
 * 2.2.3.1), SMB2/3 (\xfeSMB, 64-byte header) or encrypted SMB3 transform
 * (\xfdSMB) header, or a NetBIOS session request (type 0x81) with its two
 * encoded names. */
#include "inspect/wire/check.h"

#define NBSS_MSG      0x00
#define NBSS_REQUEST  0x81
#define SMB1_HDR      32
#define SMB2_HDR      64
#define SMB1_REPLY    0x80      /* SMB1 Flags: reply */
#define SMB2_RESPONSE 0x01      /* SMB2 Flags: server to redirector */

/* A NetBIOS session request: two 34-byte level-2 encoded names. */
static bool nbss_request(struct cursor c, uint32_t len)
{
	for (int name = 0; name < 2; name++) {
		uint8_t n, b;

		if (!cur_u8(&c, &n) || n != 32)
			return false;
		for (int i = 0; i < 32; i++)
			if (!cur_u8(&c, &b) || b < 'A' || b > 'P')
				return false;
		if (!cur_u8(&c, &b) || b != 0)
			return false;
	}
	return len == 68;
}

static enum wire_ans smb_header(struct cursor c, uint32_t len, int side,
				struct wire_hit *hit)
{
	uint8_t m0, cmd, flags;
	uint16_t ssize, cmd2;
	uint32_t flags2;

	if (!cur_u8(&c, &m0) || !cur_match(&c, "SMB", 3))
		return WA_NOT;
	if (m0 == 0xff && len >= SMB1_HDR && cur_u8(&c, &cmd) &&
	    cur_skip(&c, 4) && cur_u8(&c, &flags))
		return wire_is(hit, WD_SMB1,
			       (flags & SMB1_REPLY) ? 1 - side : side, cmd);
	if (m0 == 0xfe && len >= SMB2_HDR && cur_le16(&c, &ssize) &&
	    ssize == SMB2_HDR && cur_skip(&c, 6) && cur_le16(&c, &cmd2) &&
	    cmd2 <= 0x12 && cur_skip(&c, 2) && cur_le32(&c, &flags2))
		return wire_is(hit, WD_SMB2,
			       (flags2 & SMB2_RESPONSE) ? 1 - side : side, cmd2);
	if (m0 == 0xfd && len >= 52)
		return wire_is(hit, WD_SMB3_TRANSFORM, -1, 0);
	return WA_NOT;
}

enum wire_ans wire_smb(struct wire_state *w, const struct wire_in *in,
		       struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	uint8_t type;
	uint32_t len;
	enum wire_ans a;

	(void)w;
	if (!cur_u8(&c, &type) || !cur_be24(&c, &len))
		return wire_miss(in);
	if (type == NBSS_REQUEST && nbss_request(c, len))
		return wire_is(hit, WD_NBSS_REQUEST, in->side, 0);
	if (type != NBSS_MSG || len < SMB1_HDR)
		return wire_miss(in);
	a = smb_header(c, len, in->side, hit);
	return a == WA_IS ? a : wire_miss(in);
}
