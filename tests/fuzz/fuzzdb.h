/*
 * fuzzdb.h - what the harnesses of the imports share: an in-memory SQLite database made once
 * and afresh every FUZZ_RUNS_PER_DATABASE inputs (so that it stays small), the system actor, the
 * input bytes as a FILE, and the checks every import must pass on a refused input: the error
 * list names lines, nothing changed, no transaction left open. Header-only: each harness is one
 * program.
 */
#ifndef MMIS_FUZZDB_H
#define MMIS_FUZZDB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "mmis/audit.h"
#include "mmis/auth.h"
#include "mmis/store.h"

#define FUZZ_RUNS_PER_DATABASE 2000

struct fuzzdb {
	const char *name;        /* the harness, for messages: "fuzz_csv" */
	struct store *db;
	struct audit_key key;
	struct mmis_ctx cx;
	struct actor sys;
	int runs;
	void (*seed)(struct fuzzdb *f); /* fills a new database (may be NULL) */
};

static inline void fuzz_fail(const struct fuzzdb *f, const char *what, const char *detail)
{
	fprintf(stderr, "%s: %s: %s\n", f->name, what, detail ? detail : "");
	abort();
}

/* The database for the next input: made at the first, and afresh now and then. */
static inline void fuzz_next(struct fuzzdb *f)
{
	struct mmis_error err;

	if (!f->db) {
		if (sodium_init() < 0)
			fuzz_fail(f, "sodium_init", NULL);
		randombytes_buf(f->key.bytes, sizeof(f->key.bytes));
		actor_system(&f->sys);
	} else if (++f->runs % FUZZ_RUNS_PER_DATABASE) {
		return;
	}
	store_close(f->db);
	f->db = NULL;
	if (store_init("file::memory:", &f->db, NULL, NULL, &err))
		fuzz_fail(f, "cannot make the in-memory database", err.message);
	f->cx.store = f->db;
	f->cx.audit_key = &f->key;
	if (f->seed)
		f->seed(f);
}

/* The input as a file (fmemopen refuses a size of 0: an empty file is /dev/null). */
static inline FILE *fuzz_input(const struct fuzzdb *f, const uint8_t *data, size_t size)
{
	FILE *in = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");

	if (!in)
		fuzz_fail(f, "fmemopen", NULL);
	return in;
}

/* One number from one row of `sql`: a fingerprint of what an import may change. */
static inline long long fuzz_int(const struct fuzzdb *f, const char *sql)
{
	struct mmis_error err;
	struct store_stmt *st;
	bool row = false;
	long long n;

	if (store_prepare(f->db, sql, &st, &err) || store_step(st, &row, &err) || !row)
		fuzz_fail(f, "reading the state", err.message);
	n = (long long)store_column_int64(st, 0);
	store_finalize(st);
	return n;
}

/* The error list of an import: an array of {line >= 1, message}, empty on success. */
static inline void fuzz_check_errors(const struct fuzzdb *f, const json_t *errors, enum mmis_err rc)
{
	size_t i;
	json_t *e;

	if (errors && !json_is_array(errors))
		fuzz_fail(f, "errors", "not an array");
	if (!rc && json_array_size(errors))
		fuzz_fail(f, "errors", "a successful import with error lines");
	json_array_foreach(errors, i, e) {
		json_t *line = json_object_get(e, "line");
		const char *msg = json_string_value(json_object_get(e, "message"));
		if (!json_is_integer(line) || json_integer_value(line) < 1)
			fuzz_fail(f, "errors", "an entry without a line");
		if (!msg || !*msg)
			fuzz_fail(f, "errors", "an entry without a message");
	}
}

/* An import's outcome: success, or MMIS_EINVAL naming a line with the fingerprint `state_sql`
 * unchanged from `before`; never a transaction left open. */
static inline void fuzz_check_outcome(const struct fuzzdb *f, enum mmis_err rc,
				      const struct mmis_error *err, const char *state_sql,
				      long long before)
{
	if (store_tx_depth(f->db))
		fuzz_fail(f, "a transaction left open", mmis_strerror(rc));
	if (rc == MMIS_OK)
		return;
	if (rc != MMIS_EINVAL)
		fuzz_fail(f, mmis_strerror(rc), err->message);
	if (!strstr(err->message, "line "))
		fuzz_fail(f, "an error without a line", err->message);
	if (fuzz_int(f, state_sql) != before)
		fuzz_fail(f, "a refused import changed the database", err->message);
}

#endif
