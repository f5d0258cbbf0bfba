/* test_stay.c - the 90-days-in-any-180 stay rule: the published examples, the edges of the rule,
 * errors, parsing, JSON, and 10,000 random cases against a brute-force reference (stay_ref.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/stay.h"
#include "stay_ref.h"
#include "mmis/rng.h"

static struct date day(const char *s)
{
	struct date d;
	struct mmis_error e;

	if (date_parse(s, "d", &d, &e))
		fail_msg("%s: %s", s, e.message);
	return d;
}

static struct stay closed(const char *entry, const char *exit)
{
	struct stay s = { day(entry), day(exit), false };
	return s;
}

static struct stay open_from(const char *entry)
{
	struct stay s = { day(entry), day(entry), true };
	return s;
}

static struct stay_result calc(const struct stay *stays, size_t n, const char *on)
{
	struct stay_result r;
	struct mmis_error e;
	struct date d = day(on);

	if (stay_calc(stays, n, &d, STAY_LIMIT_DAYS, STAY_WINDOW_DAYS, &r, &e))
		fail_msg("stay_calc: %s (%s)", e.message, e.field);
	return r;
}

static void assert_until(const struct stay_result *r, const char *expected)
{
	char buf[DATE_STR_MAX];

	assert_true(r->may_stay_until_known);
	date_format(&r->may_stay_until, buf);
	assert_string_equal(buf, expected);
}

/*
 * Published example 1 of the European Commission's short-stay calculator (Swiss SEM user guide):
 * one stay 15.08.2014-30.09.2014, re-entry on 01.01.2015 -> may stay until 31.03.2015.
 * The stay is 17 + 30 = 47 days. From 01.01.2015 on, each day in adds one and the day leaving the
 * window (from 15.08 on) removes one; the 47 days are out of the window of 31.03.2015
 * ([03.10.2014, 31.03.2015]), which then holds 01.01-31.03.2015 = 90 days; 01.04 would be 91.
 */
static void test_example_1_reentry(void **state)
{
	(void)state;
	struct stay s[2] = { closed("2014-08-15", "2014-09-30"), open_from("2015-01-01") };

	struct stay_result r = calc(s, 2, "2015-01-01"); /* the re-entry recorded, present on 01.01 */
	assert_int_equal(r.days_used, 48);
	assert_int_equal(r.days_remaining, 42);
	assert_int_equal(r.overstay_days, 0);
	assert_until(&r, "2015-03-31");

	r = calc(s, 1, "2015-01-01"); /* checked before entering: the same answer */
	assert_int_equal(r.days_used, 47);
	assert_int_equal(r.days_remaining, 43);
	assert_until(&r, "2015-03-31");
}

/*
 * Published example 2: stays 15.08-30.09.2014 and 01.11-30.11.2014, check on 30.11.2014 -> no
 * overstay, may stay until 13.12.2014. 47 + 30 = 77 days, all inside the window of 30.11
 * ([04.06, 30.11]). Presence from the check day on: 30.11 is already a day of presence, so the
 * 13 days 01.12-13.12 bring the window of 13.12 ([17.06, 13.12]) to 90; 14.12 would be 91.
 */
static void test_example_2_two_stays(void **state)
{
	(void)state;
	struct stay s[2] = { closed("2014-08-15", "2014-09-30"), closed("2014-11-01", "2014-11-30") };

	struct stay_result r = calc(s, 2, "2014-11-30");
	assert_int_equal(r.days_used, 77);
	assert_int_equal(r.days_remaining, 13);
	assert_int_equal(r.overstay_days, 0);
	assert_until(&r, "2014-12-13");

	s[1] = open_from("2014-11-01"); /* still present: the same */
	r = calc(s, 2, "2014-11-30");
	assert_int_equal(r.days_used, 77);
	assert_int_equal(r.overstay_days, 0);
	assert_until(&r, "2014-12-13");
}

/*
 * Published example 3: stays 01.09-30.09.2013, 21.02-20.04.2014 and 01.05-09.06.2014 -> leaving
 * on 09.06.2014 is an overstay of 9 days (99 days). The window of 09.06.2014 is [12.12.2013,
 * 09.06.2014]: the 2013 stay is out; 8 + 31 + 20 = 59 days and 31 + 9 = 40 days make 99. The
 * window of 31.05 holds 59 + 31 = 90 and each day 01.06-09.06 adds one without any leaving
 * (the window starts in December): 9 days over the limit.
 */
static void test_example_3_overstay(void **state)
{
	(void)state;
	struct stay s[3] = { closed("2013-09-01", "2013-09-30"), closed("2014-02-21", "2014-04-20"),
			     closed("2014-05-01", "2014-06-09") };

	struct stay_result r = calc(s, 3, "2014-06-09");
	assert_int_equal(r.days_used, 99);
	assert_int_equal(r.days_remaining, 0);
	assert_int_equal(r.overstay_days, 9);
	assert_false(r.may_stay_until_known);

	r = calc(s, 3, "2014-05-31"); /* the last day within the rule */
	assert_int_equal(r.days_used, 90);
	assert_int_equal(r.overstay_days, 0);
	assert_until(&r, "2014-05-31");
	r = calc(s, 3, "2014-06-01");
	assert_int_equal(r.overstay_days, 1);
	assert_false(r.may_stay_until_known);
}

/*
 * Published example 4: the same three stays, re-entry on 30.08.2014 -> a stay of up to 50 days.
 * The window of 30.08.2014 is [04.03, 30.08]: 48 days of the second stay (04.03-20.04), 40 of the
 * third, and 30.08 itself: 89. Each further day in removes one of the second stay until it has
 * left the window (by 18.10, whose window starts on 21.04): 0 + 40 + 50 days from 30.08 = 90 on
 * 18.10.2014; 19.10 would be 91. 30.08-18.10 is 50 days. The past overstay is still reported.
 */
static void test_example_4_reentry_after_overstay(void **state)
{
	(void)state;
	struct stay s[4] = { closed("2013-09-01", "2013-09-30"), closed("2014-02-21", "2014-04-20"),
			     closed("2014-05-01", "2014-06-09"), open_from("2014-08-30") };

	struct stay_result r = calc(s, 4, "2014-08-30");
	assert_int_equal(r.days_used, 89);
	assert_int_equal(r.days_remaining, 1);
	assert_int_equal(r.overstay_days, 9);
	assert_until(&r, "2014-10-18");
	assert_int_equal(date_to_days(&r.may_stay_until) - date_to_days(&r.on) + 1, 50);

	r = calc(s, 3, "2014-08-30"); /* checked at the border before entering: the same 50 days */
	assert_int_equal(r.days_used, 88);
	assert_until(&r, "2014-10-18");
}

static void test_edges_of_the_rule(void **state)
{
	(void)state;
	struct stay s[3];
	struct stay_result r;

	/* Entry and exit the same day: one day. */
	s[0] = closed("2024-03-10", "2024-03-10");
	r = calc(s, 1, "2024-03-10");
	assert_int_equal(r.days_used, 1);
	assert_int_equal(r.days_remaining, 89);

	/* The window is the day and the 179 before it: 180 days back is out, 179 is in. */
	s[0] = closed("2024-01-01", "2024-01-01");
	r = calc(s, 1, "2024-06-28"); /* 2024-01-01 + 179 (a leap year) */
	assert_int_equal(r.days_used, 1);
	r = calc(s, 1, "2024-06-29");
	assert_int_equal(r.days_used, 0);

	/* Overlapping and touching stays, in any order: each day once. */
	s[0] = closed("2024-02-10", "2024-02-20");
	s[1] = closed("2024-02-01", "2024-02-15");
	s[2] = closed("2024-02-21", "2024-02-21");
	r = calc(s, 3, "2024-03-01");
	assert_int_equal(r.days_used, 21);

	/* A closed stay ending after the check: only the days up to it count. */
	s[0] = closed("2024-02-01", "2024-12-31");
	r = calc(s, 1, "2024-02-10");
	assert_int_equal(r.days_used, 10);
	assert_until(&r, "2024-04-30"); /* 90 days from 01.02 */

	/* Exactly 90 days is within the rule; 91 is one day of overstay. */
	s[0] = closed("2024-01-01", "2024-03-30");
	r = calc(s, 1, "2024-03-30");
	assert_int_equal(r.days_used, 90);
	assert_int_equal(r.overstay_days, 0);
	assert_until(&r, "2024-03-30");
	s[0] = closed("2024-01-01", "2024-03-31");
	r = calc(s, 1, "2024-03-31");
	assert_int_equal(r.days_used, 91);
	assert_int_equal(r.days_remaining, 0);
	assert_int_equal(r.overstay_days, 1);
	assert_false(r.may_stay_until_known);

	/* No stays: 90 days from the check on. */
	r = calc(NULL, 0, "2024-12-01");
	assert_int_equal(r.days_used, 0);
	assert_int_equal(r.days_remaining, 90);
	assert_int_equal(r.overstay_days, 0);
	assert_until(&r, "2025-02-28");

	/* A long-ago overstay is still counted; it no longer limits a new stay. */
	s[0] = closed("2010-01-01", "2010-12-31");
	r = calc(s, 1, "2024-01-01");
	assert_int_equal(r.days_used, 0);
	assert_int_equal(r.overstay_days, 365 - 90);
	assert_until(&r, "2024-03-30");

	/* Other regimes: 3 days in any 10. */
	struct date on = day("2024-01-10");
	s[0] = closed("2024-01-02", "2024-01-03");
	assert_int_equal(stay_calc(s, 1, &on, 3, 10, &r, NULL), MMIS_OK);
	assert_int_equal(r.days_used, 2);
	assert_int_equal(r.days_remaining, 1);
	assert_until(&r, "2024-01-10"); /* the window of 11.01, [02.01, 11.01], would hold 4 */
	on = day("2024-01-11");
	assert_int_equal(stay_calc(s, 1, &on, 3, 10, &r, NULL), MMIS_OK);
	assert_until(&r, "2024-01-13"); /* [04.01, 13.01] holds 11-13; [05.01, 14.01] 4 days */
}

static void expect_error(const struct stay *s, size_t n, const char *on, int limit, int window,
			 enum mmis_err code, const char *field, const char *message)
{
	struct stay_result r;
	struct mmis_error e;
	struct date d = day(on);

	assert_int_equal(stay_calc(s, n, &d, limit, window, &r, &e), code);
	assert_int_equal(e.code, code);
	assert_string_equal(e.field, field);
	if (!strstr(e.message, message))
		fail_msg("message '%s' lacks '%s'", e.message, message);
}

static void test_errors(void **state)
{
	(void)state;
	struct stay s[3] = { closed("2024-01-01", "2024-01-05"), closed("2024-02-01", "2024-02-03"),
			     closed("2024-03-10", "2024-03-01") };
	struct stay_result r;
	struct date on = day("2024-04-01"), bad = { 2024, 2, 30, DATE_DAY };

	expect_error(s, 3, "2024-04-01", 90, 180, MMIS_EINVAL, "stays[2]",
		     "stay 3: exit 2024-03-01 is before entry 2024-03-10");
	s[2] = closed("2024-04-02", "2024-04-03");
	expect_error(s, 3, "2024-04-01", 90, 180, MMIS_EINVAL, "stays[2]",
		     "stay 3 starts after the day of the check");
	s[2] = open_from("2024-04-02");
	expect_error(s, 3, "2024-04-01", 90, 180, MMIS_EINVAL, "stays[2]",
		     "stay 3 starts after the day of the check");
	s[2] = open_from("2024-04-01"); /* entering on the day of the check is fine */
	assert_int_equal(stay_calc(s, 3, &on, 90, 180, &r, NULL), MMIS_OK);
	assert_int_equal(r.days_used, 5 + 3 + 1);

	s[1].entry = bad;
	expect_error(s, 3, "2024-04-01", 90, 180, MMIS_EINVAL, "stays[1]", "stay 2: the entry");
	s[1].entry = day("2024-02-01");
	s[1].exit.precision = DATE_MONTH;
	expect_error(s, 3, "2024-04-01", 90, 180, MMIS_EINVAL, "stays[1]", "stay 2: the exit");
	s[1].open = true; /* the exit of an open stay is not looked at */
	assert_int_equal(stay_calc(s, 3, &on, 90, 180, &r, NULL), MMIS_OK);
	s[1] = closed("2024-02-01", "2024-02-03");

	assert_int_equal(stay_calc(s, 2, &bad, 90, 180, &r, NULL), MMIS_EINVAL);
	assert_int_equal(stay_calc(s, 2, NULL, 90, 180, &r, NULL), MMIS_EINVAL);
	assert_int_equal(stay_calc(NULL, 2, &on, 90, 180, &r, NULL), MMIS_EINVAL);
	expect_error(s, 2, "2024-04-01", 0, 180, MMIS_EINVAL, "limit_days", "not 0");
	expect_error(s, 2, "2024-04-01", 180, 180, MMIS_EINVAL, "limit_days", "not 180");
	expect_error(s, 2, "2024-04-01", 90, 1, MMIS_EINVAL, "window_days", "not 1");
	expect_error(s, 2, "2024-04-01", 90, STAY_WINDOW_MAX + 1, MMIS_EINVAL, "window_days", "window");
	expect_error(NULL, 0, "9999-12-01", 90, 180, MMIS_EINVAL, "on", "too late");
	on = day("9999-12-31");
	assert_int_equal(stay_calc(NULL, 0, &on, 1, 180, &r, NULL), MMIS_OK); /* leaves that day */
	assert_until(&r, "9999-12-31");
	on = day("0001-01-01");
	s[0] = open_from("0001-01-01");
	assert_int_equal(stay_calc(s, 1, &on, 90, 180, &r, NULL), MMIS_OK);
	assert_until(&r, "0001-03-31");
}

static void test_parse(void **state)
{
	(void)state;
	struct stay s;
	struct mmis_error e;
	char buf[DATE_STR_MAX];

	assert_int_equal(stay_parse("2014-08-15..2014-09-30", &s, &e), MMIS_OK);
	assert_false(s.open);
	date_format(&s.entry, buf);
	assert_string_equal(buf, "2014-08-15");
	date_format(&s.exit, buf);
	assert_string_equal(buf, "2014-09-30");
	assert_int_equal(stay_parse("2015-01-01..", &s, &e), MMIS_OK);
	assert_true(s.open);
	date_format(&s.entry, buf);
	assert_string_equal(buf, "2015-01-01");
	assert_int_equal(stay_parse("2015-01-01..2015-01-01", &s, &e), MMIS_OK);

	static const char *const bad[] = {
		"", "2014-08-15", "..2014-09-30", "..", "2014-08-15.2014-09-30", "2014-08-15...",
		"2014-08-15..2014-09-30..", "2014-13-15..2014-09-30", "2014-08-15..2014-09-31",
		"2014-8-15..2014-09-30", " 2014-08-15..2014-09-30", "2014-08-15..2014-09-30 ",
		"2014-08-15..2014", "2014-08-15 .. 2014-09-30", "2014-08-150..", "20140-08-15..",
		"2014-09-30..2014-08-15", "2014-08-15..\n", "x..y",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.open = true;
		if (stay_parse(bad[i], &s, &e) != MMIS_EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		assert_string_equal(e.field, "stay");
		assert_true(e.message[0] != '\0');
		assert_true(s.open); /* *out untouched */
	}
	assert_int_equal(stay_parse(NULL, &s, &e), MMIS_EINVAL);
	assert_int_equal(stay_parse("2014-09-30..2014-08-15", &s, &e), MMIS_EINVAL);
	assert_non_null(strstr(e.message, "exit 2014-08-15 is before entry 2014-09-30"));
	assert_int_equal(stay_parse("2014-02-30..", &s, &e), MMIS_EINVAL);
	assert_non_null(strstr(e.message, "entry"));
	assert_int_equal(stay_parse("2014-02-03..2014-02-30", &s, &e), MMIS_EINVAL);
	assert_non_null(strstr(e.message, "exit"));
}

static void test_json(void **state)
{
	(void)state;
	struct stay s[3] = { closed("2013-09-01", "2013-09-30"), closed("2014-02-21", "2014-04-20"),
			     closed("2014-05-01", "2014-06-09") };
	struct stay_result r = calc(s, 1, "2013-09-30");
	json_t *j = stay_result_json(&r);
	char *text = mjson_dump(j);

	assert_string_equal(text, "{\"on\":\"2013-09-30\",\"days_used\":30,\"days_remaining\":60,"
				  "\"overstay_days\":0,\"may_stay_until\":\"2013-11-29\"}");
	free(text);
	json_decref(j);

	r = calc(s, 3, "2014-06-09");
	j = stay_result_json(&r);
	text = mjson_dump(j);
	assert_string_equal(text, "{\"on\":\"2014-06-09\",\"days_used\":99,\"days_remaining\":0,"
				  "\"overstay_days\":9,\"may_stay_until\":null}");
	free(text);
	json_decref(j);
}

/* splitmix64: reproducible random cases. */
static struct rng rng_state;
static uint64_t rnd(void)
{
	return rng_next(&rng_state);
}
static int64_t between(int64_t lo, int64_t hi) /* inclusive */
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* What the random cases covered: a generator that never reaches an overstay proves little. */
static struct {
	int overstay, none_left, full_window, open;
} seen;

static void compare_with_reference(const struct stay *s, size_t n, const struct date *on,
				   int limit, int window, int case_no)
{
	struct stay_result got, want;
	struct mmis_error e;
	char a[DATE_STR_MAX], b[DATE_STR_MAX];

	if (stay_calc(s, n, on, limit, window, &got, &e))
		fail_msg("case %d: stay_calc: %s", case_no, e.message);
	assert_true(stay_ref_calc(s, n, on, limit, window, &want));
	date_format(&got.may_stay_until, a);
	date_format(&want.may_stay_until, b);
	if (got.days_used != want.days_used || got.days_remaining != want.days_remaining ||
	    got.overstay_days != want.overstay_days ||
	    got.may_stay_until_known != want.may_stay_until_known ||
	    (want.may_stay_until_known && strcmp(a, b))) {
		date_format(on, a);
		fprintf(stderr, "# case %d: on %s, %d in %d, %zu stays:\n", case_no, a, limit, window, n);
		for (size_t i = 0; i < n; i++) {
			date_format(&s[i].entry, a);
			date_format(&s[i].exit, b);
			fprintf(stderr, "#   %s..%s\n", a, s[i].open ? "" : b);
		}
		date_format(&got.may_stay_until, a);
		date_format(&want.may_stay_until, b);
		fail_msg("case %d: got used %d rem %d over %d until %s%s; want %d %d %d %s%s", case_no,
			 got.days_used, got.days_remaining, got.overstay_days, a,
			 got.may_stay_until_known ? "" : " (none)", want.days_used,
			 want.days_remaining, want.overstay_days, b,
			 want.may_stay_until_known ? "" : " (none)");
	}
	seen.overstay += got.overstay_days > 0;
	seen.none_left += !got.may_stay_until_known;
	seen.full_window += got.may_stay_until_known &&
			    date_to_days(&got.may_stay_until) - date_to_days(on) == limit - 1;
	for (size_t i = 0; i < n; i++)
		if (s[i].open) {
			seen.open++;
			break;
		}
}

/* One random case: stays within a span before `on`, some open, overlapping, touching, unsorted. */
static void random_case(int case_no, size_t max_stays)
{
	struct stay s[600];
	struct date on;
	int limit = STAY_LIMIT_DAYS, window = STAY_WINDOW_DAYS;
	size_t n = (size_t)between(0, (int64_t)max_stays);
	int64_t today = between(16000, 20000); /* 2013..2024 */
	int64_t span = between(1, 3) == 1 ? between(1, 60) : between(100, 900);

	switch (between(0, 5)) {
	case 0: /* a short regime: the edges come often */
		window = (int)between(2, 30);
		limit = (int)between(1, window - 1);
		break;
	case 1:
		window = (int)between(2, 400);
		limit = (int)between(1, window - 1);
		break;
	default:
		break;
	}
	date_from_days(today, &on);
	for (size_t i = 0; i < n; i++) {
		int64_t a = today - between(0, span);
		int64_t len = between(0, 4) == 0 ? between(0, 120) : between(0, 15);
		int64_t b = a + len;
		if (between(0, 9) == 0)
			b = today + between(0, 30); /* a closed stay reaching past the check */
		date_from_days(a, &s[i].entry);
		date_from_days(b, &s[i].exit);
		s[i].open = between(0, 14) == 0;
	}
	compare_with_reference(s, n, &on, limit, window, case_no);
}

static void test_random_against_reference(void **state)
{
	(void)state;
	rng_state.s = 20141130;
	for (int i = 0; i < 10000; i++)
		random_case(i, i % 100 == 99 ? 200 : 12); /* every hundredth beyond the local buffer */
	print_message("# random cases: %d with an overstay, %d with no day left, %d with the whole "
		      "limit ahead, %d with an open stay\n", seen.overstay, seen.none_left,
		      seen.full_window, seen.open);
	assert_true(seen.overstay > 1000 && seen.none_left > 1000 && seen.full_window > 1000 &&
		    seen.open > 1000);
}

/* Many crossings: 500 stays over about 16 years, as the benchmark's traveller. */
static void test_many_stays(void **state)
{
	(void)state;
	struct stay s[500];
	struct date on;

	rng_state.s = 500;
	for (int round = 0; round < 5; round++) {
		int64_t d = 16000;
		for (size_t i = 0; i < 500; i++) {
			d += between(1, 12);
			date_from_days(d, &s[i].entry);
			d += between(0, 10);
			date_from_days(d, &s[i].exit);
			s[i].open = false;
		}
		s[499].open = round & 1;
		date_from_days(d + between(0, 3), &on);
		compare_with_reference(s, 500, &on, 90, 180, round);
		for (size_t i = 0; i < 500; i++) { /* reversed order: the same answer */
			size_t k = (size_t)between(0, 499);
			struct stay t = s[i];
			s[i] = s[k];
			s[k] = t;
		}
		compare_with_reference(s, 500, &on, 90, 180, round);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_1_reentry),
		cmocka_unit_test(test_example_2_two_stays),
		cmocka_unit_test(test_example_3_overstay),
		cmocka_unit_test(test_example_4_reentry_after_overstay),
		cmocka_unit_test(test_edges_of_the_rule),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_many_stays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
