/* strbuf.c - the growable string with a hard maximum and a sticky error. */
#include "mmis/strbuf.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STRBUF_MIN_ALLOC 64

void strbuf_init(struct strbuf *sb, size_t max)
{
	assert(sb && max > 0);
	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
	/* Keeps len + n + 1 and the doubling in grow() clear of overflow. */
	sb->max = max < SIZE_MAX / 4 ? max : SIZE_MAX / 4;
	sb->err = MMIS_OK;
}

void strbuf_release(struct strbuf *sb)
{
	if (!sb)
		return;
	free(sb->buf);
	strbuf_init(sb, sb->max);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
	sb->err = MMIS_OK;
}

/* Make room for `n` more bytes of content and the NUL, or set the sticky error. */
static bool grow(struct strbuf *sb, size_t n)
{
	size_t need, alloc;
	char *p;

	if (sb->err)
		return false;
	if (n > sb->max - sb->len) {
		sb->err = MMIS_ETOOBIG;
		return false;
	}
	need = sb->len + n + 1;
	if (need <= sb->alloc)
		return true;
	alloc = sb->alloc ? sb->alloc : STRBUF_MIN_ALLOC;
	while (alloc < need)
		alloc *= 2;
	if (alloc > sb->max + 1)
		alloc = sb->max + 1;
	p = realloc(sb->buf, alloc);
	if (!p) {
		sb->err = MMIS_ENOMEM;
		return false;
	}
	sb->buf = p;
	sb->alloc = alloc;
	return true;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	if (!grow(sb, n))
		return;
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	assert(s);
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (sb->err)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		/* vsnprintf fails only for output beyond INT_MAX bytes (or a bad wide character). */
		sb->err = MMIS_ETOOBIG;
		return;
	}
	if (!grow(sb, (size_t)n))
		return;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (len >= sb->len)
		return;
	sb->len = len;
	sb->buf[len] = '\0';
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

enum mmis_err strbuf_error(const struct strbuf *sb)
{
	return sb->err;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *s = NULL;
	size_t n = 0;

	if (sb->err) {
		free(sb->buf);
	} else if (sb->buf) {
		s = sb->buf;
		n = sb->len;
	} else {
		s = calloc(1, 1);
	}
	if (len)
		*len = n;
	strbuf_init(sb, sb->max);
	return s;
}

void str_copy(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

size_t str_hash(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}
