/*
 * csvread.c - CSV records with libcsv (csvread.h): the input is given to csv_parse one physical
 * line at a time, so that every record knows the line it starts on.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/csvread.h"
#include "mmis/json.h"

/* Lines a field's text spans beyond its first: LF, CRLF and CR each end one. */
static int64_t breaks_in(const unsigned char *s, size_t n)
{
	int64_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\r' || (s[i] == '\n' && !(i && s[i - 1] == '\r')))
			k++;
	return k;
}

static void csv_fault(struct csv_reader *r, int field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Refuse the current record (the first reason stays). */
static void csv_fault(struct csv_reader *r, int field, const char *fmt, ...)
{
	va_list ap;
	if (r->bad[0])
		return;
	r->bad_field = field;
	va_start(ap, fmt);
	vsnprintf(r->bad, sizeof(r->bad), fmt, ap);
	va_end(ap);
}

/* The record starts on the current line less the line breaks already inside it. */
static void csv_start(struct csv_reader *r, const unsigned char *partial, size_t n)
{
	if (!r->started) {
		r->started = true;
		r->line = r->lines + 1 - breaks_in(partial, n);
	}
}

static void csv_on_field(void *data, size_t len, void *ctx)
{
	struct csv_reader *r = ctx;
	const char *s = data ? data : "";
	int i = r->n;

	csv_start(r, (const unsigned char *)s, len);
	if (i >= CSV_FIELDS_MAX) {
		csv_fault(r, -1, "more than %d fields", CSV_FIELDS_MAX);
		return;
	}
	r->n++;
	if (len > r->field_max) {
		csv_fault(r, i, "field %d is longer than %zu bytes", i + 1, r->field_max);
		len = 0;
	} else if (memchr(s, '\0', len)) {
		csv_fault(r, i, "field %d contains a NUL byte", i + 1);
		len = 0;
	} else if (!mjson_text_ok(s, len, true)) {
		csv_fault(r, i, "field %d is not valid UTF-8", i + 1);
		len = 0;
	}
	if (r->rec_len + len + 1 > r->rec_cap) {
		size_t nc = r->rec_cap * 2;
		char *nb;
		while (nc < r->rec_len + len + 1)
			nc *= 2;
		if (!(nb = realloc(r->rec, nc))) {
			csv_fault(r, -1, "out of memory");
			r->n--;
			return;
		}
		r->rec = nb;
		r->rec_cap = nc;
	}
	memcpy(r->rec + r->rec_len, s, len);
	r->rec[r->rec_len + len] = '\0';
	r->off[i] = r->rec_len;
	r->rec_len += len + 1;
}

static void csv_on_record(int c, void *ctx)
{
	struct csv_reader *r = ctx;
	(void)c;
	if (r->started)
		r->ready = true; /* a line end outside any record (a blank line) is not one */
}

bool csv_reader_init(struct csv_reader *r, FILE *in)
{
	memset(r, 0, sizeof(*r));
	r->in = in;
	r->bad_field = -1;
	r->field_max = CSV_FIELD_MAX;
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL))
		return false;
	csv_set_blk_size(&r->p, 1024);
	r->rec_cap = 1024;
	return (r->rec = malloc(r->rec_cap)) != NULL;
}

void csv_reader_release(struct csv_reader *r)
{
	csv_free(&r->p);
	free(r->rec);
	r->rec = NULL;
}

/* Forget a half-parsed record: libcsv starts afresh (csv_fini, with callbacks that see nothing). */
static void csv_restart(struct csv_reader *r)
{
	csv_set_opts(&r->p, CSV_STRICT | CSV_REPALL_NL | CSV_APPEND_NULL);
	csv_fini(&r->p, NULL, NULL, NULL);
	csv_set_opts(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL);
}

/* A fault in the middle of a record: report it, and go on at the next physical line. `where`:
 * name the line of the fault when the record started on an earlier one. */
static void csv_broken(struct csv_reader *r, const char *why, bool where)
{
	csv_start(r, r->p.entry_buf, r->p.entry_pos);
	if (where && r->lines + 1 != r->line)
		csv_fault(r, r->n < CSV_FIELDS_MAX ? r->n : -1, "%s (on line %lld)", why,
			  (long long)(r->lines + 1));
	else
		csv_fault(r, r->n < CSV_FIELDS_MAX ? r->n : -1, "%s", why);
	csv_restart(r);
	r->skip_line = true;
	r->ready = true;
}

/* Where the next LF and CR are, at or after pos. */
static void csv_scan(struct csv_reader *r)
{
	const unsigned char *p;
	if (r->lf < r->pos || r->lf == SIZE_MAX) {
		p = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		r->lf = p ? (size_t)(p - r->buf) : r->len;
	}
	if (r->cr < r->pos || r->cr == SIZE_MAX) {
		p = memchr(r->buf + r->pos, '\r', r->len - r->pos);
		r->cr = p ? (size_t)(p - r->buf) : r->len;
	}
}

bool csv_reader_next(struct csv_reader *r)
{
	r->n = 0;
	r->rec_len = 0;
	r->started = r->ready = false;
	r->bad[0] = '\0';
	r->bad_field = -1;
	while (!r->ready) {
		if (r->pos == r->len) {
			if (r->eof) {
				if (r->finished)
					return false;
				r->finished = true;
				if (csv_fini(&r->p, csv_on_field, csv_on_record, r))
					csv_broken(r, "a quoted field is not closed at the end of the "
						   "file", false);
				if (!r->ready)
					return false;
				break;
			}
			r->pos = 0;
			r->len = fread(r->buf, 1, sizeof(r->buf), r->in);
			r->lf = r->cr = SIZE_MAX;
			if (r->len < sizeof(r->buf)) {
				r->eof = true;
				r->io_error = ferror(r->in) != 0;
			}
			if (!r->bom_checked && (r->len >= 3 || r->eof)) {
				r->bom_checked = true;
				if (r->len >= 3 && !memcmp(r->buf, "\xef\xbb\xbf", 3))
					r->pos = 3;
			}
			continue;
		}
		/* One physical line (or what the buffer holds of it), with its line end. */
		csv_scan(r);
		size_t end = r->lf < r->cr ? r->lf : r->cr;
		bool ends_line = end < r->len;
		size_t start = r->pos;
		unsigned char last;
		end = ends_line ? end + 1 : r->len;
		last = r->buf[end - 1];
		r->pos = end;
		if (r->skip_line) {
			r->skip_line = !ends_line;
		} else {
			size_t done = csv_parse(&r->p, r->buf + start, end - start, csv_on_field,
						csv_on_record, r);
			if (done < end - start) {
				csv_broken(r, csv_error(&r->p) == CSV_EPARSE ?
					   "malformed quoting: a quote inside an unquoted field, or "
					   "text after a closing quote" : "out of memory", true);
				r->skip_line = !ends_line;
			} else if (r->p.entry_pos > r->field_max + 1) {
				char why[80];
				snprintf(why, sizeof(why), "a field longer than %zu bytes (a quote "
					 "not closed?)", r->field_max);
				csv_broken(r, why, true);
				r->skip_line = !ends_line;
			}
		}
		if (ends_line) {
			if (!(last == '\n' && end - start == 1 && r->after_cr))
				r->lines++;
			r->after_cr = last == '\r';
		} else if (end > start) {
			r->after_cr = false;
		}
	}
	for (int i = 0; i < r->n; i++)
		r->fields[i] = r->rec + r->off[i];
	if (!r->n) { /* a fault before any field: one empty field */
		r->rec[0] = '\0';
		r->fields[0] = r->rec;
		r->n = 1;
	}
	return true;
}

void csv_reader_set_field_max(struct csv_reader *r, size_t max)
{
	r->field_max = max;
}

void csv_trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
}
