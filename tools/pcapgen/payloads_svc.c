/* payloads_svc.c: the messages of the services around Lync for the
 * capture generator: DCE/RPC, SMB2, DHCP, HTTP, SQL Browser, DNS, SSH and
 * RDP (payloads.c has the Lync protocols').  Each builder appends to a
 * bounded writer (wb.h).  See payloads.h for the specification of each.
 */
#include <stdio.h>
#include <string.h>

#include "wb.h"

/* -------------------------------------------------------------- DCE/RPC */

#define NDR_UUID "8a885d04-1ceb-11c9-9fe8-08002b104860"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Writes a UUID given as text in the little-endian NDR layout (C706
 * Appendix A: time_low, time_mid, time_hi as LE integers, the rest as
 * bytes).  A malformed string sets the writer's error. */
static void wb_uuid_le(struct wb *w, const char *s)
{
	uint8_t b[16];
	int n = 0;

	for (; *s != '\0' && n < 32; s++) {
		if (*s == '-')
			continue;
		int v = hexval(*s);
		if (v < 0)
			break;
		if (n % 2 == 0)
			b[n / 2] = (uint8_t)(v << 4);
		else
			b[n / 2] |= (uint8_t)v;
		n++;
	}
	if (n != 32 || *s != '\0') {
		w->err = true;
		return;
	}
	wb_le(w, (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3], 4);
	wb_le(w, (uint32_t)(b[4] << 8 | b[5]), 2);
	wb_le(w, (uint32_t)(b[6] << 8 | b[7]), 2);
	wb_bytes(w, b + 8, 8);
}

/* The 16-byte common header (C706 12.6.3.1); returns the frag_length
 * offset to patch. */
static size_t dcerpc_header(struct wb *w, uint8_t ptype, uint32_t call_id)
{
	size_t at;

	wb_u8(w, 5);
	wb_u8(w, 0);
	wb_u8(w, ptype);
	wb_u8(w, 0x03);                   /* PFC_FIRST_FRAG | PFC_LAST_FRAG */
	wb_u32(w, 0x10000000);            /* drep: LE, ASCII, IEEE */
	at = w->len;
	wb_le(w, 0, 2);                   /* frag_length */
	wb_le(w, 0, 2);                   /* auth_length */
	wb_le(w, call_id, 4);
	return at;
}

static void dcerpc_patch_frag(struct wb *w, size_t at)
{
	if (w->err)
		return;
	w->p[at] = (uint8_t)w->len;
	w->p[at + 1] = (uint8_t)(w->len >> 8);
}

size_t pl_dcerpc_bind(uint8_t *buf, size_t cap, uint32_t call_id,
		      const char *uuid, uint16_t ver_major, uint16_t ver_minor)
{
	struct wb w = wb_init(buf, cap);
	size_t frag = dcerpc_header(&w, 11, call_id);

	wb_le(&w, 5840, 2);               /* max_xmit_frag */
	wb_le(&w, 5840, 2);               /* max_recv_frag */
	wb_le(&w, 0, 4);                  /* assoc_group_id: new */
	wb_u8(&w, 1);                     /* n_context_elem */
	wb_zero(&w, 3);
	wb_le(&w, 0, 2);                  /* p_cont_id */
	wb_u8(&w, 1);                     /* n_transfer_syn */
	wb_u8(&w, 0);
	wb_uuid_le(&w, uuid);
	wb_le(&w, ver_major, 2);
	wb_le(&w, ver_minor, 2);
	wb_uuid_le(&w, NDR_UUID);
	wb_le(&w, 2, 4);
	dcerpc_patch_frag(&w, frag);
	return wb_done(&w);
}

size_t pl_dcerpc_bind_ack(uint8_t *buf, size_t cap, uint32_t call_id,
			  uint32_t assoc_group, const char *sec_addr)
{
	struct wb w = wb_init(buf, cap);
	size_t frag = dcerpc_header(&w, 12, call_id);
	size_t alen = strlen(sec_addr) + 1;

	wb_le(&w, 5840, 2);
	wb_le(&w, 5840, 2);
	wb_le(&w, assoc_group, 4);
	wb_le(&w, alen, 2);               /* port_any_t, with its NUL */
	wb_bytes(&w, sec_addr, alen);
	wb_zero(&w, (4 - w.len % 4) % 4); /* align to 4 */
	wb_u8(&w, 1);                     /* n_results */
	wb_zero(&w, 3);
	wb_le(&w, 0, 2);                  /* result: acceptance */
	wb_le(&w, 0, 2);                  /* reason */
	wb_uuid_le(&w, NDR_UUID);
	wb_le(&w, 2, 4);
	dcerpc_patch_frag(&w, frag);
	return wb_done(&w);
}

/* ------------------------------------------------------------------ SMB */

/* The 64-byte SMB2 sync header (MS-SMB2 2.2.1.2) for NEGOTIATE. */
static void smb2_header(struct wb *w, bool response)
{
	static const uint8_t proto[4] = { 0xfe, 'S', 'M', 'B' };

	wb_bytes(w, proto, 4);
	wb_le(w, 64, 2);                  /* StructureSize */
	wb_le(w, 0, 2);                   /* CreditCharge */
	wb_le(w, 0, 4);                   /* Status / ChannelSequence */
	wb_le(w, 0, 2);                   /* Command: NEGOTIATE */
	wb_le(w, 1, 2);                   /* CreditRequest / CreditResponse */
	wb_le(w, response ? 1 : 0, 4);    /* Flags: SERVER_TO_REDIR */
	wb_le(w, 0, 4);                   /* NextCommand */
	wb_le(w, 0, 8);                   /* MessageId */
	wb_le(w, response ? 0 : 0xfeff, 4); /* Reserved (ProcessId) */
	wb_le(w, 0, 4);                   /* TreeId */
	wb_le(w, 0, 8);                   /* SessionId */
	wb_zero(w, 16);                   /* Signature */
}

/* NetBIOS session message header: type 0, 24-bit length (RFC 1002). */
static size_t nbss_open(struct wb *w)
{
	wb_u8(w, 0x00);
	return wb_len_mark(w, 3);
}

size_t pl_smb2_negotiate_request(uint8_t *buf, size_t cap,
				 struct pl_rng *rng)
{
	static const uint16_t dialects[] = { 0x0202, 0x0210, 0x0300, 0x0302 };
	struct wb w = wb_init(buf, cap);
	size_t nb = nbss_open(&w);

	smb2_header(&w, false);
	wb_le(&w, 36, 2);                 /* StructureSize */
	wb_le(&w, 4, 2);                  /* DialectCount */
	wb_le(&w, 1, 2);                  /* SecurityMode: signing enabled */
	wb_le(&w, 0, 2);
	wb_le(&w, 0x7f, 4);               /* Capabilities */
	wb_rand(&w, 16, rng);             /* ClientGuid */
	wb_le(&w, 0, 8);                  /* ClientStartTime */
	for (int i = 0; i < 4; i++)
		wb_le(&w, dialects[i], 2);
	wb_patch_len(&w, nb, 3);
	return wb_done(&w);
}

/* DER: tag, short-form length (contents < 128 bytes), contents. */
static void der(struct wb *w, uint8_t tag, const uint8_t *c, size_t n)
{
	if (n > 127) {
		w->err = true;
		return;
	}
	wb_u8(w, tag);
	wb_u8(w, (unsigned)n);
	wb_bytes(w, c, n);
}

/* GSS-API InitialContextToken (RFC 2743 3.1) holding a SPNEGO
 * negTokenInit with mechTypes MS-KRB5, KRB5 and NTLMSSP. */
static void spnego_init(struct wb *w)
{
	static const uint8_t spnego[] = { 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05,
					  0x05, 0x02 };
	static const uint8_t mechs[] = {
		0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02,
		0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
		0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02,
		0x0a,
	};
	uint8_t a[128], b[128], c[128], d[128];
	struct wb t1 = wb_init(a, sizeof(a)), t2 = wb_init(b, sizeof(b));
	struct wb t3 = wb_init(c, sizeof(c)), t4 = wb_init(d, sizeof(d));

	der(&t1, 0x30, mechs, sizeof(mechs));        /* MechTypeList */
	der(&t2, 0xa0, a, t1.len);                   /* mechTypes [0] */
	der(&t3, 0x30, b, t2.len);                   /* NegTokenInit */
	der(&t4, 0xa0, c, t3.len);                   /* negTokenInit [0] */
	if (t1.err || t2.err || t3.err || t4.err) {
		w->err = true;
		return;
	}
	wb_u8(w, 0x60);                              /* [APPLICATION 0] */
	wb_u8(w, (unsigned)(sizeof(spnego) + t4.len));
	wb_bytes(w, spnego, sizeof(spnego));
	wb_bytes(w, d, t4.len);
}

size_t pl_smb2_negotiate_response(uint8_t *buf, size_t cap,
				  uint64_t filetime, struct pl_rng *rng)
{
	struct wb w = wb_init(buf, cap);
	size_t nb = nbss_open(&w), blob_len_at, blob_at;

	smb2_header(&w, true);
	wb_le(&w, 65, 2);                 /* StructureSize */
	wb_le(&w, 1, 2);                  /* SecurityMode: signing enabled */
	wb_le(&w, 0x0302, 2);             /* DialectRevision */
	wb_le(&w, 0, 2);                  /* NegotiateContextCount */
	wb_rand(&w, 16, rng);             /* ServerGuid */
	wb_le(&w, 0x2f, 4);               /* Capabilities */
	wb_le(&w, 8388608, 4);            /* MaxTransactSize */
	wb_le(&w, 8388608, 4);            /* MaxReadSize */
	wb_le(&w, 8388608, 4);            /* MaxWriteSize */
	wb_le(&w, filetime, 8);           /* SystemTime */
	wb_le(&w, 0, 8);                  /* ServerStartTime */
	wb_le(&w, 64 + 64, 2);            /* SecurityBufferOffset */
	blob_len_at = w.len;
	wb_le(&w, 0, 2);                  /* SecurityBufferLength */
	wb_le(&w, 0, 4);                  /* NegotiateContextOffset */
	blob_at = w.len;
	spnego_init(&w);
	if (!w.err) {
		size_t n = w.len - blob_at;
		w.p[blob_len_at] = (uint8_t)n;
		w.p[blob_len_at + 1] = (uint8_t)(n >> 8);
	}
	wb_patch_len(&w, nb, 3);
	return wb_done(&w);
}

/* ----------------------------------------------------------------- DHCP */

static bool addr4_set(const uint8_t a[4])
{
	return (a[0] | a[1] | a[2] | a[3]) != 0;
}

static void dhcp_opt(struct wb *w, uint8_t code, const void *v, size_t n)
{
	if (n > 255) {
		w->err = true;
		return;
	}
	wb_u8(w, code);
	wb_u8(w, (unsigned)n);
	wb_bytes(w, v, n);
}

static void dhcp_opt_str(struct wb *w, uint8_t code, const char *s)
{
	dhcp_opt(w, code, s, strlen(s));
}

/* RFC 1035 3.1 name encoding of `name` (no compression). */
static void wb_dns_name(struct wb *w, const char *name)
{
	while (*name != '\0') {
		size_t n = strcspn(name, ".");
		if (n == 0 || n > 63) {
			w->err = true;
			return;
		}
		wb_u8(w, (unsigned)n);
		wb_bytes(w, name, n);
		name += n;
		if (*name == '.')
			name++;
	}
	wb_u8(w, 0);
}

static void dhcp_client_opts(struct wb *w, const struct pl_dhcp *d)
{
	static const uint8_t prl[] = { 1, 3, 6, 15, 42, 43, 120 };
	uint8_t cid[7] = { 1 };

	memcpy(cid + 1, d->chaddr, 6);
	dhcp_opt(w, 61, cid, sizeof(cid));
	if (addr4_set(d->requested))
		dhcp_opt(w, 50, d->requested, 4);
	if (addr4_set(d->server_id))
		dhcp_opt(w, 54, d->server_id, 4);
	if (d->hostname != NULL)
		dhcp_opt_str(w, 12, d->hostname);
	dhcp_opt_str(w, 60, "MS-UC-Client");
	dhcp_opt(w, 55, prl, sizeof(prl));
}

static void dhcp_opt43(struct wb *w, const char *web_fqdn)
{
	uint8_t v[255];
	struct wb s = wb_init(v, sizeof(v));

	dhcp_opt_str(&s, 1, "MS-UC-Client");
	dhcp_opt_str(&s, 2, "https");
	dhcp_opt_str(&s, 3, web_fqdn);
	dhcp_opt_str(&s, 4, "443");
	dhcp_opt_str(&s, 5, "/CertProv/CertProvisioningService.svc");
	if (s.err) {
		w->err = true;
		return;
	}
	dhcp_opt(w, 43, v, s.len);
}

static void dhcp_server_opts(struct wb *w, const struct pl_dhcp *d)
{
	uint8_t v[256];
	struct wb s = wb_init(v, sizeof(v));

	dhcp_opt(w, 54, d->server_id, 4);
	if (d->type != PL_DHCPINFORM && d->lease_s != 0) {
		uint8_t l[4] = { (uint8_t)(d->lease_s >> 24),
				 (uint8_t)(d->lease_s >> 16),
				 (uint8_t)(d->lease_s >> 8),
				 (uint8_t)d->lease_s };
		dhcp_opt(w, 51, l, 4);
	}
	dhcp_opt(w, 1, d->netmask, 4);
	dhcp_opt(w, 3, d->router, 4);
	dhcp_opt(w, 6, d->dns, 4);
	dhcp_opt_str(w, 15, d->domain);
	wb_u8(&s, 0);                     /* RFC 3361: enc 0, domain names */
	wb_dns_name(&s, d->sip_server);
	if (s.err)
		w->err = true;
	else
		dhcp_opt(w, 120, v, s.len);
	dhcp_opt43(w, d->web_fqdn);
}

size_t pl_dhcp(uint8_t *buf, size_t cap, const struct pl_dhcp *d)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	struct wb w = wb_init(buf, cap);
	bool server = d->type == PL_DHCPOFFER || d->type == PL_DHCPACK;
	uint8_t type = (uint8_t)d->type;

	wb_u8(&w, server ? 2 : 1);        /* op: BOOTREPLY / BOOTREQUEST */
	wb_u8(&w, 1);                     /* htype: Ethernet */
	wb_u8(&w, 6);                     /* hlen */
	wb_u8(&w, 0);                     /* hops */
	wb_u32(&w, d->xid);
	wb_u16(&w, 0);                    /* secs */
	wb_u16(&w, d->broadcast ? 0x8000 : 0);
	wb_bytes(&w, d->ciaddr, 4);
	wb_bytes(&w, d->yiaddr, 4);
	wb_bytes(&w, d->siaddr, 4);
	wb_zero(&w, 4);                   /* giaddr */
	wb_bytes(&w, d->chaddr, 6);
	wb_zero(&w, 10 + 64 + 128);       /* chaddr pad, sname, file */
	wb_bytes(&w, cookie, 4);
	dhcp_opt(&w, 53, &type, 1);
	if (server)
		dhcp_server_opts(&w, d);
	else
		dhcp_client_opts(&w, d);
	wb_u8(&w, 255);
	if (w.len < 300)                  /* BOOTP minimum (RFC 1542 3.4) */
		wb_zero(&w, 300 - w.len);
	return wb_done(&w);
}

/* ----------------------------------------------------------------- HTTP */

size_t pl_http_get(uint8_t *buf, size_t cap, const char *host,
		   const char *path, const char *user_agent)
{
	struct wb w = wb_init(buf, cap);

	wb_printf(&w, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
		  "Accept: */*\r\nConnection: Keep-Alive\r\n\r\n",
		  path, host, user_agent);
	return wb_done(&w);
}

size_t pl_http_response(uint8_t *buf, size_t cap, int status,
			const char *reason, const char *content_type,
			const char *body)
{
	struct wb w = wb_init(buf, cap);

	wb_printf(&w, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		  "Content-Length: %zu\r\nServer: Microsoft-IIS/8.5\r\n"
		  "Date: Mon, 05 Jan 2026 09:00:00 GMT\r\n\r\n%s",
		  status, reason, content_type, strlen(body), body);
	return wb_done(&w);
}

/* ---------------------------------------------------------- SQL Browser */

size_t pl_sqlbrowser_request(uint8_t *buf, size_t cap)
{
	struct wb w = wb_init(buf, cap);

	wb_u8(&w, 0x03);
	return wb_done(&w);
}

size_t pl_sqlbrowser_response(uint8_t *buf, size_t cap, const char *server,
			      const struct pl_sql_instance *inst, int n)
{
	struct wb w = wb_init(buf, cap);
	size_t at;

	wb_u8(&w, 0x05);
	at = w.len;
	wb_le(&w, 0, 2);
	for (int i = 0; i < n; i++)
		wb_printf(&w, "ServerName;%s;InstanceName;%s;IsClustered;No;"
			  "Version;%s;tcp;%u;;", server, inst[i].name,
			  inst[i].version, inst[i].tcp_port);
	if (!w.err) {
		size_t len = w.len - at - 2;
		if (len > 1024) /* RESP_DATA limit (MC-SQLR 2.2.5) */
			return 0;
		w.p[at] = (uint8_t)len;
		w.p[at + 1] = (uint8_t)(len >> 8);
	}
	return wb_done(&w);
}

/* ------------------------------------------------------------------ DNS */

static void dns_question(struct wb *w, const struct pl_dns *q)
{
	wb_dns_name(w, q->name);
	wb_u16(w, q->type);
	wb_u16(w, 1);                     /* IN */
}

size_t pl_dns_query(uint8_t *buf, size_t cap, const struct pl_dns *q)
{
	struct wb w = wb_init(buf, cap);

	wb_u16(&w, q->id);
	wb_u16(&w, 0x0100);               /* RD */
	wb_u16(&w, 1);
	wb_u16(&w, 0);
	wb_u16(&w, 0);
	wb_u16(&w, 0);
	dns_question(&w, q);
	return wb_done(&w);
}

size_t pl_dns_response(uint8_t *buf, size_t cap, const struct pl_dns *q)
{
	struct wb w = wb_init(buf, cap);
	size_t rdlen;

	wb_u16(&w, q->id);
	wb_u16(&w, 0x8580);               /* QR, AA, RD, RA; NOERROR */
	wb_u16(&w, 1);
	wb_u16(&w, 1);
	wb_u16(&w, 0);
	wb_u16(&w, 0);
	dns_question(&w, q);
	wb_u16(&w, 0xc00c);               /* pointer to the question name */
	wb_u16(&w, q->type);
	wb_u16(&w, 1);
	wb_u32(&w, q->ttl);
	rdlen = wb_len_mark(&w, 2);
	if (q->type == PL_DNS_SRV) {
		wb_u16(&w, 0);
		wb_u16(&w, 0);
		wb_u16(&w, q->srv_port);
		wb_dns_name(&w, q->srv_target);
	} else {
		wb_bytes(&w, q->addr.b, q->type == PL_DNS_A ? 4 : 16);
	}
	wb_patch_len(&w, rdlen, 2);
	return wb_done(&w);
}

/* ------------------------------------------------------------ SSH, RDP */

size_t pl_ssh_banner(uint8_t *buf, size_t cap, const char *software)
{
	struct wb w = wb_init(buf, cap);

	wb_printf(&w, "SSH-2.0-%s\r\n", software);
	return wb_done(&w);
}

static void ssh_namelist(struct wb *w, const char *s)
{
	wb_u32(w, (uint32_t)strlen(s));
	wb_str(w, s);
}

size_t pl_ssh_kexinit(uint8_t *buf, size_t cap, struct pl_rng *rng)
{
	static const char *const lists[10] = {
		"curve25519-sha256,ecdh-sha2-nistp256",
		"ssh-ed25519,rsa-sha2-512,rsa-sha2-256",
		"aes128-gcm@openssh.com,aes256-gcm@openssh.com",
		"aes128-gcm@openssh.com,aes256-gcm@openssh.com",
		"hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
		"hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
		"none", "none", "", "",
	};
	struct wb w = wb_init(buf, cap);
	size_t plen = wb_len_mark(&w, 4), pad_at = w.len, body, pad;

	wb_u8(&w, 0);                     /* padding_length, patched below */
	wb_u8(&w, 20);                    /* SSH_MSG_KEXINIT */
	wb_rand(&w, 16, rng);             /* cookie */
	for (int i = 0; i < 10; i++)
		ssh_namelist(&w, lists[i]);
	wb_u8(&w, 0);                     /* first_kex_packet_follows */
	wb_u32(&w, 0);
	/* total length a multiple of 8, at least 4 bytes of padding */
	body = w.len - plen;
	pad = 8 - body % 8;
	if (pad < 4)
		pad += 8;
	wb_zero(&w, pad);
	if (!w.err)
		w.p[pad_at] = (uint8_t)pad;
	wb_patch_len(&w, plen, 4);
	return wb_done(&w);
}

size_t pl_rdp_connect_request(uint8_t *buf, size_t cap, const char *user)
{
	struct wb w = wb_init(buf, cap);
	size_t tpkt_len, li;

	wb_u8(&w, 3);                     /* TPKT version */
	wb_u8(&w, 0);
	tpkt_len = w.len;
	wb_u16(&w, 0);
	li = w.len;
	wb_u8(&w, 0);                     /* X.224 length indicator */
	wb_u8(&w, 0xe0);                  /* CR, credit 0 */
	wb_u16(&w, 0);                    /* DST-REF */
	wb_u16(&w, 0);                    /* SRC-REF */
	wb_u8(&w, 0);                     /* class 0 */
	wb_printf(&w, "Cookie: mstshash=%s\r\n", user);
	wb_u8(&w, 1);                     /* TYPE_RDP_NEG_REQ */
	wb_u8(&w, 0);
	wb_le(&w, 8, 2);
	wb_le(&w, 3, 4);                  /* PROTOCOL_SSL | PROTOCOL_HYBRID */
	if (!w.err) {
		w.p[tpkt_len] = (uint8_t)(w.len >> 8);
		w.p[tpkt_len + 1] = (uint8_t)w.len;
		w.p[li] = (uint8_t)(w.len - li - 1);
	}
	return wb_done(&w);
}

size_t pl_rdp_connect_confirm(uint8_t *buf, size_t cap)
{
	static const uint8_t cc[] = {
		0x03, 0x00, 0x00, 0x13,       /* TPKT, length 19 */
		0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, /* X.224 CC */
		0x02, 0x1f, 0x08, 0x00,       /* RDP_NEG_RSP, flags, length */
		0x02, 0x00, 0x00, 0x00,       /* PROTOCOL_HYBRID */
	};
	struct wb w = wb_init(buf, cap);

	wb_bytes(&w, cc, sizeof(cc));
	return wb_done(&w);
}
