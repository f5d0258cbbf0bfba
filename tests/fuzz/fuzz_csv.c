/* fuzz_csv.c - libFuzzer harness: the CSV imports (bcp_import and crossing_import, the libcsv
 * reader and every row check behind them) on outside bytes, into an in-memory SQLite database
 * made once (and made afresh now and then so that it stays small). Each input goes through both
 * imports. What must hold whatever the bytes:
 *   - no crash, no leak, no sanitizer report;
 *   - the answer is success or MMIS_EINVAL (bad input is never a database error);
 *   - a refused import changes nothing: the rows of bcp, person, travel_document and crossing are
 *     the same before and after, and no transaction is left open;
 *   - every error names a line: the message says "line N", and each entry of the error list has
 *     a line >= 1 and a message; a successful import has no error entries. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mmis/audit.h"
#include "mmis/auth.h"
#include "mmis/border.h"
#include "mmis/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RUNS_PER_DATABASE 2000

static struct store *db;
static struct audit_key key;
static struct mmis_ctx cx;
static struct actor sys;
static int runs;

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_csv: %s: %s\n", what, detail ? detail : "");
	abort();
}

static void open_db(void)
{
	struct mmis_error err;

	store_close(db);
	db = NULL;
	if (store_init("file::memory:", &db, NULL, NULL, &err))
		fail("cannot make the in-memory database", err.message);
	cx.store = db;
	cx.audit_key = &key;
}

static long long rows(void)
{
	static const char sql[] = "SELECT (SELECT count(*) FROM bcp) + (SELECT count(*) FROM person) "
				  "* 1000 + (SELECT count(*) FROM travel_document) * 1000000 + "
				  "(SELECT count(*) FROM crossing) * 1000000000";
	struct mmis_error err;
	struct store_stmt *st;
	bool row = false;
	long long n;

	if (store_prepare(db, sql, &st, &err) || store_step(st, &row, &err) || !row)
		fail("counting rows", err.message);
	n = (long long)store_column_int64(st, 0);
	store_finalize(st);
	return n;
}

static void check_errors(const json_t *errors, enum mmis_err rc)
{
	size_t i;
	json_t *e;

	if (errors && !json_is_array(errors))
		fail("errors", "not an array");
	if (!rc && json_array_size(errors))
		fail("errors", "a successful import with error lines");
	json_array_foreach(errors, i, e) {
		json_t *line = json_object_get(e, "line");
		const char *msg = json_string_value(json_object_get(e, "message"));
		if (!json_is_integer(line) || json_integer_value(line) < 1)
			fail("errors", "an entry without a line");
		if (!msg || !*msg)
			fail("errors", "an entry without a message");
	}
}

static void check_outcome(enum mmis_err rc, const struct mmis_error *err, long long before)
{
	if (store_tx_depth(db))
		fail("a transaction left open", mmis_strerror(rc));
	if (rc == MMIS_OK)
		return;
	if (rc != MMIS_EINVAL)
		fail(mmis_strerror(rc), err->message);
	if (!strstr(err->message, "line "))
		fail("an error without a line", err->message);
	if (rows() != before)
		fail("a refused import changed the database", err->message);
}

static FILE *input(const uint8_t *data, size_t size)
{
	/* fmemopen refuses a size of 0: an empty file is /dev/null. */
	return size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crossing_import_result res;
	struct mmis_error err;
	json_t *errors = NULL;
	int64_t n = 0;
	long long before;
	enum mmis_err rc;
	FILE *in;

	if (!db) {
		if (sodium_init() < 0)
			fail("sodium_init", NULL);
		randombytes_buf(key.bytes, sizeof(key.bytes));
		actor_system(&sys);
	}
	if (!db || ++runs % RUNS_PER_DATABASE == 0)
		open_db();

	before = rows();
	if (!(in = input(data, size)))
		return 0;
	rc = bcp_import(&cx, &sys, in, "fuzz.csv", &n, &errors, &err);
	fclose(in);
	check_errors(errors, rc);
	json_decref(errors);
	check_outcome(rc, &err, before);
	if (rc && n)
		fail("a refused BCP import counted rows", err.message);

	before = rows();
	if (!(in = input(data, size)))
		return 0;
	rc = crossing_import(&cx, &sys, in, "fuzz.csv", NULL, NULL, &res, &err);
	fclose(in);
	check_errors(res.errors, rc);
	json_decref(res.errors);
	check_outcome(rc, &err, before);
	if (rc && (res.imported || res.new_persons || res.flagged))
		fail("a refused crossing import counted rows", err.message);
	return 0;
}
