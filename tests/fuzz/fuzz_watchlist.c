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
#include "mmis/screen.h"
#include "fuzzdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void seed(struct fuzzdb *db);
static struct fuzzdb f = { .name = "fuzz_watchlist", .seed = seed };

/* A fingerprint of what the imports may change. */
static const char state_sql[] = "SELECT (SELECT count(*) FROM watchlist) + (SELECT count(*) FROM "
				"watchlist_entry) * 1000 + (SELECT generation FROM watchlist_state) "
				"* 1000000000 + (SELECT COALESCE(sum(generation), 0) FROM watchlist) "
				"* 1000000";

static enum mmis_err import(const uint8_t *data, size_t size, const char *format,
			    struct watchlist_import_result *res, struct mmis_error *err)
{
	struct watchlist_meta m = { .name = "fuzz", .format = format };
	FILE *in = fuzz_input(&f, data, size);
	enum mmis_err rc = watchlist_import(&f.cx, &f.sys, in, "fuzz.csv", &m, NULL, NULL, res, err);

	fclose(in);
	return rc;
}

/* Every new database holds the list "fuzz" already: a refused import must leave it intact. */
static void seed(struct fuzzdb *db)
{
	static const char text[] = "id,name\nS-1,Seed Person\n";
	struct watchlist_import_result res;
	struct mmis_error err;

	if (import((const uint8_t *)text, sizeof(text) - 1, "csv", &res, &err))
		fuzz_fail(db, "the seed list", err.message);
	json_decref(res.errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = { "csv", "opensanctions" };
	struct watchlist_import_result res;
	struct mmis_error err;

	fuzz_next(&f);
	for (size_t i = 0; i < 2; i++) {
		long long before = fuzz_int(&f, state_sql);
		enum mmis_err rc = import(data, size, formats[i], &res, &err);
		fuzz_check_errors(&f, res.errors, rc);
		fuzz_check_outcome(&f, rc, &err, state_sql, before);
		if (rc == MMIS_OK && (res.imported < 0 || res.imported > res.lines))
			fuzz_fail(&f, "counts", "more entries than lines");
		if (rc && res.imported)
			fuzz_fail(&f, "a refused import counted entries", err.message);
		json_decref(res.errors);
	}
	return 0;
}
