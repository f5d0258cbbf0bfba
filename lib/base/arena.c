/* arena.c - a region allocator: a list of blocks, bumped forward, freed together. */
#include "mmis/arena.h"

#include <assert.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN alignof(max_align_t)
#define ARENA_DEFAULT_BLOCK ((size_t)16 * 1024)
/* One allocation above 4 GiB is a bug or an attack, not a request; refusing it early also keeps
 * every size computation below far from overflow. */
#define ARENA_MAX_ALLOC ((size_t)1 << 32)

struct arena_block {
	struct arena_block *next;
	size_t size; /* bytes in data */
	size_t used;
	max_align_t data[];
};

struct arena {
	struct arena_block *cur;   /* small allocations come from here; all blocks hang off it */
	struct arena_block *first; /* kept by arena_reset() */
	size_t block_size;
	size_t used;
};

static size_t round_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

static struct arena_block *block_new(size_t size)
{
	struct arena_block *b = malloc(sizeof(*b) + size);

	if (!b)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *arena_new(size_t block_size)
{
	struct arena *a;

	if (block_size == 0)
		block_size = ARENA_DEFAULT_BLOCK;
	if (block_size > ARENA_MAX_ALLOC)
		return NULL;
	a = malloc(sizeof(*a));
	if (!a)
		return NULL;
	a->block_size = round_up(block_size);
	a->used = 0;
	a->first = a->cur = block_new(a->block_size);
	if (!a->first) {
		free(a);
		return NULL;
	}
	return a;
}

static void free_blocks_except(struct arena_block *b, const struct arena_block *keep)
{
	while (b) {
		struct arena_block *next = b->next;

		if (b != keep)
			free(b);
		b = next;
	}
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	free_blocks_except(a->cur, NULL);
	free(a);
}

void arena_reset(struct arena *a)
{
	if (!a)
		return;
	free_blocks_except(a->cur, a->first);
	a->first->next = NULL;
	a->first->used = 0;
	a->cur = a->first;
	a->used = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b;
	size_t need;
	void *p;

	assert(a);
	b = a->cur;
	if (n > ARENA_MAX_ALLOC)
		return NULL;
	/* Zero bytes still get a distinct, valid pointer. */
	need = round_up(n ? n : 1);
	if (need > b->size - b->used) {
		if (need > a->block_size) {
			/* A block of its own, behind the current one, which stays current. */
			b = block_new(need);
			if (!b)
				return NULL;
			b->next = a->cur->next;
			a->cur->next = b;
		} else {
			b = block_new(a->block_size);
			if (!b)
				return NULL;
			b->next = a->cur;
			a->cur = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += need;
	a->used += n;
	return p;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
	size_t n;
	void *p;

	if (__builtin_mul_overflow(count, size, &n))
		return NULL;
	p = arena_alloc(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}

void *arena_memdup(struct arena *a, const void *p, size_t n)
{
	void *q = arena_alloc(a, n);

	if (q && n)
		memcpy(q, p, n);
	return q;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *q;

	if (!s)
		return NULL;
	n = strnlen(s, n);
	q = arena_alloc(a, n + 1);
	if (!q)
		return NULL;
	memcpy(q, s, n);
	q[n] = '\0';
	return q;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, SIZE_MAX) : NULL;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	char *q;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	q = arena_alloc(a, (size_t)n + 1);
	if (q)
		vsnprintf(q, (size_t)n + 1, fmt, ap);
	return q;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *q;

	va_start(ap, fmt);
	q = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return q;
}

size_t arena_used(const struct arena *a)
{
	return a ? a->used : 0;
}
