/* arena.h: a bump allocator for strings that live as long as their owner.
 *
 * Blocks are chained; nothing is freed one by one.  arena_mark/arena_reset
 * roll back everything allocated after a mark, so a parser can drop what a
 * failed file added.
 */
#ifndef LW_ARENA_H
#define LW_ARENA_H

#include <stddef.h>

struct arena;

struct arena_mark {
	void *block;
	size_t used;
};

struct arena *arena_new(void);          /* NULL when out of memory */
void arena_free(struct arena *a);

/* A copy of s[0..len) with a terminating NUL; NULL when out of memory. */
char *arena_strndup(struct arena *a, const char *s, size_t len);

struct arena_mark arena_get_mark(const struct arena *a);
void arena_reset(struct arena *a, struct arena_mark m);

#endif
