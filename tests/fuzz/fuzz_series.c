/* fuzz_series.c - libFuzzer harness: the official series parser (series_parse, lib/stats/series.c:
 * the libcsv reader, the header, every field check) on outside bytes. No database: the parser is
 * pure. What must hold whatever the bytes:
 *   - no crash, no leak, no sanitizer report;
 *   - the answer is success or MMIS_EINVAL/MMIS_ETOOBIG, never anything else;
 *   - on success, rows are returned and every row is valid: a known indicator, a country of three
 *     letters, a period YYYY, YYYY-Qn or YYYY-MM, a value of digits and at most one '.', a
 *     source; and no two rows share a country, indicator and period;
 *   - on failure nothing is returned, and every listed error names a line >= 1 with a message. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_series: %s: %s\n", what, detail ? detail : "");
	abort();
}

static bool known(const char *s)
{
	for (size_t i = 0; stats_indicator_names[i]; i++)
		if (!strcmp(stats_indicator_names[i], s))
			return true;
	return false;
}

static void check_row(const struct series_row *r)
{
	size_t n = strlen(r->period), dots = 0;
	if (!known(r->indicator))
		fail("an unknown indicator passed", r->indicator);
	if (strlen(r->country) != 3)
		fail("a country that is not three letters", r->country);
	if (!(n == 4 || (n == 7 && r->period[4] == '-')))
		fail("a bad period passed", r->period);
	for (size_t i = 0; i < 4; i++)
		if (!isdigit((unsigned char)r->period[i]))
			fail("a bad year passed", r->period);
	for (const char *p = r->value; *p; p++) {
		if (*p == '.')
			dots++;
		else if (!isdigit((unsigned char)*p))
			fail("a value that is not a number passed", r->value);
	}
	if (!r->value[0] || dots > 1 || r->number < 0)
		fail("a bad value passed", r->value);
	if (!r->source[0])
		fail("an empty source passed", r->indicator);
	if (r->line < 2)
		fail("a row before the header", r->indicator);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct series_row *rows = NULL;
	struct mmis_error err;
	json_t *errors = NULL;
	size_t n = 0;
	FILE *in;

	if (!size)
		return 0;
	if (!(in = fmemopen((void *)data, size, "r")))
		return 0;
	enum mmis_err rc = series_parse(in, size % 2 ? "SRB" : NULL, &rows, &n, &errors, &err);
	fclose(in);
	if (rc == MMIS_OK) {
		if (!rows || !n)
			fail("success without rows", NULL);
		for (size_t i = 0; i < n; i++) {
			check_row(&rows[i]);
			for (size_t j = i + 1; j < n && j < i + 64; j++)
				if (!strcmp(rows[i].country, rows[j].country) &&
				    !strcmp(rows[i].indicator, rows[j].indicator) &&
				    !strcmp(rows[i].period, rows[j].period))
					fail("the same country, indicator and period twice", rows[i].period);
		}
	} else if (rc == MMIS_EINVAL || rc == MMIS_ETOOBIG) {
		if (rows || n)
			fail("rows returned with an error", err.message);
		size_t i;
		json_t *e;
		json_array_foreach(errors, i, e) {
			if (json_integer_value(json_object_get(e, "line")) < 1)
				fail("an error without a line", err.message);
			if (!json_string_value(json_object_get(e, "message")))
				fail("an error without a message", NULL);
		}
	} else {
		fail("an unexpected error", err.message);
	}
	free(rows);
	json_decref(errors);
	return 0;
}
