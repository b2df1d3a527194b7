/* tds.c: Tabular Data Stream, SQL Server's protocol over TCP ([MS-TDS]
 * section 2.2.3): an 8-byte header (type, status, big-endian length
 * counting the header, SPID, packet id, window 0) whose lengths run exactly
 * to or past the end of the segment.  A PRELOGIN (0x12, or its answer in a
 * 0x04 packet) with a well-formed option table, or a LOGIN7 (0x10) whose
 * own length agrees, or a request opening with its ALL_HEADERS (or, before
 * TDS 7.2, with UTF-16 text or a procedure name), decides;
 * otherwise two well-formed headers do. */
#include "inspect/wire/check.h"

#define TDS_HDR      8
#define T_BATCH      0x01
#define T_RPC        0x03
#define T_RESPONSE   0x04
#define T_TM         0x0E
#define T_LOGIN7     0x10
#define T_PRELOGIN   0x12
#define OPT_TERM     0xFF
#define OPT_MAX      0x08      /* highest PRELOGIN option token */
#define HEADERS_IS   2

struct hdr {
	uint8_t type, status;
	uint16_t len;
};

static bool type_ok(uint8_t t)
{
	return (t >= 0x01 && t <= 0x04) || (t >= 0x06 && t <= 0x08) ||
	       t == 0x0E || t == T_LOGIN7 || t == 0x11 || t == T_PRELOGIN;
}

static bool header(struct cursor *c, struct hdr *h)
{
	uint8_t pid, window;
	uint16_t spid;

	return cur_u8(c, &h->type) && cur_u8(c, &h->status) &&
	       cur_be16(c, &h->len) && cur_be16(c, &spid) &&
	       cur_u8(c, &pid) && cur_u8(c, &window) && type_ok(h->type) &&
	       (h->status & 0xE0) == 0 && h->len >= TDS_HDR && window == 0;
}

/* The PRELOGIN option table at the start of c (the packet data, `dlen`
 * bytes long): tokens 0-8 whose offsets and lengths lie inside, then 0xFF.
 * Or a TLS handshake record carried in PRELOGIN packets. */
static bool prelogin(struct cursor c, uint16_t dlen)
{
	uint8_t tok, maj;
	uint16_t off, len;
	size_t n = 0;

	if (cur_peek(&c, 0, &tok) && tok == 0x16 && cur_peek(&c, 1, &maj) &&
	    maj == 3)
		return true;
	while (cur_u8(&c, &tok)) {
		if (tok == OPT_TERM)
			return n > 0;
		if (tok > OPT_MAX || !cur_be16(&c, &off) || !cur_be16(&c, &len) ||
		    (size_t)off + len > dlen)
			return false;
		n++;
	}
	return false;
}

/* LOGIN7: its own little-endian length equals the packet's data and the
 * TDS version is 7.0-7.4. */
static bool login7(struct cursor c, uint16_t dlen)
{
	uint32_t len, ver;

	return cur_le32(&c, &len) && len == dlen && cur_le32(&c, &ver) &&
	       (ver >> 24) >= 0x70 && (ver >> 24) <= 0x74;
}

/* ALL_HEADERS ([MS-TDS] 2.2.5.3) opening a SQL batch, RPC or transaction
 * manager request: a total length, then headers of a length and a type
 * (1-3) that add up to it exactly. */
static bool all_headers(struct cursor c, uint16_t dlen)
{
	uint32_t total, hlen, sum = 4;
	uint16_t type;

	if (!cur_le32(&c, &total) || total < 4 + 6 || total > dlen)
		return false;
	while (sum < total) {
		struct cursor h = c;

		if (!cur_le32(&h, &hlen) || !cur_le16(&h, &type) || hlen < 6 ||
		    type < 1 || type > 3 || hlen > total - sum ||
		    !cur_skip(&c, hlen))
			return false;
		sum += hlen;
	}
	return true;
}

/* n UTF-16LE characters of printable ASCII or white space. */
static bool utf16_ascii(struct cursor *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t lo, hi;

		if (!cur_u8(c, &lo) || !cur_u8(c, &hi) || hi != 0 ||
		    (lo < 0x20 && lo != '\t' && lo != '\r' && lo != '\n') ||
		    lo >= 0x7f)
			return false;
	}
	return true;
}

#define TEXT_CHARS   8        /* SQL batch text looked at */
#define PROC_MAX     128      /* longest RPC procedure name */
#define PROCID_MAX   15       /* highest well-known RPC procedure id */

/* A request of TDS 7.1 and before (no ALL_HEADERS): a SQL batch's
 * UTF-16 text, or an RPC's procedure name (a 16-bit count of UTF-16
 * characters) or 0xFFFF and a well-known procedure id. */
static bool old_request(struct cursor c, uint8_t type, uint16_t dlen)
{
	uint16_t n, id = 0;

	if (type == T_BATCH)
		return dlen >= 2 * TEXT_CHARS && utf16_ascii(&c, TEXT_CHARS);
	if (type != T_RPC || !cur_le16(&c, &n))
		return false;
	if (n == 0xFFFF)
		return cur_le16(&c, &id) && id >= 1 && id <= PROCID_MAX;
	return n >= 1 && n <= PROC_MAX && 2u + 2u * n <= dlen &&
	       utf16_ascii(&c, n);
}

static int client_of(uint8_t type, int side)
{
	return type == T_RESPONSE ? 1 - side : side;
}

enum wire_ans wire_tds(struct wire_state *w, const struct wire_in *in,
		       struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	struct hdr h;

	while (cur_left(&c) > 0) {
		struct cursor d;
		uint16_t dlen;

		if (!header(&c, &h))
			return wire_miss(in);
		dlen = (uint16_t)(h.len - TDS_HDR);
		d = c;
		if ((h.type == T_PRELOGIN || h.type == T_RESPONSE) &&
		    prelogin(d, dlen))
			return wire_is(hit, WD_TDS_PRELOGIN,
				       client_of(h.type, in->side), h.type);
		if (h.type == T_LOGIN7 && login7(d, dlen))
			return wire_is(hit, WD_TDS_LOGIN7, in->side, h.type);
		if ((h.type == T_BATCH || h.type == T_RPC || h.type == T_TM) &&
		    (all_headers(d, dlen) || old_request(d, h.type, dlen)))
			return wire_is(hit, WD_TDS_REQUEST, in->side, h.type);
		if (w->tds_n < 2)
			w->tds_types[w->tds_n] = h.type;
		if (w->tds_n < 0xff)
			w->tds_n++;
		if (w->tds_n >= HEADERS_IS)
			return wire_is(hit, WD_TDS_PACKETS,
				       client_of(h.type, in->side),
				       w->tds_types[0] | (uint32_t)w->tds_types[1] << 8);
		if (!cur_skip(&c, dlen))
			break;
	}
	return WA_MAYBE;
}
