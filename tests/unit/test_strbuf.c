/* test_strbuf.c - the string builder with a hard maximum and a sticky error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mmis/strbuf.h"

static void test_empty(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 100);
	assert_non_null(strbuf_str(&sb));
	assert_string_equal(strbuf_str(&sb), "");
	assert_int_equal(sb.len, 0);
	assert_int_equal(strbuf_error(&sb), MMIS_OK);
	strbuf_add(&sb, "", 0);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_release(&sb);
	strbuf_release(NULL);
}

static void test_appends(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 4096);
	strbuf_addstr(&sb, "id=");
	strbuf_addf(&sb, "%d", 42);
	strbuf_addch(&sb, ',');
	strbuf_add(&sb, "xyz", 1);
	strbuf_addf(&sb, "%s|%05.1f", "", 2.5);
	assert_string_equal(strbuf_str(&sb), "id=42,x|002.5");
	assert_int_equal(sb.len, strlen("id=42,x|002.5"));
	assert_int_equal(strbuf_error(&sb), MMIS_OK);
	strbuf_release(&sb);
	assert_int_equal(sb.max, 4096);
	assert_null(sb.buf);
}

static void test_growth(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 1 << 20);
	for (int i = 0; i < 10000; i++)
		strbuf_addch(&sb, (char)('a' + i % 26));
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "[%04d]", i);
	assert_int_equal(strbuf_error(&sb), MMIS_OK);
	assert_int_equal(sb.len, 10000 + 6000);
	assert_int_equal(strlen(strbuf_str(&sb)), sb.len);
	assert_int_equal(strbuf_str(&sb)[9999], 'a' + 9999 % 26);
	assert_memory_equal(strbuf_str(&sb) + sb.len - 6, "[0999]", 6);
	assert_true(sb.alloc > sb.len);
	strbuf_release(&sb);
}

static void test_binary(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 16);
	strbuf_add(&sb, "a\0b", 3);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(strbuf_str(&sb), "a\0b", 4);
	strbuf_release(&sb);
}

static void test_max_is_exact(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 5);
	strbuf_addstr(&sb, "12345");
	assert_int_equal(strbuf_error(&sb), MMIS_OK);
	assert_string_equal(strbuf_str(&sb), "12345");
	strbuf_addch(&sb, 'x');
	assert_int_equal(strbuf_error(&sb), MMIS_ETOOBIG);
	assert_string_equal(strbuf_str(&sb), "12345");
	assert_true(sb.alloc <= 6);
	strbuf_release(&sb);
}

static void test_failing_append_adds_nothing_and_sticks(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 10);
	strbuf_addstr(&sb, "abc");
	strbuf_addstr(&sb, "12345678");
	assert_int_equal(strbuf_error(&sb), MMIS_ETOOBIG);
	assert_string_equal(strbuf_str(&sb), "abc");
	/* Sticky: a later append that would fit is ignored too. */
	strbuf_addstr(&sb, "d");
	strbuf_addf(&sb, "%d", 1);
	assert_string_equal(strbuf_str(&sb), "abc");
	assert_int_equal(sb.len, 3);
	assert_int_equal(strbuf_error(&sb), MMIS_ETOOBIG);
	strbuf_release(&sb);
}

static void test_addf_too_big(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 12);
	strbuf_addstr(&sb, "n=");
	strbuf_addf(&sb, "%d", 123); /* fits in the allocation */
	strbuf_addf(&sb, "%s", "0123456789");
	assert_int_equal(strbuf_error(&sb), MMIS_ETOOBIG);
	assert_string_equal(strbuf_str(&sb), "n=123");
	assert_int_equal(strlen(strbuf_str(&sb)), sb.len);
	strbuf_release(&sb);
}

static void test_reset_clears_error(void **state)
{
	struct strbuf sb;
	const char *before;

	(void)state;
	strbuf_init(&sb, 4);
	strbuf_addstr(&sb, "abcdef");
	assert_int_equal(strbuf_error(&sb), MMIS_ETOOBIG);
	strbuf_addstr(&sb, "ab");
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_reset(&sb);
	assert_int_equal(strbuf_error(&sb), MMIS_OK);
	strbuf_addstr(&sb, "abcd");
	before = strbuf_str(&sb);
	strbuf_reset(&sb);
	assert_string_equal(strbuf_str(&sb), "");
	assert_ptr_equal(strbuf_str(&sb), before); /* the allocation is kept */
	strbuf_release(&sb);
}

static void test_setlen(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 100);
	strbuf_setlen(&sb, 0);
	strbuf_addstr(&sb, "a, b, ");
	strbuf_setlen(&sb, sb.len - 2);
	assert_string_equal(strbuf_str(&sb), "a, b");
	strbuf_setlen(&sb, 50);
	assert_string_equal(strbuf_str(&sb), "a, b");
	assert_int_equal(sb.len, 4);
	strbuf_release(&sb);
}

static void test_detach(void **state)
{
	struct strbuf sb;
	size_t len = 99;
	char *s;

	(void)state;
	strbuf_init(&sb, 64);
	strbuf_addstr(&sb, "MNE");
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "MNE");
	assert_int_equal(len, 3);
	free(s);
	assert_string_equal(strbuf_str(&sb), "");
	assert_int_equal(sb.max, 64);

	/* Empty gives "" that the caller frees. */
	s = strbuf_detach(&sb, NULL);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);

	/* In error: NULL, the content freed, the builder ready again. */
	strbuf_add(&sb, "x", 1);
	strbuf_add(&sb, "0123456789012345678901234567890123456789012345678901234567890123", 64);
	assert_int_equal(strbuf_error(&sb), MMIS_ETOOBIG);
	assert_null(strbuf_detach(&sb, &len));
	assert_int_equal(len, 0);
	assert_int_equal(strbuf_error(&sb), MMIS_OK);
	strbuf_addstr(&sb, "again");
	assert_string_equal(strbuf_str(&sb), "again");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_max_is_exact),
		cmocka_unit_test(test_failing_append_adds_nothing_and_sticks),
		cmocka_unit_test(test_addf_too_big),
		cmocka_unit_test(test_reset_clears_error),
		cmocka_unit_test(test_setlen),
		cmocka_unit_test(test_detach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
