/* test_arena.c - the region allocator. Run under ASan, every byte handed out is also written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdalign.h>
#include <stdbool.h>
#include <string.h>

#include "mmis/arena.h"

static bool aligned(const void *p)
{
	return (uintptr_t)p % alignof(max_align_t) == 0;
}

static void test_new_and_free(void **state)
{
	struct arena *a = arena_new(0);

	(void)state;
	assert_non_null(a);
	assert_int_equal(arena_used(a), 0);
	arena_free(a);
	arena_free(NULL);
}

static void test_alignment(void **state)
{
	struct arena *a = arena_new(256);

	(void)state;
	for (size_t n = 0; n < 300; n++) {
		unsigned char *p = arena_alloc(a, n);

		assert_non_null(p);
		assert_true(aligned(p));
		memset(p, 0xab, n);
	}
	arena_free(a);
}

static void test_contents_survive_many_blocks(void **state)
{
	struct arena *a = arena_new(128);
	uint32_t *p[2000];

	(void)state;
	for (uint32_t i = 0; i < 2000; i++) {
		p[i] = arena_alloc(a, 3 * sizeof(uint32_t));
		assert_non_null(p[i]);
		p[i][0] = p[i][1] = p[i][2] = i;
	}
	for (uint32_t i = 0; i < 2000; i++) {
		assert_int_equal(p[i][0], i);
		assert_int_equal(p[i][2], i);
	}
	assert_int_equal(arena_used(a), 2000 * 3 * sizeof(uint32_t));
	arena_free(a);
}

static void test_zero_bytes(void **state)
{
	struct arena *a = arena_new(0);
	void *p = arena_alloc(a, 0), *q = arena_alloc(a, 0);

	(void)state;
	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
	assert_non_null(arena_memdup(a, NULL, 0));
	arena_free(a);
}

static void test_large_allocations(void **state)
{
	struct arena *a = arena_new(1024);
	char *small1 = arena_alloc(a, 100), *big, *small2;

	(void)state;
	big = arena_alloc(a, 1 << 20);
	assert_non_null(big);
	assert_true(aligned(big));
	memset(big, 'b', 1 << 20);
	/* The current block keeps serving small requests: the next one follows the first. */
	small2 = arena_alloc(a, 100);
	assert_non_null(small2);
	assert_ptr_equal(small2, small1 + (100 + alignof(max_align_t) - 1) / alignof(max_align_t) *
					     alignof(max_align_t));
	memset(small1, 's', 100);
	memset(small2, 's', 100);
	assert_int_equal(big[0], 'b');
	assert_int_equal(big[(1 << 20) - 1], 'b');
	assert_int_equal(arena_used(a), 200 + (1 << 20));
	arena_free(a);
}

static void test_absurd_sizes(void **state)
{
	struct arena *a = arena_new(0);

	(void)state;
	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_alloc(a, SIZE_MAX - 8));
	assert_null(arena_alloc(a, SIZE_MAX / 2));
	assert_null(arena_calloc(a, SIZE_MAX / 2 + 1, 2));
	assert_null(arena_calloc(a, SIZE_MAX, SIZE_MAX));
	assert_null(arena_calloc(a, (size_t)1 << 33, (size_t)1 << 33));
	assert_int_equal(arena_used(a), 0);
	assert_null(arena_new(SIZE_MAX));
	/* The arena is still usable after a refusal. */
	assert_non_null(arena_alloc(a, 10));
	arena_free(a);
}

static void test_calloc_zeroes_reused_memory(void **state)
{
	struct arena *a = arena_new(4096);
	unsigned char *p = arena_alloc(a, 1000), *q;

	(void)state;
	memset(p, 0xff, 1000);
	arena_reset(a);
	q = arena_calloc(a, 250, 4);
	assert_ptr_equal(p, q); /* the first block is kept and reused */
	for (size_t i = 0; i < 1000; i++)
		assert_int_equal(q[i], 0);
	assert_non_null(arena_calloc(a, 0, 8));
	arena_free(a);
}

static void test_reset(void **state)
{
	struct arena *a = arena_new(64);
	void *first = arena_alloc(a, 8);

	(void)state;
	for (int i = 0; i < 100; i++)
		assert_non_null(arena_alloc(a, 48));
	assert_non_null(arena_alloc(a, 10000));
	assert_int_equal(arena_used(a), 8 + 100 * 48 + 10000);
	arena_reset(a);
	assert_int_equal(arena_used(a), 0);
	assert_ptr_equal(arena_alloc(a, 8), first);
	arena_reset(a);
	arena_reset(a);
	arena_reset(NULL);
	arena_free(a);
}

static void test_strings(void **state)
{
	struct arena *a = arena_new(32);
	char *s;

	(void)state;
	assert_string_equal(arena_strdup(a, "Podgorica"), "Podgorica");
	assert_string_equal(arena_strdup(a, ""), "");
	assert_null(arena_strdup(a, NULL));
	assert_null(arena_strndup(a, NULL, 4));
	assert_string_equal(arena_strndup(a, "Bar, Ulcinj", 3), "Bar");
	assert_string_equal(arena_strndup(a, "Bar", 100), "Bar");
	s = arena_memdup(a, "a\0b", 3);
	assert_memory_equal(s, "a\0b", 3);
	assert_string_equal(arena_printf(a, "%s-%03d", "BCP", 7), "BCP-007");
	/* Longer than a block: gets its own. */
	s = arena_printf(a, "%0*d", 5000, 42);
	assert_non_null(s);
	assert_int_equal(strlen(s), 5000);
	assert_string_equal(s + 4998, "42");
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_free),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_contents_survive_many_blocks),
		cmocka_unit_test(test_zero_bytes),
		cmocka_unit_test(test_large_allocations),
		cmocka_unit_test(test_absurd_sizes),
		cmocka_unit_test(test_calloc_zeroes_reused_memory),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
