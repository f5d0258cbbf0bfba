/*
 * test_stats.c - statistics over the border records (lib/stats): age bands and period codes; the
 * roll-ups equal a GROUP BY over the records on random data (recorded one by one and imported,
 * taken back and put back per person, rebuilt); stats_run's tables equal counts made directly
 * from the records for many dimensions and ranges; exports; permissions and the audit. Runs on
 * SQLite and PostgreSQL (MMIS_TEST_BACKEND, see testdb.h). Every test ends by verifying the
 * audit chain.
 *
 * The reference counts are made here with SQL written for the test (the age band computed in
 * SQL from the text of the dates), independently of the library's C classification.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "mmis/audit.h"
#include "mmis/auth.h"
#include "mmis/border.h"
#include "mmis/json.h"
#include "mmis/protect.h"
#include "mmis/stats.h"
#include "mmis/strbuf.h"
#include "testdb.h"
#include "mmis/rng.h"

/* A user of `role` in the directorate DM, signed in with a token. */
static void make_actor(struct testdb_fx *f, const char *name, const char *role, struct actor *out)
{
	testdb_actor(&f->cx, &f->sys, name, role, "DM", "government", out);
}

static struct date ymd(int y, int m, int d)
{
	return (struct date){ y, m, d, DATE_DAY };
}

/* ---- pure */

static void test_age_bands(void **state)
{
	(void)state;
	struct date on = ymd(2024, 6, 15), b;
	struct mmis_error err;
	static const struct {
		const char *birth, *on, *band;
	} cases[] = {
		{ "2010-06-15", "2024-06-15", "Y14-17" }, /* 14 on the birthday */
		{ "2010-06-16", "2024-06-15", "Y_LT14" }, /* 13 the day before */
		{ "2006-06-15", "2024-06-15", "Y18-34" },
		{ "2006-06-16", "2024-06-15", "Y14-17" },
		{ "1990-01-01", "2024-06-15", "Y18-34" },
		{ "1989-06-15", "2024-06-15", "Y35-64" },
		{ "1959-06-15", "2024-06-15", "Y_GE65" },
		{ "1959-06-16", "2024-06-15", "Y35-64" },
		{ "2008-02-29", "2026-02-28", "Y14-17" }, /* 29 February: 18 on 1 March */
		{ "2008-02-29", "2026-03-01", "Y18-34" },
		{ "2008-02-29", "2024-02-29", "Y14-17" }, /* 16 */
		{ "2024-06-15", "2024-06-15", "Y_LT14" }, /* born that day */
		{ "2024-06-16", "2024-06-15", "UNK" },    /* not born yet */
		{ "1880-01-01", "2024-06-15", "UNK" },    /* 144: a typing error */
		{ "1990", "2024-06-15", "Y18-34" },       /* 33 or 34 */
		{ "1990", "2024-12-31", "Y18-34" },
		{ "1989", "2024-06-15", "UNK" },          /* 34 or 35 */
		{ "1989", "2024-12-31", "Y35-64" },       /* 35 whatever the day */
		{ "1989", "2024-01-01", "UNK" },          /* 34, or 35 if born on 1 January */
		{ "2006-07", "2024-06-15", "Y14-17" },    /* 17 before July */
		{ "2006-06", "2024-06-15", "UNK" },       /* 17 or 18 in the month of birth */
		{ "2006-06", "2024-06-30", "Y18-34" },    /* the month is over */
		{ "2006-05", "2024-06-15", "Y18-34" },
		{ "2020", "2024-06-15", "Y_LT14" },
		{ "2010", "2024-06-15", "UNK" },          /* 13 or 14 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		OK(date_parse_partial(cases[i].birth, NULL, &b, &err));
		OK(date_parse(cases[i].on, NULL, &on, &err));
		const char *band = stats_age_band(&b, true, &on);
		if (strcmp(band, cases[i].band))
			fail_msg("born %s, on %s: %s, expected %s", cases[i].birth, cases[i].on, band,
				 cases[i].band);
	}
	assert_string_equal(stats_age_band(&b, false, &on), "UNK");
}

static void test_period_codes(void **state)
{
	(void)state;
	static const struct {
		int y, m, d;
		const char *week, *quarter;
	} cases[] = {
		{ 2021, 1, 3, "2020-W53", "2021-Q1" }, { 2021, 1, 4, "2021-W01", "2021-Q1" },
		{ 2024, 12, 30, "2025-W01", "2024-Q4" }, { 2024, 12, 29, "2024-W52", "2024-Q4" },
		{ 2026, 1, 1, "2026-W01", "2026-Q1" }, { 2020, 12, 31, "2020-W53", "2020-Q4" },
		{ 2024, 4, 1, "2024-W14", "2024-Q2" }, { 2024, 9, 30, "2024-W40", "2024-Q3" },
	};
	char buf[16];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct date d = ymd(cases[i].y, cases[i].m, cases[i].d);
		stats_period_code(STATS_WEEK, &d, buf);
		assert_string_equal(buf, cases[i].week);
		stats_period_code(STATS_QUARTER, &d, buf);
		assert_string_equal(buf, cases[i].quarter);
	}
	struct date d = ymd(2024, 3, 5);
	stats_period_code(STATS_MONTH, &d, buf);
	assert_string_equal(buf, "2024-03");
	stats_period_code(STATS_YEAR, &d, buf);
	assert_string_equal(buf, "2024");
	stats_period_code(STATS_DAY, &d, buf);
	assert_string_equal(buf, "2024-03-05");
}

static void test_query_parse(void **state)
{
	(void)state;
	struct stats_query q;
	struct mmis_error err;

	OK(stats_query_parse(&q, "crossings", "month,bcp,nationality", "2024-01-01", "2024-12-31",
			     NULL, NULL, "csv", true, &err));
	assert_int_equal(q.n_dims, 3);
	assert_int_equal(q.dims[0], STATS_MONTH);
	assert_int_equal(q.format, STATS_CSV);
	assert_int_equal(q.min_cell, -1);
	OK(stats_query_parse(&q, "crossings", "", "2024-03", "2024", NULL, "0", NULL, false, &err));
	assert_int_equal(q.from.day, 1);
	assert_int_equal(q.from.month, 3);
	assert_int_equal(q.to.month, 12);
	assert_int_equal(q.to.day, 31);
	assert_int_equal(q.min_cell, 0);
	static const struct {
		const char *by, *from, *to, *min, *fmt, *field, *text;
	} bad[] = {
		{ "month,planet", "2024-01-01", "2024-12-31", NULL, NULL, "by", "unknown dimension 'planet'" },
		{ "month,month", "2024-01-01", "2024-12-31", NULL, NULL, "by", "twice" },
		{ "month,year", "2024-01-01", "2024-12-31", NULL, NULL, "by", "one period" },
		{ "ground", "2024-01-01", "2024-12-31", NULL, NULL, "by", "not counted by ground" },
		{ "month,", "2024-01-01", "2024-12-31", NULL, NULL, "by", "after ','" },
		{ "month", "2024-12-31", "2024-01-01", NULL, NULL, "from", "is after to" },
		{ "month", "2024-13", "2024-12-31", NULL, NULL, "from", "month 13" },
		{ "month", "2024-01-01", "2024-02-30", NULL, NULL, "to", "" },
		{ "month", NULL, "2024-02-01", NULL, NULL, "from", "required" },
		{ "month", "2024-01-01", "2024-12-31", "-1", NULL, "min_cell", "whole number" },
		{ "month", "2024-01-01", "2024-12-31", "5x", NULL, "min_cell", "whole number" },
		{ "month", "2024-01-01", "2024-12-31", NULL, "pdf", "format", "sdmx-csv" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mmis_error_clear(&err);
		assert_int_equal(stats_query_parse(&q, "crossings", bad[i].by, bad[i].from, bad[i].to,
						   NULL, bad[i].min, bad[i].fmt, false, &err),
				 MMIS_EINVAL);
		assert_string_equal(err.field, bad[i].field);
		if (!strstr(err.message, bad[i].text))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.message, bad[i].text);
	}
	/* The protection sources: each its own dimensions, named when another is asked for. */
	static const struct {
		const char *source, *by, *text;
	} wrong[] = {
		{ "cases", "planet", "unknown dimension 'planet' (cases are counted by day, week, "
				     "month, quarter, year, nationality, sex, age_band, case_type, "
				     "state, agency)" },
		{ "cases", "year,bcp", "cases are not counted by bcp (but by day," },
		{ "cases", "provider", "cases are not counted by provider" },
		{ "referrals", "case_type", "referrals are not counted by case_type (but by day, "
					    "week, month, quarter, year, state, provider, service)" },
		{ "services", "state", "services are not counted by state (but by day, week, month, "
				       "quarter, year, provider, service, project)" },
		{ "crossings", "project", "crossings are not counted by project" },
	};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		mmis_error_clear(&err);
		assert_int_equal(stats_query_parse(&q, wrong[i].source, wrong[i].by, "2024", "2024",
						   NULL, NULL, NULL, false, &err), MMIS_EINVAL);
		assert_string_equal(err.field, "by");
		if (!strstr(err.message, wrong[i].text))
			fail_msg("%s by %s: '%s' lacks '%s'", wrong[i].source, wrong[i].by,
				 err.message, wrong[i].text);
	}
	OK(stats_query_parse(&q, "cases", "year,case_type,state,agency,age_band", "2024", "2024",
			     NULL, NULL, NULL, true, &err));
	assert_int_equal(q.n_dims, 5);
	assert_int_equal(q.dims[1], STATS_CASE_TYPE);
	OK(stats_query_parse(&q, "services", "project,provider,service", "2024", "2024", NULL, NULL,
			     NULL, false, &err));
	assert_int_equal(q.dims[0], STATS_PROJECT);
	/* The codes of case types, states and services are lib/protect's own lists. */
	assert_ptr_equal(stats_dim(STATS_CASE_TYPE)->codes, protect_case_types);
	assert_ptr_equal(stats_dim(STATS_STATE)->codes, protect_case_states);
	assert_ptr_equal(stats_dim(STATS_STATE)->more_codes, protect_referral_states);
	assert_ptr_equal(stats_dim(STATS_SERVICE)->codes, protect_services);
	assert_int_equal(stats_query_parse(&q, "nothing", "", "2024", "2024", NULL, NULL, NULL,
					   false, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "source");
	OK(stats_query_parse(&q, "overstays", "nationality,sex", NULL, NULL, "2024-05-01", NULL, NULL,
			     false, &err));
	assert_int_equal(q.on.month, 5);
	assert_int_equal(stats_query_parse(&q, "overstays", "month", NULL, NULL, NULL, NULL, NULL,
					   false, &err), MMIS_EINVAL);
}

/* ---- random border records */

static struct rng rng = { 7 };

static uint64_t rnd(void)
{
	return rng_next(&rng);
}

static int below(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

static const char *const nats[] = { "SRB", "BIH", "RKS", "ALB", "DEU", "RUS", "", "XXA", "GRC" };
static const char *const bcps[] = { "MNE-DBR", "MNE-SUK", "MNE-TGD", "MNE-BAR" };
static const char *const transports[] = { "car", "bus", "aircraft", "", "foot", "vessel" };

/* A birth date: full, year and month, year only, or none (and some children). */
static void random_birth(char *out, size_t cap)
{
	int y = below(10) < 2 ? 2008 + below(16) : 1940 + below(70), m = 1 + below(12), d = 1 + below(28);
	switch (below(5)) {
	case 0:
		snprintf(out, cap, "%04d", y);
		break;
	case 1:
		snprintf(out, cap, "%04d-%02d", y, m);
		break;
	case 2:
		out[0] = '\0';
		break;
	default:
		if (below(20) == 0)
			snprintf(out, cap, "%04d-02-29", 2008 + 4 * below(4));
		else
			snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
	}
}

/* `persons` travellers, each with a few crossings in time order from 2023 to mid 2025, as CSV. */
static char *random_crossings_csv(int persons, int first, size_t *len)
{
	struct strbuf sb;
	strbuf_init(&sb, 64 * 1024 * 1024);
	strbuf_addstr(&sb, "time,bcp,direction,document_type,issuing_state,document_number,surname,"
			   "given_names,sex,birth_date,nationality,expiry_date,transport,purpose\n");
	for (int i = 0; i < persons; i++) {
		const char *nat = nats[below((int)(sizeof(nats) / sizeof(nats[0])))];
		const char *sex = below(10) == 0 ? "X" : below(2) ? "F" : "M";
		char birth[16];
		random_birth(birth, sizeof(birth));
		int64_t t = (19358 + below(880)) * 86400LL; /* 2023-01-01 + up to ~2.4 years */
		int n = 1 + below(6);
		bool in = below(8) != 0; /* a few start with an exit */
		for (int k = 0; k < n; k++) {
			char at[32];
			struct date d;
			timestamp_format(t * 1000 + below(86400) * 1000LL, at);
			timestamp_date(t * 1000, &d);
			strbuf_addf(&sb, "%s,%s,%s,P,%s,X%07d,DOE,JOHN,%s,%s,%s,,%s,tourism\n", at,
				    bcps[below(4)], in ? "entry" : "exit", *nat ? nat : "SRB",
				    first + i, sex, birth, nat,
				    transports[below((int)(sizeof(transports) / sizeof(transports[0])))]);
			in = !in;
			t += (1 + below(40)) * 86400LL;
		}
	}
	return strbuf_detach(&sb, len);
}

static void import_text(struct testdb_fx *f, const char *text, size_t len)
{
	struct crossing_import_result res;
	struct mmis_error err;
	FILE *in = fmemopen((void *)text, len, "r");
	assert_non_null(in);
	enum mmis_err rc = crossing_import(&f->cx, &f->sys, in, "random.csv", NULL, NULL, &res, &err);
	fclose(in);
	if (rc)
		fail_msg("import: %s (%s)", err.message,
			 json_string_value(json_object_get(json_array_get(res.errors, 0), "message")));
	json_decref(res.errors);
}

/* The age band in SQL from the text of c.at and p.birth_date (the test's own reference), built
 * from its parts at run time (the whole is longer than a C string literal may be). */
static char *sqlf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *sqlf(const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;
	strbuf_init(&sb, 1 << 20);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	assert_int_equal(strbuf_error(&sb), MMIS_OK);
	return strbuf_detach(&sb, NULL);
}

static void age_band_sql(struct strbuf *sb)
{
	const char *y = "CAST(substr(c.at, 1, 4) AS INTEGER)", *m = "CAST(substr(c.at, 6, 2) AS INTEGER)",
		   *d = "CAST(substr(c.at, 9, 2) AS INTEGER)",
		   *by = "CAST(substr(p.birth_date, 1, 4) AS INTEGER)", *bl = "length(p.birth_date)",
		   *bmon = "CAST(substr(p.birth_date, 6, 2) AS INTEGER)",
		   *bday = "CAST(substr(p.birth_date, 9, 2) AS INTEGER)";
	/* the earliest (0) and the latest (1) possible day of birth */
	char *bm0 = sqlf("(CASE WHEN %s = 4 THEN 1 ELSE %s END)", bl, bmon);
	char *bm1 = sqlf("(CASE WHEN %s = 4 THEN 12 ELSE %s END)", bl, bmon);
	char *bd0 = sqlf("(CASE WHEN %s = 10 THEN %s ELSE 1 END)", bl, bday);
	char *leap = sqlf("((%s %% 4 = 0 AND %s %% 100 <> 0) OR %s %% 400 = 0)", by, by, by);
	char *dim = sqlf("(CASE WHEN %s = 2 THEN (CASE WHEN %s THEN 29 ELSE 28 END) WHEN %s IN "
			 "(4, 6, 9, 11) THEN 30 ELSE 31 END)", bm1, leap, bm1);
	char *bd1 = sqlf("(CASE WHEN %s = 10 THEN %s ELSE %s END)", bl, bday, dim);
	char *oldest = sqlf("(%s - %s - (CASE WHEN %s < %s OR (%s = %s AND %s < %s) THEN 1 ELSE 0 "
			    "END))", y, by, m, bm0, m, bm0, d, bd0);
	char *youngest = sqlf("(%s - %s - (CASE WHEN %s < %s OR (%s = %s AND %s < %s) THEN 1 ELSE "
			      "0 END))", y, by, m, bm1, m, bm1, d, bd1);
	char *b0 = sqlf("(CASE WHEN %s < 14 THEN 'Y_LT14' WHEN %s < 18 THEN 'Y14-17' WHEN %s < 35 "
			"THEN 'Y18-34' WHEN %s < 65 THEN 'Y35-64' ELSE 'Y_GE65' END)", oldest,
			oldest, oldest, oldest);
	char *b1 = sqlf("(CASE WHEN %s < 14 THEN 'Y_LT14' WHEN %s < 18 THEN 'Y14-17' WHEN %s < 35 "
			"THEN 'Y18-34' WHEN %s < 65 THEN 'Y35-64' ELSE 'Y_GE65' END)", youngest,
			youngest, youngest, youngest);
	strbuf_addf(sb, "(CASE WHEN p.birth_date IS NULL THEN 'UNK' WHEN %s < 0 OR %s > 130 THEN "
		    "'UNK' WHEN %s = %s THEN %s ELSE 'UNK' END)", youngest, oldest, b1, b0, b1);
	free(bm0);
	free(bm1);
	free(bd0);
	free(leap);
	free(dim);
	free(bd1);
	free(oldest);
	free(youngest);
	free(b0);
	free(b1);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rows of `sql` as "a|b|...|n" lines, sorted. */
static char *rows_text(struct testdb_fx *f, const char *sql)
{
	struct mmis_error err;
	struct store_stmt *st;
	struct strbuf sb;
	bool row = false;
	size_t n = 0, cap = 256;
	char **lines = malloc(cap * sizeof(char *));

	assert_non_null(lines);
	mmis_error_clear(&err);
	OK(store_prepare(f->s, sql, &st, &err));
	while (!store_step(st, &row, &err) && row) {
		strbuf_init(&sb, 4096);
		for (int c = 0; c < store_column_count(st); c++)
			strbuf_addf(&sb, "%s%s", c ? "|" : "", store_column_text(st, c) ?
								   store_column_text(st, c) : "NULL");
		if (n == cap)
			lines = realloc(lines, (cap *= 2) * sizeof(char *));
		lines[n++] = strbuf_detach(&sb, NULL);
	}
	assert_int_equal(err.code, MMIS_OK);
	store_finalize(st);
	qsort(lines, n, sizeof(char *), cmp_str);
	strbuf_init(&sb, 64 * 1024 * 1024);
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(&sb, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	return strbuf_detach(&sb, NULL);
}

/* Every roll-up equals the GROUP BY of the records it stands for. */
static void check_rollups(struct testdb_fx *f, const char *except_person)
{
	static const struct {
		const char *table, *cols, *raw_period;
		bool bcp, dir, nat, sex, age, tr;
	} r[] = {
		{ "stats_crossing_month", "bcp, direction, nationality", "substr(c.at, 1, 7)", true,
		  true, true, false, false, false },
		{ "stats_crossing_month_person", "direction, nationality, sex, age_band",
		  "substr(c.at, 1, 7)", false, true, true, true, true, false },
	};
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		struct strbuf a, b;
		strbuf_init(&a, 4096);
		strbuf_addf(&a, "SELECT period, %s, n FROM %s WHERE n <> 0", r[i].cols, r[i].table);
		strbuf_init(&b, 1 << 20);
		strbuf_addf(&b, "SELECT %s", r[i].raw_period);
		if (r[i].bcp)
			strbuf_addstr(&b, ", c.bcp_code");
		if (r[i].dir)
			strbuf_addstr(&b, ", c.direction");
		if (r[i].nat)
			strbuf_addstr(&b, ", COALESCE(p.nationality, 'XXX')");
		if (r[i].sex)
			strbuf_addstr(&b, ", p.sex");
		if (r[i].age) {
			strbuf_addstr(&b, ", ");
			age_band_sql(&b);
		}
		if (r[i].tr)
			strbuf_addstr(&b, ", COALESCE(NULLIF(c.transport, ''), 'UNK')");
		strbuf_addstr(&b, ", COUNT(*) FROM crossing c JOIN person p ON p.id = c.person_id");
		if (except_person)
			strbuf_addf(&b, " WHERE c.person_id <> '%s'", except_person);
		int ncols = 1 + r[i].bcp + r[i].dir + r[i].nat + r[i].sex + r[i].age + r[i].tr;
		for (int k = 1; k <= ncols; k++)
			strbuf_addf(&b, "%s%d", k == 1 ? " GROUP BY " : ", ", k);
		assert_int_equal(strbuf_error(&b), MMIS_OK);
		char *x = rows_text(f, strbuf_str(&a)), *y = rows_text(f, strbuf_str(&b));
		if (strcmp(x, y)) {
			size_t at = 0;
			while (x[at] == y[at])
				at++;
			while (at && x[at - 1] != '\n')
				at--;
			fail_msg("%s differs from the records at:\n--- roll-up\n%.300s\n--- records\n%.300s",
				 r[i].table, x + at, y + at);
		}
		assert_true(strlen(x) > 0);
		free(x);
		free(y);
		strbuf_release(&a);
		strbuf_release(&b);
	}
}

static void test_rollups_equal_records(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	size_t len;
	char *csv;

	rng.s = 11;
	csv = random_crossings_csv(300, 1, &len);
	import_text(f, csv, len);
	free(csv);
	/* A second import: some of the same documents again, some new. */
	csv = random_crossings_csv(120, 250, &len);
	/* the same documents cross again later: keep their order by moving them a year on */
	import_text(f, csv, len);
	free(csv);
	/* And some recorded one by one (new travellers). */
	for (int i = 0; i < 60; i++) {
		struct crossing_in in = { 0 };
		json_t *out = NULL;
		char num[16], birth[16];
		snprintf(num, sizeof(num), "R%06d", i);
		random_birth(birth, sizeof(birth));
		in.document_type = "P";
		in.issuing_state = "ALB";
		in.document_number = num;
		in.surname = "Hoxha";
		in.nationality = i % 7 ? nats[i % 6] : NULL;
		if (in.nationality && !*in.nationality)
			in.nationality = NULL;
		in.sex = i % 5 ? 'F' : 'X';
		if (*birth) {
			OK(date_parse_partial(birth, NULL, &in.birth_date, &err));
			in.birth_known = true;
		}
		in.bcp = bcps[i % 4];
		in.direction = i % 3 ? CROSSING_ENTRY : CROSSING_EXIT;
		in.at_ms = (19358 + i * 13) * 86400000LL + i * 1000;
		in.transport = i % 4 ? "car" : NULL;
		OK(crossing_record(&f->cx, &f->sys, &in, &out, &err));
		json_decref(out);
	}
	check_rollups(f, NULL);

	/* Take one person out (as a merge would before changing them) and put them back. */
	struct store_stmt *st;
	bool row = false;
	char pid[UUID_STR_MAX];
	OK(store_prepare(f->s, "SELECT person_id FROM crossing GROUP BY person_id ORDER BY "
			       "COUNT(*) DESC, person_id LIMIT 1", &st, &err));
	OK(store_step(st, &row, &err));
	snprintf(pid, sizeof(pid), "%s", store_column_text(st, 0));
	store_finalize(st);
	OK(store_begin(f->s, &err));
	OK(stats_rollup_person(f->s, pid, -1, &err));
	check_rollups(f, pid);
	OK(stats_rollup_person(f->s, pid, +1, &err));
	OK(store_commit(f->s, &err));
	check_rollups(f, NULL);

	/* A rebuild from scratch gives the same. */
	int64_t n = 0;
	testdb_exec(f->s, "UPDATE stats_crossing_month SET n = n + 7");
	OK(stats_rebuild(&f->cx, &f->sys, &n, &err));
	assert_int_equal(n, testdb_int(f->s, "SELECT COUNT(*) FROM crossing"));
	check_rollups(f, NULL);
}

/* The reference: count the records directly for a query (codes made here from the text). */
static char *reference(struct testdb_fx *f, const struct stats_query *q)
{
	struct mmis_error err;
	struct store_stmt *st;
	struct strbuf sql, out;
	bool row = false;
	size_t n = 0, cap = 1024;
	char **keys = malloc(cap * sizeof(char *));
	char from[32], to[32];

	assert_non_null(keys);
	timestamp_format(date_to_days(&q->from) * 86400000LL, from);
	timestamp_format((date_to_days(&q->to) + 1) * 86400000LL, to);
	strbuf_init(&sql, 1 << 20);
	strbuf_addstr(&sql, "SELECT c.at, c.bcp_code, c.direction, COALESCE(p.nationality, 'XXX'), "
			    "p.sex, ");
	age_band_sql(&sql);
	strbuf_addf(&sql, ", COALESCE(NULLIF(c.transport, ''), 'UNK') FROM crossing c JOIN person p "
			  "ON p.id = c.person_id WHERE c.at >= '%s' AND c.at < '%s'", from, to);
	OK(store_prepare(f->s, strbuf_str(&sql), &st, &err));
	while (!store_step(st, &row, &err) && row) {
		struct strbuf k;
		const char *at = store_column_text(st, 0);
		strbuf_init(&k, 256);
		for (int i = 0; i < q->n_dims; i++) {
			char buf[16];
			struct date d;
			if (i)
				strbuf_addch(&k, ',');
			switch (q->dims[i]) {
			case STATS_DAY:
				strbuf_add(&k, at, 10);
				break;
			case STATS_MONTH:
				strbuf_add(&k, at, 7);
				break;
			case STATS_YEAR:
				strbuf_add(&k, at, 4);
				break;
			case STATS_QUARTER:
				strbuf_add(&k, at, 4);
				strbuf_addf(&k, "-Q%d", (atoi(at + 5) + 2) / 3);
				break;
			case STATS_WEEK:
				d = ymd(atoi(at), atoi(at + 5), atoi(at + 8));
				stats_period_code(STATS_WEEK, &d, buf);
				strbuf_addstr(&k, buf);
				break;
			case STATS_BCP:
				strbuf_addstr(&k, store_column_text(st, 1));
				break;
			case STATS_DIRECTION:
				strbuf_addstr(&k, store_column_text(st, 2));
				break;
			case STATS_NATIONALITY:
				strbuf_addstr(&k, store_column_text(st, 3));
				break;
			case STATS_SEX:
				strbuf_addstr(&k, store_column_text(st, 4));
				break;
			case STATS_AGE_BAND:
				strbuf_addstr(&k, store_column_text(st, 5));
				break;
			case STATS_TRANSPORT:
				strbuf_addstr(&k, store_column_text(st, 6));
				break;
			default:
				fail();
			}
		}
		if (n == cap)
			keys = realloc(keys, (cap *= 2) * sizeof(char *));
		keys[n++] = strbuf_detach(&k, NULL);
	}
	store_finalize(st);
	strbuf_release(&sql);
	qsort(keys, n, sizeof(char *), cmp_str);
	strbuf_init(&out, 64 * 1024 * 1024);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && !strcmp(keys[j], keys[i]))
			j++;
		strbuf_addf(&out, "%s=%zu\n", keys[i], j - i);
		for (size_t k = i; k < j; k++)
			free(keys[k]);
		i = j;
	}
	free(keys);
	return strbuf_detach(&out, NULL);
}

/* A table's rows as "codes=count" lines sorted (margins left out). */
static char *table_text(const struct stats_table *t)
{
	enum stats_dim dims[STATS_DIMS_MAX];
	int d = stats_table_dims(t, dims);
	size_t n = stats_table_rows(t), m = 0;
	char **lines = malloc((n ? n : 1) * sizeof(char *));
	struct strbuf out;

	for (size_t r = 0; r < n; r++) {
		struct strbuf k;
		if (stats_table_is_total(t, r))
			continue;
		strbuf_init(&k, 256);
		for (int i = 0; i < d; i++)
			strbuf_addf(&k, "%s%s", i ? "," : "", stats_table_code(t, r, i));
		strbuf_addf(&k, "=%lld", (long long)stats_table_count(t, r));
		lines[m++] = strbuf_detach(&k, NULL);
	}
	qsort(lines, m, sizeof(char *), cmp_str);
	strbuf_init(&out, 64 * 1024 * 1024);
	for (size_t i = 0; i < m; i++) {
		strbuf_addf(&out, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	return strbuf_detach(&out, NULL);
}

static void test_queries_equal_records(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	size_t len;
	char *csv;
	static const struct {
		const char *by, *from, *to;
	} qs[] = {
		{ "month,bcp,nationality", "2023-01-01", "2025-12-31" }, /* monthly roll-up */
		{ "month,bcp,nationality", "2023-02-10", "2024-11-20" }, /* ends from the records */
		{ "quarter,sex,transport", "2023-03-31", "2024-12-30" },
		{ "year,age_band", "2024-01-02", "2024-01-30" },       /* no whole month at all */
		{ "year,nationality,sex,age_band", "2023", "2025" },   /* the person roll-up */
		{ "quarter,direction", "2023-04", "2025-03" },
		{ "week,bcp", "2024-01-01", "2024-06-30" },
		{ "day", "2024-03-01", "2024-03-31" },
		{ "transport,sex", "2023-01-01", "2025-12-31" },
		{ "age_band", "2024", "2024" },
		{ "", "2023-06-15", "2024-06-14" },
		{ "nationality,sex,age_band,direction,bcp", "2023", "2025" },
	};

	rng.s = 23;
	csv = random_crossings_csv(400, 1, &len);
	import_text(f, csv, len);
	free(csv);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct stats_query q;
		struct stats_table *t = NULL;
		OK(stats_query_parse(&q, "crossings", qs[i].by, qs[i].from, qs[i].to, NULL, "0", "json",
				     i % 2 == 0, &err));
		OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
		char *x = table_text(t), *y = reference(f, &q);
		if (!q.n_dims) {
			/* the grand total alone */
			char want[64];
			snprintf(want, sizeof(want), "=%lld\n", (long long)stats_table_count(t, 0));
			assert_string_equal(want + 0, strchr(y, '=') ? strchr(y, '=') : "=0\n");
		} else if (strcmp(x, y)) {
			fail_msg("by %s from %s to %s:\n--- table\n%.1500s\n--- records\n%.1500s",
				 qs[i].by, qs[i].from, qs[i].to, x, y);
		}
		free(x);
		free(y);
		/* With suppression: published cells unchanged, small ones hidden, margins add up. */
		stats_table_free(t);
		q.min_cell = -1;
		q.totals = true;
		OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
		for (size_t r = 0; r < stats_table_rows(t); r++) {
			int64_t v = stats_table_count(t, r);
			assert_true(v == -1 || v == 0 || v >= 5);
		}
		stats_table_free(t);
	}
	/* The same question asked of the roll-ups and of a rebuild agrees (audited twice). */
	assert_true(testdb_int(f->s, "SELECT COUNT(*) FROM audit_event WHERE action = 'stats.crossings'")
		    >= (long long)(2 * (sizeof(qs) / sizeof(qs[0]))));
}

static void test_exports(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct stats_query q;
	struct stats_table *t = NULL;
	struct strbuf sb;
	static const char csv[] =
		"time,bcp,direction,document_type,issuing_state,document_number,surname,sex,nationality,"
		"birth_date\n"
		"2024-01-05T10:00:00Z,MNE-DBR,entry,P,GRC,G1,A,F,GRC,1980-01-01\n"
		"2024-01-06T10:00:00Z,MNE-DBR,entry,P,GRC,G2,A,F,GRC,1980-01-01\n"
		"2024-01-07T10:00:00Z,MNE-DBR,entry,P,GRC,G3,A,M,GRC,1980-01-01\n"
		"2024-01-08T10:00:00Z,MNE-DBR,entry,P,RKS,K1,A,M,RKS,1980-01-01\n"
		"2024-01-09T10:00:00Z,MNE-DBR,entry,P,SRB,S1,A,M,SRB,1980-01-01\n"
		"2024-01-10T10:00:00Z,MNE-DBR,entry,P,SRB,S2,A,M,SRB,1980-01-01\n"
		"2024-01-11T10:00:00Z,MNE-DBR,entry,P,SRB,S3,A,M,SRB,1980-01-01\n"
		"2024-01-12T10:00:00Z,MNE-DBR,entry,P,SRB,S4,A,M,SRB,1980-01-01\n"
		"2024-01-13T10:00:00Z,MNE-DBR,entry,P,SRB,S5,A,X,SRB,1980-01-01\n"
		"2024-01-14T10:00:00Z,MNE-DBR,entry,P,SRB,S6,A,X,SRB,1980-01-01\n";
	FILE *in = fmemopen((void *)csv, sizeof(csv) - 1, "r");
	struct crossing_import_result res;
	OK(crossing_import(&f->cx, &f->sys, in, "x.csv", NULL, NULL, &res, &err));
	fclose(in);
	json_decref(res.errors);

	OK(stats_query_parse(&q, "crossings", "month,nationality", "2024-01", "2024-01", NULL, "0",
			     "csv", true, &err));
	OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
	strbuf_init(&sb, 1 << 20);
	OK(stats_write_csv(t, &sb));
	assert_string_equal(strbuf_str(&sb), "month,nationality,count,conf_status\r\n"
					     "2024-01,GRC,3,\r\n"
					     "2024-01,RKS,1,\r\n"
					     "2024-01,SRB,6,\r\n"
					     "2024-01,_T,10,\r\n"
					     "_T,GRC,3,\r\n"
					     "_T,RKS,1,\r\n"
					     "_T,SRB,6,\r\n"
					     "_T,_T,10,\r\n");
	strbuf_release(&sb);
	stats_table_free(t);

	/* K = 5: GRC (3) and RKS (1) hidden, and nothing gives them away. */
	q.min_cell = -1;
	OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
	strbuf_init(&sb, 1 << 20);
	OK(stats_write_csv(t, &sb));
	assert_string_equal(strbuf_str(&sb), "month,nationality,count,conf_status\r\n"
					     "2024-01,GRC,,C\r\n"
					     "2024-01,RKS,,C\r\n"
					     "2024-01,SRB,6,\r\n"
					     "2024-01,_T,10,\r\n"
					     "_T,GRC,,C\r\n"
					     "_T,RKS,,C\r\n"
					     "_T,SRB,6,\r\n"
					     "_T,_T,10,\r\n");
	strbuf_release(&sb);
	strbuf_init(&sb, 1 << 20);
	OK(stats_write_sdmx_csv(t, &sb));
	assert_non_null(strstr(strbuf_str(&sb),
			       "STRUCTURE,STRUCTURE_ID,ACTION,freq,unit,citizen,geo,TIME_PERIOD,"
			       "OBS_VALUE,CONF_STATUS\r\n"));
	assert_non_null(strstr(strbuf_str(&sb), "dataflow,MMIS:CROSSINGS(1.0),I,M,NR,EL,ME,2024-01,NaN,C\r\n"));
	assert_non_null(strstr(strbuf_str(&sb), "dataflow,MMIS:CROSSINGS(1.0),I,M,NR,XK,ME,2024-01,NaN,C\r\n"));
	assert_non_null(strstr(strbuf_str(&sb), "dataflow,MMIS:CROSSINGS(1.0),I,M,NR,RS,ME,2024-01,6,F\r\n"));
	assert_non_null(strstr(strbuf_str(&sb), "I,M,NR,_T,ME,2024-01-01/2024-01-31,10,F\r\n"));
	strbuf_release(&sb);
	json_t *j = stats_table_json(t);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "min_cell")), 5);
	json_t *r0 = json_array_get(json_object_get(j, "rows"), 0);
	assert_true(json_is_null(json_object_get(r0, "count")));
	assert_string_equal(json_string_value(json_object_get(r0, "conf_status")), "C");
	assert_string_equal(json_string_value(json_object_get(r0, "nationality")), "GRC");
	json_decref(j);
	char *buf = NULL;
	size_t len = 0;
	const char *ct;
	OK(stats_export(t, STATS_XLSX, &buf, &len, &ct, &err));
	assert_true(len > 1000);
	assert_memory_equal(buf, "PK", 2);
	free(buf);
	stats_table_free(t);

	/* Sex: X published as UNK in SDMX. */
	OK(stats_query_parse(&q, "crossings", "sex", "2024-01", "2024-01", NULL, "0", "sdmx-csv",
			     false, &err));
	OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
	strbuf_init(&sb, 1 << 20);
	OK(stats_write_sdmx_csv(t, &sb));
	assert_non_null(strstr(strbuf_str(&sb), ",sex,geo,"));
	assert_non_null(strstr(strbuf_str(&sb), "NR,UNK,ME,2024-01-01/2024-01-31,2,F\r\n"));
	strbuf_release(&sb);
	stats_table_free(t);
}

static void test_permissions_and_sources(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct stats_query q;
	struct stats_table *t = NULL;
	struct actor analyst, officer;

	make_actor(f, "ana", "analyst", &analyst);
	make_actor(f, "off", "border_officer", &officer);
	OK(stats_query_parse(&q, "crossings", "month", "2024", "2024", NULL, NULL, NULL, false, &err));
	OK(stats_run(&f->cx, &analyst, &q, 5, &t, &err));
	stats_table_free(t);
	assert_int_equal(stats_run(&f->cx, &officer, &q, 5, &t, &err), MMIS_EDENIED);
	q.min_cell = 0;
	assert_int_equal(stats_run(&f->cx, &analyst, &q, 5, &t, &err), MMIS_EDENIED);
	assert_string_equal(err.field, "min_cell");
	q.min_cell = 3;
	assert_int_equal(stats_run(&f->cx, &analyst, &q, 5, &t, &err), MMIS_EDENIED);
	q.min_cell = 10; /* stricter is always allowed */
	OK(stats_run(&f->cx, &analyst, &q, 5, &t, &err));
	assert_int_equal(stats_table_min_cell(t), 10);
	stats_table_free(t);
	q.min_cell = 0;
	OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err)); /* the system may, audited */
	stats_table_free(t);
	assert_int_equal(testdb_int(f->s, "SELECT COUNT(*) FROM audit_event WHERE action = "
					   "'stats.crossings' AND outcome = 'denied'"), 3);
	assert_true(testdb_int(f->s, "SELECT COUNT(*) FROM audit_event WHERE action = "
				     "'stats.crossings' AND outcome = 'ok' AND detail LIKE "
				     "'%min cell 0 (below the deployment''s)%'") == 1);

	/* Cases: never unsuppressed, even by the system; an empty table when there are none. */
	OK(stats_query_parse(&q, "cases", "year,sex", "2024", "2024", NULL, NULL, NULL, false, &err));
	OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
	assert_int_equal(stats_table_rows(t), 0);
	assert_int_equal(stats_table_min_cell(t), STATS_CASES_MIN_CELL);
	stats_table_free(t);
	t = NULL;
	q.min_cell = 0;
	assert_int_equal(stats_run(&f->cx, &f->sys, &q, 5, &t, &err), MMIS_EDENIED);
	assert_non_null(strstr(err.message, "never published with cells below 11"));
	assert_int_equal(stats_source_find("cases")->min_cell_floor, STATS_CASES_MIN_CELL);

	/* Stale roll-ups are refused until rebuilt. */
	testdb_exec(f->s, "UPDATE stats_state SET value = 'stale'");
	q = (struct stats_query){ 0 };
	OK(stats_query_parse(&q, "crossings", "month", "2024", "2024", NULL, NULL, NULL, false, &err));
	assert_int_equal(stats_run(&f->cx, &analyst, &q, 5, &t, &err), MMIS_ECONFLICT);
	assert_non_null(strstr(err.message, "mmis stats rebuild"));
	assert_int_equal(stats_rebuild(&f->cx, &officer, NULL, &err), MMIS_EDENIED);
	OK(stats_rebuild(&f->cx, &analyst, NULL, &err));
	OK(stats_run(&f->cx, &analyst, &q, 5, &t, &err));
	stats_table_free(t);

	/* The deployment's K from the environment. */
	int k = 0;
	setenv("MMIS_MIN_CELL", "10", 1);
	OK(stats_deployment_min_cell(&k, &err));
	assert_int_equal(k, 10);
	setenv("MMIS_MIN_CELL", "2", 1);
	assert_int_equal(stats_deployment_min_cell(&k, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "MMIS_MIN_CELL");
	unsetenv("MMIS_MIN_CELL");
	OK(stats_deployment_min_cell(&k, &err));
	assert_int_equal(k, STATS_MIN_CELL_DEFAULT);
}

static void test_refusals_and_overstays(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct stats_query q;
	struct stats_table *t = NULL;
	int64_t now = timestamp_now();

	for (int i = 0; i < 7; i++) {
		struct refusal_in in = { 0 };
		json_t *out = NULL;
		char num[16];
		snprintf(num, sizeof(num), "RF%04d", i);
		in.who.document_type = "P";
		in.who.issuing_state = "TUR";
		in.who.document_number = num;
		in.who.surname = "Kaya";
		in.who.nationality = "TUR";
		in.who.sex = i % 2 ? 'F' : 'M';
		in.who.bcp = "MNE-TGD";
		in.who.at_ms = now - (int64_t)(i + 1) * 86400000LL;
		in.grounds = i < 3 ? "CE" : "F";
		OK(refusal_record(&f->cx, &f->sys, &in, &out, &err));
		json_decref(out);
	}
	char from[16], to[16];
	struct date d;
	timestamp_date(now - 30 * 86400000LL, &d);
	stats_period_code(STATS_DAY, &d, from);
	timestamp_date(now, &d);
	stats_period_code(STATS_DAY, &d, to);
	OK(stats_query_parse(&q, "refusals", "ground", from, to, NULL, "0", NULL, true, &err));
	OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
	char *x = table_text(t);
	assert_string_equal(x, "C=3\nE=3\nF=4\n"); /* grounds cited: 3 + 3 + 4 = 10 */
	free(x);
	stats_table_free(t);
	OK(stats_query_parse(&q, "refusals", "nationality,sex", from, to, NULL, "0", NULL, false, &err));
	OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
	x = table_text(t);
	assert_string_equal(x, "TUR,F=3\nTUR,M=4\n");
	free(x);
	stats_table_free(t);

	/* Two overstayers (entered 120 days ago, still present) and one within the limit. */
	for (int i = 0; i < 3; i++) {
		struct crossing_in in = { 0 };
		json_t *out = NULL;
		char num[16];
		snprintf(num, sizeof(num), "OV%04d", i);
		in.document_type = "P";
		in.issuing_state = "CHN";
		in.document_number = num;
		in.surname = "Li";
		in.nationality = "CHN";
		in.sex = 'F';
		in.birth_date = ymd(1990, 1, 1);
		in.birth_known = true;
		in.bcp = "MNE-TGD";
		in.direction = CROSSING_ENTRY;
		in.at_ms = now - (i < 2 ? 120 : 20) * 86400000LL;
		OK(crossing_record(&f->cx, &f->sys, &in, &out, &err));
		json_decref(out);
	}
	OK(stats_query_parse(&q, "overstays", "nationality,sex,age_band,bcp", NULL, NULL, NULL, "0",
			     NULL, false, &err));
	OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
	x = table_text(t);
	assert_string_equal(x, "CHN,F,Y35-64,MNE-TGD=2\n");
	free(x);
	stats_table_free(t);
	/* An analyst sees it suppressed. */
	struct actor analyst;
	make_actor(f, "ana2", "analyst", &analyst);
	q.min_cell = -1;
	OK(stats_run(&f->cx, &analyst, &q, 5, &t, &err));
	assert_int_equal(stats_table_count(t, 0), -1);
	stats_table_free(t);
}


/* ---- protection: cases, referrals, services */

/* Every base cell of a table (margins left out) with its count before suppression, as the
 * lines "code|code|count" sorted: the form of rows_text. */
static char *cells_text(const struct stats_table *t)
{
	enum stats_dim dims[STATS_DIMS_MAX];
	int d = stats_table_dims(t, dims);
	size_t n = stats_table_all_cells(t), m = 0;
	char **lines = malloc((n ? n : 1) * sizeof(char *));
	struct strbuf out;

	assert_non_null(lines);
	for (size_t i = 0; i < n; i++) {
		int32_t idx[STATS_DIMS_MAX];
		int64_t count;
		bool sup, margin = false;
		struct strbuf k;
		stats_table_cell_at(t, i, idx, &count, &sup);
		for (int j = 0; j < d; j++)
			margin |= (size_t)idx[j] == stats_table_codes(t, j);
		if ((margin && d) || count == 0)
			continue;
		strbuf_init(&k, 256);
		for (int j = 0; j < d; j++)
			strbuf_addf(&k, "%s|", stats_table_code_at(t, j, (size_t)idx[j]));
		strbuf_addf(&k, "%lld", (long long)count);
		lines[m++] = strbuf_detach(&k, NULL);
	}
	qsort(lines, m, sizeof(char *), cmp_str);
	strbuf_init(&out, 1 << 24);
	for (size_t i = 0; i < m; i++) {
		strbuf_addf(&out, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	return strbuf_detach(&out, NULL);
}

/*
 * What a table of a protection source publishes is safe: no count from 1 to K - 1 (margins
 * included); every suppressed cell of the extended table has another suppressed cell on each of
 * its lines (so no line's margin gives it away); and on a line whose margin is published, the
 * hidden cells add up to 0 or at least K (the group rule).
 */
static void check_published(const struct stats_table *t, int k)
{
	enum stats_dim dims[STATS_DIMS_MAX];
	int d = stats_table_dims(t, dims);
	size_t n = stats_table_all_cells(t);

	assert_int_equal(stats_table_min_cell(t), k);
	for (size_t r = 0; r < stats_table_rows(t); r++) {
		int64_t v = stats_table_count(t, r);
		if (v > 0 && v < k)
			fail_msg("row %zu publishes %lld, below %d", r, (long long)v, k);
	}
	for (size_t i = 0; i < n; i++) {
		int32_t a[STATS_DIMS_MAX];
		int64_t ca;
		bool sa;
		stats_table_cell_at(t, i, a, &ca, &sa);
		if (!sa)
			continue;
		assert_true(ca > 0); /* a zero is never hidden, a hidden cell never zero */
		for (int dim = 0; dim < d; dim++) {
			bool other = false;
			for (size_t j = 0; !other && j < n; j++) {
				int32_t b[STATS_DIMS_MAX];
				int64_t cb;
				bool sb, same = true;
				if (j == i)
					continue;
				stats_table_cell_at(t, j, b, &cb, &sb);
				for (int x = 0; x < d; x++)
					same &= x == dim || a[x] == b[x];
				other = sb && same;
			}
			if (!other)
				fail_msg("a suppressed cell is alone on its line along dimension %d", dim);
		}
	}
	for (size_t i = 0; i < n; i++) {
		int32_t m[STATS_DIMS_MAX];
		int64_t cm;
		bool sm;
		stats_table_cell_at(t, i, m, &cm, &sm);
		for (int dim = 0; !sm && dim < d; dim++) {
			int64_t hidden = 0;
			if ((size_t)m[dim] != stats_table_codes(t, dim))
				continue; /* not the margin of a line along dim */
			for (size_t j = 0; j < n; j++) {
				int32_t b[STATS_DIMS_MAX];
				int64_t cb;
				bool sb, on = true;
				stats_table_cell_at(t, j, b, &cb, &sb);
				for (int x = 0; x < d; x++)
					on &= x == dim ? (size_t)b[x] != stats_table_codes(t, dim)
						       : b[x] == m[x];
				if (on && sb)
					hidden += cb;
			}
			if (hidden > 0 && hidden < k)
				fail_msg("a line's hidden cells add up to %lld, below %d",
					 (long long)hidden, k);
		}
	}
}

/* The test's own reference: the records of each source as rows with the codes by name, written
 * here in SQL (the age band as age_band_sql computes it, from the day the case was opened). */
static char *protection_reference(const struct stats_query *q)
{
	struct strbuf sb;
	bool by_type = false;

	for (int i = 0; i < q->n_dims; i++)
		by_type |= q->dims[i] == STATS_CASE_TYPE;
	strbuf_init(&sb, 1 << 20);
	strbuf_addstr(&sb, "SELECT ");
	for (int i = 0; i < q->n_dims; i++) {
		static const char *const expr[STATS_DIM__COUNT] = {
			[STATS_DAY] = "x.day",
			[STATS_MONTH] = "substr(x.day, 1, 7)",
			[STATS_YEAR] = "substr(x.day, 1, 4)",
			[STATS_QUARTER] = "substr(x.day, 1, 4) || '-Q' || "
					  "CAST((CAST(substr(x.day, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)",
			[STATS_NATIONALITY] = "x.nationality", [STATS_SEX] = "x.sex",
			[STATS_AGE_BAND] = "x.age_band", [STATS_CASE_TYPE] = "x.case_type",
			[STATS_STATE] = "x.state", [STATS_AGENCY] = "x.agency",
			[STATS_PROVIDER] = "x.provider", [STATS_SERVICE] = "x.service",
			[STATS_PROJECT] = "x.project",
		};
		assert_non_null(expr[q->dims[i]]);
		strbuf_addf(&sb, "%s, ", expr[q->dims[i]]);
	}
	strbuf_addstr(&sb, "COUNT(*) FROM (");
	if (!strcmp(q->source, "cases")) {
		strbuf_addstr(&sb, "SELECT c.opened_on AS day, c.state AS state, g.code AS agency, "
				   "COALESCE(c.citizenship, 'XXX') AS nationality, COALESCE(c.sex, "
				   "'X') AS sex, ");
		age_band_sql(&sb);
		strbuf_addf(&sb, " AS age_band, %s AS case_type FROM (SELECT protect_case.*, "
			    "opened_on AS at FROM protect_case) c JOIN protect_case p ON p.id = c.id "
			    "JOIN agency g ON g.id = c.agency_id%s", by_type ? "t.type" : "''",
			    by_type ? " JOIN protect_case_type t ON t.case_id = c.id" : "");
	} else if (!strcmp(q->source, "referrals")) {
		strbuf_addstr(&sb, "SELECT substr(r.created_at, 1, 10) AS day, g.code AS provider, "
				   "r.service AS service, r.state AS state FROM protect_referral r "
				   "JOIN agency g ON g.id = r.to_agency_id");
	} else {
		strbuf_addstr(&sb, "SELECT s.delivered_on AS day, g.code AS provider, "
				   "COALESCE(p.code, 'NONE') AS project, s.service AS service FROM "
				   "protect_service s JOIN agency g ON g.id = s.provider_agency_id LEFT "
				   "JOIN protect_project p ON p.id = s.project_id");
	}
	char a[DATE_STR_MAX], b[DATE_STR_MAX];
	date_format(&q->from, a);
	date_format(&q->to, b);
	strbuf_addf(&sb, ") x WHERE x.day >= '%s' AND x.day <= '%s'", a, b);
	for (int i = 0; i < q->n_dims; i++)
		strbuf_addf(&sb, "%s%d", i ? ", " : " GROUP BY ", i + 1);
	assert_int_equal(strbuf_error(&sb), MMIS_OK);
	return strbuf_detach(&sb, NULL);
}

static void protect_actor(struct testdb_fx *f, const char *name, const char *role,
			  const char *agency, const char *kind, struct actor *out)
{
	testdb_actor(&f->cx, &f->sys, name, role, agency, kind, out);
	snprintf(out->agency_code, sizeof(out->agency_code), "%s", agency);
}

static void offer_services(struct testdb_fx *f, const char *agency, json_t *services)
{
	struct mmis_error err;
	OK(provider_set_services(&f->cx, &f->sys, agency, services, &err));
	json_decref(services);
}

/* A call of lib/protect with a JSON body made here (released after). */
#define PROTECT(body, call)                                                                    \
	do {                                                                                   \
		json_t *in_ = (body);                                                          \
		assert_non_null(in_);                                                          \
		OK(call);                                                                      \
		json_decref(in_);                                                              \
	} while (0)

static const char *const case_types_opened[] = { "presumed_victim_of_trafficking",
						 "unaccompanied_child", "separated_child",
						 "smuggled_migrant", "other_vulnerable" };
static const char *const citizenships[] = { "UKR", "AFG", "NGA", "MNE", NULL };

/* `n` cases opened in 2024 by the workers of CSW and SHELTER, some of two types; a consent and a
 * referral for half of them (to SHELTER or IOM, some accepted or declined), services delivered
 * with or without a project, a third closed. Returns how many cases have two types. */
static int protection_records(struct testdb_fx *f, int n)
{
	struct mmis_error err;
	struct actor csw, shelter, iom;
	int two = 0;

	protect_actor(f, "csw1", "case_worker", "CSW", "social_work", &csw);
	protect_actor(f, "shelter1", "case_worker", "SHELTER", "ngo", &shelter);
	protect_actor(f, "iom1", "case_worker", "IOM", "international", &iom);
	offer_services(f, "SHELTER", json_pack("[s, s, s]", "shelter", "psychosocial", "legal_aid"));
	offer_services(f, "IOM", json_pack("[s, s, s]", "medical", "return_counselling",
					   "family_tracing"));
	OK(project_add(&f->cx, &f->sys, "P-ONE", "Project one", "Donor one", &err));
	OK(project_add(&f->cx, &f->sys, "P-TWO", "Project two", "Donor two", &err));
	for (int i = 0; i < n; i++) {
		const struct actor *w = below(3) ? &csw : &shelter;
		char id[UUID_STR_MAX], opened[DATE_STR_MAX], birth[16];
		struct date d = ymd(2024, 1, 1), o;
		const char *nat = citizenships[below(5)];
		const char *sex = below(8) == 0 ? NULL : below(2) ? "F" : "M";
		json_t *types = json_array(), *in;
		int t0 = below(10) < 4 ? 0 : 1 + below(4);

		date_add_days(&d, below(366), &o);
		date_format(&o, opened);
		random_birth(birth, sizeof(birth));
		json_array_append_new(types, json_string(case_types_opened[t0]));
		if (below(5) == 0) { /* and a second type */
			int t1 = (t0 + 1 + below(4)) % 5;
			json_array_append_new(types, json_string(case_types_opened[t1]));
			two++;
		}
		in = json_pack("{s:o, s:s, s:s, s:s}", "types", types, "opened_on", opened,
			       "surname", "Synthetic", "given_names", "Person");
		if (nat)
			json_object_set_new(in, "citizenship", json_string(nat));
		if (sex)
			json_object_set_new(in, "sex", json_string(sex));
		if (*birth)
			json_object_set_new(in, "birth_date", json_string(birth));
		OK(case_open(&f->cx, w, in, id, &err));
		json_decref(in);
		if (i % 2 == 0) {
			bool to_iom = below(3) == 0;
			const struct actor *recv = to_iom ? &iom : &shelter;
			const char *svc = to_iom ? (below(2) ? "medical" : "return_counselling")
						 : (below(2) ? "shelter" : "psychosocial");
			json_t *ref = NULL;
			PROTECT(json_pack("{s:s, s:[s], s:s, s:s}", "to_agency", recv->agency_code,
					  "scopes", "identity", "given_by", "guardian",
					  "guardian_name", "A guardian"),
				consent_add(&f->cx, w, id, in_, NULL, &err));
			if (strcmp(w->agency_code, recv->agency_code)) {
				PROTECT(json_pack("{s:s, s:s}", "to_agency", recv->agency_code,
						  "service", svc),
					referral_create(&f->cx, w, id, in_, &ref, &err));
				char rid[UUID_STR_MAX];
				snprintf(rid, sizeof(rid), "%s",
					 json_string_value(json_object_get(ref, "id")));
				json_decref(ref);
				ref = NULL;
				int what = below(3);
				if (what == 1)
					PROTECT(json_object(), referral_act(&f->cx, recv, rid, "accept",
									    in_, &ref, &err));
				else if (what == 2)
					PROTECT(json_pack("{s:s}", "reason", "No place"),
						referral_act(&f->cx, recv, rid, "decline", in_, &ref,
							     &err));
				json_decref(ref);
			}
		}
		for (int k = below(3); k > 0; k--) {
			static const char *const providers[] = { "SHELTER", "IOM", "CSW" };
			static const char *const services[] = { "shelter", "medical", "education" };
			static const char *const projects[] = { "P-ONE", "P-TWO", NULL };
			int p = below(3);
			struct date when;
			char day[DATE_STR_MAX];
			date_add_days(&o, below(20), &when);
			if (date_to_days(&when) > date_to_days(&(struct date){ 2024, 12, 31, DATE_DAY }))
				when = o;
			date_format(&when, day);
			PROTECT(json_pack("{s:s, s:s, s:s, s:s?}", "service", services[p],
					  "delivered_on", day, "provider", providers[p], "project",
					  projects[below(3)]),
				service_add(&f->cx, w, id, in_, NULL, &err));
		}
		if (below(3) == 0)
			PROTECT(json_pack("{s:s, s:s}", "to", "closed", "closure_reason", "other"),
				case_transition(&f->cx, w, id, in_, &err));
	}
	return two;
}

static void test_protection_equal_records(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct actor analyst;
	char today[DATE_STR_MAX];
	struct date td;
	static const struct {
		const char *source, *by;
		bool today; /* up to today (referrals are made now) */
	} qs[] = {
		{ "cases", "case_type", false },
		{ "cases", "year,case_type", false },
		{ "cases", "quarter,state", false },
		{ "cases", "agency,state", false },
		{ "cases", "case_type,sex,age_band", false },
		{ "cases", "nationality,sex", false },
		{ "cases", "month,agency,nationality", false },
		{ "cases", "", false },
		{ "referrals", "provider,service,state", true },
		{ "referrals", "month,provider", true },
		{ "referrals", "state", true },
		{ "services", "provider,project,service", false },
		{ "services", "quarter,project", false },
		{ "services", "service", false },
	};

	rng.s = 41;
	int two = protection_records(f, 160);
	assert_true(two > 10);
	make_actor(f, "ana", "analyst", &analyst);
	date_today(&td);
	date_format(&td, today);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct stats_query q;
		struct stats_table *t = NULL;
		OK(stats_query_parse(&q, qs[i].source, qs[i].by, "2024-01-01",
				     qs[i].today ? today : "2024-12-31", NULL, NULL,
				     i % 3 ? "csv" : "json", i % 2 == 0, &err));
		/* The analyst's table: suppressed with 11 whatever the deployment's K. */
		OK(stats_run(&f->cx, &analyst, &q, 5, &t, &err));
		check_published(t, STATS_CASES_MIN_CELL);
		/* Its cells before suppression are the counts made from the records. */
		char *sql = protection_reference(&q);
		char *x = cells_text(t), *y = rows_text(f, sql);
		if (strcmp(x, y))
			fail_msg("%s by %s:\n--- table\n%.1500s\n--- records\n%.1500s", qs[i].source,
				 qs[i].by, x, y);
		/* Every published count is the true one; the hidden ones are the small ones and
		 * the cells hiding them. */
		size_t shown = 0;
		for (size_t r = 0; r < stats_table_rows(t); r++)
			shown += stats_table_count(t, r) >= STATS_CASES_MIN_CELL;
		if (strlen(y) > 0 && i != 6)
			assert_true(shown > 0);
		free(sql);
		free(x);
		free(y);
		stats_table_free(t);
	}
	/* The system may not lower the minimum either, nor ask for no suppression. */
	for (size_t i = 0; i < 3; i++) {
		static const char *const src[] = { "cases", "referrals", "services" };
		struct stats_query q;
		struct stats_table *t = NULL;
		OK(stats_query_parse(&q, src[i], "year", "2024", "2024", NULL, "0", NULL, false, &err));
		assert_int_equal(stats_run(&f->cx, &f->sys, &q, 5, &t, &err), MMIS_EDENIED);
		assert_string_equal(err.field, "min_cell");
		assert_non_null(strstr(err.message, "never published with cells below 11"));
		assert_null(t);
		q.min_cell = 4;
		assert_int_equal(stats_run(&f->cx, &f->sys, &q, 5, &t, &err), MMIS_EDENIED);
		q.min_cell = 7; /* above the deployment's: allowed, and raised to the floor */
		OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
		assert_int_equal(stats_table_min_cell(t), STATS_CASES_MIN_CELL);
		stats_table_free(t);
		q.min_cell = 20;
		OK(stats_run(&f->cx, &analyst, &q, 5, &t, &err));
		check_published(t, 20);
		stats_table_free(t);
	}
	/* Audited as the other tables: one event per table, refusals as denied. */
	assert_true(testdb_int(f->s, "SELECT COUNT(*) FROM audit_event WHERE action = 'stats.cases' "
				     "AND outcome = 'ok'") >= 9);
	assert_true(testdb_int(f->s, "SELECT COUNT(*) FROM audit_event WHERE action = "
				     "'stats.referrals' AND outcome = 'ok'") >= 4);
	assert_int_equal(testdb_int(f->s, "SELECT COUNT(*) FROM audit_event WHERE action = "
					  "'stats.services' AND outcome = 'denied'"), 2);
	assert_true(testdb_int(f->s, "SELECT COUNT(*) FROM audit_event WHERE action = 'stats.cases' "
				     "AND detail LIKE 'cases by case_type,sex,age_band, 2024-01-01..2024-12-31"
				     ", min cell 11%'") == 1);
	/* A border officer has no statistics. */
	struct actor officer;
	struct stats_query q;
	struct stats_table *t = NULL;
	make_actor(f, "off", "border_officer", &officer);
	OK(stats_query_parse(&q, "cases", "case_type", "2024", "2024", NULL, NULL, NULL, false, &err));
	assert_int_equal(stats_run(&f->cx, &officer, &q, 5, &t, &err), MMIS_EDENIED);
}

/* A handful of cases: exact counts, the case of two types under both, everything published
 * below 11 hidden. */
static void test_protection_small(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct actor w;
	struct stats_query q;
	struct stats_table *t = NULL;
	char *x;

	protect_actor(f, "csw1", "case_worker", "CSW", "social_work", &w);
	/* NONE is the services' code for no project, _T a margin's: no project may have them. */
	assert_int_equal(project_add(&f->cx, &f->sys, "NONE", "x", "y", &err), MMIS_EINVAL);
	assert_string_equal(err.field, "code");
	assert_int_equal(project_add(&f->cx, &f->sys, "_T", "x", "y", &err), MMIS_EINVAL);
	for (int i = 0; i < 14; i++) {
		json_t *in = json_pack("{s:[s], s:s, s:s, s:s, s:s, s:s}", "types",
				       i < 12 ? "smuggled_migrant" : "unaccompanied_child",
				       "opened_on", i < 13 ? "2024-03-10" : "2024-07-01", "surname",
				       "Synthetic", "sex", "F", "citizenship", "AFG", "birth_date",
				       i < 12 ? "1990-01-01" : "2010-05-05");
		if (i == 0) /* the case of two types */
			json_array_append_new(json_object_get(in, "types"),
					      json_string("other_vulnerable"));
		OK(case_open(&f->cx, &w, in, NULL, &err));
		json_decref(in);
	}
	OK(stats_query_parse(&q, "cases", "case_type", "2024", "2024", NULL, NULL, "csv", true,
			     &err));
	OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
	x = cells_text(t);
	assert_string_equal(x, "other_vulnerable|1\nsmuggled_migrant|12\nunaccompanied_child|2\n");
	free(x);
	struct strbuf sb;
	strbuf_init(&sb, 1 << 20);
	OK(stats_write_csv(t, &sb));
	/* 1 and 2 hidden; 12 then too, else the total 15 would tell that 3 cases were of those two
	 * types (the group rule); the total of types stays. Types in lib/protect's order. */
	assert_string_equal(strbuf_str(&sb), "case_type,count,conf_status\r\n"
					     "unaccompanied_child,,C\r\n"
					     "smuggled_migrant,,C\r\n"
					     "other_vulnerable,,C\r\n"
					     "_T,15,\r\n");
	strbuf_release(&sb);
	stats_table_free(t);
	/* By quarter and age band, with the margins published. */
	OK(stats_query_parse(&q, "cases", "quarter,age_band", "2024", "2024", NULL, NULL, "csv", true,
			     &err));
	OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
	x = cells_text(t);
	/* born 2010-05-05: 13 when the case opened in March, 14 in July */
	assert_string_equal(x, "2024-Q1|Y18-34|12\n2024-Q1|Y_LT14|1\n2024-Q3|Y14-17|1\n");
	free(x);
	check_published(t, STATS_CASES_MIN_CELL);
	strbuf_init(&sb, 1 << 20);
	OK(stats_write_csv(t, &sb));
	assert_non_null(strstr(strbuf_str(&sb), "quarter,age_band,count,conf_status\r\n"));
	assert_non_null(strstr(strbuf_str(&sb), "\r\n_T,_T,"));
	assert_null(strstr(strbuf_str(&sb), ",1,\r\n"));
	assert_null(strstr(strbuf_str(&sb), ",2,\r\n"));
	strbuf_release(&sb);
	/* SDMX-CSV names the new dimensions. */
	stats_table_free(t);
	OK(stats_query_parse(&q, "cases", "year,case_type,state,agency", "2024", "2024", NULL, NULL,
			     "sdmx-csv", false, &err));
	OK(stats_run(&f->cx, &f->sys, &q, 5, &t, &err));
	strbuf_init(&sb, 1 << 20);
	OK(stats_write_sdmx_csv(t, &sb));
	assert_non_null(strstr(strbuf_str(&sb), "STRUCTURE,STRUCTURE_ID,ACTION,freq,unit,case_type,"
						"state,agency,geo,TIME_PERIOD,OBS_VALUE,CONF_STATUS\r\n"));
	assert_non_null(strstr(strbuf_str(&sb), "dataflow,MMIS:CASES(1.0),I,A,NR,smuggled_migrant,"
						"identified,CSW,ME,2024,NaN,C\r\n"));
	strbuf_release(&sb);
	stats_table_free(t);
}

/* ---- official series and indicators */

static const char series_ok[] =
	"indicator,period,value,source,unit\n"
	"population,2011,620029,MONSTAT Census 2011,persons\n"
	"immigrants,2011,3000,Test source,persons\n"
	"emigrants,2011,3496,Test source,persons\n"
	"remittances_usd,2011,441000000,World Bank,USD\n"
	"immigrant_stock,2011,70000,UN DESA,persons\n"
	"immigrant_stock_female,2011,38500.5,UN DESA,persons\n"
	"population,2024-Q2,620000,MONSTAT,persons\n"
	"population,2024-07,620000,MONSTAT,persons\n";

static void test_series_parse(void **state)
{
	(void)state;
	struct series_row *rows = NULL;
	struct mmis_error err;
	json_t *errors = NULL;
	size_t n = 0;
	FILE *in = fmemopen((void *)series_ok, sizeof(series_ok) - 1, "r");

	OK(series_parse(in, NULL, &rows, &n, &errors, &err));
	fclose(in);
	assert_int_equal(n, 8);
	assert_string_equal(rows[0].country, "MNE");
	assert_string_equal(rows[0].value, "620029");
	assert_true(rows[5].number > 38500.4 && rows[5].number < 38500.6);
	assert_int_equal(rows[7].line, 9);
	free(rows);

	/* The neighbours' series in one file: a country column (D is Germany, as in MRZs). */
	static const char multi[] = "country,indicator,period,value,source,unit\n"
				    "SRB,population,2024,6600000,RZS,persons\n"
				    ",population,2024,620000,MONSTAT,persons\n"
				    "rks,population,2024,1600000,KAS,persons\n";
	in = fmemopen((void *)multi, sizeof(multi) - 1, "r");
	OK(series_parse(in, "ALB", &rows, &n, NULL, &err));
	fclose(in);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].country, "SRB");
	assert_string_equal(rows[1].country, "ALB"); /* the default for an empty cell */
	assert_string_equal(rows[2].country, "RKS");
	free(rows);

	static const char bad[] = "indicator,period,value,source,unit\n"
				  "population,2024,abc,MONSTAT,persons\n"         /* 2 */
				  "tourists,2024,5,MONSTAT,persons\n"             /* 3 */
				  "population,2024-13,5,MONSTAT,persons\n"        /* 4 */
				  "population,2024,1 000,MONSTAT,persons\n"       /* 5 */
				  "emigrants,2024,-5,MONSTAT,persons\n"           /* 6 */
				  "emigrants,2024,5,,persons\n"                   /* 7 */
				  "immigrants,2024,5,MONSTAT,persons\n"
				  "immigrants,2024,6,MONSTAT,persons\n"           /* 9 */
				  "population,2024-Q5,5,MONSTAT,persons\n"        /* 10 */
				  "population,24,5,MONSTAT,persons\n"             /* 11 */
				  "population,2024,0,MONSTAT,persons\n"           /* 12 */
				  "population,2025,5,MONSTAT\n"                   /* 13 */
				  "population,2026,1e5,MONSTAT,persons\n";        /* 14 */
	static const struct {
		int line;
		const char *field, *text;
	} want[] = {
		{ 2, "value", "'abc' is not a number" }, { 3, "indicator", "unknown indicator 'tourists'" },
		{ 4, "period", "month 13 is out of range" }, { 5, "value", "not a number" },
		{ 6, "value", "negative" }, { 7, "source", "required" },
		{ 9, "period", "already on line 8" }, { 10, "period", "quarter 5" },
		{ 11, "period", "not a year" }, { 12, "value", "above zero" },
		{ 13, NULL, "4 fields where the header has 5" }, { 14, "value", "not a number" },
	};
	in = fmemopen((void *)bad, sizeof(bad) - 1, "r");
	assert_int_equal(series_parse(in, NULL, &rows, &n, &errors, &err), MMIS_EINVAL);
	fclose(in);
	assert_null(rows);
	assert_int_equal(n, 0);
	assert_int_equal(json_array_size(errors), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		json_t *e = json_array_get(errors, i);
		const char *f = json_string_value(json_object_get(e, "field"));
		assert_int_equal(json_integer_value(json_object_get(e, "line")), want[i].line);
		if (want[i].field)
			assert_string_equal(f ? f : "(none)", want[i].field);
		if (!strstr(json_string_value(json_object_get(e, "message")), want[i].text))
			fail_msg("line %d: '%s' lacks '%s'", want[i].line,
				 json_string_value(json_object_get(e, "message")), want[i].text);
	}
	assert_string_equal(err.field, "value");
	assert_non_null(strstr(err.message, "12 bad lines, nothing imported; line 2: value: 'abc'"));
	json_decref(errors);

	static const struct {
		const char *text, *msg;
	} headers[] = {
		{ "", "the file is empty" },
		{ "indicator,period,value,source\n", "the column 'unit' is missing" },
		{ "indicator,period,value,source,unit,colour\n", "unknown column 'colour'" },
		{ "indicator,period,value,source,unit,unit\n", "column 'unit' twice" },
		{ "indicator,period,value,source,unit\n", "a header and no series" },
	};
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		in = i == 0 ? fopen("/dev/null", "r")
			    : fmemopen((void *)headers[i].text, strlen(headers[i].text), "r");
		assert_int_equal(series_parse(in, NULL, &rows, &n, NULL, &err), MMIS_EINVAL);
		fclose(in);
		if (!strstr(err.message, headers[i].msg))
			fail_msg("'%s' lacks '%s'", err.message, headers[i].msg);
	}
	in = fmemopen((void *)series_ok, sizeof(series_ok) - 1, "r");
	assert_int_equal(series_parse(in, "XYZ", &rows, &n, NULL, &err), MMIS_EINVAL);
	fclose(in);
	assert_string_equal(err.field, "country");
}

static void test_indicators(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct actor analyst, officer;
	json_t *o = NULL, *errors = NULL;
	int64_t n = 0;

	make_actor(f, "ana", "analyst", &analyst);
	make_actor(f, "off", "border_officer", &officer);
	FILE *in = fmemopen((void *)series_ok, sizeof(series_ok) - 1, "r");
	assert_int_equal(series_import(&f->cx, &officer, in, "s.csv", NULL, &n, &errors, &err),
			 MMIS_EDENIED);
	fclose(in);
	json_decref(errors);
	in = fmemopen((void *)series_ok, sizeof(series_ok) - 1, "r");
	OK(series_import(&f->cx, &analyst, in, "s.csv", NULL, &n, &errors, &err));
	fclose(in);
	json_decref(errors);
	assert_int_equal(n, 8);

	OK(stats_indicators(&f->cx, &analyst, 2011, NULL, &o, &err));
	json_t *nmr = json_object_get(o, "net_migration_rate");
	assert_true(json_is_object(nmr));
	assert_true(json_real_value(json_object_get(nmr, "value")) == -0.8);
	double exact = json_real_value(json_object_get(nmr, "exact"));
	assert_true(exact > -0.80 && exact < -0.799);
	assert_string_equal(json_string_value(json_object_get(nmr, "period")), "2011");
	assert_string_equal(json_string_value(json_object_get(nmr, "source")),
			    "Test source; MONSTAT Census 2011");
	json_t *w = json_object_get(o, "women_pct_immigrants");
	assert_true(json_real_value(json_object_get(w, "value")) == 55.0);
	json_t *rem = json_object_get(o, "remittances_usd");
	assert_int_equal(json_integer_value(json_object_get(rem, "value")), 441000000);
	assert_string_equal(json_string_value(json_object_get(rem, "source")), "World Bank");
	assert_true(json_is_object(json_object_get(o, "long_term")));
	char *text = mjson_dump(nmr);
	assert_non_null(strstr(text, "\"value\":-0.8,"));
	free(text);
	json_decref(o);

	/* A year without the inputs: nulls, not zeros. */
	OK(stats_indicators(&f->cx, &analyst, 2012, NULL, &o, &err));
	assert_true(json_is_null(json_object_get(o, "net_migration_rate")));
	assert_true(json_is_null(json_object_get(o, "women_pct_immigrants")));
	assert_true(json_is_null(json_object_get(o, "remittances_usd")));
	json_decref(o);
	/* Another country: no long-term estimate (the border records are Montenegro's). */
	OK(stats_indicators(&f->cx, &analyst, 2011, "SRB", &o, &err));
	assert_true(json_is_null(json_object_get(o, "long_term")));
	assert_true(json_is_null(json_object_get(o, "net_migration_rate")));
	json_decref(o);
	assert_int_equal(stats_indicators(&f->cx, &officer, 2011, NULL, &o, &err), MMIS_EDENIED);

	/* Revised figures replace the old ones. */
	static const char rev[] = "indicator,period,value,source,unit\nemigrants,2011,2380,Revised,persons\n";
	in = fmemopen((void *)rev, sizeof(rev) - 1, "r");
	OK(series_import(&f->cx, &analyst, in, "rev.csv", NULL, &n, NULL, &err));
	fclose(in);
	OK(stats_indicators(&f->cx, &analyst, 2011, NULL, &o, &err));
	assert_true(json_real_value(json_object_get(json_object_get(o, "net_migration_rate"), "value")) == 1.0);
	json_decref(o);
	OK(series_list(&f->cx, &analyst, "MNE", "emigrants", &o, &err));
	assert_int_equal(json_array_size(o), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(o, 0), "source")), "Revised");
	json_decref(o);
	assert_int_equal(testdb_int(f->s, "SELECT COUNT(*) FROM audit_event WHERE action = "
					   "'series.import'"), 3);
}

/* ---- long-term migration, the 12/16-month rule */

static int64_t dd(int y, int m, int d)
{
	struct date x = ymd(y, m, d);
	return date_to_days(&x);
}

static void test_long_term_rule(void **state)
{
	(void)state;
	int64_t y0 = dd(2023, 1, 1), y1 = dd(2023, 12, 31), end = dd(2026, 1, 1);
	struct lt_result r;
#define CASE(...) (struct lt_crossing[]){ __VA_ARGS__ }
#define RUN(x, n, until) (memset(&r, 0, sizeof(r)), stats_lt_classify(x, n, y0, y1, until, &r))
	/* a visit of ten days: nothing */
	struct lt_crossing *a = CASE({ dd(2023, 5, 1), false }, { dd(2023, 5, 10), true });
	RUN(a, 2, end);
	assert_int_equal(r.arrivals + r.departures + r.undecided_arrivals, 0);
	/* 400 days in the country: an arrival; the exit a year later is not a departure unless
	 * the traveller then stays away 365 days (here the data say so) */
	struct lt_crossing *b = CASE({ dd(2023, 3, 1), false }, { dd(2024, 4, 4), true });
	RUN(b, 2, end);
	assert_int_equal(r.arrivals, 1);
	assert_int_equal(r.departures, 0); /* the departure falls in 2024, outside the year */
	/* 300 days, away a month, back 100 days: 400 days of the 16 months */
	struct lt_crossing *c = CASE({ dd(2023, 2, 1), false }, { dd(2023, 11, 27), true },
				     { dd(2023, 12, 27), false }, { dd(2024, 4, 5), true });
	RUN(c, 4, end);
	assert_int_equal(r.arrivals, 1);
	/* 300 days only: not long-term */
	struct lt_crossing *d = CASE({ dd(2023, 2, 1), false }, { dd(2023, 11, 27), true });
	RUN(d, 2, end);
	assert_int_equal(r.arrivals, 0);
	assert_int_equal(r.undecided_arrivals, 0);
	/* a resident (first seen leaving) away two years: a departure; back for good: an arrival */
	struct lt_crossing *e = CASE({ dd(2023, 1, 10), true }, { dd(2025, 1, 10), false });
	RUN(e, 2, dd(2027, 1, 1));
	assert_int_equal(r.departures, 1);
	assert_int_equal(r.arrivals, 0); /* 2025: outside the year */
	memset(&r, 0, sizeof(r));
	stats_lt_classify(e, 2, dd(2025, 1, 1), dd(2025, 12, 31), dd(2027, 1, 1), &r);
	assert_int_equal(r.arrivals, 1);
	/* a resident's holiday: out two weeks, back: nothing at all */
	struct lt_crossing *f = CASE({ dd(2023, 7, 1), true }, { dd(2023, 7, 15), false });
	RUN(f, 2, end);
	assert_int_equal(r.arrivals + r.departures + r.undecided_arrivals + r.undecided_departures, 0);
	/* still present and the data end 100 days after the arrival: undecided */
	struct lt_crossing *g = CASE({ dd(2023, 10, 1), false });
	RUN(g, 1, dd(2024, 1, 9));
	assert_int_equal(r.arrivals, 0);
	assert_int_equal(r.undecided_arrivals, 1);
	/* ... and 370 days after: decided before the 16 months are over */
	RUN(g, 1, dd(2024, 10, 5));
	assert_int_equal(r.arrivals, 1);
	/* left after 100 days with the data ending early: can no longer reach 365 of 16 months? It
	 * can (it might come back): undecided until the window is too short */
	struct lt_crossing *h = CASE({ dd(2023, 3, 1), false }, { dd(2023, 6, 9), true });
	RUN(h, 2, dd(2023, 8, 1));
	assert_int_equal(r.undecided_arrivals, 1);
	RUN(h, 2, dd(2024, 3, 1)); /* away 266 days: 100 + the 119 left < 365 */
	assert_int_equal(r.undecided_arrivals, 0);
	assert_int_equal(r.arrivals, 0);
#undef CASE
#undef RUN
}

/* ---- seasonal alerts */

static void test_alert_check(void **state)
{
	(void)state;
	struct stats_alert_test t;
	int64_t h[] = { 100, 110, 95 };

	stats_alert_check(h, 3, 1.0, 104, &t);
	assert_false(t.alert);
	assert_true(t.expected == 100.0);
	stats_alert_check(h, 3, 1.0, 300, &t);
	assert_true(t.alert);
	assert_true(t.above);
	stats_alert_check(h, 3, 1.0, 30, &t);
	assert_true(t.alert);
	assert_false(t.above);
	stats_alert_check(h, 1, 1.0, 300, &t); /* one year is not a history */
	assert_false(t.alert);
	/* A growing BCP: 20 % a year is within the trend's bounds (0.8 to 1.25). */
	int64_t g[] = { 100, 120, 144 };
	stats_alert_check(g, 3, 1.2, 173, &t);
	assert_false(t.alert);
	assert_true(t.expected > 165 && t.expected < 180);
	/* Small counts: Poisson bounds, not the (tiny) spread of the history. */
	int64_t s[] = { 3, 3, 3 };
	stats_alert_check(s, 3, 1.0, 7, &t);
	assert_false(t.alert);
}

/* Four years of synthetic arrivals at three BCPs with seasons and noise; one spike. */
static void test_alerts_on_synthetic_data(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct strbuf sb;
	static const char *const b3[] = { "MNE-DBR", "MNE-SUK", "MNE-TGD" };
	static const int base[] = { 60, 25, 120 };
	static const double season[12] = { 0.6, 0.6, 0.7, 0.8, 1.0, 1.4, 1.9, 2.0, 1.3, 0.9, 0.7, 0.8 };
	int id = 0;

	rng.s = 5;
	strbuf_init(&sb, 64 * 1024 * 1024);
	strbuf_addstr(&sb, "time,bcp,direction,document_type,issuing_state,document_number,surname\n");
	for (int y = 2020; y <= 2023; y++)
		for (int m = 1; m <= 12; m++)
			for (int b = 0; b < 3; b++) {
				int n = (int)(base[b] * season[m - 1] * (1.0 + 0.03 * (y - 2020)) *
					      (0.9 + 0.2 * below(1000) / 1000.0));
				if (y == 2023 && m == 9 && b == 1)
					n *= 4; /* the spike: Sukobin, September 2023 */
				for (int i = 0; i < n; i++)
					strbuf_addf(&sb, "%d-%02d-%02dT10:00:00Z,%s,entry,P,ALB,AL%07d,TEST\n",
						    y, m, 1 + below(28), b3[b], ++id);
			}
	import_text(f, strbuf_str(&sb), sb.len);
	strbuf_release(&sb);
	json_t *o = NULL;
	int alerts = 0;
	for (int m = 1; m <= 12; m++) {
		char month[8];
		snprintf(month, sizeof(month), "2023-%02d", m);
		OK(stats_alerts(&f->cx, &f->sys, month, 5, &o, &err));
		json_t *list = json_object_get(o, "alerts");
		assert_int_equal(json_integer_value(json_object_get(o, "checked")), 3);
		for (size_t i = 0; i < json_array_size(list); i++) {
			json_t *a = json_array_get(list, i);
			alerts++;
			if (m != 9 || strcmp(json_string_value(json_object_get(a, "bcp")), "MNE-SUK"))
				fail_msg("a false alert: %s in %s", json_string_value(json_object_get(a, "bcp")),
					 month);
			assert_string_equal(json_string_value(json_object_get(a, "direction")), "above");
			assert_int_equal(json_array_size(json_object_get(a, "history")), 3);
		}
		json_decref(o);
	}
	assert_int_equal(alerts, 1);
	assert_int_equal(stats_alerts(&f->cx, &f->sys, "2023-13", 5, &o, &err), MMIS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age_bands),
		cmocka_unit_test(test_period_codes),
		cmocka_unit_test(test_query_parse),
		cmocka_unit_test_setup_teardown(test_rollups_equal_records, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_queries_equal_records, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_exports, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_permissions_and_sources, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_refusals_and_overstays, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_protection_equal_records, testdb_setup,
						testdb_teardown),
		cmocka_unit_test_setup_teardown(test_protection_small, testdb_setup, testdb_teardown),
		cmocka_unit_test(test_series_parse),
		cmocka_unit_test_setup_teardown(test_indicators, testdb_setup, testdb_teardown),
		cmocka_unit_test(test_long_term_rule),
		cmocka_unit_test(test_alert_check),
		cmocka_unit_test_setup_teardown(test_alerts_on_synthetic_data, testdb_setup, testdb_teardown),
	};
	int rc;

	if (!testdb_start())
		return 1;
	rc = cmocka_run_group_tests_name(testdb_backend_name(), tests, NULL, NULL);
	testdb_finish();
	return rc;
}
