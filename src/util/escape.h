/* escape.h: strings that came from a packet, a rule file or an inventory,
 * made safe for a text line (a terminal, stderr, syslog).
 *
 * The JSON counterpart is jw_str() (util/jsonw.h); both read UTF-8 with
 * utf8_next() below, so that they agree on what is a character.
 */
#ifndef LW_ESCAPE_H
#define LW_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of one escaped string at most, NUL included (a longer one is cut
 * and ends in "..."): a host name, a reason, an inventory name. */
#define ESC_TEXT_MAX 512

/*
 * The valid UTF-8 sequence at s[0..n) (n > 0): returns its length (1 to
 * 4) with *cp its code point, or 0 when s[0] does not start one (a stray
 * continuation byte, an overlong form, a surrogate, a code point past
 * U+10FFFF, a sequence cut by the end).
 */
size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/* Whether a code point must not reach a terminal as it is: C0 and C1
 * controls, DEL, and the invisible format characters that reorder or hide
 * text (U+200B..U+200F, U+2028..U+202E, U+2060..U+2069, U+FEFF). */
int esc_is_control(uint32_t cp);

/*
 * Copies s into buf (cap > 0 bytes, NUL included) for a text line: every
 * byte of a control (esc_is_control) or of invalid UTF-8 is written as
 * \xNN (lower-case hex), a backslash as \\; valid UTF-8 otherwise passes.
 * So the result holds no byte below 0x20, no 0x7f, no C1 control, no
 * escape sequence and only valid UTF-8.  A result longer than cap - 1
 * bytes is cut at a character boundary and ends in "...".  s NULL reads
 * as "".  Returns buf.
 */
char *esc_text(char *buf, size_t cap, const char *s);

#endif
