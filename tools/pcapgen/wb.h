/* wb.h: a bounded writer for the message builders of pcapgen (payloads.c,
 * payloads_svc.c, tlscert.c).  A write past the end sets `err` and leaves
 * the buffer as it is; wb_done() then returns 0.  Lengths that precede
 * their contents are written as placeholders (wb_len_mark) and patched
 * once the contents are known (wb_patch_len). */
#ifndef LW_PCAPGEN_WB_H
#define LW_PCAPGEN_WB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payloads.h"

struct wb {
	uint8_t *p;
	size_t cap, len;
	bool err;
};

struct wb wb_init(uint8_t *buf, size_t cap);
void wb_bytes(struct wb *w, const void *src, size_t n);
void wb_zero(struct wb *w, size_t n);
void wb_rand(struct wb *w, size_t n, struct pl_rng *rng);
void wb_u8(struct wb *w, unsigned v);
/* Big-endian (network order) integers. */
void wb_u16(struct wb *w, unsigned v);
void wb_u32(struct wb *w, uint32_t v);
/* An n-byte little-endian integer. */
void wb_le(struct wb *w, uint64_t v, int n);
/* A string without its terminating NUL. */
void wb_str(struct wb *w, const char *s);
__attribute__((format(printf, 2, 3)))
void wb_printf(struct wb *w, const char *fmt, ...);
/* A placeholder of n bytes for a big-endian length; returns its offset. */
size_t wb_len_mark(struct wb *w, int n);
/* Patches the n-byte length at `at` with the byte count that follows. */
void wb_patch_len(struct wb *w, size_t at, int n);
/* The length written, or 0 after an error. */
size_t wb_done(const struct wb *w);

#endif
