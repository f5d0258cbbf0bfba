/*
 * internal.h - what the files of lib/border share (not part of the public API).
 */
#ifndef MMIS_BORDER_INTERNAL_H
#define MMIS_BORDER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <csv.h>

#include "mmis/auth.h"
#include "mmis/border.h"
#include "mmis/date.h"
#include "mmis/stay.h"

/* An audited operation: begin, work, end (see lib/auth/auth.c for the pattern). */
enum mmis_err border_check_ctx(const struct mmis_ctx *cx, const struct actor *a,
			       struct mmis_error *err);
enum mmis_err border_denied(struct mmis_error *err, enum perm p);
enum mmis_err border_oom(struct mmis_error *err);

/* A traveller and document as resolved from a crossing_in (MRZ or fields), normalised. */
struct traveller {
	char doc_type[4];
	char issuing_state[4];
	char number[32];
	struct date expiry;
	bool expiry_known;
	char surname[BORDER_TEXT_MAX + 1];     /* document form */
	char given_names[BORDER_TEXT_MAX + 1];
	char surname_typed[BORDER_TEXT_MAX + 1]; /* "" when not typed */
	char given_typed[BORDER_TEXT_MAX + 1];
	char sex[2];                            /* "F", "M", "X" */
	struct date birth;
	bool birth_known;
	char nationality[4];                    /* "" when unknown */
};

/* What statistics count a person by, as stored (lib/stats roll-ups). */
struct person_facts {
	char nationality[4]; /* "" when unknown */
	char sex[2];
	char birth[DATE_STR_MAX]; /* "" when unknown; possibly partial */
};
void border_person_facts(struct person_facts *f, const char *nationality, const char *sex,
			 const char *birth);

/* Validate and normalise the traveller part of `in` (MRZ or fields). */
enum mmis_err border_traveller(const struct crossing_in *in, struct traveller *t,
			       struct mmis_error *err);

/* Whether `s` is printable text of at most `max` bytes (NULL and "" pass). */
bool border_text_ok(const char *s, size_t max);

/* Copy `s` (NULL: "") cutting at cap. */
void border_copy(char *dst, size_t cap, const char *s);

/* One crossing of a person, for pairing into stays. */
struct xing {
	int64_t at_ms;
	bool exit;
};

/* Pair a person's crossings (sorted by time) into stays; *n_out stays written into `stays`
 * (capacity n_x + 1). */
size_t border_pair_stays(const struct xing *x, size_t n_x, struct stay *stays);

/* Validate one BCP; the neighbour normalised into nb ("" for none). */
enum mmis_err border_bcp_check(const char *code, const char *name, const char *kind,
			       const char *neighbour, char nb[4], struct mmis_error *err);

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
 * unquoted field", "an unterminated quoted field", a field longer than CSV_FIELD_MAX bytes, more
 * than CSV_FIELDS_MAX fields, a field that is not UTF-8 text or holds a NUL byte) and bad_field
 * the field's index (-1 for the record). After malformed quoting or an over-long field the reader
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
	bool started, ready;
	int bad_field;        /* -1: the record as a whole */
	char bad[128];        /* why the record is refused; "" when it is fine */
};

/* Start reading `in`; false when out of memory. csv_reader_release() frees (also after false). */
bool csv_reader_init(struct csv_reader *r, FILE *in);
void csv_reader_release(struct csv_reader *r);
/* The next record (fields[0..n), line, bad); false at the end of the input. */
bool csv_reader_next(struct csv_reader *r);

#endif
