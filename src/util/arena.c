/* arena.c: chained blocks, bump allocation, roll back to a mark. */
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define ARENA_BLOCK 16384

struct block {
	struct block *prev;
	size_t size, used;
	char data[];
};

struct arena {
	struct block *top;
};

static struct block *block_new(struct block *prev, size_t need)
{
	size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
	struct block *b = malloc(sizeof(*b) + size);

	if (b == NULL)
		return NULL;
	b->prev = prev;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *arena_new(void)
{
	return calloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	while (a->top != NULL) {
		struct block *prev = a->top->prev;
		free(a->top);
		a->top = prev;
	}
	free(a);
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	struct block *b = a->top;
	char *p;

	if (b == NULL || b->size - b->used < len + 1) {
		b = block_new(a->top, len + 1);
		if (b == NULL)
			return NULL;
		a->top = b;
	}
	p = b->data + b->used;
	memcpy(p, s, len);
	p[len] = '\0';
	b->used += len + 1;
	return p;
}

struct arena_mark arena_get_mark(const struct arena *a)
{
	struct arena_mark m = { a->top, a->top ? a->top->used : 0 };
	return m;
}

void arena_reset(struct arena *a, struct arena_mark m)
{
	while (a->top != NULL && a->top != (struct block *)m.block) {
		struct block *prev = a->top->prev;
		free(a->top);
		a->top = prev;
	}
	if (a->top != NULL)
		a->top->used = m.used;
}
