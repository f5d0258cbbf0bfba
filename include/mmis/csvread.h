/*
 * csvread.h - CSV records read with libcsv, one at a time, with line numbers, size limits and
 * UTF-8 checks: what every CSV import of mmis reads its file with (lib/border/import.c,
 * lib/screen/watchlist.c). Not for writing CSV.
 */
#ifndef MMIS_CSVREAD_H
#define MMIS_CSVREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <csv.h>

/*
 * CSV records, one at a time, read with libcsv (<csv.h>) in strict mode: RFC 4180 quoting ("" for
 * a quote inside a quoted field; commas, quotes and line breaks inside quoted fields), LF, CRLF or
 * CR line ends, spaces around unquoted fields dropped, blank lines skipped, a UTF-8 byte order mark
 * at the start ignored.
 *
 * Line numbers count physical lines (a line ends with LF, CRLF or CR). A record is reported at the
 * line where it STARTS: a record whose quoted field spans lines 4 to 6 is "line 4", and the next
 * record is line 7. The input is given to csv_parse one physical line at a time, so the reader
 * knows the line of every field; a field's own line breaks tell how many lines back it began.
 *
 * A record the reader cannot accept is still returned, with `bad` saying why ("a quote inside an
 * unquoted field", "an unterminated quoted field", a field longer than field_max bytes
 * (CSV_FIELD_MAX unless csv_reader_set_field_max says otherwise), more than CSV_FIELDS_MAX
 * fields, a field that is not UTF-8 text or holds a NUL byte) and bad_field the field's index (-1 for the record). After malformed quoting or an over-long field the reader
 * starts afresh at the next physical line, so later bad lines are reported too.
 */
#define CSV_FIELDS_MAX 32
#define CSV_FIELD_MAX 4096
#define CSV_CHUNK 65536

struct csv_reader {
	struct csv_parser p;
	FILE *in;
	unsigned char buf[CSV_CHUNK];
	size_t pos, len;      /* unparsed input: buf[pos..len) */
	size_t lf, cr;        /* the next LF and CR in buf at or after pos (len: none) */
	int64_t lines;        /* physical lines ended before the input being parsed */
	bool after_cr;        /* the last line ended with CR: an LF right after it is the same end */
	bool skip_line;       /* after a fault: drop input up to the end of the physical line */
	bool bom_checked, eof, finished;
	bool io_error;        /* reading failed (ferror) */
	/* the current record */
	char *rec;            /* the fields, each NUL-terminated, one after another */
	size_t rec_len, rec_cap;
	size_t off[CSV_FIELDS_MAX];
	char *fields[CSV_FIELDS_MAX];
	int n;                /* fields kept (at most CSV_FIELDS_MAX) */
	int64_t line;         /* the line the record started on (1-based) */
	size_t field_max;     /* bytes a field may have (CSV_FIELD_MAX by default) */
	bool started, ready;
	int bad_field;        /* -1: the record as a whole */
	char bad[128];        /* why the record is refused; "" when it is fine */
};

/* Start reading `in`; false when out of memory. csv_reader_release() frees (also after false). */
bool csv_reader_init(struct csv_reader *r, FILE *in);
void csv_reader_release(struct csv_reader *r);
/* The next record (fields[0..n), line, bad); false at the end of the input. */
bool csv_reader_next(struct csv_reader *r);

/* Allow fields of up to `max` bytes (after init, before the first record): lists of names and
 * aliases are longer than the crossings' fields. */
void csv_reader_set_field_max(struct csv_reader *r, size_t max);

/* Strip the spaces and tabs around a field, in place (" SRB " -> "SRB"). */
void csv_trim(char *s);

#endif
