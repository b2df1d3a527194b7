/* tls.c: the TLS record layer (RFC 8446 section 5.1, RFC 5246 section
 * 6.2), from the handshake or mid-stream.
 *
 * From a stream's start, its first bytes must be a record header (content
 * type 20-23, version 3.0-3.4, length at most 2^14 + 2048) or an SSL 2.0
 * compatible CLIENT-HELLO (RFC 5246 appendix E.2).  A ClientHello or
 * ServerHello whose lengths agree with its record decides at once.
 * Mid-stream, each side's records are followed across segments (the bytes
 * of the current record still to come are kept); a segment that does not
 * continue the record (loss, reordering) is searched for a header whose
 * chain of lengths runs exactly to or past its end.  "Is" needs two
 * headers found exactly where the previous record's length put them, or a
 * segment that starts with a record header and whose records end exactly
 * at its end. */
#include "inspect/wire/check.h"

#define HDR_LEN   5
#define REC_MAX   (16384 + 2048)
#define HITS_IS   2
#define TEXT_MIN  16   /* a text-only segment this long is not TLS */

enum { UNSYNCED = 0, SYNCED = 1, AT_START = 2 };
/* H_CLIENT_NOEXT: a whole ClientHello without extensions, as the
 * pseudo-TLS ClientHello of [MS-TURN] 2.1.1 (TURN over TCP 443). */
enum hello { H_NONE, H_CLIENT, H_CLIENT_NOEXT, H_SERVER };

struct rec {
	uint8_t type;
	uint16_t ver, len;
};

static bool rec_parse(const uint8_t h[HDR_LEN], struct rec *r)
{
	r->type = h[0];
	r->ver = (uint16_t)((h[1] << 8) | h[2]);
	r->len = (uint16_t)((h[3] << 8) | h[4]);
	if (r->type < 20 || r->type > 23 || h[1] != 3 || h[2] > 4)
		return false;
	if (h[2] == 0 && r->type != 22 && r->type != 21)
		return false;
	return r->len >= 1 && r->len <= REC_MAX;
}

/* Skips a length-prefixed vector of `lb` (1 or 2) length bytes, of at
 * least `min` bytes. */
static bool vec(struct cursor *c, int lb, size_t min)
{
	uint16_t n16 = 0;
	uint8_t n8 = 0;

	if (lb == 1 ? !cur_u8(c, &n8) : !cur_be16(c, &n16))
		return false;
	return (size_t)n8 + n16 >= min && cur_skip(c, (size_t)n8 + n16);
}

/* The hello's body after version, random and session id.  When the whole
 * message is present every field must be; otherwise running out is fine.
 * *noext: the whole message ends before an extensions block. */
static bool hello_rest(struct cursor *c, bool client, bool whole,
		       bool *noext)
{
	bool ok = client ? vec(c, 2, 2) && vec(c, 1, 1)
			 : cur_skip(c, 3);
	uint16_t ext;

	*noext = false;
	if (!ok)
		return !whole;
	if (!cur_has(c, 1)) {
		*noext = whole;
		return true;
	}
	if (!cur_be16(c, &ext))
		return !whole;
	return whole ? cur_left(c) == ext : cur_left(c) <= ext;
}

/* A ClientHello (type 1) or ServerHello (2) starting the record body at
 * p[0..n), n the bytes present of a record of `reclen`. */
static enum hello hello(const uint8_t *p, size_t n, uint16_t reclen,
			uint16_t *ver)
{
	struct cursor c = cur_make(p, n);
	uint8_t t, sid;
	uint32_t hl;
	bool whole, noext;

	if (!cur_u8(&c, &t) || (t != 1 && t != 2) || !cur_be24(&c, &hl) ||
	    hl < 38 || hl + 4 > reclen)
		return H_NONE;
	cur_limit(&c, hl);
	whole = cur_left(&c) == hl;
	if (!cur_be16(&c, ver) || (*ver >> 8) != 3 || (*ver & 0xff) > 4 ||
	    !cur_skip(&c, 32) || !cur_u8(&c, &sid) || sid > 32 ||
	    !cur_skip(&c, sid))
		return H_NONE;
	if (!hello_rest(&c, t == 1, whole, &noext))
		return H_NONE;
	if (t == 2)
		return H_SERVER;
	return noext ? H_CLIENT_NOEXT : H_CLIENT;
}

/* SSL 2.0 compatible CLIENT-HELLO at the start of p. */
static bool ssl2_hello(const uint8_t *p, uint32_t len, uint16_t *ver)
{
	struct cursor c = cur_make(p, len);
	uint16_t mlen, cs, sid, chal;
	uint8_t t;

	if (!cur_be16(&c, &mlen) || !(mlen & 0x8000) || !cur_u8(&c, &t) ||
	    t != 1 || !cur_be16(&c, ver) || !cur_be16(&c, &cs) ||
	    !cur_be16(&c, &sid) || !cur_be16(&c, &chal))
		return false;
	mlen &= 0x7fff;
	if (*ver != 0x0002 && (*ver < 0x0300 || *ver > 0x0303))
		return false;
	if (cs == 0 || cs % 3 || (sid != 0 && sid != 16) || chal < 16 ||
	    chal > 32)
		return false;
	return (uint32_t)mlen == 9u + cs + sid + chal && mlen + 2u <= len + 0u;
}

/* One side's walk over a segment, on a copy of its state. */
struct walk {
	struct wire_tls_dir d;
	uint8_t hits, seen, types;
	enum hello hello;
	uint16_t ver;
};

static uint8_t add_sat(uint8_t a, uint8_t b)
{
	unsigned sum = (unsigned)a + b;

	return (uint8_t)(sum > 0xff ? 0xff : sum);
}

/* Fills h with the kept bytes of a split header and the segment's next
 * ones; false (the bytes kept for later) when the segment ends first. */
static bool header_bytes(struct walk *k, const uint8_t *p, uint32_t len,
			 uint32_t *off, uint8_t h[HDR_LEN])
{
	struct cursor c = cur_make(p + *off, len - *off);
	uint8_t n = k->d.npart;

	for (uint8_t i = 0; i < n; i++)
		h[i] = k->d.part[i];
	while (n < HDR_LEN && cur_u8(&c, &h[n]))
		n++;
	*off = len - (uint32_t)cur_left(&c);
	if (n < HDR_LEN) {
		for (uint8_t i = 0; i < n; i++)
			k->d.part[i] = h[i];
		k->d.npart = n;
		return false;
	}
	k->d.npart = 0;
	return true;
}

/* Follows records through p[off..len), the first header predicted by a
 * previous record if `pred`.  False when a header due at some offset is
 * not one. */
static bool walk(const uint8_t *p, uint32_t len, uint32_t off, bool pred,
		 struct walk *k)
{
	uint8_t h[HDR_LEN];
	struct rec r;

	for (;;) {
		uint32_t left = len - off;
		bool whole = k->d.npart == 0;

		if (k->d.rem >= left) {
			k->d.rem = (uint16_t)(k->d.rem - left);
			return true;
		}
		off += k->d.rem;
		k->d.rem = 0;
		if (!header_bytes(k, p, len, &off, h))
			return true;
		if (!rec_parse(h, &r))
			return false;
		k->seen = add_sat(k->seen, 1);
		k->hits = add_sat(k->hits, pred ? 1 : 0);
		k->types = (uint8_t)(k->types | (1u << (r.type - 20)));
		pred = true;
		if (r.type == 22 && whole && k->hello == H_NONE)
			k->hello = hello(p + off, len - off < r.len ? len - off : r.len,
					 r.len, &k->ver);
		k->d.rem = r.len;
	}
}

static enum wire_ans commit(struct wire_state *w, const struct wire_in *in,
			    const struct walk *k, struct wire_hit *hit)
{
	struct wire_tls_dir *d = &w->tls[in->side];
	uint8_t was = d->synced;

	*d = k->d;
	d->synced = (was == AT_START && k->seen == 0) ? AT_START : SYNCED;
	w->tls_hits = add_sat(w->tls_hits, k->hits);
	w->tls_seen = add_sat(w->tls_seen, k->seen);
	w->tls_types = (uint8_t)(w->tls_types | k->types);
	if (k->hello == H_CLIENT)
		return wire_is(hit, WD_TLS_CLIENT_HELLO, in->side, k->ver);
	if (k->hello == H_CLIENT_NOEXT)
		return wire_is(hit, WD_TLS_HELLO_NOEXT, in->side, k->ver);
	if (k->hello == H_SERVER)
		return wire_is(hit, WD_TLS_SERVER_HELLO, 1 - in->side, k->ver);
	if (w->tls_hits < HITS_IS)
		return WA_MAYBE;
	if (w->from_start)
		return wire_is(hit, WD_TLS_RECORDS, -1, w->tls_types);
	return wire_is(hit, (w->tls_types & 8) ? WD_TLS_APPDATA_MID
					       : WD_TLS_RECORDS_MID, -1,
		       w->tls_types);
}

/* Text only (no byte >= 0x80, no control byte but TAB/CR/LF). */
static bool text_only(const uint8_t *p, uint32_t len)
{
	struct cursor c = cur_make(p, len);
	uint8_t b;

	while (cur_u8(&c, &b))
		if (b >= 0x80)
			return false;
	return !wire_binary(p, len);
}

/* A segment that does not continue a known record: the first offset whose
 * chain of records runs to or past the segment's end. */
static enum wire_ans scan(struct wire_state *w, const struct wire_in *in,
			  struct wire_hit *hit)
{
	struct cursor c = cur_make(in->p, in->len);
	size_t at, from = 1;
	struct walk k;
	struct rec r;
	uint8_t t, hdr[HDR_LEN];

	/* candidates: a major version byte 3 after a content type 20-23 */
	for (; cur_find(&c, from, 3, &at); from = at + 1) {
		struct cursor h = c;

		if (!cur_peek(&c, at - 1, &t) || (uint8_t)(t - 20) > 3 ||
		    !cur_skip(&h, at - 1) || !cur_copy(&h, hdr, HDR_LEN) ||
		    !rec_parse(hdr, &r))
			continue;
		k = (struct walk){ .d = { .synced = SYNCED } };
		if (!walk(in->p, in->len, (uint32_t)(at - 1), false, &k))
			continue;
		/* A segment that starts with a record and whose records end
		 * exactly at its end: both of its boundaries are where record
		 * lengths put them (a sender writes each record, or each
		 * flight of records, in segments of its own).  A TLS keep-alive
		 * or a lone alert of a connection picked up mid-stream is
		 * known from its one segment. */
		if (at == 1 && k.d.rem == 0 && k.d.npart == 0)
			k.hits = add_sat(k.hits, HITS_IS);
		return commit(w, in, &k, hit);
	}
	if (in->len >= TEXT_MIN && text_only(in->p, in->len))
		return WA_NOT;
	return WA_MAYBE;
}

enum wire_ans wire_tls(struct wire_state *w, const struct wire_in *in,
		       struct wire_hit *hit)
{
	struct wire_tls_dir *d = &w->tls[in->side];
	struct walk k = { .d = *d };
	uint16_t ver;

	if (in->start) {
		*d = (struct wire_tls_dir){ .synced = AT_START };
		k.d = *d;
	} else if (in->gap) {
		d->synced = UNSYNCED;
	}
	if (d->synced != UNSYNCED) {
		if (walk(in->p, in->len, 0, d->synced == SYNCED, &k))
			return commit(w, in, &k, hit);
		if (d->synced == AT_START) {
			if (ssl2_hello(in->p, in->len, &ver))
				return wire_is(hit, WD_TLS_SSL2_HELLO, in->side, ver);
			return WA_NOT;
		}
		d->synced = UNSYNCED;
	}
	return scan(w, in, hit);
}

enum wire_client_cert wire_tls_client_flight(const uint8_t *p, uint32_t len)
{
	struct cursor c = cur_make(p, len);
	uint8_t h[HDR_LEN], t;
	uint32_t mlen, list;
	struct rec r;

	if (!cur_copy(&c, h, HDR_LEN) || !rec_parse(h, &r))
		return WCC_WATCH;
	if (r.type == 20)                       /* ChangeCipherSpec */
		return WCC_HIDDEN;
	if (r.type != 22 || !cur_u8(&c, &t))
		return WCC_WATCH;
	if (t == 16)                            /* ClientKeyExchange */
		return WCC_NONE;
	/* Certificate: a 24-bit message length, then the list's */
	if (t != 11 || !cur_be24(&c, &mlen) || !cur_be24(&c, &list) ||
	    list + 3 != mlen)
		return WCC_WATCH;
	return list ? WCC_PRESENTED : WCC_EMPTY;
}

const char *wire_client_cert_name(enum wire_client_cert c)
{
	switch (c) {
	case WCC_PRESENTED: return "presented";
	case WCC_EMPTY: return "empty";
	case WCC_NONE: return "none";
	case WCC_HIDDEN: return "hidden";
	default: return NULL;
	}
}
