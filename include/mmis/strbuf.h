/*
 * strbuf.h - a growable string with a hard maximum and a sticky error (curl dynbuf, sqlite3_str).
 *
 * Appends never fail loudly: the first append that would exceed `max` or run out of memory sets
 * the error, and every later append is ignored, so a builder can be filled without checking each
 * call and checked once at the end:
 *
 *     struct strbuf sb;
 *     strbuf_init(&sb, 4096);
 *     strbuf_addstr(&sb, "id=");
 *     strbuf_addf(&sb, "%d", 42);
 *     if (strbuf_error(&sb)) ... MMIS_ETOOBIG or MMIS_ENOMEM ...
 *     use(strbuf_str(&sb));
 *     strbuf_release(&sb);
 *
 * The content is always NUL-terminated; `len` excludes the NUL. After an error the content is what
 * was appended before the failing call (a failing append adds nothing).
 */
#ifndef MMIS_STRBUF_H
#define MMIS_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "mmis/err.h"

struct strbuf {
	char *buf;          /* NULL until the first append */
	size_t len;         /* bytes of content, excluding the NUL */
	size_t alloc;       /* bytes allocated */
	size_t max;         /* maximum content length */
	enum mmis_err err;  /* sticky: MMIS_OK, MMIS_ETOOBIG or MMIS_ENOMEM */
};

/* Initialise an empty builder that holds at most `max` bytes of content (max > 0). */
void strbuf_init(struct strbuf *sb, size_t max);

/* Free the content and re-initialise with the same maximum. NULL is allowed. */
void strbuf_release(struct strbuf *sb);

/* Empty the content and clear the error, keeping the allocation. */
void strbuf_reset(struct strbuf *sb);

void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Shorten the content to `len` bytes (no-op when already shorter). */
void strbuf_setlen(struct strbuf *sb, size_t len);

/* The content; "" (never NULL) when empty. Valid until the next append or release. */
const char *strbuf_str(const struct strbuf *sb);

/* The sticky error: MMIS_OK, MMIS_ETOOBIG or MMIS_ENOMEM. */
enum mmis_err strbuf_error(const struct strbuf *sb);

/*
 * Hand the content to the caller (free() it) and re-initialise the builder. Returns NULL when the
 * builder is in error (the content is freed) or out of memory; an empty builder gives "".
 * `len` (may be NULL) receives the length.
 */
char *strbuf_detach(struct strbuf *sb, size_t *len);

/* Copy `s` (NULL: "") into dst[cap], cut to fit and always terminated (cap > 0). */
void str_copy(char *dst, size_t cap, const char *s);

/* FNV-1a of a NUL-terminated string: the hash of the open-addressing tables of imports and
 * statistics. */
size_t str_hash(const char *s);

#endif
