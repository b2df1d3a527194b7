/* payloads.c: the Lync protocols' messages for the capture generator:
 * TLS, SIP and SDP, STUN, RTP and RTCP (payloads_svc.c has the Windows
 * and infrastructure services').  Each builder appends to a bounded
 * writer (wb.h).  See payloads.h for the specification of each message.
 */
#include <stdio.h>
#include <string.h>

#include "wb.h"

/* ------------------------------------------------------------------ TLS */

#define TLS_HANDSHAKE 22
#define TLS_CCS 20
#define TLS_APPDATA 23

/* Cipher suites as a Windows 8.1 / Server 2012 R2 SChannel offers them. */
static const uint16_t tls_suites[] = {
	0xc02c, 0xc02b, 0xc030, 0xc02f, 0x009f, 0x009e, 0xc024, 0xc023,
	0xc028, 0xc027, 0xc00a, 0xc009, 0xc014, 0xc013, 0x009d, 0x009c,
	0x003d, 0x003c, 0x0035, 0x002f, 0x000a,
};

static const uint16_t tls_sigalgs[] = {
	0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203, 0x0202, 0x0601,
	0x0603,
};

/* Opens a record and a handshake message; returns the two length marks. */
static void tls_hs_open(struct wb *w, uint16_t rec_ver, uint8_t hs_type,
			size_t *rec, size_t *hs)
{
	wb_u8(w, TLS_HANDSHAKE);
	wb_u16(w, rec_ver);
	*rec = wb_len_mark(w, 2);
	wb_u8(w, hs_type);
	*hs = wb_len_mark(w, 3);
}

static void tls_ext_sni(struct wb *w, const char *sni)
{
	size_t ext, list;

	wb_u16(w, 0x0000);
	ext = wb_len_mark(w, 2);
	list = wb_len_mark(w, 2);
	wb_u8(w, 0); /* host_name */
	wb_u16(w, (unsigned)strlen(sni));
	wb_str(w, sni);
	wb_patch_len(w, list, 2);
	wb_patch_len(w, ext, 2);
}

static void tls_ext_u16_list(struct wb *w, uint16_t type, const uint16_t *v,
			     size_t n, int list_len_bytes)
{
	size_t ext, list;

	wb_u16(w, type);
	ext = wb_len_mark(w, 2);
	list = wb_len_mark(w, list_len_bytes);
	for (size_t i = 0; i < n; i++)
		wb_u16(w, v[i]);
	wb_patch_len(w, list, list_len_bytes);
	wb_patch_len(w, ext, 2);
}

/* Extensions that carry a fixed body: type, then the body bytes. */
static void tls_ext_raw(struct wb *w, uint16_t type, const uint8_t *body,
			size_t n)
{
	wb_u16(w, type);
	wb_u16(w, (unsigned)n);
	wb_bytes(w, body, n);
}

static void tls_client_exts(struct wb *w, const char *sni)
{
	static const uint16_t groups[] = { 0x001d, 0x0017, 0x0018 };
	static const uint16_t versions[] = { 0x0303 };
	static const uint8_t points[] = { 0x01, 0x00 };
	static const uint8_t reneg[] = { 0x00 };
	size_t exts = wb_len_mark(w, 2);

	if (sni != NULL)
		tls_ext_sni(w, sni);
	tls_ext_u16_list(w, 0x000a, groups, 3, 2);
	tls_ext_raw(w, 0x000b, points, sizeof(points));
	tls_ext_u16_list(w, 0x000d, tls_sigalgs,
			 sizeof(tls_sigalgs) / sizeof(tls_sigalgs[0]), 2);
	tls_ext_raw(w, 0x0017, NULL, 0);
	tls_ext_raw(w, 0xff01, reneg, sizeof(reneg));
	tls_ext_u16_list(w, 0x002b, versions, 1, 1);
	wb_patch_len(w, exts, 2);
}

size_t pl_tls_client_hello(uint8_t *buf, size_t cap, const char *sni,
			   struct pl_rng *rng)
{
	struct wb w = wb_init(buf, cap);
	size_t nsuites = sizeof(tls_suites) / sizeof(tls_suites[0]);
	size_t rec, hs;

	tls_hs_open(&w, 0x0301, 1, &rec, &hs);
	wb_u16(&w, 0x0303);
	wb_rand(&w, 32, rng);             /* random */
	wb_u8(&w, 32);
	wb_rand(&w, 32, rng);             /* session_id */
	wb_u16(&w, (unsigned)(2 * nsuites));
	for (size_t i = 0; i < nsuites; i++)
		wb_u16(&w, tls_suites[i]);
	wb_u8(&w, 1);
	wb_u8(&w, 0);                     /* compression: null */
	tls_client_exts(&w, sni);
	wb_patch_len(&w, hs, 3);
	wb_patch_len(&w, rec, 2);
	return wb_done(&w);
}

size_t pl_tls_server_hello(uint8_t *buf, size_t cap, struct pl_rng *rng)
{
	static const uint8_t points[] = { 0x01, 0x00 };
	static const uint8_t reneg[] = { 0x00 };
	struct wb w = wb_init(buf, cap);
	size_t rec, hs, exts;

	tls_hs_open(&w, 0x0303, 2, &rec, &hs);
	wb_u16(&w, 0x0303);
	wb_rand(&w, 32, rng);
	wb_u8(&w, 32);
	wb_rand(&w, 32, rng);
	wb_u16(&w, 0xc030);               /* ECDHE_RSA_AES_256_GCM_SHA384 */
	wb_u8(&w, 0);
	exts = wb_len_mark(&w, 2);
	tls_ext_raw(&w, 0xff01, reneg, sizeof(reneg));
	tls_ext_raw(&w, 0x0017, NULL, 0);
	tls_ext_raw(&w, 0x000b, points, sizeof(points));
	wb_patch_len(&w, exts, 2);
	wb_patch_len(&w, hs, 3);
	wb_patch_len(&w, rec, 2);
	return wb_done(&w);
}

static void tls_ccs_finished(struct wb *w, struct pl_rng *rng)
{
	wb_u8(w, TLS_CCS);
	wb_u16(w, 0x0303);
	wb_u16(w, 1);
	wb_u8(w, 1);
	wb_u8(w, TLS_HANDSHAKE);          /* encrypted Finished */
	wb_u16(w, 0x0303);
	wb_u16(w, 8 + 16 + 16);
	wb_rand(w, 8 + 16 + 16, rng);
}

size_t pl_tls_client_finish(uint8_t *buf, size_t cap, struct pl_rng *rng)
{
	struct wb w = wb_init(buf, cap);
	size_t rec, hs;

	tls_hs_open(&w, 0x0303, 16, &rec, &hs);
	wb_u8(&w, 65);
	wb_u8(&w, 0x04);                  /* uncompressed point */
	wb_rand(&w, 64, rng);
	wb_patch_len(&w, hs, 3);
	wb_patch_len(&w, rec, 2);
	tls_ccs_finished(&w, rng);
	return wb_done(&w);
}

size_t pl_tls_server_finish(uint8_t *buf, size_t cap, struct pl_rng *rng)
{
	struct wb w = wb_init(buf, cap);

	tls_ccs_finished(&w, rng);
	return wb_done(&w);
}

size_t pl_tls_app_data(uint8_t *buf, size_t cap, size_t plain,
		       struct pl_rng *rng)
{
	struct wb w = wb_init(buf, cap);

	do {
		size_t n = plain > 16384 ? 16384 : plain;
		wb_u8(&w, TLS_APPDATA);
		wb_u16(&w, 0x0303);
		wb_u16(&w, (unsigned)(8 + n + 16));
		wb_rand(&w, 8 + n + 16, rng);
		plain -= n;
	} while (plain > 0);
	return wb_done(&w);
}

/* ------------------------------------------------------------------ SIP */

static void sip_start_line(struct wb *w, const struct pl_sip *m)
{
	if (m->method != NULL)
		wb_printf(w, "%s %s SIP/2.0\r\n", m->method, m->uri);
	else
		wb_printf(w, "SIP/2.0 %d %s\r\n", m->status, m->reason);
}

static void sip_headers(struct wb *w, const struct pl_sip *m)
{
	const char *cm = m->cseq_method != NULL ? m->cseq_method : m->method;

	wb_printf(w, "Via: SIP/2.0/%s %s:%u;branch=%s\r\n", m->transport,
		  m->via_host, m->via_port, m->branch);
	if (m->method != NULL)
		wb_str(w, "Max-Forwards: 70\r\n");
	wb_printf(w, "From: %s;tag=%s\r\n", m->from, m->from_tag);
	if (m->to_tag != NULL)
		wb_printf(w, "To: %s;tag=%s\r\n", m->to, m->to_tag);
	else
		wb_printf(w, "To: %s\r\n", m->to);
	wb_printf(w, "Call-ID: %s\r\n", m->call_id);
	wb_printf(w, "CSeq: %u %s\r\n", m->cseq, cm);
	if (m->contact != NULL)
		wb_printf(w, "Contact: %s\r\n", m->contact);
	if (m->user_agent != NULL)
		wb_printf(w, "%s: %s\r\n",
			  m->method != NULL ? "User-Agent" : "Server",
			  m->user_agent);
	if (m->extra != NULL)
		wb_str(w, m->extra);
}

size_t pl_sip_message(uint8_t *buf, size_t cap, const struct pl_sip *m)
{
	struct wb w = wb_init(buf, cap);
	size_t blen = m->body != NULL ? strlen(m->body) : 0;

	sip_start_line(&w, m);
	sip_headers(&w, m);
	if (m->body != NULL)
		wb_printf(&w, "Content-Type: %s\r\n", m->content_type);
	wb_printf(&w, "Content-Length: %zu\r\n\r\n", blen);
	if (m->body != NULL)
		wb_str(&w, m->body);
	return wb_done(&w);
}

static const char *addr_text(const struct pl_addr *a, char *buf, size_t cap)
{
	if (a->family == 4) {
		snprintf(buf, cap, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2],
			 a->b[3]);
		return buf;
	}
	/* RFC 5952 form is not needed for the documentation prefix used
	 * here; a full form without zero compression is valid SDP. */
	snprintf(buf, cap, "%x:%x:%x:%x:%x:%x:%x:%x",
		 a->b[0] << 8 | a->b[1], a->b[2] << 8 | a->b[3],
		 a->b[4] << 8 | a->b[5], a->b[6] << 8 | a->b[7],
		 a->b[8] << 8 | a->b[9], a->b[10] << 8 | a->b[11],
		 a->b[12] << 8 | a->b[13], a->b[14] << 8 | a->b[15]);
	return buf;
}

size_t pl_sdp_audio(char *buf, size_t cap, const struct pl_addr *conn,
		    uint16_t port, uint32_t sess_id)
{
	struct wb w = wb_init((uint8_t *)buf, cap);
	const char *ipv = conn->family == 4 ? "IP4" : "IP6";
	char a[64];

	addr_text(conn, a, sizeof(a));
	wb_printf(&w, "v=0\r\no=- %u 0 IN %s %s\r\ns=session\r\n", sess_id,
		  ipv, a);
	wb_printf(&w, "c=IN %s %s\r\nb=CT:99980\r\nt=0 0\r\n", ipv, a);
	wb_printf(&w, "m=audio %u RTP/AVP 111 0 8 101\r\n", port);
	wb_str(&w, "a=rtpmap:111 SIREN/16000\r\n"
		   "a=fmtp:111 bitrate=16000\r\n"
		   "a=rtpmap:0 PCMU/8000\r\n"
		   "a=rtpmap:8 PCMA/8000\r\n"
		   "a=rtpmap:101 telephone-event/8000\r\n"
		   "a=fmtp:101 0-16\r\n"
		   "a=ptime:20\r\n"
		   "a=sendrecv\r\n");
	wb_u8(&w, 0);
	return w.err ? 0 : w.len - 1;
}

/* ----------------------------------------------------------------- STUN */

#define STUN_COOKIE 0x2112A442u

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n-- > 0) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static size_t stun_header(struct wb *w, uint16_t type, const uint8_t txid[12])
{
	size_t len;

	wb_u16(w, type);
	len = wb_len_mark(w, 2);
	wb_u32(w, STUN_COOKIE);
	wb_bytes(w, txid, 12);
	return len;
}

/* Appends FINGERPRINT (RFC 5389 15.5) and sets the message length: the
 * CRC covers the message up to the attribute, with a length that already
 * counts it. */
static void stun_finish(struct wb *w, size_t len_at)
{
	uint32_t crc;

	wb_u16(w, 0x8028);
	wb_u16(w, 4);
	wb_u32(w, 0);
	if (w->err)
		return;
	w->p[len_at] = (uint8_t)((w->len - 20) >> 8);
	w->p[len_at + 1] = (uint8_t)(w->len - 20);
	crc = crc32_ieee(w->p, w->len - 8) ^ 0x5354554eu;
	for (int i = 0; i < 4; i++)
		w->p[w->len - 4 + (size_t)i] = (uint8_t)(crc >> (24 - 8 * i));
}

size_t pl_stun_binding_request(uint8_t *buf, size_t cap,
			       const uint8_t txid[12], bool ms_version)
{
	struct wb w = wb_init(buf, cap);
	size_t len = stun_header(&w, 0x0001, txid);

	if (ms_version) {
		wb_u16(&w, 0x8008);
		wb_u16(&w, 4);
		wb_u32(&w, 6);
	}
	stun_finish(&w, len);
	return wb_done(&w);
}

size_t pl_stun_binding_response(uint8_t *buf, size_t cap,
				const uint8_t txid[12],
				const struct pl_addr *mapped, uint16_t port)
{
	struct wb w = wb_init(buf, cap);
	size_t len = stun_header(&w, 0x0101, txid);
	size_t alen = mapped->family == 4 ? 4 : 16;
	uint8_t key[16];

	for (int i = 0; i < 4; i++)
		key[i] = (uint8_t)(STUN_COOKIE >> (24 - 8 * i));
	memcpy(key + 4, txid, 12);
	wb_u16(&w, 0x0020);
	wb_u16(&w, (unsigned)(4 + alen));
	wb_u8(&w, 0);
	wb_u8(&w, mapped->family == 4 ? 0x01 : 0x02);
	wb_u16(&w, port ^ (STUN_COOKIE >> 16));
	for (size_t i = 0; i < alen; i++)
		wb_u8(&w, mapped->b[i] ^ key[i]);
	stun_finish(&w, len);
	return wb_done(&w);
}

/* ------------------------------------------------------------ RTP, RTCP */

size_t pl_rtp(uint8_t *buf, size_t cap, const struct pl_rtp *h,
	      size_t payload_len, struct pl_rng *rng)
{
	struct wb w = wb_init(buf, cap);

	wb_u8(&w, 0x80);
	wb_u8(&w, (h->marker ? 0x80u : 0u) | (h->pt & 0x7fu));
	wb_u16(&w, h->seq);
	wb_u32(&w, h->ts);
	wb_u32(&w, h->ssrc);
	wb_rand(&w, payload_len, rng);
	return wb_done(&w);
}

size_t pl_rtcp_sr(uint8_t *buf, size_t cap, const struct pl_rtcp_sr *sr)
{
	struct wb w = wb_init(buf, cap);
	size_t clen = strlen(sr->cname), sdes_at, pad;

	wb_u8(&w, 0x80);                  /* V=2, RC=0 */
	wb_u8(&w, 200);                   /* SR */
	wb_u16(&w, 6);                    /* length in words - 1 */
	wb_u32(&w, sr->ssrc);
	wb_u32(&w, sr->ntp_sec);
	wb_u32(&w, sr->ntp_frac);
	wb_u32(&w, sr->rtp_ts);
	wb_u32(&w, sr->packets);
	wb_u32(&w, sr->octets);
	sdes_at = w.len;
	wb_u8(&w, 0x81);                  /* V=2, SC=1 */
	wb_u8(&w, 202);                   /* SDES */
	wb_u16(&w, 0);
	wb_u32(&w, sr->ssrc);
	wb_u8(&w, 1);                     /* CNAME */
	wb_u8(&w, (unsigned)clen);
	wb_str(&w, sr->cname);
	pad = 4 - ((w.len - sdes_at) % 4); /* at least one 0: end of list */
	wb_zero(&w, pad);
	if (!w.err) {
		size_t words = (w.len - sdes_at) / 4 - 1;
		w.p[sdes_at + 2] = (uint8_t)(words >> 8);
		w.p[sdes_at + 3] = (uint8_t)words;
	}
	return wb_done(&w);
}
