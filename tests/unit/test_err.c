/* test_err.c - the error enum and the detailed error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mmis/err.h"

static void test_codes_are_stable(void **state)
{
	(void)state;
	/* Scripts and partners depend on these numbers: a renumbering must fail here. */
	assert_int_equal(MMIS_OK, 0);
	assert_int_equal(MMIS_ENOMEM, 1);
	assert_int_equal(MMIS_EINVAL, 2);
	assert_int_equal(MMIS_ENOTFOUND, 3);
	assert_int_equal(MMIS_EDENIED, 4);
	assert_int_equal(MMIS_ECONFLICT, 5);
	assert_int_equal(MMIS_EIO, 6);
	assert_int_equal(MMIS_EDB, 7);
	assert_int_equal(MMIS_EVERSION, 8);
	assert_int_equal(MMIS_ETOOBIG, 9);
	assert_int_equal(MMIS_EUNSUPPORTED, 10);
	assert_int_equal(MMIS_EBUSY, 11);
	assert_int_equal(MMIS_EAUTH, 12);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int i = 0; i < MMIS_ERR__COUNT; i++) {
		const char *t = mmis_strerror((enum mmis_err)i);

		assert_non_null(t);
		assert_true(strlen(t) > 0);
		assert_string_not_equal(t, "unknown error");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(t, mmis_strerror((enum mmis_err)j));
	}
	assert_string_equal(mmis_strerror(MMIS_EINVAL), "invalid data");
	assert_string_equal(mmis_strerror(MMIS_ERR__COUNT), "unknown error");
	assert_string_equal(mmis_strerror((enum mmis_err)9999), "unknown error");
	assert_string_equal(mmis_strerror((enum mmis_err)-1), "unknown error");
}

static void test_set_and_clear(void **state)
{
	struct mmis_error e;

	(void)state;
	assert_int_equal(mmis_error_set(&e, MMIS_EINVAL, "birth_date", "not a date: %s", "x"),
			 MMIS_EINVAL);
	assert_int_equal(e.code, MMIS_EINVAL);
	assert_string_equal(e.field, "birth_date");
	assert_string_equal(e.message, "not a date: x");
	assert_string_equal(mmis_error_text(&e), "not a date: x");

	mmis_error_set(&e, MMIS_ENOTFOUND, NULL, "no case %d", 7);
	assert_string_equal(e.field, "");
	assert_string_equal(e.message, "no case 7");

	mmis_error_clear(&e);
	assert_int_equal(e.code, MMIS_OK);
	assert_string_equal(e.field, "");
	assert_string_equal(e.message, "");
	assert_string_equal(mmis_error_text(&e), "success");
	mmis_error_clear(NULL);
}

static void test_null_error_is_allowed(void **state)
{
	(void)state;
	assert_int_equal(mmis_error_set(NULL, MMIS_EDENIED, "f", "%s", "no"), MMIS_EDENIED);
	assert_int_equal(mmis_error_prefix(NULL, "ctx"), MMIS_OK);
	assert_string_equal(mmis_error_text(NULL), "success");
}

static void test_long_texts_are_cut(void **state)
{
	char big[2000];
	struct mmis_error e;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mmis_error_set(&e, MMIS_EINVAL, big, "%s", big);
	assert_int_equal(strlen(e.field), MMIS_ERROR_FIELD_MAX - 1);
	assert_int_equal(strlen(e.message), MMIS_ERROR_MESSAGE_MAX - 1);
	mmis_error_prefix(&e, "%s", big);
	assert_int_equal(strlen(e.message), MMIS_ERROR_MESSAGE_MAX - 1);
}

static void test_prefix(void **state)
{
	struct mmis_error e;

	(void)state;
	mmis_error_set(&e, MMIS_EIO, "db", "permission denied");
	assert_int_equal(mmis_error_prefix(&e, "opening %s", "./mmis.db"), MMIS_EIO);
	assert_string_equal(e.message, "opening ./mmis.db: permission denied");
	assert_string_equal(e.field, "db");
	assert_int_equal(e.code, MMIS_EIO);

	/* Without a message the code's text is what gets the context. */
	mmis_error_set(&e, MMIS_ENOMEM, NULL, NULL);
	assert_string_equal(mmis_error_text(&e), "out of memory");
	mmis_error_prefix(&e, "loading");
	assert_string_equal(e.message, "loading: out of memory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_are_stable),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_set_and_clear),
		cmocka_unit_test(test_null_error_is_allowed),
		cmocka_unit_test(test_long_texts_are_cut),
		cmocka_unit_test(test_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
