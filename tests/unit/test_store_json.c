/*
 * test_store_json.c - statements with text parameters and their rows as JSON (store_json.h):
 * parameters bound in order (NULL as SQL NULL), rows made by a row function or by a column table,
 * rows left out only when asked, SQL errors passed on with nothing returned, and the rows a
 * statement changed. Runs on SQLite and PostgreSQL (MMIS_TEST_BACKEND, see testdb.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mmis/json.h"
#include "mmis/store_json.h"
#include "testdb.h"

static int setup(void **state)
{
	struct store *s = testdb_fresh(NULL);

	testdb_exec(s, "CREATE TABLE t_rows (k TEXT NOT NULL, v TEXT, n INTEGER NOT NULL)");
	testdb_exec(s, "INSERT INTO t_rows (k, v, n) VALUES ('a', 'x', 1), ('b', NULL, 2), "
		       "('c', 'z', 3)");
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	store_close(*state);
	return 0;
}

static void assert_json(json_t *j, const char *expected)
{
	char *text = mjson_dump(j);

	assert_non_null(text);
	assert_string_equal(text, expected);
	free(text);
}

static json_t *key_row(struct store_stmt *st, void *ctx)
{
	int *calls = ctx;

	(*calls)++;
	return json_string(store_column_text(st, 0));
}

/* Leaves out the rows whose v is NULL. */
static json_t *v_row(struct store_stmt *st, void *ctx)
{
	(void)ctx;
	return store_column_is_null(st, 1) ? NULL : json_string(store_column_text(st, 1));
}

static void test_row_fn_and_params(void **state)
{
	struct store *s = *state;
	struct mmis_error err;
	const char *p[] = { "a", "c" };
	int calls = 0;
	json_t *out = NULL;

	assert_int_equal(store_rows_json(s, "SELECT k FROM t_rows WHERE k >= ? AND k <= ? ORDER BY k",
					 p, 2, key_row, &calls, false, &out, &err),
			 MMIS_OK);
	assert_json(out, "[\"a\",\"b\",\"c\"]");
	assert_int_equal(calls, 3);
	json_decref(out);

	/* No rows: an empty array, not NULL. */
	assert_int_equal(store_rows_json(s, "SELECT k FROM t_rows WHERE k = ?", (const char *[]){ "q" },
					 1, key_row, &calls, false, &out, &err),
			 MMIS_OK);
	assert_json(out, "[]");
	json_decref(out);
}

static void test_skip_null(void **state)
{
	struct store *s = *state;
	struct mmis_error err;
	json_t *out = (json_t *)1;

	assert_int_equal(store_rows_json(s, "SELECT k, v FROM t_rows ORDER BY k", NULL, 0, v_row, NULL,
					 true, &out, &err),
			 MMIS_OK);
	assert_json(out, "[\"x\",\"z\"]");
	json_decref(out);
	/* Without skip_null a NULL row is out of memory, and nothing is returned. */
	out = (json_t *)1;
	assert_int_equal(store_rows_json(s, "SELECT k, v FROM t_rows ORDER BY k", NULL, 0, v_row, NULL,
					 false, &out, &err),
			 MMIS_ENOMEM);
	assert_null(out);
}

static void test_row_object(void **state)
{
	struct store *s = *state;
	struct mmis_error err;
	const char *names[] = { "key", "value", "#n", NULL };
	json_t *out = NULL;

	assert_int_equal(store_rows_json(s, "SELECT k, v, n FROM t_rows WHERE k <> ? ORDER BY k",
					 (const char *[]){ "c" }, 1, store_row_object, names, false,
					 &out, &err),
			 MMIS_OK);
	assert_json(out, "[{\"key\":\"a\",\"value\":\"x\",\"n\":1},{\"key\":\"b\",\"value\":null,\"n\":2}]");
	json_decref(out);
}

static void test_sql_error(void **state)
{
	struct store *s = *state;
	struct mmis_error err;
	int calls = 0;
	json_t *out = (json_t *)1;

	assert_int_not_equal(store_rows_json(s, "SELECT nope FROM t_missing", NULL, 0, key_row, &calls,
					     false, &out, &err),
			     MMIS_OK);
	assert_null(out);
	assert_int_equal(calls, 0);
	assert_true(err.message[0] != '\0');
}

static void test_run_params(void **state)
{
	struct store *s = *state;
	struct mmis_error err;
	int64_t n = -1;

	assert_int_equal(STORE_RUN(s, "UPDATE t_rows SET v = ? WHERE n >= ?", &n, &err, NULL, "2"),
			 MMIS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(testdb_int(s, "SELECT COUNT(*) FROM t_rows WHERE v IS NULL"), 2);
	assert_int_equal(store_run_params(s, "DELETE FROM t_rows WHERE k = ?", (const char *[]){ "q" },
					  1, &n, &err),
			 MMIS_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_run_params(s, "DELETE FROM t_rows", NULL, 0, NULL, &err), MMIS_OK);
	assert_int_equal(testdb_int(s, "SELECT COUNT(*) FROM t_rows"), 0);
	/* A failed statement changed nothing. */
	n = -1;
	assert_int_equal(STORE_RUN(s, "INSERT INTO t_rows (k, v, n) VALUES (?, ?, ?)", &n, &err, NULL,
				   "v", "1"),
			 MMIS_ECONFLICT);
	assert_int_equal(n, 0);
}

static void pg_missing(void **state)
{
	(void)state;
	fail_msg("MMIS_TEST_PG_URL is not set: run the tests through tests/run.sh");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_row_fn_and_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_row_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sql_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_params, setup, teardown),
	};
	const struct CMUnitTest missing[] = { cmocka_unit_test(pg_missing) };
	int rc;

	if (!testdb_start())
		return cmocka_run_group_tests_name("store_json", missing, NULL, NULL);
	rc = cmocka_run_group_tests_name(testdb_backend() == STORE_POSTGRES ? "store_json-postgres"
									 : "store_json-sqlite",
					 tests, NULL, NULL);
	testdb_finish();
	return rc;
}
