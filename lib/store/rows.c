/* rows.c - statements with text parameters, and their rows as JSON (see store_json.h). */
#include "mmis/store_json.h"

static enum mmis_err prepare_bound(struct store *s, const char *sql, const char *const *params,
				   size_t n, struct store_stmt **st, struct mmis_error *err)
{
	enum mmis_err rc = store_prepare(s, sql, st, err);

	for (size_t i = 0; !rc && i < n; i++)
		store_bind_text(*st, (int)i + 1, params[i]);
	return rc;
}

enum mmis_err store_rows_json(struct store *s, const char *sql, const char *const *params,
			      size_t n, store_row_fn row_fn, void *ctx, bool skip_null,
			      json_t **out, struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;
	json_t *arr = json_array();

	*out = NULL;
	if (!arr)
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	if ((rc = prepare_bound(s, sql, params, n, &st, err))) {
		json_decref(arr);
		return rc;
	}
	while (!(rc = store_step(st, &row, err)) && row) {
		json_t *o = row_fn(st, ctx);
		if (!o && skip_null)
			continue;
		if (!o || json_array_append_new(arr, o)) {
			rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
			break;
		}
	}
	store_finalize(st);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

json_t *store_row_object(struct store_stmt *st, void *names)
{
	const char *const *name = names;
	json_t *o = json_object();

	for (int c = 0; o && name[c]; c++) {
		if (name[c][0] == '#')
			json_object_set_new(o, name[c] + 1, json_integer(store_column_int64(st, c)));
		else
			json_object_set_new(o, name[c],
					    store_column_is_null(st, c)
						    ? json_null()
						    : json_string(store_column_text(st, c)));
	}
	return o;
}

enum mmis_err store_run_params(struct store *s, const char *sql, const char *const *params,
			       size_t n, int64_t *changes, struct mmis_error *err)
{
	struct store_stmt *st;
	enum mmis_err rc;

	if (changes)
		*changes = 0;
	if ((rc = prepare_bound(s, sql, params, n, &st, err)))
		return rc;
	rc = store_run(st, err);
	if (changes)
		*changes = rc ? 0 : store_changes(st);
	store_finalize(st);
	return rc;
}
