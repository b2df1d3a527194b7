/* detail.c: the sentence fragment for a wire result (wire_detail), made
 * only when a record is written, never on the packet path.  Built without
 * printf: fixed fragments and one number at most, appended by `struct out`
 * (the same text and truncation as snprintf). */
#include <stddef.h>
#include <string.h>

#include "inspect/wire/check.h"
#include "inspect/wire/wire.h"
#include "util/textfmt.h"

/* An output buffer: at most len - 1 bytes and a NUL, like snprintf. */
struct out {
	char *buf;
	size_t len, pos;
};

/* n bytes of s, as many as fit. */
static void put_n(struct out *o, const char *s, size_t n)
{
	size_t room = o->len - 1 - o->pos;

	if (n > room)
		n = room;
	memcpy(o->buf + o->pos, s, n);
	o->pos += n;
	o->buf[o->pos] = '\0';
}

static void put_s(struct out *o, const char *s)
{
	put_n(o, s, strlen(s));
}

/* v in decimal (base 10) or lower-case hex (16), at least `width` (< 16)
 * digits, zero padded; written from the end of a small buffer. */
static inline void put_num(struct out *o, uint32_t v, unsigned base,
			   int width)
{
	static const char dig[] = "0123456789abcdef";
	char t[16], *e = t + sizeof(t);

	do {
		*--e = dig[v % base];
		v /= base;
	} while (v);
	while (e - t > (ptrdiff_t)sizeof(t) - width)
		*--e = '0';
	put_n(o, e, (size_t)(t + sizeof(t) - e));
}

/* Template t with at most one conversion: %u, %x or %0Nx (N one digit),
 * taking arg. */
static void put_tmpl(struct out *o, const char *t, uint32_t arg)
{
	const char *pct = strchr(t, '%');

	if (pct == NULL) {
		put_s(o, t);
		return;
	}
	put_n(o, t, (size_t)(pct - t));
	t = pct + 1;
	if (*t == 'u') {
		put_num(o, arg, 10, 1);
		t++;
	} else if (t[0] == '0' && t[1] >= '1' && t[1] <= '9' && t[2] == 'x') {
		put_num(o, arg, 16, t[1] - '0');
		t += 3;
	} else if (*t == 'x') {
		put_num(o, arg, 16, 1);
		t++;
	}
	put_s(o, t);
}

/* A text of a detail code: a fixed part, then at most one number of the
 * result's arg (conv) and another fixed part; the lengths known. */
enum conv { C_NONE, C_U, C_X, C_X2, C_X4, C_X8 };
struct tmpl {
	const char *pre, *suf;
	uint8_t npre, nsuf, conv;
};
#define FIXED(s) { s, "", sizeof(s) - 1, 0, C_NONE }
#define NUM(p, c, s) { p, s, sizeof(p) - 1, sizeof(s) - 1, c }

static const struct tmpl text[WD_N] = {
	[WD_NONE] = FIXED("nothing checked"),
	[WD_NO_PAYLOAD] = FIXED("no payload"),
	[WD_TOO_SHORT] = FIXED("payload too short"),
	[WD_NO_MATCH] = NUM("no check matched in ", C_U, " payloads"),
	[WD_MIDSTREAM] = NUM("no aligned record or message start in ", C_U,
			     " segments (mid-stream)"),
	[WD_TLS_UNCONFIRMED] =
		FIXED("TLS record header seen, no second in line"),
	[WD_RTP_UNCONFIRMED] =
		FIXED("RTP-looking packets, no consistent SSRC and sequence"),
	[WD_SIP_KEEPALIVE] = FIXED("SIP keep-alives only"),
	[WD_ALL_EXCLUDED] = NUM("no protocol checked fits (", C_U, " payloads)"),
	[WD_TLS_APPDATA_MID] = FIXED("TLS application data (mid-stream)"),
	[WD_TLS_RECORDS_MID] = FIXED("TLS records in line (mid-stream)"),
	[WD_TLS_RECORDS] = FIXED("TLS records in line, no hello seen"),
	[WD_TURN_CHANNELDATA] = NUM("TURN ChannelData (channel 0x", C_X4, ")"),
	[WD_RTP] = NUM("RTP (SSRC 0x", C_X8, ")"),
	[WD_RTP_TCP] = NUM("RTP over TCP, RFC 4571 framing (SSRC 0x", C_X8,
			   ")"),
	[WD_DCERPC_CO] = NUM("DCE/RPC packet type ", C_U, ""),
	[WD_DCERPC_CL] = NUM("DCE/RPC connectionless packet type ", C_U,
			     ""),
	[WD_SMB1] = NUM("SMB1 command 0x", C_X2, ""),
	[WD_SMB2] = NUM("SMB2 command ", C_U, ""),
	[WD_SMB3_TRANSFORM] = FIXED("SMB3 encrypted (transform header)"),
	[WD_NBSS_REQUEST] = FIXED("NetBIOS session request"),
	[WD_DHCP] = NUM("DHCP message type ", C_U, ""),
	[WD_DHCP_MALFORMED] = NUM("DHCP message type ", C_U,
				  ", options run past the datagram"),
	[WD_SSRP_REQUEST] = NUM("SQL Browser request 0x", C_X2, ""),
	[WD_SSRP_RESPONSE] = NUM("SQL Browser response (", C_U, " bytes)"),
	[WD_TDS_PRELOGIN] = FIXED("TDS pre-login"),
	[WD_TDS_LOGIN7] = FIXED("TDS login7"),
	[WD_MSNFTP] = FIXED("MSNFTP VER"),
	[WD_RDP_CR] = FIXED("RDP X.224 connection request"),
	[WD_RDP_CC] = FIXED("RDP X.224 connection confirm"),
	[WD_RDP_DATA] = FIXED("RDP X.224 data"),
	[WD_DNS_QUERY] = NUM("DNS query type ", C_U, ""),
};
#undef FIXED
#undef NUM


/* The text of t with arg, as put_tmpl writes its printf-like template:
 * 8 hex digits by byte pairs, the other numbers by put_num. */
static void put_text(struct out *o, const struct tmpl *t, uint32_t arg)
{
	put_n(o, t->pre, t->npre);
	switch (t->conv) {
	case C_NONE:
		return;
	case C_X8: {
		char h[8];

		memcpy(h, textfmt_hexpairs[arg >> 24], 2);
		memcpy(h + 2, textfmt_hexpairs[arg >> 16 & 255], 2);
		memcpy(h + 4, textfmt_hexpairs[arg >> 8 & 255], 2);
		memcpy(h + 6, textfmt_hexpairs[arg & 255], 2);
		put_n(o, h, 8);
		break;
	}
	case C_U:
		put_num(o, arg, 10, 1);
		break;
	default:
		put_num(o, arg, 16, t->conv == C_X4 ? 4 : t->conv == C_X2 ? 2 : 1);
		break;
	}
	put_n(o, t->suf, t->nsuf);
}

static const char *tls_version(uint32_t v)
{
	switch (v) {
	case 0x0002: return "SSL 2.0";
	case 0x0300: return "SSL 3.0";
	case 0x0301: return "1.0";
	case 0x0302: return "1.1";
	case 0x0303: return "1.2";
	case 0x0304: return "1.3";
	default: return "?";
	}
}

static const char *stun_method(uint32_t type)
{
	switch (type & 0x3EEF) {
	case 0x001: return "Binding";
	case 0x002: return "Shared Secret";
	case 0x003: return "Allocate";
	case 0x004: return "Refresh/Send";
	case 0x006: return "Send/Set Active Destination";
	case 0x007: return "Data";
	case 0x008: return "CreatePermission";
	case 0x009: return "ChannelBind";
	default: return "method";
	}
}

static const char *stun_class(uint32_t type)
{
	static const char *const cls[] = {
		"request", "indication", "success response", "error response"
	};

	return cls[((type >> 7) & 2u) | ((type >> 4) & 1u)];
}

static void stun(const struct wire_result *r, struct out *o)
{
	static const char *const fam[] = { "STUN", "classic STUN (RFC 3489)",
					   "MS-TURN" };
	uint32_t t = r->arg & 0xffff;

	put_s(o, fam[r->detail - WD_STUN]);
	put_s(o, " ");
	put_s(o, stun_method(t));
	put_s(o, " ");
	put_s(o, stun_class(t));
	put_s(o, (r->arg >> 17) & 1 ? " (MS-TURN TCP framing)" :
		 (r->arg >> 16) & 1 ? " (RFC 4571 framing)" : "");
}

static const char *rtcp_type(uint32_t pt)
{
	static const char *const n[] = { "SR", "RR", "SDES", "BYE", "APP",
					 "RTPFB", "PSFB", "XR" };

	return pt >= 200 && pt <= 207 ? n[pt - 200] : "?";
}

static const char *tds_type(uint32_t t)
{
	switch (t) {
	case 0x01: return "SQL batch";
	case 0x03: return "RPC";
	case 0x04: return "response";
	case 0x06: return "attention";
	case 0x07: return "bulk load";
	case 0x0E: return "transaction manager";
	case 0x10: return "login7";
	case 0x11: return "SSPI";
	case 0x12: return "pre-login";
	default: return "packet";
	}
}

static const char *hello_name(unsigned detail)
{
	return detail == WD_TLS_SERVER_HELLO ? "TLS ServerHello (" :
	       detail == WD_TLS_CLIENT_HELLO ? "TLS ClientHello (" :
	       detail == WD_TLS_HELLO_NOEXT ?
	       "TLS ClientHello without extensions (as MS-TURN pseudo-TLS) (" :
	       "TLS SSL 2.0-compatible ClientHello (";
}

static void special(const struct wire_result *r, struct out *o)
{
	uint32_t a = r->arg;

	switch (r->detail) {
	case WD_TLS_CLIENT_HELLO:
	case WD_TLS_SERVER_HELLO:
	case WD_TLS_SSL2_HELLO:
	case WD_TLS_HELLO_NOEXT:
		put_s(o, hello_name(r->detail));
		put_s(o, tls_version(a));
		put_s(o, ")");
		break;
	case WD_SIP_REQUEST:
	case WD_HTTP_REQUEST:
		put_s(o, r->detail == WD_SIP_REQUEST ? "SIP " : "HTTP ");
		put_s(o, wire_method_name(a));
		put_s(o, " request");
		break;
	case WD_SIP_STATUS:
	case WD_HTTP_STATUS:
		put_tmpl(o, r->detail == WD_SIP_STATUS ? "SIP status %u" :
			 "HTTP status %u", a);
		break;
	case WD_STUN:
	case WD_STUN_CLASSIC:
	case WD_MSTURN:
		stun(r, o);
		break;
	case WD_RTCP:
	case WD_SRTCP:
		put_s(o, r->detail == WD_RTCP ? "RTCP " : "SRTCP ");
		put_s(o, rtcp_type(a & 0xff));
		put_tmpl(o, " (%u in the packet)", (a >> 8) & 0xff);
		break;
	case WD_TDS_PACKETS:
		put_s(o, "TDS ");
		put_s(o, tds_type(a & 0xff));
		put_s(o, " and ");
		put_s(o, tds_type((a >> 8) & 0xff));
		break;
	case WD_TDS_REQUEST:
		put_s(o, "TDS ");
		put_s(o, tds_type(a));
		put_s(o, " request");
		break;
	case WD_SSH_BANNER:
		put_s(o, a == 199 ? "SSH banner (1.99)" : "SSH banner (2.0)");
		break;
	case WD_DNS_RESPONSE:
		put_tmpl(o, "DNS response type %u", a & 0xffff);
		put_tmpl(o, " rcode %u", a >> 16);
		break;
	default:
		put_tmpl(o, "detail %u", r->detail);
		break;
	}
}

void wire_detail(const struct wire_result *r, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	const struct tmpl *t;

	if (len == 0)
		return;
	buf[0] = '\0';
	t = r->detail < WD_N ? &text[r->detail] : NULL;
	if (t == NULL || t->pre == NULL)
		special(r, &o);
	else
		put_text(&o, t, r->arg);
}
