/*
 * store_json.h - statements with text parameters, and their rows as JSON: the loops every module
 * would otherwise write again (prepare, bind, step, append, finalize, free on failure).
 */
#ifndef MMIS_STORE_JSON_H
#define MMIS_STORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mmis/err.h"
#include "mmis/store.h"

/* Makes one row (the statement's current row) into a new JSON value; `ctx` is the caller's. */
typedef json_t *(*store_row_fn)(struct store_stmt *st, void *ctx);

/*
 * Run `sql` with the text parameters params[0..n) (NULL binds SQL NULL) and make each row into
 * JSON with row_fn(st, ctx): a new array in *out (NULL on failure). row_fn returning NULL is out
 * of memory (MMIS_ENOMEM, "out of memory"), or, when `skip_null`, leaves the row out.
 */
enum mmis_err store_rows_json(struct store *s, const char *sql, const char *const *params,
			      size_t n, store_row_fn row_fn, void *ctx, bool skip_null,
			      json_t **out, struct mmis_error *err);

/*
 * A store_row_fn: the row as an object with one member per column, named by `names` (a
 * NULL-terminated array of const char *): a name starting with '#' is an integer member named by
 * the rest of it, any other a string (SQL NULL: null). NULL when out of memory.
 */
json_t *store_row_object(struct store_stmt *st, void *names);

/*
 * Run one statement with the text parameters params[0..n) (NULL binds SQL NULL); *changes (may
 * be NULL) receives the number of rows it changed, 0 when it failed.
 */
enum mmis_err store_run_params(struct store *s, const char *sql, const char *const *params,
			       size_t n, int64_t *changes, struct mmis_error *err);

/* store_run_params with the parameters listed: STORE_RUN(s, sql, &changes, err, a, b). */
#define STORE_RUN(s, sql, changes, err, ...)                                                   \
	store_run_params((s), (sql), (const char *const[]){ __VA_ARGS__ },                     \
			 sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *),  \
			 (changes), (err))

#endif
