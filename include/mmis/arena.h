/*
 * arena.h - a region allocator: many small allocations, freed all at once.
 *
 * One arena per request or per command (nginx pools, h2o req->pool). Allocations are aligned for
 * any type and live until arena_reset() or arena_free(). Functions that return memory "owned by
 * the arena" say so in their header.
 *
 *     struct arena *a = arena_new(0);
 *     char *s = arena_strdup(a, "text");
 *     ...
 *     arena_free(a);
 */
#ifndef MMIS_ARENA_H
#define MMIS_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new arena whose blocks are `block_size` bytes (0: a default of 16 KiB). NULL when out of memory. */
struct arena *arena_new(size_t block_size);

/* Free the arena and everything allocated from it. NULL is allowed. */
void arena_free(struct arena *a);

/* Forget every allocation but keep the first block for reuse. */
void arena_reset(struct arena *a);

/* `n` bytes aligned for any type; NULL when out of memory or when `n` is absurdly large.
 * Requests larger than the block size get a block of their own. arena_alloc(a, 0) is valid. */
void *arena_alloc(struct arena *a, size_t n);

/* `count` * `size` zeroed bytes; NULL on overflow of the product or when out of memory. */
void *arena_calloc(struct arena *a, size_t count, size_t size);

/* Copies of strings, NUL-terminated. arena_strdup(a, NULL) returns NULL. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);

/* A formatted string in the arena; NULL when out of memory. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Bytes handed out since creation or the last reset (for tests and limits). */
size_t arena_used(const struct arena *a);

#endif
