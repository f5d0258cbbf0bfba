/* fuzz_watchlist.c - libFuzzer harness: the alert-list imports (watchlist_import in the native
 * CSV format and in OpenSanctions' targets.simple.csv, the CSV reader and every check behind
 * them, names through the matcher's normalisation) on outside bytes, into an in-memory SQLite
 * database made once (and afresh now and then so that it stays small). Each input goes through
 * both formats, into a list that exists already (so a refused import must leave it intact). What
 * must hold whatever the bytes:
 *   - no crash, no leak, no sanitizer report;
 *   - the answer is success or MMIS_EINVAL (bad input is never a database error);
 *   - a refused import changes nothing: the lists, their entries and the generation are the same
 *     before and after, and no transaction is left open;
 *   - every error names a line: the message says "line N", and each entry of the error list has
 *     a line >= 1 and a message; a successful import has no error entries and counts what it
 *     saved. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mmis/audit.h"
#include "mmis/auth.h"
#include "mmis/screen.h"
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
	fprintf(stderr, "fuzz_watchlist: %s: %s\n", what, detail ? detail : "");
	abort();
}

static FILE *input(const uint8_t *data, size_t size)
{
	/* fmemopen refuses a size of 0: an empty file is /dev/null. */
	return size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
}

static enum mmis_err import(const uint8_t *data, size_t size, const char *format,
			    struct watchlist_import_result *res, struct mmis_error *err)
{
	struct watchlist_meta m = { .name = "fuzz", .format = format };
	FILE *in = input(data, size);
	enum mmis_err rc;

	if (!in)
		fail("fmemopen", NULL);
	rc = watchlist_import(&cx, &sys, in, "fuzz.csv", &m, NULL, NULL, res, err);
	fclose(in);
	return rc;
}

static void open_db(void)
{
	static const char seed[] = "id,name\nS-1,Seed Person\n";
	struct watchlist_import_result res;
	struct mmis_error err;

	store_close(db);
	db = NULL;
	if (store_init("file::memory:", &db, NULL, NULL, &err))
		fail("cannot make the in-memory database", err.message);
	cx.store = db;
	cx.audit_key = &key;
	if (import((const uint8_t *)seed, sizeof(seed) - 1, "csv", &res, &err))
		fail("the seed list", err.message);
	json_decref(res.errors);
}

/* A fingerprint of what the imports may change. */
static long long state(void)
{
	static const char sql[] = "SELECT (SELECT count(*) FROM watchlist) + (SELECT count(*) FROM "
				  "watchlist_entry) * 1000 + (SELECT generation FROM watchlist_state) "
				  "* 1000000000 + (SELECT COALESCE(sum(generation), 0) FROM watchlist) "
				  "* 1000000";
	struct mmis_error err;
	struct store_stmt *st;
	bool row = false;
	long long n;

	if (store_prepare(db, sql, &st, &err) || store_step(st, &row, &err) || !row)
		fail("reading the state", err.message);
	n = (long long)store_column_int64(st, 0);
	store_finalize(st);
	return n;
}

static void check(enum mmis_err rc, const struct mmis_error *err,
		  const struct watchlist_import_result *res, long long before)
{
	size_t i;
	json_t *e;

	if (store_tx_depth(db))
		fail("a transaction left open", mmis_strerror(rc));
	if (res->errors && !json_is_array(res->errors))
		fail("errors", "not an array");
	if (!rc && json_array_size(res->errors))
		fail("errors", "a successful import with error lines");
	json_array_foreach(res->errors, i, e) {
		json_t *line = json_object_get(e, "line");
		const char *msg = json_string_value(json_object_get(e, "message"));
		if (!json_is_integer(line) || json_integer_value(line) < 1)
			fail("errors", "an entry without a line");
		if (!msg || !*msg)
			fail("errors", "an entry without a message");
	}
	if (rc == MMIS_OK) {
		if (res->imported < 0 || res->imported > res->lines)
			fail("counts", "more entries than lines");
		return;
	}
	if (rc != MMIS_EINVAL)
		fail(mmis_strerror(rc), err->message);
	if (!strstr(err->message, "line "))
		fail("an error without a line", err->message);
	if (res->imported)
		fail("a refused import counted entries", err->message);
	if (state() != before)
		fail("a refused import changed the database", err->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = { "csv", "opensanctions" };
	struct watchlist_import_result res;
	struct mmis_error err;

	if (!db) {
		if (sodium_init() < 0)
			fail("sodium_init", NULL);
		randombytes_buf(key.bytes, sizeof(key.bytes));
		actor_system(&sys);
	}
	if (!db || ++runs % RUNS_PER_DATABASE == 0)
		open_db();
	for (size_t f = 0; f < 2; f++) {
		long long before = state();
		enum mmis_err rc = import(data, size, formats[f], &res, &err);
		check(rc, &err, &res, before);
		json_decref(res.errors);
	}
	return 0;
}
