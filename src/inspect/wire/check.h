/* check.h: the contract between the dispatcher (wire.c) and the protocol
 * checks (tls.c, sip.c, ...).  Private to src/inspect/wire.
 *
 * A check looks at one payload and answers WA_IS (fills *hit), WA_NOT or
 * WA_MAYBE.  It reads the bytes through a cursor only and keeps what it
 * must remember in struct wire_state (its own fields only).
 */
#ifndef LW_WIRE_CHECK_H
#define LW_WIRE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/cursor.h"
#include "inspect/wire/wire.h"

enum wire_ans { WA_MAYBE, WA_IS, WA_NOT };

/* struct wire_state.flags */
#define WF_SIP_KEEPALIVE 0x01   /* a SIP keep-alive was seen */
#define WF_RTP_SEEN      0x02   /* an RTP-looking packet was seen */
#define WF_LONG_SEEN     0x08   /* a payload of WIRE_TINY bytes or more */
#define WF_SPOKE0        0x10   /* side 0 sent a payload */
#define WF_SPOKE1        0x20   /* side 1 sent a payload */

/* Payloads shorter than this (keep-alives) do not count to the budget. */
#define WIRE_TINY 8

/* One payload as the checks see it. */
struct wire_in {
	const uint8_t *p;
	uint32_t len;
	int side;               /* 0 or 1 */
	bool dgram;             /* UDP: the payload is a whole message */
	bool start;             /* TCP: first bytes of this side's stream */
	bool gap;               /* TCP: bytes were lost before these */
	bool other_spoke;       /* the other side sent a payload before */
};

/* What an IS names. */
struct wire_hit {
	uint8_t detail;         /* enum wire_detail_code */
	int8_t client_side;     /* 0/1, or -1 */
	uint32_t arg;
};

typedef enum wire_ans (*wire_check_fn)(struct wire_state *w,
				       const struct wire_in *in,
				       struct wire_hit *hit);

enum wire_ans wire_tls(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_sip(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_http(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_stun(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_rtp(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_rtcp(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_dcerpc(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_smb(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_dhcp(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_ssrp(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_tds(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_msnftp(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_rdp(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_ssh(struct wire_state *, const struct wire_in *, struct wire_hit *);
enum wire_ans wire_dns(struct wire_state *, const struct wire_in *, struct wire_hit *);

/* Shared by the text checks (text.c). */

/* Methods known by name (index 0: any other token). */
uint32_t wire_method_index(const uint8_t *tok, size_t n);

/* Reads an upper-case method token (A-Z, '-', '_', 1..24 bytes) and the
 * space after it; false and the cursor unchanged if there is none. */
bool wire_token_sp(struct cursor *c, const uint8_t **tok, size_t *n);

/* Skips a request target: 1..2048 bytes up to a space, none of them a
 * control byte.  False (cursor unchanged) on a control byte or at the end
 * of the payload. */
bool wire_target_sp(struct cursor *c);

/* Reads three decimal digits as a status code. */
bool wire_status3(struct cursor *c, uint32_t *code);

/* True when the rest of the line is a reason phrase or empty and a line
 * end (CRLF or LF) follows within the payload. */
bool wire_line_end(struct cursor *c);

/* Skips CR and LF bytes (empty lines before a start line, RFC 3261
 * section 7.5, RFC 9112 section 2.2). */
void wire_skip_crlf(struct cursor *c);

/* True when CR LF (or a bare LF) comes next. */
bool wire_crlf(struct cursor *c);

/* True when the payload has a byte no text protocol sends (a control byte
 * other than TAB, CR, LF). */
bool wire_binary(const uint8_t *p, uint32_t len);

/* A check's verdict on a payload that matched nothing: WA_NOT where the
 * payload must have begun with a message (a UDP datagram, or the first
 * bytes of a TCP stream), WA_MAYBE where it may continue an earlier one. */
static inline enum wire_ans wire_miss(const struct wire_in *in)
{
	return (in->dgram || in->start) ? WA_NOT : WA_MAYBE;
}

static inline enum wire_ans wire_is(struct wire_hit *hit, uint8_t detail,
				    int client_side, uint32_t arg)
{
	hit->detail = detail;
	hit->client_side = (int8_t)client_side;
	hit->arg = arg;
	return WA_IS;
}

#endif
