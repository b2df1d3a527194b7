/* textfmt.h: the text of records and sentences, without printf.
 *
 * Each flow record formats two addresses, three times and a sentence;
 * glibc's printf family, strftime and inet_ntop cost thousands of
 * instructions per call (locale, parsing of the format, sprintf inside
 * inet_ntop).  These do the same few conversions directly.
 */
#ifndef LW_TEXTFMT_H
#define LW_TEXTFMT_H

#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" and its NUL. */
#define TEXTFMT_TIME_LEN 28

/* An address as text: dotted quad (ipver 4) or RFC 5952 (ipver 6).  buf
 * holds at least 46 bytes (INET6_ADDRSTRLEN).  Returns the length. */
size_t textfmt_addr(const uint8_t *addr, int ipver, char *buf, size_t len);

/* Each byte's two lower-case hex digits. */
extern const char textfmt_hexpairs[256][2];

/* Microseconds since the epoch as RFC 3339 UTC with microseconds.
 * Years past 9999 are written in full (the result is then longer, and cut
 * to len - 1 bytes).  Returns the length written. */
size_t textfmt_time(uint64_t ts_us, char *buf, size_t len);

/* Room for textfmt_put_time's text (any year: up to 20 digits). */
#define TEXTFMT_TIME_MAX 48

/* textfmt_time's text up to the second ("2026-01-05T09:00:00.") of the
 * last seconds asked for, one slot per second modulo the slots (a
 * record's start and end mostly fall in a few seconds).  Zeroed: empty. */
#define TEXTFMT_TCACHE_SLOTS 4
struct textfmt_tcache {
	uint64_t sec[TEXTFMT_TCACHE_SLOTS];
	uint8_t len[TEXTFMT_TCACHE_SLOTS]; /* 0: empty */
	char text[TEXTFMT_TCACHE_SLOTS][TEXTFMT_TIME_MAX];
};

/* Writes textfmt_time's text of ts_us at d (TEXTFMT_TIME_MAX bytes of
 * room; no NUL), the part up to the second from c (refilled when it holds
 * another second); returns the end. */
char *textfmt_put_time(struct textfmt_tcache *c, uint64_t ts_us, char *d);

/* Writes textfmt_addr's text at d (46 bytes of room, which the bytes
 * past the text may use; no NUL); returns the end. */
char *textfmt_put_addr(char *d, const uint8_t *addr, int ipver);

/* A tiny printf: `tmpl` with exactly three conversions, %s (a string;
 * NULL reads "(null)"), %u (an unsigned int) and %% (a percent sign), and
 * no flags, width or precision.  The format attribute makes the compiler
 * check the arguments' types against the conversions.  Any other
 * conversion (%d, %x, %5s, %lu, ...) is a programming error: the text up
 * to it is written, then "{bad conversion %X}" (X the character after the
 * '%') and nothing more, since the type of the remaining arguments is
 * unknown (test_textfmt checks it).  Writes at most len - 1 bytes and a
 * NUL (len > 0); a longer result is cut, on a UTF-8 character boundary.
 * Returns the length written. */
size_t textfmt(char *buf, size_t len, const char *tmpl, ...)
	__attribute__((format(printf, 3, 4)));

#endif
