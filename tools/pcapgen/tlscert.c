/* tlscert.c: the certificate flights of a TLS 1.2 handshake (RFC 5246
 * 7.4), with an X.509 v3 certificate (RFC 5280 4.1) written in DER byte
 * by byte: an RSA-2048 key and signature of random bytes (the structure
 * is real, the mathematics is not), issuer CN=contoso-CA, valid from
 * 2025-06-01 to 2027-06-01 (the captures are dated 2026-01-05), the
 * name as subject CN and as a dNSName in subjectAltName. */
#include <string.h>

#include "tlscert.h"
#include "wb.h"

#define TLS_HANDSHAKE 22
#define TLS_CCS 20
#define DER_MAX 2048

/* A DER buffer that grows at its end. */
struct der {
	uint8_t b[DER_MAX];
	size_t n;
	bool err;
};

static void der_put(struct der *d, const void *p, size_t n)
{
	if (d->err || n > DER_MAX - d->n) {
		d->err = true;
		return;
	}
	memcpy(d->b + d->n, p, n);
	d->n += n;
}

/* Tag, minimal-length length (X.690 8.1.3), then the n bytes at c. */
static void der_tlv(struct der *d, uint8_t tag, const uint8_t *c, size_t n)
{
	uint8_t h[4] = { tag };
	size_t hl = 2;

	if (n < 128) {
		h[1] = (uint8_t)n;
	} else if (n < 256) {
		h[1] = 0x81, h[2] = (uint8_t)n, hl = 3;
	} else {
		h[1] = 0x82, h[2] = (uint8_t)(n >> 8), h[3] = (uint8_t)n, hl = 4;
	}
	der_put(d, h, hl);
	der_put(d, c, n);
}

/* Wraps all of `in` as one TLV appended to `out`. */
static void der_wrap(struct der *out, uint8_t tag, const struct der *in)
{
	out->err |= in->err;
	der_tlv(out, tag, in->b, in->n);
}

static const uint8_t oid_sha256rsa[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86,
	0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 };
static const uint8_t oid_rsa[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
	0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };

/* Name ::= SEQUENCE { SET { SEQUENCE { id-at-commonName, UTF8String } } } */
static void der_name(struct der *out, const char *cn)
{
	static const uint8_t oid_cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
	struct der atv = { .n = 0 }, set = { .n = 0 }, seq = { .n = 0 };

	der_put(&atv, oid_cn, sizeof(oid_cn));
	der_tlv(&atv, 0x0c, (const uint8_t *)cn, strlen(cn));
	der_wrap(&set, 0x30, &atv);
	der_wrap(&seq, 0x31, &set);
	der_wrap(out, 0x30, &seq);
}

/* SubjectPublicKeyInfo: rsaEncryption, a 2048-bit modulus, e 65537. */
static void der_spki(struct der *out, struct pl_rng *rng)
{
	static const uint8_t e[] = { 0x02, 0x03, 0x01, 0x00, 0x01 };
	uint8_t mod[257];
	struct der key = { .n = 0 }, bits = { .n = 0 }, spki = { .n = 0 };

	mod[0] = 0;
	pl_rng_fill(rng, mod + 1, 256);
	mod[1] |= 0x80;
	mod[256] |= 0x01;
	der_tlv(&key, 0x02, mod, sizeof(mod));
	der_put(&key, e, sizeof(e));
	der_put(&bits, "", 1);             /* no unused bits */
	der_wrap(&bits, 0x30, &key);
	der_put(&spki, oid_rsa, sizeof(oid_rsa));
	der_wrap(&spki, 0x03, &bits);
	der_wrap(out, 0x30, &spki);
}

/* [3] Extensions: subjectAltName with one dNSName. */
static void der_exts(struct der *out, const char *dns)
{
	static const uint8_t oid_san[] = { 0x06, 0x03, 0x55, 0x1d, 0x11 };
	struct der names = { .n = 0 }, seq = { .n = 0 }, ext = { .n = 0 },
		   exts = { .n = 0 }, tagged = { .n = 0 };

	der_tlv(&names, 0x82, (const uint8_t *)dns, strlen(dns));
	der_wrap(&seq, 0x30, &names);
	der_put(&ext, oid_san, sizeof(oid_san));
	der_wrap(&ext, 0x04, &seq);
	der_wrap(&exts, 0x30, &ext);
	der_wrap(&tagged, 0x30, &exts);
	der_wrap(out, 0xa3, &tagged);
}

/* A whole certificate for `cn` into out. */
static void der_cert(struct der *out, const char *cn, struct pl_rng *rng)
{
	static const uint8_t version[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
	static const char nb[] = "250601000000Z", na[] = "270601000000Z";
	static struct der tbs, val, cert;
	uint8_t serial[16], sig[257];

	tbs.n = val.n = cert.n = 0;
	tbs.err = val.err = cert.err = false;
	pl_rng_fill(rng, serial, sizeof(serial));
	serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x10);
	der_put(&tbs, version, sizeof(version));
	der_tlv(&tbs, 0x02, serial, sizeof(serial));
	der_put(&tbs, oid_sha256rsa, sizeof(oid_sha256rsa));
	der_name(&tbs, "contoso-CA");
	der_tlv(&val, 0x17, (const uint8_t *)nb, strlen(nb));
	der_tlv(&val, 0x17, (const uint8_t *)na, strlen(na));
	der_wrap(&tbs, 0x30, &val);
	der_name(&tbs, cn);
	der_spki(&tbs, rng);
	der_exts(&tbs, cn);
	der_wrap(&cert, 0x30, &tbs);
	der_put(&cert, oid_sha256rsa, sizeof(oid_sha256rsa));
	sig[0] = 0;
	pl_rng_fill(rng, sig + 1, 256);
	der_tlv(&cert, 0x03, sig, sizeof(sig));
	der_wrap(out, 0x30, &cert);
}

/* ---------------------------------------------------------- TLS writing */

/* A 3-byte big-endian integer (TLS handshake lengths). */
static void wb_u24(struct wb *w, uint32_t v)
{
	wb_u8(w, v >> 16);
	wb_u16(w, v & 0xffff);
}

/* Handshake message header (type, 3-byte length); returns the mark. */
static size_t hs_open(struct wb *w, uint8_t type)
{
	wb_u8(w, type);
	return wb_len_mark(w, 3);
}

/* Certificate (RFC 5246 7.4.2): one certificate for `cn`. */
static void hs_certificate(struct wb *w, const char *cn, struct pl_rng *rng)
{
	static struct der c;
	size_t hs = hs_open(w, 11), list;

	c.n = 0;
	c.err = false;
	der_cert(&c, cn, rng);
	w->err |= c.err;
	list = wb_len_mark(w, 3);
	wb_u24(w, (uint32_t)c.n);
	wb_bytes(w, c.b, c.n);
	wb_patch_len(w, list, 3);
	wb_patch_len(w, hs, 3);
}

/* RSA-2048 signature with rsa_pkcs1_sha256 (RFC 5246 7.4.1.4.1). */
static void tls_signature(struct wb *w, struct pl_rng *rng)
{
	wb_u16(w, 0x0401);
	wb_u16(w, 256);
	wb_rand(w, 256, rng);
}

size_t pl_tls_server_flight(uint8_t *buf, size_t cap, const char *cn,
			    bool request_cert, struct pl_rng *rng)
{
	struct wb w = wb_init(buf, cap);
	size_t rec, hs;

	wb_u8(&w, TLS_HANDSHAKE);
	wb_u16(&w, 0x0303);
	rec = wb_len_mark(&w, 2);
	hs_certificate(&w, cn, rng);
	hs = hs_open(&w, 12);              /* ServerKeyExchange, ECDHE */
	wb_u8(&w, 3);                      /* named_curve */
	wb_u16(&w, 0x0017);                /* secp256r1 */
	wb_u8(&w, 65);
	wb_u8(&w, 0x04);
	wb_rand(&w, 64, rng);
	tls_signature(&w, rng);
	wb_patch_len(&w, hs, 3);
	if (request_cert) {                /* CertificateRequest */
		hs = hs_open(&w, 13);
		wb_u24(&w, 0x020140);      /* rsa_sign, ecdsa_sign */
		wb_u16(&w, 4);
		wb_u32(&w, 0x04010403);    /* rsa/ecdsa with SHA-256 */
		wb_u16(&w, 0);             /* any authority */
		wb_patch_len(&w, hs, 3);
	}
	hs = hs_open(&w, 14);              /* ServerHelloDone */
	wb_patch_len(&w, hs, 3);
	wb_patch_len(&w, rec, 2);
	return wb_done(&w);
}

size_t pl_tls_client_cert_flight(uint8_t *buf, size_t cap, const char *cn,
				 struct pl_rng *rng)
{
	struct wb w = wb_init(buf, cap);
	size_t rec, hs;

	wb_u8(&w, TLS_HANDSHAKE);
	wb_u16(&w, 0x0303);
	rec = wb_len_mark(&w, 2);
	hs_certificate(&w, cn, rng);
	hs = hs_open(&w, 16);              /* ClientKeyExchange */
	wb_u8(&w, 65);
	wb_u8(&w, 0x04);
	wb_rand(&w, 64, rng);
	wb_patch_len(&w, hs, 3);
	hs = hs_open(&w, 15);              /* CertificateVerify */
	tls_signature(&w, rng);
	wb_patch_len(&w, hs, 3);
	wb_patch_len(&w, rec, 2);
	wb_u8(&w, TLS_CCS);                /* ChangeCipherSpec */
	wb_u16(&w, 0x0303);
	wb_u16(&w, 1);
	wb_u8(&w, 1);
	wb_u8(&w, TLS_HANDSHAKE);          /* encrypted Finished */
	wb_u16(&w, 0x0303);
	wb_u16(&w, 8 + 16 + 16);
	wb_rand(&w, 8 + 16 + 16, rng);
	return wb_done(&w);
}
