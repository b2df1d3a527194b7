/* jsonw.h: a small JSON writer into a growable memory buffer.
 *
 * One record is built in memory, then written out whole with jw_write(), so
 * a record is never half-written and output errors are checked in one
 * place.  Commas are placed automatically; nesting is bounded by JW_DEPTH.
 * Strings are escaped per RFC 8259 and always come out valid UTF-8,
 * whatever the bytes given (a packet's, a rule file's): valid UTF-8
 * passes; a byte that starts no valid sequence is written \u00XX (its
 * value), and controls (C0, DEL, C1 U+0080..U+009F, the invisible
 * formatting characters of esc_is_control() in util/escape.h) as \uXXXX.
 */
#ifndef LW_JSONW_H
#define LW_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JW_DEPTH 16

struct jsonw {
	char *buf;
	size_t len, cap;
	int depth;
	bool first[JW_DEPTH]; /* no member written yet at this depth */
	bool after_key;       /* a key was written, its value comes next */
	bool oom;             /* an allocation failed: the record is lost */
};

void jw_init(struct jsonw *w);
void jw_free(struct jsonw *w);
void jw_reset(struct jsonw *w);        /* empties the buffer for a record */

void jw_obj_begin(struct jsonw *w);
void jw_obj_end(struct jsonw *w);
void jw_arr_begin(struct jsonw *w);
void jw_arr_end(struct jsonw *w);
/* key: a literal of the program (plain ASCII; written without escaping). */
void jw_key(struct jsonw *w, const char *key);
void jw_str(struct jsonw *w, const char *s);
/* A string the program made or named itself, known to need no escape (no
 * '"', no '\\', no byte below 0x20 or above 0x7e): a number, an address,
 * a time, a name from one of the program's tables.  Written as it is;
 * anything from a packet, a rule file or an inventory goes to jw_str. */
void jw_str_plain(struct jsonw *w, const char *s, size_t n);
/* Whether no byte of s[0..n) needs an escape in a JSON string (then
 * jw_str_plain writes what jw_str would). */
bool jw_plain(const char *s, size_t n);
void jw_name(struct jsonw *w, const char *s);       /* NUL-terminated */
void jw_u64(struct jsonw *w, uint64_t v);
void jw_i64(struct jsonw *w, int64_t v);
void jw_double(struct jsonw *w, double v, int decimals);
void jw_bool(struct jsonw *w, bool v);
void jw_null(struct jsonw *w);

/* A value already serialised (e.g. a cached object), written as it is. */
void jw_raw(struct jsonw *w, const char *json, size_t len);

/* An object already serialised (json[0..len), ending in '}') with more
 * members (members[0..n), serialised: "\"k\":v,...") added at its end. */
void jw_raw_obj(struct jsonw *w, const char *json, size_t len,
		const char *members, size_t n);

/* A key given as a string literal: its quotes and colon are joined at
 * compile time, so the hot path copies one constant run (JW_KEY, JW_KSTR,
 * JW_KU64); the functions below take any key. */
void jw_key_quoted_slow(struct jsonw *w, const char *quoted, size_t n);
void jw_raw_slow(struct jsonw *w, const char *json, size_t len);

/* A literal run (a key, or a key and its value) placed after the comma
 * its position needs; inline, so that the copy of a literal's known
 * length compiles to a few moves.  `key`: a value follows.  The rare
 * cases (no room, a key right after a key, out of memory) go the slow
 * way, which does the same. */
static inline void jw_lit(struct jsonw *w, const char *s, size_t n, bool key)
{
	if (w->after_key || w->oom || w->cap - w->len < n + 3) {
		if (key)
			jw_key_quoted_slow(w, s, n);
		else
			jw_raw_slow(w, s, n);
		return;
	}
	if (!w->first[w->depth])
		w->buf[w->len++] = ',';
	w->first[w->depth] = false;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->after_key = key;
}

static inline void jw_key_quoted(struct jsonw *w, const char *quoted, size_t n)
{
	jw_lit(w, quoted, n, true);
}
#define JW_QUOTED(k) "\"" k "\":", sizeof("\"" k "\":") - 1
#define JW_KEY(w, k) jw_key_quoted((w), JW_QUOTED(k))
#define JW_KSTR(w, k, s) (JW_KEY(w, k), jw_str((w), (s)))
#define JW_KU64(w, k, v) (JW_KEY(w, k), jw_u64((w), (v)))
/* A key and a plain string value (jw_name); a key and a literal string
 * value, both joined into one constant run. */
#define JW_KNAME(w, k, s) (JW_KEY(w, k), jw_name((w), (s)))
#define JW_KLIT(w, k, v) \
	jw_lit((w), "\"" k "\":\"" v "\"", sizeof("\"" k "\":\"" v "\"") - 1, false)

/* Direct writing, for a record of known shape (output/eve_flow.c): the
 * caller writes keys, values and punctuation itself through a pointer,
 * with no comma bookkeeping (the nesting state is left as it is).
 * jw_room makes room for n more bytes (and the newline jw_write_line
 * adds) and returns where they go, or NULL when out of memory (then
 * w->oom); jw_commit(w, end) takes the bytes up to `end` in. */
char *jw_room_slow(struct jsonw *w, size_t n);
static inline char *jw_room(struct jsonw *w, size_t n)
{
	if (w->oom || w->cap - w->len < n + 2)
		return jw_room_slow(w, n);     /* grows, or NULL */
	return w->buf + w->len;
}
static inline void jw_commit(struct jsonw *w, const char *end)
{
	w->len = (size_t)(end - w->buf);
}
/* Back to jsonw's calls after direct writing: inside `depth` open
 * containers, the innermost one with a member already (!first) or not. */
static inline void jw_resume(struct jsonw *w, int depth, bool first)
{
	w->depth = depth;
	w->first[depth] = first;
	w->after_key = false;
}
/* The most bytes jw_put_str writes for a string of n bytes: each byte
 * may become a 6-byte \u escape; the quotes. */
#define JW_STR_MAX(n) (6 * (size_t)(n) + 2)
/* The most bytes jw_put_u64 / jw_put_i64 and jw_put_double write. */
#define JW_NUM_MAX 21
#define JW_DOUBLE_MAX 400
/* Each writes a value at d (room as above) as jw_str, jw_str_plain
 * (quotes added), jw_u64, jw_i64 and jw_double would; returns the end. */
char *jw_put_str(char *d, const char *s, size_t n);
/* jw_put_u64: the two digits of every number below 100 (200 bytes), a
 * number below 10,000 inline, the way of numbers from 10,000 on. */
extern const char jw_digit_pairs[201];
char *jw_put_u64_long(char *d, uint64_t v);
static inline char *jw_put_upto4(char *d, uint32_t v)  /* v < 10,000 */
{
	if (v < 100) {                  /* most numbers of a record: short */
		if (v < 10) {
			*d = (char)('0' + v);
			return d + 1;
		}
		memcpy(d, jw_digit_pairs + (size_t)2 * v, 2);
		return d + 2;
	} else {
		uint32_t hi = v / 100, lo = v % 100;

		if (hi < 10) {
			*d++ = (char)('0' + hi);
		} else {
			memcpy(d, jw_digit_pairs + (size_t)2 * hi, 2);
			d += 2;
		}
		memcpy(d, jw_digit_pairs + (size_t)2 * lo, 2);
		return d + 2;
	}
}
static inline char *jw_put_u64(char *d, uint64_t v)
{
	if (v < 10) {                   /* the most frequent first */
		*d = (char)('0' + v);
		return d + 1;
	}
	if (v < 10000)
		return jw_put_upto4(d, (uint32_t)v);
	return jw_put_u64_long(d, v);
}
char *jw_put_i64(char *d, int64_t v);
char *jw_put_double(char *d, double v, int decimals);
static inline char *jw_put_plain(char *d, const char *s, size_t n)
{
	*d++ = '"';
	memcpy(d, s, n);
	d[n] = '"';
	return d + n + 1;
}

/* Shorthands: a key and its value. */
void jw_kstr(struct jsonw *w, const char *key, const char *s);
void jw_ku64(struct jsonw *w, const char *key, uint64_t v);

/* Appends a newline and writes the buffer to f; returns 0, or -1 when the
 * record was lost (out of memory) or f reported an error. */
int jw_write_line(struct jsonw *w, FILE *f);

#endif
