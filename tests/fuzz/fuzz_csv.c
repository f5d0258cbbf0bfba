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
#include "mmis/border.h"
#include "fuzzdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzzdb f = { .name = "fuzz_csv" };

static const char rows_sql[] = "SELECT (SELECT count(*) FROM bcp) + (SELECT count(*) FROM person) "
			       "* 1000 + (SELECT count(*) FROM travel_document) * 1000000 + "
			       "(SELECT count(*) FROM crossing) * 1000000000";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crossing_import_result res;
	struct mmis_error err;
	json_t *errors = NULL;
	int64_t n = 0;
	long long before;
	enum mmis_err rc;
	FILE *in;

	fuzz_next(&f);
	before = fuzz_int(&f, rows_sql);
	in = fuzz_input(&f, data, size);
	rc = bcp_import(&f.cx, &f.sys, in, "fuzz.csv", &n, &errors, &err);
	fclose(in);
	fuzz_check_errors(&f, errors, rc);
	json_decref(errors);
	fuzz_check_outcome(&f, rc, &err, rows_sql, before);
	if (rc && n)
		fuzz_fail(&f, "a refused BCP import counted rows", err.message);

	before = fuzz_int(&f, rows_sql);
	in = fuzz_input(&f, data, size);
	rc = crossing_import(&f.cx, &f.sys, in, "fuzz.csv", NULL, NULL, &res, &err);
	fclose(in);
	fuzz_check_errors(&f, res.errors, rc);
	json_decref(res.errors);
	fuzz_check_outcome(&f, rc, &err, rows_sql, before);
	if (rc && (res.imported || res.new_persons || res.flagged))
		fuzz_fail(&f, "a refused crossing import counted rows", err.message);
	return 0;
}
