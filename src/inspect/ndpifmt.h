/* ndpifmt.h: the short formats nDPI 4.2 prints per TLS handshake, written
 * without stdio.
 *
 * libndpi builds each JA3 and JA3S string with one snprintf per number
 * (about 90 calls a handshake: the ciphers, extensions, curves, signature
 * algorithms, the hex digits of the MD5) and each certificate name with
 * one per attribute.  Debian builds it with _FORTIFY_SOURCE, so each call
 * is glibc's __snprintf_chk: some 800 instructions, 16% of all of full
 * mode on the deploy capture.  ndpifmt.c defines __snprintf_chk in the
 * program; the dynamic linker binds every shared library's call to that
 * definition (the executable comes first in the lookup order), so nDPI's
 * calls come here.  A format made only of literal text and the directives
 * below is written here, byte for byte as glibc writes it; any other
 * format, and any call whose object size check fails, goes to glibc's
 * __vsnprintf_chk unchanged.  Without glibc (or with an nDPI built without
 * fortification) nothing is bound here and nDPI formats through stdio.
 *
 * Directives written here: %s, %u, %x, %X, and %0Nx / %0NX with N one
 * digit.  A NULL %s is written "(null)", as glibc does.
 */
#ifndef LW_NDPIFMT_H
#define LW_NDPIFMT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest text written here, bytes; a longer one goes to stdio. */
#define NDPIFMT_MAX 128

/* vsnprintf(buf, len, fmt, ap) when fmt has only the directives above and
 * the text is at most NDPIFMT_MAX bytes: writes at most len - 1 bytes and
 * a NUL (nothing when len is 0) and returns the length of the whole text.
 * Otherwise (or when a number would not fit in the room left before
 * NDPIFMT_MAX) returns -1 having read some of ap and written at most a
 * prefix of the text into buf, no NUL: the caller formats again from a
 * va_copy() of ap taken before. */
int ndpifmt_try(char *buf, size_t len, const char *fmt, va_list ap);

#endif
