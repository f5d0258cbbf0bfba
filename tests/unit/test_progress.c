/* test_progress.c - the progress bar's rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "progress.h"

static void test_half_way(void **state)
{
	char buf[256];
	(void)state;
	size_t n = progress_render(buf, sizeof(buf), 80, "importing", 500, 1000, 10000);
	assert_int_equal(n, strlen(buf));
	assert_non_null(strstr(buf, "importing ["));
	assert_non_null(strstr(buf, " 50%"));
	assert_non_null(strstr(buf, "500/1000"));
	assert_non_null(strstr(buf, "10s left"));
	assert_true(strlen(buf) <= 80);
}

static void test_bar_cells(void **state)
{
	char buf[256];
	(void)state;
	progress_render(buf, sizeof(buf), 80, "x", 1000, 1000, 5000);
	assert_non_null(strstr(buf, "100%"));
	assert_null(strchr(buf, '.')); /* full bar */
	assert_null(strstr(buf, "left")); /* nothing left to estimate */
	progress_render(buf, sizeof(buf), 80, "x", 0, 1000, 0);
	assert_null(strchr(buf, '#')); /* empty bar */
	assert_non_null(strstr(buf, "  0%"));
}

static void test_overrun_and_unknown_total(void **state)
{
	char buf[256];
	(void)state;
	progress_render(buf, sizeof(buf), 80, "x", 2000, 1000, 1);
	assert_non_null(strstr(buf, "100%"));
	progress_render(buf, sizeof(buf), 80, "reading", 12345, 0, 1);
	assert_string_equal(buf, "reading 12345");
}

static void test_small_buffer(void **state)
{
	char buf[8];
	(void)state;
	size_t n = progress_render(buf, sizeof(buf), 80, "importing", 1, 2, 1);
	assert_int_equal(n, 7);
	assert_int_equal(strlen(buf), 7);
	assert_int_equal(progress_render(buf, 0, 80, "x", 1, 2, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_half_way),
		cmocka_unit_test(test_bar_cells),
		cmocka_unit_test(test_overrun_and_unknown_total),
		cmocka_unit_test(test_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
