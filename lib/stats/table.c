/*
 * table.c - tables of counts with their margins, and disclosure control (stats.h).
 *
 * A table of d dimensions is held with every margin: dimension k has codes 0..n_k-1 and the total
 * at index n_k. Cells are kept sparse (zero cells are absent) in an open-addressing hash keyed by
 * the packed indices (12 bits a dimension).
 *
 * Disclosure control, in two steps (three for the records of victims):
 *  1. Primary suppression: every cell, margins included, with 0 < count < K. Zeros are published:
 *     that nobody of a group crossed is not confidential (Eurostat's practice).
 *  2. Secondary suppression by the hypercube method (Repsilber's GHMITER, as in tau-ARGUS): each
 *     suppressed cell that is not yet protected becomes a corner of a d-dimensional box whose
 *     2^d corners are all suppressed and non-zero. Giving the corners alternate signs (+1 at the
 *     cell, -1 at corners differing in one dimension, +1 in two, ...) changes no line of the
 *     table (every line through the box meets exactly two corners, of opposite signs), and every
 *     corner can move by one either way without going negative, so no corner can be worked out
 *     from the published cells and margins: each has at least three values consistent with them.
 *     Among the boxes through the cell, the one adding the least (the sum of the counts it newly
 *     hides) is chosen; boxes whose corners are already suppressed cost nothing.
 *  The brief's line heuristic (suppress a second cell in every line holding exactly one) is not
 *  enough: in a two-dimensional table a suppressed cell that is a bridge of the pattern can be
 *  recovered by adding and subtracting lines although every line holds two. The test suite
 *  checks the boxes' guarantee by solving the margins exactly (tests/unit/test_sdc.c).
 *  3. The group rule, for the protection sources (cases, referrals, services): no line whose
 *     margin is published may have hidden cells adding up to 1..K-1, since that sum is the
 *     margin less the published cells; more cells are hidden until none does (apply_group_rule).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/strbuf.h"

#define BITS 12
#define IDX_MASK ((1u << BITS) - 1)
#define USED (1ULL << 63)

enum { F_SUP = 1, F_PRIMARY = 2, F_PROTECTED = 4 };

struct cell {
	uint64_t key; /* 0: empty slot */
	int64_t count;
	uint8_t flags;
};

struct cellmap {
	struct cell *slots;
	size_t cap, n;
};

struct stats_table {
	int n_dims;
	enum stats_dim dims[STATS_DIMS_MAX];
	char **codes[STATS_DIMS_MAX]; /* n_codes[k] codes, owned */
	size_t n_codes[STATS_DIMS_MAX];
	struct cellmap map;
	struct cell **all;   /* every cell, sorted by indices */
	size_t n_all;
	size_t *rows;        /* indices into `all` of the published rows */
	size_t n_rows;
	size_t n_suppressed, n_primary;
	struct cell **dense;  /* every cell of the extended table by offset, when it is small enough */
	size_t stride[STATS_DIMS_MAX];
	int min_cell;
	bool group_rule; /* suppression also keeps the sum of a line's hidden cells from 1..K-1 */
	bool totals;
	/* what the exports say about it */
	const struct stats_source *src;
	struct date from, to, on;
	bool has_query;
	char made_at[TIMESTAMP_STR_MAX];
};

/* ---- the cell map */

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static bool map_grow(struct cellmap *m)
{
	size_t nc = m->cap ? m->cap * 2 : 1024;
	struct cell *ns = calloc(nc, sizeof(*ns));
	if (!ns)
		return false;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		size_t j = mix(m->slots[i].key) & (nc - 1);
		while (ns[j].key)
			j = (j + 1) & (nc - 1);
		ns[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = ns;
	m->cap = nc;
	return true;
}

/* Room for n cells without growing. */
static bool map_reserve(struct cellmap *m, size_t n)
{
	while (n * 2 > m->cap)
		if (!map_grow(m))
			return false;
	return true;
}

static struct cell *map_get(const struct cellmap *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	size_t j = mix(key) & (m->cap - 1);
	while (m->slots[j].key) {
		if (m->slots[j].key == key)
			return &m->slots[j];
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}

/* The cell for key, made (count 0) when missing; NULL when out of memory. */
static struct cell *map_put(struct cellmap *m, uint64_t key)
{
	if ((m->n + 1) * 2 > m->cap && !map_grow(m))
		return NULL;
	size_t j = mix(key) & (m->cap - 1);
	while (m->slots[j].key) {
		if (m->slots[j].key == key)
			return &m->slots[j];
		j = (j + 1) & (m->cap - 1);
	}
	m->slots[j].key = key;
	m->slots[j].count = 0;
	m->slots[j].flags = 0;
	m->n++;
	return &m->slots[j];
}

/* The first dimension in the highest bits: keys compare as the index tuples do. */
static uint64_t pack(const int32_t *idx, int d)
{
	uint64_t k = USED;
	for (int i = 0; i < d; i++)
		k |= (uint64_t)(idx[i] & IDX_MASK) << (BITS * (d - 1 - i));
	return k;
}

static void unpack(uint64_t k, int32_t *idx, int d)
{
	for (int i = 0; i < d; i++)
		idx[i] = (int32_t)((k >> (BITS * (d - 1 - i))) & IDX_MASK);
}

/* The cell at indices idx (NULL for a zero cell): by offset in a dense table, else hashed. */
static struct cell *cell_at(const struct stats_table *t, const int32_t *idx)
{
	if (t->dense) {
		size_t o = 0;
		for (int k = 0; k < t->n_dims; k++)
			o += (size_t)idx[k] * t->stride[k];
		return t->dense[o];
	}
	return map_get(&t->map, pack(idx, t->n_dims));
}

/* ---- construction */

static struct stats_table *table_new(int n_dims)
{
	struct stats_table *t = calloc(1, sizeof(*t));
	if (t)
		t->n_dims = n_dims;
	return t;
}

void stats_table_free(struct stats_table *t)
{
	if (!t)
		return;
	for (int k = 0; k < t->n_dims; k++) {
		for (size_t i = 0; t->codes[k] && i < t->n_codes[k]; i++)
			free(t->codes[k][i]);
		free(t->codes[k]);
	}
	free(t->map.slots);
	free(t->all);
	free(t->rows);
	free(t->dense);
	free(t);
}

/* Add a base cell's count to it and to every margin above it. */
static bool add_with_margins(struct stats_table *t, const int32_t *idx, int64_t count)
{
	int d = t->n_dims;
	int32_t m[STATS_DIMS_MAX];
	for (unsigned mask = 0; mask < (1u << d); mask++) {
		for (int k = 0; k < d; k++)
			m[k] = (mask & (1u << k)) ? (int32_t)t->n_codes[k] : idx[k];
		struct cell *c = map_put(&t->map, pack(m, d));
		if (!c)
			return false;
		c->count += count;
	}
	return true;
}

/* Tables up to this many cells, margins included, are summed in a dense array (32 MiB). */
#define DENSE_MAX ((size_t)4 << 20)

/*
 * The cells and every margin from the base cells (n of them, d indices each): in a dense array,
 * summed along one dimension after the other, when the whole table is small enough (a few
 * sequential passes instead of 2^d hash updates a cell); the cells are then listed in the order
 * of their indices, and t->all is made. Otherwise in the hash, cell by cell.
 */
static bool build_cells(struct stats_table *t, size_t n, const int32_t *idx, const int64_t *counts)
{
	int d = t->n_dims;
	size_t e = 1, stride[STATS_DIMS_MAX];
	int64_t *v = NULL;

	for (int k = 0; k < d && e <= DENSE_MAX; k++)
		e *= t->n_codes[k] + 1;
	if (d > 0 && e <= DENSE_MAX)
		v = calloc(e, sizeof(*v));
	if (!v) {
		for (size_t c = 0; c < n; c++)
			if (counts[c] && !add_with_margins(t, idx + c * (size_t)d, counts[c]))
				return false;
		return true;
	}
	stride[d - 1] = 1;
	for (int k = d - 2; k >= 0; k--)
		stride[k] = stride[k + 1] * (t->n_codes[k + 1] + 1);
	for (size_t c = 0; c < n; c++) {
		size_t o = 0;
		for (int k = 0; k < d; k++)
			o += (size_t)idx[c * (size_t)d + (size_t)k] * stride[k];
		v[o] += counts[c];
	}
	for (int k = 0; k < d; k++) {
		size_t nk = t->n_codes[k], block = (nk + 1) * stride[k];
		for (size_t b = 0; b < e; b += block)
			for (size_t in = 0; in < stride[k]; in++) {
				int64_t sum = 0;
				for (size_t x = 0; x < nk; x++)
					sum += v[b + in + x * stride[k]];
				v[b + in + nk * stride[k]] += sum;
			}
	}
	size_t nz = 0;
	for (size_t o = 0; o < e; o++)
		nz += v[o] != 0;
	/* a quarter full: the search for boxes looks up many cells that are not there */
	if (!map_reserve(&t->map, 2 * nz + 1) || !(t->all = malloc((nz ? nz : 1) * sizeof(*t->all))) ||
	    !(t->dense = calloc(e, sizeof(*t->dense)))) {
		free(v);
		return false;
	}
	memcpy(t->stride, stride, sizeof(stride));
	for (size_t o = 0; o < e; o++) {
		if (!v[o])
			continue;
		int32_t ix[STATS_DIMS_MAX];
		size_t rest = o;
		for (int k = d - 1; k >= 0; k--) {
			ix[k] = (int32_t)(rest % (t->n_codes[k] + 1));
			rest /= t->n_codes[k] + 1;
		}
		struct cell *cl = map_put(&t->map, pack(ix, d)); /* no growth: reserved */
		cl->count = v[o];
		t->all[t->n_all++] = cl;
		t->dense[o] = cl;
	}
	free(v);
	return true;
}

static int cmp_idx(const struct stats_table *t, const struct cell *a, const struct cell *b)
{
	(void)t;
	return (a->key > b->key) - (a->key < b->key);
}

/* qsort has no context argument: sort with a small merge sort instead. */
static void sort_cells(const struct stats_table *t, struct cell **v, struct cell **tmp, size_t n,
		       int (*cmp)(const struct stats_table *, const struct cell *, const struct cell *))
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_cells(t, v, tmp, h, cmp);
	sort_cells(t, v + h, tmp, n - h, cmp);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp(t, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

static int cmp_primary(const struct stats_table *t, const struct cell *a, const struct cell *b)
{
	if (a->count != b->count)
		return a->count < b->count ? -1 : 1;
	return cmp_idx(t, a, b);
}

/* ---- secondary suppression: the hypercube method */

struct cand {
	int32_t j;
	int64_t cost;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	return (x->j > y->j) - (x->j < y->j);
}

/* How many of the cheapest cells beside x along each dimension the search combines: in one
 * dimension the cheapest is the best box; beyond, the product stays a few hundred boxes. */
#define KEEP_MAX 16
static const size_t keep_per_dim[STATS_DIMS_MAX + 1] = { 0, 1, 16, 8, 5, 4 };

/* Cost of box `j` (the alternative index per dimension) through `i`: the counts it newly hides,
 * or -1 when a corner is zero. *fresh receives how many corners it newly hides. */
static int64_t box_cost(const struct stats_table *t, const int32_t *i, const int32_t *j,
			int64_t bound, int *fresh)
{
	int d = t->n_dims;
	int32_t c[STATS_DIMS_MAX];
	int64_t cost = 0;

	*fresh = 0;
	for (unsigned mask = 1; mask < (1u << d); mask++) {
		for (int k = 0; k < d; k++)
			c[k] = (mask & (1u << k)) ? j[k] : i[k];
		const struct cell *cl = cell_at(t, c);
		if (!cl || cl->count < 1)
			return -1;
		if (!(cl->flags & F_SUP)) {
			cost += cl->count;
			++*fresh;
			if (cost > bound)
				return cost;
		}
	}
	return cost;
}

static void box_apply(struct stats_table *t, const int32_t *i, const int32_t *j)
{
	int d = t->n_dims;
	int32_t c[STATS_DIMS_MAX];
	for (unsigned mask = 0; mask < (1u << d); mask++) {
		for (int k = 0; k < d; k++)
			c[k] = (mask & (1u << k)) ? j[k] : i[k];
		struct cell *cl = cell_at(t, c);
		if (cl) /* always: box_cost found every corner */
			cl->flags |= F_SUP | F_PROTECTED;
	}
}

static bool protect(struct stats_table *t, struct cell *x)
{
	int d = t->n_dims;
	int32_t i[STATS_DIMS_MAX], y[STATS_DIMS_MAX], best[STATS_DIMS_MAX], j[STATS_DIMS_MAX];
	struct cand cands[STATS_DIMS_MAX][KEEP_MAX];
	size_t nc[STATS_DIMS_MAX], pos[STATS_DIMS_MAX];
	int64_t best_cost = INT64_MAX;
	int best_fresh = 0;
	bool found = false, ok = true;

	unpack(x->key, i, d);
	/* Candidates per dimension: the cells beside x along it, non-zero, the cheapest kept (a
	 * bounded insertion: no allocation, no sort of the whole line). */
	size_t keep = keep_per_dim[d];
	for (int k = 0; ok && k < d; k++) {
		size_t n = t->n_codes[k] + 1;
		nc[k] = 0;
		memcpy(y, i, sizeof(int32_t) * (size_t)d);
		for (size_t v = 0; v < n; v++) {
			if ((int32_t)v == i[k])
				continue;
			y[k] = (int32_t)v;
			const struct cell *cl = cell_at(t, y);
			if (!cl || cl->count < 1)
				continue;
			struct cand c = { (int32_t)v, (cl->flags & F_SUP) ? 0 : cl->count };
			if (nc[k] == keep && cmp_cand(&c, &cands[k][keep - 1]) >= 0)
				continue;
			size_t at = nc[k] < keep ? nc[k]++ : keep - 1;
			while (at > 0 && cmp_cand(&c, &cands[k][at - 1]) < 0) {
				cands[k][at] = cands[k][at - 1];
				at--;
			}
			cands[k][at] = c;
		}
		if (!nc[k])
			ok = false; /* cannot happen: a margin or a part is non-zero */
	}
	/* Every combination of the kept candidates. */
	if (ok) {
		for (int k = 0; k < d; k++)
			pos[k] = 0;
		for (;;) {
			int fresh;
			for (int k = 0; k < d; k++)
				j[k] = cands[k][pos[k]].j;
			int64_t c = box_cost(t, i, j, best_cost, &fresh);
			if (c >= 0 && (c < best_cost || (c == best_cost && fresh < best_fresh))) {
				best_cost = c;
				best_fresh = fresh;
				memcpy(best, j, sizeof(int32_t) * (size_t)d);
				found = true;
				if (c == 0)
					break;
			}
			int k = 0;
			while (k < d && ++pos[k] == nc[k])
				pos[k++] = 0;
			if (k == d)
				break;
		}
	}
	if (!found) {
		/* The box of margins over a non-zero part of x: every corner holds that part. */
		struct cell *b = NULL;
		int32_t bi[STATS_DIMS_MAX];
		for (size_t s = 0; s < t->map.cap && !b; s++) {
			struct cell *cl = &t->map.slots[s];
			if (!cl->key || cl->count < 1)
				continue;
			unpack(cl->key, bi, d);
			bool part = true;
			for (int k = 0; k < d && part; k++)
				part = bi[k] != (int32_t)t->n_codes[k] &&
				       (i[k] == (int32_t)t->n_codes[k] || bi[k] == i[k]);
			if (part)
				b = cl;
		}
		if (!b)
			return false;
		for (int k = 0; k < d; k++)
			best[k] = i[k] == (int32_t)t->n_codes[k] ? bi[k] : (int32_t)t->n_codes[k];
	}
	box_apply(t, i, best);
	return true;
}

static enum mmis_err suppress(struct stats_table *t, struct mmis_error *err)
{
	struct cell **prim = NULL, **tmp = NULL;
	size_t n = 0;

	if (t->min_cell <= 1)
		return MMIS_OK;
	for (size_t s = 0; s < t->map.cap; s++) {
		struct cell *c = &t->map.slots[s];
		if (c->key && c->count > 0 && c->count < t->min_cell) {
			c->flags |= F_SUP | F_PRIMARY;
			n++;
		}
	}
	if (!n || !t->n_dims)
		return MMIS_OK;
	if (!(prim = malloc(n * sizeof(*prim))) || !(tmp = malloc(n * sizeof(*tmp)))) {
		free(prim);
		return stats_oom(err);
	}
	n = 0;
	for (size_t s = 0; s < t->map.cap; s++)
		if (t->map.slots[s].key && (t->map.slots[s].flags & F_PRIMARY))
			prim[n++] = &t->map.slots[s];
	/* Smallest first: they are the most exposed, and their boxes protect others on the way. */
	sort_cells(t, prim, tmp, n, cmp_primary);
	free(tmp);
	for (size_t i = 0; i < n; i++)
		if (!(prim[i]->flags & F_PROTECTED) && !protect(t, prim[i])) {
			free(prim);
			return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
		}
	free(prim);
	return MMIS_OK;
}

/*
 * The group rule (sources of victims' records): along a line of the table whose margin is
 * published, the suppressed cells add up to the margin less the published cells, a count anyone
 * can work out. When that sum is from 1 to K - 1 (two hidden cells of 1 and 2 beside a published
 * 12 and a total of 15 tell that 3 cases were of those two kinds), the smallest published
 * non-zero cell of the line is suppressed too, in a box of its own; until no line gives away
 * such a sum. Each round hides one more cell, so it ends.
 */
static enum mmis_err apply_group_rule(struct stats_table *t, struct mmis_error *err)
{
	int d = t->n_dims;
	bool again = true;

	while (again) {
		again = false;
		for (size_t s = 0; s < t->map.cap; s++) {
			struct cell *m = &t->map.slots[s];
			int32_t i[STATS_DIMS_MAX], y[STATS_DIMS_MAX];
			if (!m->key || m->count < t->min_cell || (m->flags & F_SUP))
				continue;
			unpack(m->key, i, d);
			for (int k = 0; k < d; k++) {
				struct cell *smallest = NULL;
				int64_t hidden = 0;
				if (i[k] != (int32_t)t->n_codes[k])
					continue; /* m is not the margin of a line along k */
				memcpy(y, i, sizeof(int32_t) * (size_t)d);
				for (size_t v = 0; v < t->n_codes[k]; v++) {
					y[k] = (int32_t)v;
					struct cell *cl = cell_at(t, y);
					if (!cl || cl->count < 1)
						continue;
					bool less = !smallest || cl->count < smallest->count ||
						    (cl->count == smallest->count &&
						     cl->key < smallest->key);
					if (cl->flags & F_SUP)
						hidden += cl->count;
					else if (less)
						smallest = cl;
				}
				if (hidden < 1 || hidden >= t->min_cell || !smallest)
					continue;
				smallest->flags |= F_SUP;
				if (!(smallest->flags & F_PROTECTED) && !protect(t, smallest))
					return stats_oom(err);
				again = true;
			}
		}
	}
	return MMIS_OK;
}

/* Sort the cells, pick the published rows, count the suppressed. */
static enum mmis_err finish(struct stats_table *t, struct mmis_error *err)
{
	struct cell **tmp;
	size_t n = 0;

	if (!t->all) {
		/* cells built in the hash: list and sort them (build_cells lists dense ones itself) */
		if (!(t->all = malloc((t->map.n ? t->map.n : 1) * sizeof(*t->all))) ||
		    !(tmp = malloc((t->map.n ? t->map.n : 1) * sizeof(*tmp))))
			return stats_oom(err);
		for (size_t s = 0; s < t->map.cap; s++)
			if (t->map.slots[s].key && (t->map.slots[s].count != 0 || !t->n_dims))
				t->all[n++] = &t->map.slots[s];
		t->n_all = n;
		sort_cells(t, t->all, tmp, n, cmp_idx);
		free(tmp);
	}
	n = t->n_all;
	if (!(t->rows = malloc((n ? n : 1) * sizeof(*t->rows))))
		return stats_oom(err);
	for (size_t i = 0; i < n; i++) {
		struct cell *c = t->all[i];
		int32_t idx[STATS_DIMS_MAX];
		bool margin = false;
		unpack(c->key, idx, t->n_dims);
		for (int k = 0; k < t->n_dims; k++)
			margin |= idx[k] == (int32_t)t->n_codes[k];
		if (c->flags & F_SUP) {
			t->n_suppressed++;
			t->n_primary += (c->flags & F_PRIMARY) != 0;
		}
		if (!margin || t->totals || !t->n_dims)
			t->rows[t->n_rows++] = i;
	}
	return MMIS_OK;
}

enum mmis_err stats_table_from_cells(int n_dims, const size_t *sizes, size_t n_cells,
				     const int32_t *idx, const int64_t *counts, int min_cell,
				     struct stats_table **out, struct mmis_error *err)
{
	struct stats_table *t;
	enum mmis_err rc;

	*out = NULL;
	if (n_dims < 0 || n_dims > STATS_DIMS_MAX)
		return mmis_error_set(err, MMIS_EINVAL, "by", "at most %d dimensions", STATS_DIMS_MAX);
	if (!(t = table_new(n_dims)))
		return stats_oom(err);
	t->min_cell = min_cell;
	t->totals = true;
	for (int k = 0; k < n_dims; k++) {
		if (sizes[k] > STATS_CODES_MAX) {
			stats_table_free(t);
			return mmis_error_set(err, MMIS_ETOOBIG, "by",
					      "more than %d codes in one dimension", STATS_CODES_MAX);
		}
		t->n_codes[k] = sizes[k];
		t->dims[k] = STATS_DIM__COUNT; /* anonymous */
	}
	for (size_t c = 0; c < n_cells; c++) {
		for (int k = 0; k < n_dims; k++)
			if (idx[c * (size_t)n_dims + (size_t)k] < 0 ||
			    (size_t)idx[c * (size_t)n_dims + (size_t)k] >= sizes[k]) {
				stats_table_free(t);
				return mmis_error_set(err, MMIS_EINVAL, NULL, "cell index out of range");
			}
		if (counts[c] < 0) {
			stats_table_free(t);
			return mmis_error_set(err, MMIS_EINVAL, NULL, "negative count");
		}
	}
	if (!build_cells(t, n_cells, idx, counts)) {
		stats_table_free(t);
		return stats_oom(err);
	}
	if ((rc = suppress(t, err)) || (rc = finish(t, err))) {
		stats_table_free(t);
		return rc;
	}
	*out = t;
	return MMIS_OK;
}

/* ---- a cube being counted */

struct intern {
	char **strs;
	size_t n, cap;
	size_t *slots; /* index + 1; 0 empty */
	size_t nslots;
};

struct stats_cube {
	int n_dims;
	enum stats_dim dims[STATS_DIMS_MAX];
	struct intern in[STATS_DIMS_MAX];
	struct cellmap map; /* keys of interned (unsorted) indices */
};

/* The index of `s` in `in`, added when new; -1 when out of memory, -2 when too many. */
static int32_t intern_get(struct intern *in, const char *s)
{
	if ((in->n + 1) * 2 > in->nslots) {
		size_t ns = in->nslots ? in->nslots * 2 : 64;
		size_t *sl = calloc(ns, sizeof(*sl));
		if (!sl)
			return -1;
		for (size_t i = 0; i < in->n; i++) {
			size_t j = str_hash(in->strs[i]) & (ns - 1);
			while (sl[j])
				j = (j + 1) & (ns - 1);
			sl[j] = i + 1;
		}
		free(in->slots);
		in->slots = sl;
		in->nslots = ns;
	}
	size_t j = str_hash(s) & (in->nslots - 1);
	while (in->slots[j]) {
		if (!strcmp(in->strs[in->slots[j] - 1], s))
			return (int32_t)(in->slots[j] - 1);
		j = (j + 1) & (in->nslots - 1);
	}
	if (in->n >= STATS_CODES_MAX)
		return -2;
	if (in->n == in->cap) {
		size_t nc = in->cap ? in->cap * 2 : 32;
		char **ns = realloc(in->strs, nc * sizeof(*ns));
		if (!ns)
			return -1;
		in->strs = ns;
		in->cap = nc;
	}
	if (!(in->strs[in->n] = strdup(s)))
		return -1;
	in->slots[j] = in->n + 1;
	return (int32_t)in->n++;
}

struct stats_cube *stats_cube_new(int n_dims, const enum stats_dim *dims)
{
	struct stats_cube *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->n_dims = n_dims;
	for (int k = 0; k < n_dims; k++)
		c->dims[k] = dims[k];
	return c;
}

void stats_cube_free(struct stats_cube *c)
{
	if (!c)
		return;
	for (int k = 0; k < c->n_dims; k++) {
		for (size_t i = 0; i < c->in[k].n; i++)
			free(c->in[k].strs[i]);
		free(c->in[k].strs);
		free(c->in[k].slots);
	}
	free(c->map.slots);
	free(c);
}

enum mmis_err stats_cube_add(struct stats_cube *c, const char *const *codes, int64_t n,
			     struct mmis_error *err)
{
	int32_t idx[STATS_DIMS_MAX];
	for (int k = 0; k < c->n_dims; k++) {
		idx[k] = intern_get(&c->in[k], codes[k] ? codes[k] : "");
		if (idx[k] == -1)
			return stats_oom(err);
		if (idx[k] == -2)
			return mmis_error_set(err, MMIS_ETOOBIG, "by",
					      "by: more than %d %s codes in one table: choose a "
					      "shorter period or a coarser dimension", STATS_CODES_MAX,
					      stats_dim(c->dims[k])->name);
	}
	struct cell *cl = map_put(&c->map, pack(idx, c->n_dims));
	if (!cl)
		return stats_oom(err);
	cl->count += n;
	return MMIS_OK;
}

/* The position of a code in its dimension's published order (its codes, then its more_codes). */
static int code_rank(const struct stats_dim_def *def, const char *s)
{
	int i = 0;
	if (!def || !def->codes)
		return -1;
	for (int k = 0; def->codes[k]; k++, i++)
		if (!strcmp(def->codes[k], s))
			return i;
	for (int k = 0; def->more_codes && def->more_codes[k]; k++, i++)
		if (!strcmp(def->more_codes[k], s))
			return i;
	return 1000;
}

struct order_ctx {
	const struct stats_dim_def *def;
	char **strs;
};

/* qsort has no context argument: the order in use, per thread. */
static _Thread_local const struct order_ctx *order_tls;

static int cmp_code(const void *a, const void *b)
{
	const struct order_ctx *o = order_tls;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int rx = code_rank(o->def, o->strs[x]), ry = code_rank(o->def, o->strs[y]);
	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(o->strs[x], o->strs[y]);
}

enum mmis_err stats_cube_finish(struct stats_cube *c, int min_cell, bool group_rule,
				struct stats_table **out, struct mmis_error *err)
{
	struct stats_table *t;
	int32_t *remap[STATS_DIMS_MAX] = { 0 };
	enum mmis_err rc = MMIS_OK;
	int d = c->n_dims;

	*out = NULL;
	if (!(t = table_new(d))) {
		stats_cube_free(c);
		return stats_oom(err);
	}
	t->min_cell = min_cell;
	t->group_rule = group_rule;
	for (int k = 0; k < d && !rc; k++) {
		struct intern *in = &c->in[k];
		size_t *order = malloc((in->n ? in->n : 1) * sizeof(*order));
		t->dims[k] = c->dims[k];
		remap[k] = malloc((in->n ? in->n : 1) * sizeof(int32_t));
		t->codes[k] = calloc(in->n ? in->n : 1, sizeof(char *));
		if (!order || !remap[k] || !t->codes[k]) {
			free(order);
			rc = stats_oom(err);
			break;
		}
		for (size_t i = 0; i < in->n; i++)
			order[i] = i;
		struct order_ctx o = { stats_dim(c->dims[k]), in->strs };
		order_tls = &o;
		qsort(order, in->n, sizeof(*order), cmp_code);
		order_tls = NULL;
		for (size_t r = 0; r < in->n; r++) {
			remap[k][order[r]] = (int32_t)r;
			t->codes[k][r] = in->strs[order[r]];
			in->strs[order[r]] = NULL; /* moved */
		}
		t->n_codes[k] = in->n;
		free(order);
	}
	/* The base cells with their published indices, then the table with its margins. */
	size_t nb = 0;
	int32_t *bidx = NULL;
	int64_t *bcount = NULL;
	if (!rc && (!(bidx = malloc((c->map.n ? c->map.n : 1) * (size_t)(d ? d : 1) * sizeof(int32_t))) ||
		    !(bcount = malloc((c->map.n ? c->map.n : 1) * sizeof(int64_t)))))
		rc = stats_oom(err);
	for (size_t s = 0; !rc && s < c->map.cap; s++) {
		struct cell *cl = &c->map.slots[s];
		int32_t idx[STATS_DIMS_MAX];
		if (!cl->key || !cl->count)
			continue;
		unpack(cl->key, idx, d);
		for (int k = 0; k < d; k++)
			bidx[nb * (size_t)d + (size_t)k] = remap[k][idx[k]];
		bcount[nb++] = cl->count;
	}
	if (!rc && !build_cells(t, nb, bidx, bcount))
		rc = stats_oom(err);
	free(bidx);
	free(bcount);
	for (int k = 0; k < d; k++) {
		free(remap[k]);
		c->in[k].n = 0; /* the strings moved to the table or were never there */
	}
	stats_cube_free(c);
	if (!rc && !d && !t->map.n && !map_put(&t->map, pack(NULL, 0)))
		rc = stats_oom(err);
	if (!rc && (rc = suppress(t, err)) == MMIS_OK &&
	    (!t->group_rule || t->min_cell <= 1 || (rc = apply_group_rule(t, err)) == MMIS_OK))
		rc = finish(t, err);
	if (rc) {
		stats_table_free(t);
		return rc;
	}
	*out = t;
	return MMIS_OK;
}

void stats_table_set_meta(struct stats_table *t, const struct stats_source *src,
			  const struct stats_query *q, bool totals)
{
	t->src = src;
	t->from = q->from;
	t->to = q->to;
	t->on = q->on;
	t->has_query = true;
	if (t->totals != totals) {
		/* choose the published rows again */
		t->totals = totals;
		t->n_rows = 0;
		for (size_t i = 0; i < t->n_all; i++) {
			int32_t idx[STATS_DIMS_MAX];
			bool margin = false;
			unpack(t->all[i]->key, idx, t->n_dims);
			for (int k = 0; k < t->n_dims; k++)
				margin |= idx[k] == (int32_t)t->n_codes[k];
			if (!margin || totals || !t->n_dims)
				t->rows[t->n_rows++] = i;
		}
	}
	timestamp_format(timestamp_now(), t->made_at);
}

/* ---- reading */

size_t stats_table_rows(const struct stats_table *t)
{
	return t->n_rows;
}

int stats_table_dims(const struct stats_table *t, enum stats_dim dims[STATS_DIMS_MAX])
{
	for (int k = 0; k < t->n_dims; k++)
		dims[k] = t->dims[k];
	return t->n_dims;
}

const char *stats_table_code_at(const struct stats_table *t, int dim, size_t i)
{
	if (dim < 0 || dim >= t->n_dims)
		return "";
	if (i >= t->n_codes[dim])
		return STATS_TOTAL;
	return t->codes[dim] ? t->codes[dim][i] : "";
}

size_t stats_table_codes(const struct stats_table *t, int dim)
{
	return dim >= 0 && dim < t->n_dims ? t->n_codes[dim] : 0;
}

const char *stats_table_code(const struct stats_table *t, size_t row, int dim)
{
	int32_t idx[STATS_DIMS_MAX];
	if (row >= t->n_rows || dim < 0 || dim >= t->n_dims)
		return "";
	unpack(t->all[t->rows[row]]->key, idx, t->n_dims);
	return stats_table_code_at(t, dim, (size_t)idx[dim]);
}

int64_t stats_table_count(const struct stats_table *t, size_t row)
{
	if (row >= t->n_rows)
		return -1;
	const struct cell *c = t->all[t->rows[row]];
	return (c->flags & F_SUP) ? -1 : c->count;
}

bool stats_table_is_total(const struct stats_table *t, size_t row)
{
	int32_t idx[STATS_DIMS_MAX];
	if (row >= t->n_rows)
		return false;
	unpack(t->all[t->rows[row]]->key, idx, t->n_dims);
	for (int k = 0; k < t->n_dims; k++)
		if (idx[k] == (int32_t)t->n_codes[k])
			return true;
	return false;
}

int stats_table_min_cell(const struct stats_table *t)
{
	return t->min_cell;
}

size_t stats_table_suppressed(const struct stats_table *t, size_t *primary)
{
	if (primary)
		*primary = t->n_primary;
	return t->n_suppressed;
}

size_t stats_table_all_cells(const struct stats_table *t)
{
	return t->n_all;
}

void stats_table_cell_at(const struct stats_table *t, size_t i, int32_t idx[STATS_DIMS_MAX],
			 int64_t *count, bool *suppressed)
{
	const struct cell *c = i < t->n_all ? t->all[i] : NULL;
	if (!c) {
		*count = 0;
		*suppressed = false;
		return;
	}
	unpack(c->key, idx, t->n_dims);
	*count = c->count;
	*suppressed = (c->flags & F_SUP) != 0;
}

/* What the exports need beyond the rows. */
const struct stats_source *stats_table_source(const struct stats_table *t)
{
	return t->src;
}

void stats_table_period(const struct stats_table *t, struct date *from, struct date *to,
			struct date *on, bool *known, const char **made_at)
{
	*from = t->from;
	*to = t->to;
	*on = t->on;
	*known = t->has_query;
	*made_at = t->made_at;
}

bool stats_table_totals(const struct stats_table *t)
{
	return t->totals;
}
