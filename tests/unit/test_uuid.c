/* test_uuid.c - UUIDv7: layout, monotonicity (also across threads), text form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/date.h"
#include "mmis/uuid.h"

#define MANY 100000
#define THREADS 4

static unsigned counter_of(const struct uuid *u)
{
	return (unsigned)(u->bytes[6] & 0x0f) << 8 | u->bytes[7];
}

static void test_text_form(void **state)
{
	char s[UUID_STR_MAX];

	(void)state;
	for (int n = 0; n < 1000; n++) {
		uuid7_new_str(s);
		assert_int_equal(strlen(s), 36);
		for (int i = 0; i < 36; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23)
				assert_int_equal(s[i], '-');
			else
				assert_non_null(strchr("0123456789abcdef", s[i]));
		}
		assert_int_equal(s[14], '7');
		assert_non_null(strchr("89ab", s[19]));
		assert_true(uuid_valid(s));
	}
}

static void test_version_and_variant(void **state)
{
	int64_t before = timestamp_now(), after;
	struct uuid u;

	(void)state;
	uuid7_new(&u);
	after = timestamp_now();
	assert_int_equal(uuid_version(&u), 7);
	assert_int_equal(u.bytes[6] >> 4, 7);
	assert_int_equal(u.bytes[8] >> 6, 2); /* RFC 9562 variant 10 */
	assert_true(uuid7_time_ms(&u) >= before);
	assert_true(uuid7_time_ms(&u) <= after);
}

/* 100000 identifiers in a row: strictly increasing as bytes and as text, and laid out as method 1
 * says: within one millisecond the counter steps by one, otherwise the time goes forward. */
static void test_monotonic(void **state)
{
	struct uuid *u = calloc(MANY, sizeof(*u));
	char prev_s[UUID_STR_MAX], s[UUID_STR_MAX];
	int64_t before = timestamp_now(), after;

	(void)state;
	assert_non_null(u);
	for (int i = 0; i < MANY; i++)
		uuid7_new(&u[i]);
	after = timestamp_now();
	uuid_format(&u[0], prev_s);
	for (int i = 1; i < MANY; i++) {
		if (memcmp(&u[i - 1], &u[i], sizeof(u[i])) >= 0)
			fail_msg("id %d is not above id %d", i, i - 1);
		uuid_format(&u[i], s);
		assert_true(strcmp(prev_s, s) < 0);
		memcpy(prev_s, s, sizeof(s));
		if (uuid7_time_ms(&u[i]) == uuid7_time_ms(&u[i - 1]))
			assert_int_equal(counter_of(&u[i]), counter_of(&u[i - 1]) + 1);
		else
			assert_true(uuid7_time_ms(&u[i]) > uuid7_time_ms(&u[i - 1]));
		assert_int_equal(uuid_version(&u[i]), 7);
		assert_int_equal(u[i].bytes[8] >> 6, 2);
	}
	/* The counter may borrow milliseconds ahead of the clock, at most one per 2048 ids. */
	assert_true(uuid7_time_ms(&u[0]) >= before);
	assert_true(uuid7_time_ms(&u[MANY - 1]) <= after + MANY / 2048 + 1);
	free(u);
}

struct worker {
	struct uuid ids[MANY / THREADS];
	bool increasing;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	w->increasing = true;
	for (size_t i = 0; i < MANY / THREADS; i++) {
		uuid7_new(&w->ids[i]);
		if (i > 0 && memcmp(&w->ids[i - 1], &w->ids[i], sizeof(w->ids[i])) >= 0)
			w->increasing = false;
	}
	return NULL;
}

static int cmp_uuid(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct uuid));
}

static void test_threads(void **state)
{
	struct worker *w = calloc(THREADS, sizeof(*w));
	struct uuid *all = calloc(MANY, sizeof(*all));
	pthread_t t[THREADS];

	(void)state;
	assert_non_null(w);
	assert_non_null(all);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < THREADS; i++) {
		assert_true(w[i].increasing);
		memcpy(&all[i * (MANY / THREADS)], w[i].ids, sizeof(w[i].ids));
	}
	qsort(all, MANY, sizeof(*all), cmp_uuid);
	/* Not only unique: the time and counter alone (the first 8 bytes) never repeat, which is
	 * what the lock around them guarantees; random bits would hide a race in the full ids. */
	for (int i = 1; i < MANY; i++)
		if (memcmp(&all[i - 1], &all[i], 8) == 0)
			fail_msg("time and counter repeated across threads");
	free(all);
	free(w);
}

static void test_parse_round_trip(void **state)
{
	struct uuid u, v;
	char s[UUID_STR_MAX], upper[UUID_STR_MAX];
	struct mmis_error e;

	(void)state;
	for (int n = 0; n < 100; n++) {
		uuid7_new(&u);
		uuid_format(&u, s);
		assert_int_equal(uuid_parse(s, "id", &v, &e), MMIS_OK);
		assert_memory_equal(&u, &v, sizeof(u));
		for (int i = 0; i < UUID_STR_MAX; i++)
			upper[i] = (s[i] >= 'a' && s[i] <= 'f') ? (char)(s[i] - 'a' + 'A') : s[i];
		memset(&v, 0, sizeof(v));
		assert_int_equal(uuid_parse(upper, "id", &v, &e), MMIS_OK);
		assert_memory_equal(&u, &v, sizeof(u));
	}
}

static void test_known_values(void **state)
{
	struct uuid u;
	char s[UUID_STR_MAX];

	(void)state;
	/* The UUIDv7 example of RFC 9562, appendix A.6. */
	assert_int_equal(uuid_parse("017F22E2-79B0-7CC3-98C4-DC0C0C07398F", NULL, &u, NULL), MMIS_OK);
	assert_int_equal(uuid_version(&u), 7);
	assert_int_equal(uuid7_time_ms(&u), INT64_C(0x017F22E279B0));
	assert_int_equal(uuid7_time_ms(&u), INT64_C(1645557742000));
	uuid_format(&u, s);
	assert_string_equal(s, "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
	assert_int_equal(uuid_parse("f47ac10b-58cc-4372-a567-0e02b2c3d479", NULL, &u, NULL), MMIS_OK);
	assert_int_equal(uuid_version(&u), 4);
	assert_int_equal(uuid_parse("00000000-0000-0000-0000-000000000000", NULL, &u, NULL), MMIS_OK);
	assert_int_equal(uuid_version(&u), 0);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398",
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398f0",
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398f ",
		" 017f22e2-79b0-7cc3-98c4-dc0c0c07398f",
		"017f22e279b07cc398c4dc0c0c07398f",
		"017f22e2-79b07-cc3-98c4-dc0c0c07398f",
		"017f22e2_79b0_7cc3_98c4_dc0c0c07398f",
		"017f22g2-79b0-7cc3-98c4-dc0c0c07398f",
		"{017f22e2-79b0-7cc3-98c4-dc0c0c07398f}",
		"urn:uuid:017f22e2-79b0-7cc3-98c4-dc0c0c07398f",
		"017f22e2-79b0-7cc3-98c4-",
		"017f22e2-",
		"+17f22e2-79b0-7cc3-98c4-dc0c0c07398f",
	};
	struct uuid u = { { 1 } };
	struct mmis_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (uuid_valid(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(uuid_parse(bad[i], "case_id", &u, &e), MMIS_EINVAL);
		assert_string_equal(e.field, "case_id");
		assert_true(strlen(e.message) > 0);
	}
	assert_int_equal(u.bytes[0], 1); /* untouched */
	assert_false(uuid_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_form),
		cmocka_unit_test(test_version_and_variant),
		cmocka_unit_test(test_monotonic),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_parse_round_trip),
		cmocka_unit_test(test_known_values),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
