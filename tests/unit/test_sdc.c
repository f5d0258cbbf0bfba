/*
 * test_sdc.c - disclosure control (lib/stats/table.c): on random tables of one to four
 * dimensions, no published cell is below K, the margins add up, and no suppressed cell can be
 * recovered from the published cells and margins: an attacker's exact solver (Gaussian
 * elimination over the integers modulo the prime 2^31 - 1, written here independently of the
 * library) is given every published value and every additive relation along every dimension,
 * margins included, and must not be able to pin any suppressed cell down.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mmis/stats.h"
#include "mmis/rng.h"

#define P ((uint64_t)2147483647) /* 2^31 - 1, a prime */

static struct rng rng_state = { 0x1234567 };

static uint64_t rnd(void)
{
	return rng_next(&rng_state);
}

static int below(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

static uint64_t mulmod(uint64_t a, uint64_t b)
{
	return a * b % P;
}

static uint64_t addmod(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;
	return s >= P ? s - P : s;
}

static uint64_t submod(uint64_t a, uint64_t b)
{
	return a >= b ? a - b : a + P - b;
}

static uint64_t powmod(uint64_t a, uint64_t e)
{
	uint64_t r = 1;
	while (e) {
		if (e & 1)
			r = mulmod(r, a);
		a = mulmod(a, a);
		e >>= 1;
	}
	return r;
}

static uint64_t invmod(uint64_t a)
{
	return powmod(a, P - 2);
}

/* The extended table as the attacker sees it: every cell (margins too), published or not. */
struct ext {
	int d;
	size_t n[STATS_DIMS_MAX];   /* codes per dimension (the total is index n) */
	size_t total;               /* cells of the extended array */
	int64_t *value;             /* true values */
	bool *hidden;
};

static size_t offset(const struct ext *e, const int32_t *idx)
{
	size_t o = 0;
	for (int k = 0; k < e->d; k++)
		o = o * (e->n[k] + 1) + (size_t)idx[k];
	return o;
}

static void from_offset(const struct ext *e, size_t o, int32_t *idx)
{
	for (int k = e->d - 1; k >= 0; k--) {
		idx[k] = (int32_t)(o % (e->n[k] + 1));
		o /= e->n[k] + 1;
	}
}

/* How many hidden cells the margins pin down exactly (0 is the goal), by RREF modulo P. */
static size_t recoverable(const struct ext *e)
{
	size_t *var = malloc(e->total * sizeof(size_t)), nv = 0;
	assert_non_null(var);
	for (size_t o = 0; o < e->total; o++)
		var[o] = e->hidden[o] ? nv++ : SIZE_MAX;
	if (!nv) {
		free(var);
		return 0;
	}
	/* One equation per line: sum of the codes' cells minus the total's cell is zero. */
	size_t cap = 16, m = 0;
	uint64_t *rows = malloc(cap * nv * sizeof(uint64_t));
	assert_non_null(rows);
	for (int k = 0; k < e->d; k++) {
		for (size_t o = 0; o < e->total; o++) {
			int32_t idx[STATS_DIMS_MAX];
			from_offset(e, o, idx);
			if (idx[k] != 0)
				continue; /* each line once: from its first cell along k */
			uint64_t *row;
			bool any = false;
			if (m == cap) {
				cap *= 2;
				rows = realloc(rows, cap * nv * sizeof(uint64_t));
				assert_non_null(rows);
			}
			row = rows + m * nv;
			memset(row, 0, nv * sizeof(uint64_t));
			for (size_t j = 0; j <= e->n[k]; j++) {
				idx[k] = (int32_t)j;
				size_t c = offset(e, idx);
				if (var[c] == SIZE_MAX)
					continue; /* known: moves to the right-hand side (not needed) */
				row[var[c]] = j == e->n[k] ? P - 1 : 1;
				any = true;
			}
			if (any)
				m++;
		}
	}
	/* Reduced row echelon form. */
	size_t *pivot_of_row = malloc((m + 1) * sizeof(size_t)), r = 0;
	assert_non_null(pivot_of_row);
	for (size_t c = 0; c < nv && r < m; c++) {
		size_t p = r;
		while (p < m && !rows[p * nv + c])
			p++;
		if (p == m)
			continue;
		if (p != r)
			for (size_t j = 0; j < nv; j++) {
				uint64_t t = rows[p * nv + j];
				rows[p * nv + j] = rows[r * nv + j];
				rows[r * nv + j] = t;
			}
		uint64_t inv = invmod(rows[r * nv + c]);
		for (size_t j = 0; j < nv; j++)
			rows[r * nv + j] = mulmod(rows[r * nv + j], inv);
		for (size_t i = 0; i < m; i++) {
			if (i == r || !rows[i * nv + c])
				continue;
			uint64_t f = rows[i * nv + c];
			for (size_t j = 0; j < nv; j++)
				if (rows[r * nv + j])
					rows[i * nv + j] = submod(rows[i * nv + j],
								  mulmod(f, rows[r * nv + j]));
		}
		pivot_of_row[r++] = c;
	}
	/* A hidden cell is pinned when its pivot row has nothing in the free columns. */
	bool *is_pivot = calloc(nv, sizeof(bool));
	assert_non_null(is_pivot);
	for (size_t i = 0; i < r; i++)
		is_pivot[pivot_of_row[i]] = true;
	size_t pinned = 0;
	for (size_t i = 0; i < r; i++) {
		bool alone = true;
		for (size_t j = 0; j < nv && alone; j++)
			if (j != pivot_of_row[i] && !is_pivot[j] && rows[i * nv + j])
				alone = false;
		pinned += alone;
	}
	(void)addmod;
	free(is_pivot);
	free(pivot_of_row);
	free(rows);
	free(var);
	return pinned;
}

/* Build a random table, suppress it with K, and check it as an attacker would. */
static void check_random_table(int d, int k_min, size_t *n_sup_total, size_t *n_cells_total)
{
	size_t sizes[STATS_DIMS_MAX], n = 1;
	for (int k = 0; k < d; k++) {
		sizes[k] = (size_t)(2 + below(d >= 3 ? 4 : 7));
		n *= sizes[k];
	}
	int32_t *idx = malloc(n * (size_t)(d ? d : 1) * sizeof(int32_t));
	int64_t *counts = malloc(n * sizeof(int64_t));
	assert_non_null(idx);
	assert_non_null(counts);
	int profile = below(3); /* sparse and small / mixed / mostly large */
	for (size_t c = 0; c < n; c++) {
		size_t rest = c;
		for (int k = d - 1; k >= 0; k--) {
			idx[c * (size_t)d + (size_t)k] = (int32_t)(rest % sizes[k]);
			rest /= sizes[k];
		}
		int x = below(100);
		if (profile == 0)
			counts[c] = x < 40 ? 0 : x < 80 ? 1 + below(4) : 5 + below(20);
		else if (profile == 1)
			counts[c] = x < 20 ? 0 : x < 45 ? 1 + below(4) : 5 + below(200);
		else
			counts[c] = x < 10 ? 0 : x < 20 ? 1 + below(4) : 5 + below(1000);
	}
	struct stats_table *t = NULL;
	struct mmis_error err;
	assert_int_equal(stats_table_from_cells(d, sizes, n, idx, counts, k_min, &t, &err), MMIS_OK);

	struct ext e = { .d = d, .total = 1 };
	for (int k = 0; k < d; k++) {
		e.n[k] = stats_table_codes(t, k);
		assert_int_equal(e.n[k], sizes[k]);
		e.total *= e.n[k] + 1;
	}
	e.value = calloc(e.total, sizeof(int64_t));
	e.hidden = calloc(e.total, sizeof(bool));
	assert_non_null(e.value);
	assert_non_null(e.hidden);
	/* The true values, computed here from the input (not trusted from the library). */
	for (size_t c = 0; c < n; c++)
		for (unsigned mask = 0; mask < (1u << d); mask++) {
			int32_t m[STATS_DIMS_MAX];
			for (int k = 0; k < d; k++)
				m[k] = (mask & (1u << k)) ? (int32_t)sizes[k] : idx[c * (size_t)d + (size_t)k];
			e.value[offset(&e, m)] += counts[c];
		}
	/* The library's cells: same values; suppressed ones hidden. */
	size_t listed = 0;
	for (size_t i = 0; i < stats_table_all_cells(t); i++) {
		int32_t ci[STATS_DIMS_MAX];
		int64_t v;
		bool sup;
		stats_table_cell_at(t, i, ci, &v, &sup);
		size_t o = offset(&e, ci);
		assert_int_equal(v, e.value[o]);
		e.hidden[o] = sup;
		if (sup)
			assert_true(v >= 1); /* never a zero hidden */
		else if (v > 0)
			assert_false(v < k_min); /* nothing published below K */
		listed++;
	}
	size_t nonzero = 0;
	for (size_t o = 0; o < e.total; o++)
		nonzero += e.value[o] != 0;
	assert_int_equal(listed, nonzero);
	/* Every published row says the same as the cells. */
	for (size_t r = 0; r < stats_table_rows(t); r++) {
		int64_t v = stats_table_count(t, r);
		assert_true(v == -1 || v >= k_min || v == 0 || k_min <= 1);
	}
	size_t pinned = recoverable(&e);
	if (pinned) {
		fprintf(stderr, "# %zu suppressed cells recoverable (d=%d)\n", pinned, d);
		fail();
	}
	size_t sup = 0;
	for (size_t o = 0; o < e.total; o++)
		sup += e.hidden[o];
	*n_sup_total += sup;
	*n_cells_total += nonzero;
	free(e.value);
	free(e.hidden);
	free(idx);
	free(counts);
	stats_table_free(t);
}

static void test_random_tables(void **state)
{
	(void)state;
	size_t sup = 0, cells = 0;
	for (int d = 1; d <= 4; d++)
		for (int i = 0; i < (d == 4 ? 40 : 150); i++)
			check_random_table(d, 5, &sup, &cells);
	/* Another K, as deployments choose. */
	for (int i = 0; i < 60; i++)
		check_random_table(1 + below(3), 11, &sup, &cells);
	fprintf(stderr, "# %zu of %zu non-zero cells suppressed over the random tables\n", sup, cells);
}

/*
 * The solver itself must see a disclosure when there is one, or the test above proves nothing.
 * Suppressing two 2x2 rectangles joined by one cell leaves every row and column of a 4x4 table
 * with two or three suppressed cells (what a "second cell in every line" heuristic aims for),
 * yet the joining cell is the sum of two rows minus two columns: it can be recovered.
 */
static void test_solver_sees_a_bridge(void **state)
{
	(void)state;
	struct ext e = { .d = 2, .n = { 4, 4 }, .total = 25 };
	static const int hide[][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 }, { 1, 2 },
				       { 2, 2 }, { 2, 3 }, { 3, 2 }, { 3, 3 } };
	e.value = calloc(e.total, sizeof(int64_t));
	e.hidden = calloc(e.total, sizeof(bool));
	assert_non_null(e.value);
	assert_non_null(e.hidden);
	for (size_t i = 0; i < sizeof(hide) / sizeof(hide[0]); i++) {
		int32_t idx[2] = { hide[i][0], hide[i][1] };
		e.hidden[offset(&e, idx)] = true;
	}
	assert_int_equal(recoverable(&e), 1);
	/* Without the joining cell, the two rectangles keep each other's secret. */
	int32_t bridge[2] = { 1, 2 };
	e.hidden[offset(&e, bridge)] = false;
	assert_int_equal(recoverable(&e), 0);
	free(e.value);
	free(e.hidden);
}

static void test_no_suppression(void **state)
{
	(void)state;
	size_t sizes[1] = { 3 };
	int32_t idx[] = { 0, 1, 2 };
	int64_t counts[] = { 1, 2, 30 };
	struct stats_table *t = NULL;
	struct mmis_error err;
	size_t prim = 0;
	assert_int_equal(stats_table_from_cells(1, sizes, 3, idx, counts, 0, &t, &err), MMIS_OK);
	assert_int_equal(stats_table_suppressed(t, &prim), 0);
	assert_int_equal(stats_table_rows(t), 4); /* three cells and the total */
	assert_int_equal(stats_table_count(t, 0), 1);
	assert_int_equal(stats_table_count(t, 3), 33);
	stats_table_free(t);
	/* K = 5: 1 and 2 suppressed; the total (33) would give 1 + 2 = 3 away, but not each. */
	assert_int_equal(stats_table_from_cells(1, sizes, 3, idx, counts, 5, &t, &err), MMIS_OK);
	assert_int_equal(stats_table_suppressed(t, &prim), 2);
	assert_int_equal(prim, 2);
	assert_int_equal(stats_table_count(t, 0), -1);
	assert_int_equal(stats_table_count(t, 1), -1);
	assert_int_equal(stats_table_count(t, 2), 30);
	stats_table_free(t);
	/* One small cell only: a second cell (the cheapest) goes with it. */
	int64_t one[] = { 2, 40, 30 };
	assert_int_equal(stats_table_from_cells(1, sizes, 3, idx, one, 5, &t, &err), MMIS_OK);
	assert_int_equal(stats_table_suppressed(t, &prim), 2);
	assert_int_equal(stats_table_count(t, 0), -1);
	assert_int_equal(stats_table_count(t, 1), 40);
	assert_int_equal(stats_table_count(t, 2), -1);
	assert_int_equal(stats_table_count(t, 3), 72);
	stats_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_suppression),
		cmocka_unit_test(test_solver_sees_a_bridge),
		cmocka_unit_test(test_random_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
