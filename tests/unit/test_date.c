/* test_date.c - dates, partial dates and timestamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mmis/date.h"

static struct date ymd(int y, int m, int d)
{
	struct date r = { y, m, d, DATE_DAY };

	if (m == 0)
		r.precision = DATE_YEAR;
	else if (d == 0)
		r.precision = DATE_MONTH;
	return r;
}

static struct date parsed(const char *s)
{
	struct date d;
	struct mmis_error e;

	if (date_parse_partial(s, "d", &d, &e) != MMIS_OK)
		fail_msg("%s: %s", s, e.message);
	return d;
}

static void test_leap_years(void **state)
{
	(void)state;
	assert_true(date_is_leap_year(2000));
	assert_true(date_is_leap_year(2024));
	assert_true(date_is_leap_year(1600));
	assert_true(date_is_leap_year(4));
	assert_false(date_is_leap_year(1900));
	assert_false(date_is_leap_year(2100));
	assert_false(date_is_leap_year(2023));
	assert_false(date_is_leap_year(1));
	assert_int_equal(date_days_in_month(2024, 2), 29);
	assert_int_equal(date_days_in_month(2023, 2), 28);
	assert_int_equal(date_days_in_month(1900, 2), 28);
	assert_int_equal(date_days_in_month(2023, 4), 30);
	assert_int_equal(date_days_in_month(2023, 12), 31);
	assert_int_equal(date_days_in_month(2023, 0), 0);
	assert_int_equal(date_days_in_month(2023, 13), 0);
	assert_true(date_valid_ymd(2024, 2, 29));
	assert_false(date_valid_ymd(2023, 2, 29));
	assert_true(date_valid_ymd(1, 1, 1));
	assert_true(date_valid_ymd(9999, 12, 31));
	assert_false(date_valid_ymd(0, 12, 31));
	assert_false(date_valid_ymd(10000, 1, 1));
	assert_false(date_valid_ymd(2023, 6, 31));
	assert_false(date_valid_ymd(2023, 6, 0));
}

static void test_parse_good(void **state)
{
	struct date d;
	struct mmis_error e;

	(void)state;
	assert_int_equal(date_parse("1987-03-14", "birth_date", &d, &e), MMIS_OK);
	assert_int_equal(d.year, 1987);
	assert_int_equal(d.month, 3);
	assert_int_equal(d.day, 14);
	assert_int_equal(d.precision, DATE_DAY);
	assert_int_equal(date_parse("2024-02-29", NULL, &d, &e), MMIS_OK);
	assert_int_equal(date_parse("2000-02-29", NULL, &d, &e), MMIS_OK);
	assert_int_equal(date_parse("0001-01-01", NULL, &d, &e), MMIS_OK);
	assert_int_equal(d.year, 1);
	assert_int_equal(date_parse("9999-12-31", NULL, &d, &e), MMIS_OK);
	assert_int_equal(d.year, 9999);
}

static const struct {
	const char *in;
	const char *message; /* a part of the expected message */
} bad_dates[] = {
	{ "2024-13-01", "month 13 is out of range" },
	{ "2024-00-10", "month 0 is out of range" },
	{ "2024-01-32", "day 32 is out of range" },
	{ "2024-01-00", "day 0 is out of range" },
	{ "2023-02-29", "2023-02-29 is not a date: 2023 is not a leap year" },
	{ "1900-02-29", "1900 is not a leap year" },
	{ "2024-02-30", "2024-02-30 is not a date: February 2024 has 29 days" },
	{ "2024-04-31", "2024-04-31 is not a date: April has 30 days" },
	{ "0000-01-01", "year 0000 is out of range" },
	{ "", "empty date" },
	{ "2024-1-01", "\"2024-1-01\" is not a date: expected YYYY-MM-DD" },
	{ "2024-02-30x", "is not a date" },
	{ "2024-01-01 ", "is not a date" },
	{ " 2024-01-01", "is not a date" },
	{ "+2024-01-01", "is not a date" },
	{ "-2024-01-01", "is not a date" },
	{ "2024-+1-01", "is not a date" },
	{ "2024-01--1", "is not a date" },
	{ "12024-01-01", "is not a date" },
	{ "2024/01/01", "is not a date" },
	{ "20240101", "is not a date" },
	{ "2024-01-01T00:00Z", "is not a date" },
	{ "2024-01-01\n", "is not a date" },
	{ "2024-01", "is not a date: expected YYYY-MM-DD" },
	{ "1987", "is not a date" },
	{ "\xef\xbc\x92" "024-01-01", "is not a date" },
};

static void test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
		struct date d = { 0 };
		struct mmis_error e;

		if (date_parse(bad_dates[i].in, "birth_date", &d, &e) != MMIS_EINVAL)
			fail_msg("accepted \"%s\"", bad_dates[i].in);
		assert_string_equal(e.field, "birth_date");
		if (!strstr(e.message, bad_dates[i].message))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad_dates[i].in, e.message,
				 bad_dates[i].message);
		assert_int_equal(d.year, 0); /* untouched on failure */
	}
}

static void test_parse_null_and_unprintable(void **state)
{
	struct date d;
	struct mmis_error e;
	char long_input[200];

	(void)state;
	assert_int_equal(date_parse(NULL, NULL, &d, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "");
	assert_int_equal(date_parse("19\x01" "7-01-01", NULL, &d, &e), MMIS_EINVAL);
	assert_non_null(strstr(e.message, "\"19?7-01-01\""));
	memset(long_input, '7', sizeof(long_input) - 1);
	long_input[sizeof(long_input) - 1] = '\0';
	assert_int_equal(date_parse(long_input, NULL, &d, &e), MMIS_EINVAL);
	assert_non_null(strstr(e.message, "...\" is not a date"));
	assert_true(strlen(e.message) < 120);
	assert_int_equal(date_parse("2024-01-01", "f", &d, NULL), MMIS_OK);
	assert_int_equal(date_parse("2024-01-41", "f", &d, NULL), MMIS_EINVAL);
}

static void test_partial(void **state)
{
	struct date d;
	struct mmis_error e;
	static const char *const bad[] = {
		"87", "1987-", "1987-3", "1987-03-", "1987-03-1", "19870", "1987 ", "0000", "1987-13",
		"1987-00", "1987-02-29", "1987-03-14-", "", "198a",
	};

	(void)state;
	d = parsed("1987");
	assert_int_equal(d.year, 1987);
	assert_int_equal(d.month, 0);
	assert_int_equal(d.day, 0);
	assert_int_equal(d.precision, DATE_YEAR);
	d = parsed("1987-03");
	assert_int_equal(d.month, 3);
	assert_int_equal(d.day, 0);
	assert_int_equal(d.precision, DATE_MONTH);
	d = parsed("1987-03-14");
	assert_int_equal(d.day, 14);
	assert_int_equal(d.precision, DATE_DAY);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (date_parse_partial(bad[i], "dob", &d, &e) != MMIS_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	date_parse_partial("1987-13", "dob", &d, &e);
	assert_string_equal(e.message, "month 13 is out of range");
	assert_string_equal(e.field, "dob");
	date_parse_partial("1987-3", "dob", &d, &e);
	assert_non_null(strstr(e.message, "expected YYYY, YYYY-MM or YYYY-MM-DD"));
}

static void test_format(void **state)
{
	static const char *const texts[] = {
		"1987", "1987-03", "1987-03-14", "0001-01-01", "9999-12-31", "0042", "0900-11",
	};
	char buf[DATE_STR_MAX];
	struct date d = ymd(5, 6, 7);

	(void)state;
	assert_int_equal(date_format(&d, buf), 10);
	assert_string_equal(buf, "0005-06-07");
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		d = parsed(texts[i]);
		assert_int_equal(date_format(&d, buf), strlen(texts[i]));
		assert_string_equal(buf, texts[i]);
	}
}

static void test_days(void **state)
{
	struct date d;

	(void)state;
	d = ymd(1970, 1, 1);
	assert_int_equal(date_to_days(&d), 0);
	d = ymd(1970, 1, 2);
	assert_int_equal(date_to_days(&d), 1);
	d = ymd(1969, 12, 31);
	assert_int_equal(date_to_days(&d), -1);
	d = ymd(2000, 3, 1);
	assert_int_equal(date_to_days(&d), 11017);
	d = ymd(1, 1, 1);
	assert_int_equal(date_to_days(&d), -719162);
	d = ymd(9999, 12, 31);
	assert_int_equal(date_to_days(&d), 2932896);
	d = ymd(1987, 0, 0);
	assert_int_equal(date_to_days(&d), 6209);
	d = ymd(1987, 1, 0);
	assert_int_equal(date_to_days(&d), 6209);

	assert_int_equal(date_from_days(0, &d), MMIS_OK);
	assert_int_equal(d.year, 1970);
	assert_int_equal(d.precision, DATE_DAY);
	assert_int_equal(date_from_days(-719163, &d), MMIS_EINVAL);
	assert_int_equal(date_from_days(2932897, &d), MMIS_EINVAL);
	assert_int_equal(date_from_days(INT64_MAX, &d), MMIS_EINVAL);
	assert_int_equal(date_from_days(INT64_MIN, &d), MMIS_EINVAL);
}

/* Every day of the calendar, one after the other: each is valid and follows the one before. */
static void test_every_day_round_trips(void **state)
{
	struct date prev, d;

	(void)state;
	assert_int_equal(date_from_days(-719162, &prev), MMIS_OK);
	assert_int_equal(prev.year, 1);
	assert_int_equal(prev.month, 1);
	assert_int_equal(prev.day, 1);
	for (int64_t n = -719161; n <= 2932896; n++) {
		assert_int_equal(date_from_days(n, &d), MMIS_OK);
		if (!date_valid_ymd(d.year, d.month, d.day) || date_to_days(&d) != n)
			fail_msg("day %lld gives %d-%d-%d", (long long)n, d.year, d.month, d.day);
		if (d.day == prev.day + 1)
			assert_true(d.month == prev.month && d.year == prev.year);
		else if (d.month == prev.month + 1)
			assert_true(d.day == 1 && d.year == prev.year &&
				    prev.day == date_days_in_month(prev.year, prev.month));
		else
			assert_true(d.year == prev.year + 1 && d.month == 1 && d.day == 1 &&
				    prev.month == 12 && prev.day == 31);
		prev = d;
	}
	assert_int_equal(prev.year, 9999);
	assert_int_equal(prev.month, 12);
	assert_int_equal(prev.day, 31);
}

static void test_add_days(void **state)
{
	struct date d = ymd(2024, 2, 28), r;
	char buf[DATE_STR_MAX];

	(void)state;
	assert_int_equal(date_add_days(&d, 1, &r), MMIS_OK);
	date_format(&r, buf);
	assert_string_equal(buf, "2024-02-29");
	assert_int_equal(date_add_days(&d, 2, &r), MMIS_OK);
	date_format(&r, buf);
	assert_string_equal(buf, "2024-03-01");
	d = ymd(2023, 2, 28);
	assert_int_equal(date_add_days(&d, 1, &r), MMIS_OK);
	date_format(&r, buf);
	assert_string_equal(buf, "2023-03-01");
	assert_int_equal(date_add_days(&d, -365, &r), MMIS_OK);
	date_format(&r, buf);
	assert_string_equal(buf, "2022-02-28");
	/* A 90-day stay counted from a partial date starts on its first day. */
	d = ymd(2024, 3, 0);
	assert_int_equal(date_add_days(&d, 89, &r), MMIS_OK);
	date_format(&r, buf);
	assert_string_equal(buf, "2024-05-29");

	d = ymd(9999, 12, 31);
	assert_int_equal(date_add_days(&d, 0, &r), MMIS_OK);
	assert_int_equal(date_add_days(&d, 1, &r), MMIS_EINVAL);
	d = ymd(1, 1, 1);
	assert_int_equal(date_add_days(&d, -1, &r), MMIS_EINVAL);
	assert_int_equal(date_add_days(&d, 2932896 + 719162, &r), MMIS_OK);
	assert_int_equal(r.year, 9999);
	assert_int_equal(date_add_days(&d, INT64_MAX, &r), MMIS_EINVAL);
	assert_int_equal(date_add_days(&d, INT64_MIN, &r), MMIS_EINVAL);
}

static void test_cmp(void **state)
{
	struct date a = ymd(1987, 3, 14), b = ymd(1987, 3, 15);
	struct date y = ymd(1987, 0, 0), jan1 = ymd(1987, 1, 1), m = ymd(1987, 3, 0);

	(void)state;
	assert_true(date_cmp(&a, &b) < 0);
	assert_true(date_cmp(&b, &a) > 0);
	assert_int_equal(date_cmp(&a, &a), 0);
	assert_int_equal(date_cmp(&y, &jan1), 0);
	assert_true(date_cmp(&m, &a) < 0);
	assert_true(date_cmp(&y, &m) < 0);
}

static void test_compatible(void **state)
{
	static const struct {
		const char *a, *b;
		bool same;
	} cases[] = {
		{ "1987", "1987-03-14", true },
		{ "1987-03", "1987-03-14", true },
		{ "1987", "1987-12", true },
		{ "1987", "1987", true },
		{ "1987-03", "1987-03", true },
		{ "1987-03-14", "1987-03-14", true },
		{ "1987", "1988-01-01", false },
		{ "1987-03", "1987-04-01", false },
		{ "1987-03", "1987-04", false },
		{ "1987-03-14", "1987-03-15", false },
		{ "1987-03-14", "1988-03-14", false },
		{ "1987-03-14", "1987-04-14", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct date a = parsed(cases[i].a), b = parsed(cases[i].b);

		if (date_compatible(&a, &b) != cases[i].same ||
		    date_compatible(&b, &a) != cases[i].same)
			fail_msg("%s and %s", cases[i].a, cases[i].b);
	}
}

static void test_today_and_now(void **state)
{
	struct date today, d;
	int64_t now = timestamp_now();

	(void)state;
	date_today(&today);
	timestamp_date(now, &d);
	assert_true(today.year >= 2024 && today.year < 2200);
	assert_true(date_valid_ymd(today.year, today.month, today.day));
	/* Unless midnight passed between the two calls. */
	assert_true(date_cmp(&d, &today) <= 0);
	assert_true(now > INT64_C(1704067200000));
	assert_true(timestamp_now() >= now);
}

static void test_timestamp_format(void **state)
{
	char buf[TIMESTAMP_STR_MAX];
	struct date d;

	(void)state;
	assert_int_equal(timestamp_format(0, buf), 24);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	timestamp_format(-1, buf);
	assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
	timestamp_format(INT64_C(1709294400123), buf);
	assert_string_equal(buf, "2024-03-01T12:00:00.123Z");
	timestamp_format(INT64_C(253402300799999), buf);
	assert_string_equal(buf, "9999-12-31T23:59:59.999Z");
	timestamp_format(INT64_C(-62135596800000), buf);
	assert_string_equal(buf, "0001-01-01T00:00:00.000Z");
	/* Beyond the calendar it clamps rather than writing a wrong or longer text. */
	timestamp_format(INT64_MAX, buf);
	assert_string_equal(buf, "9999-12-31T23:59:59.999Z");
	timestamp_format(INT64_MIN, buf);
	assert_string_equal(buf, "0001-01-01T00:00:00.000Z");

	timestamp_date(-1, &d);
	assert_int_equal(d.year, 1969);
	assert_int_equal(d.day, 31);
	timestamp_date(INT64_C(1709294400123), &d);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 3);
	assert_int_equal(d.day, 1);
}

static void test_timestamp_parse(void **state)
{
	static const struct {
		const char *in;
		int64_t ms;
	} good[] = {
		{ "2024-03-01T12:00:00.123Z", INT64_C(1709294400123) },
		{ "2024-03-01T12:00:00Z", INT64_C(1709294400000) },
		{ "2024-03-01T12:00Z", INT64_C(1709294400000) },
		{ "2024-03-01 12:00:00Z", INT64_C(1709294400000) },
		{ "2024-03-01t12:00:00z", INT64_C(1709294400000) },
		{ "2024-03-01T12:00:00+00:00", INT64_C(1709294400000) },
		{ "2024-03-01T12:00:00-00:00", INT64_C(1709294400000) },
		{ "2024-03-01T12:00:00+01:00", INT64_C(1709290800000) },
		{ "2024-03-01T12:00:00-05:30", INT64_C(1709314200000) },
		{ "2024-03-01T12:00:00.5Z", INT64_C(1709294400500) },
		{ "2024-03-01T12:00:00.12Z", INT64_C(1709294400120) },
		{ "2024-03-01T12:00:00.123999Z", INT64_C(1709294400123) },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1970-01-01T00:59:59.999+01:00", -1 },
		{ "0001-01-01T00:00:00Z", INT64_C(-62135596800000) },
		{ "9999-12-31T23:59:59.999Z", INT64_C(253402300799999) },
		{ "2024-02-29T23:30:00-01:00", INT64_C(1709253000000) },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct mmis_error e;
		int64_t ms = 42;

		if (timestamp_parse(good[i].in, "at", &ms, &e) != MMIS_OK)
			fail_msg("%s: %s", good[i].in, e.message);
		if (ms != good[i].ms)
			fail_msg("%s gives %lld", good[i].in, (long long)ms);
	}
}

static void test_timestamp_refused(void **state)
{
	static const struct {
		const char *in;
		const char *message;
	} bad[] = {
		{ "2024-03-01T12:00:00", "has no time zone" },
		{ "2024-03-01T12:00", "has no time zone" },
		{ "2024-03-01", "is not a timestamp" },
		{ "", "empty timestamp" },
		{ "2024-03-01T25:00Z", "hour 25 is out of range" },
		{ "2024-03-01T12:60Z", "minute 60 is out of range" },
		{ "2024-03-01T12:00:61Z", "second 61 is out of range" },
		{ "2024-03-01T12:00+24:00", "offset +24:00 is out of range" },
		{ "2024-03-01T12:00-01:60", "offset -01:60 is out of range" },
		{ "2024-02-30T12:00Z", "February 2024 has 29 days" },
		{ "2024-13-01T12:00Z", "month 13" },
		{ "2024-03-01T12:00:00.Z", "is not a timestamp" },
		{ "2024-03-01T12:00:00ZZ", "is not a timestamp" },
		{ "2024-03-01T12:00:00Z ", "is not a timestamp" },
		{ " 2024-03-01T12:00:00Z", "is not a timestamp" },
		{ "2024-03-01T12:00:00+0100", "is not a timestamp" },
		{ "2024-03-01T12:00:00+01", "is not a timestamp" },
		{ "2024-03-01T1:00Z", "is not a timestamp" },
		{ "2024-03-01T12Z", "is not a timestamp" },
		{ "2024-03-01T12:00:00 UTC", "is not a timestamp" },
		{ "2024-03-01X12:00Z", "is not a timestamp" },
		{ "2024-03-01T", "is not a timestamp" },
		{ "2024-03-01T12:", "is not a timestamp" },
		{ "2024-03-01T12:00+", "is not a timestamp" },
		{ "2024-03-01T12:00+01:", "is not a timestamp" },
		{ "0001-01-01T00:00+01:00", "out of range" },
		{ "9999-12-31T23:00-01:00", "out of range" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mmis_error e;
		int64_t ms = 42;

		if (timestamp_parse(bad[i].in, "at", &ms, &e) != MMIS_EINVAL)
			fail_msg("accepted \"%s\"", bad[i].in);
		assert_int_equal(ms, 42);
		assert_string_equal(e.field, "at");
		if (!strstr(e.message, bad[i].message))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].in, e.message,
				 bad[i].message);
	}
	assert_int_equal(timestamp_parse(NULL, NULL, &(int64_t){ 0 }, NULL), MMIS_EINVAL);
}

static void test_timestamp_round_trip(void **state)
{
	char buf[TIMESTAMP_STR_MAX];
	int64_t samples[] = { 0, 1, -1, 999, INT64_C(1709294400123), INT64_C(-62135596800000),
			      INT64_C(253402300799999), INT64_C(951782400000) };

	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		int64_t back;

		timestamp_format(samples[i], buf);
		assert_int_equal(timestamp_parse(buf, NULL, &back, NULL), MMIS_OK);
		assert_int_equal(back, samples[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_null_and_unprintable),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_every_day_round_trips),
		cmocka_unit_test(test_add_days),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_compatible),
		cmocka_unit_test(test_today_and_now),
		cmocka_unit_test(test_timestamp_format),
		cmocka_unit_test(test_timestamp_parse),
		cmocka_unit_test(test_timestamp_refused),
		cmocka_unit_test(test_timestamp_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
