/*
 * rollup.c - crossings counted as they are recorded (stats.h, "roll-ups").
 *
 * The roll-ups are a table of tables (`rollups` below): each counts crossings by month and some
 * dimensions (a table by day would hold nearly a row per crossing: days and the partial months at
 * the ends of a range are counted from the crossings themselves, query.c). lib/border adds every crossing it records to all of them in the
 * same transaction (stats_rollup_crossing), and an import adds its crossings up in memory and
 * writes them with batched upserts (stats_rollup_batch_*), so that a question over ten years is
 * answered from a few hundred thousand rows instead of millions. stats_rebuild recomputes them
 * from the records; the unit tests check that they equal a GROUP BY over the records.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/border.h"
#include "mmis/strbuf.h"
#include "rollup.h"

static const struct stats_rollup rollups[] = {
	/* smallest first: the query planner takes the first that can answer */
	{ "stats_crossing_month", true, RC_BCP | RC_DIRECTION | RC_NATIONALITY },
	{ "stats_crossing_month_person", true, RC_DIRECTION | RC_NATIONALITY | RC_SEX | RC_AGE },
};

static const char *const rc_names[] = { "bcp", "direction", "nationality", "sex", "age_band",
					"transport" };

size_t stats_rollup_count(void)
{
	return COUNT(rollups);
}

const struct stats_rollup *stats_rollup_at(size_t i)
{
	return i < COUNT(rollups) ? &rollups[i] : NULL;
}

const char *stats_rollup_column(unsigned rc)
{
	for (size_t i = 0; i < COUNT(rc_names); i++)
		if (rc == 1u << i)
			return rc_names[i];
	return "";
}

static atomic_bool enabled = true;

void stats_rollup_set_enabled(bool on)
{
	atomic_store(&enabled, on);
}

enum mmis_err stats_oom(struct mmis_error *err)
{
	return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
}

enum mmis_err stats_denied(struct mmis_error *err, enum perm p)
{
	return mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: needs %s", perm_name(p));
}

void stats_copy(char *dst, size_t cap, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

/* ---- classification */

void stats_nationality(const char *in, char out[4])
{
	if (!in || !*in || strlen(in) > 3)
		stats_copy(out, 4, "XXX");
	else
		stats_copy(out, 4, in);
}

void stats_classify(const struct stats_crossing_facts *f, struct stats_codes *c)
{
	struct date birth;
	bool known = false;

	timestamp_date(f->at_ms, &c->date);
	stats_period_code(STATS_DAY, &c->date, c->day);
	c->direction = f->exit ? "exit" : "entry";
	stats_copy(c->bcp, sizeof(c->bcp), f->bcp);
	stats_nationality(f->nationality, c->nationality);
	stats_copy(c->sex, sizeof(c->sex),
		   f->sex && (!strcmp(f->sex, "F") || !strcmp(f->sex, "M")) ? f->sex : "X");
	if (f->birth_date && *f->birth_date && !date_parse_partial(f->birth_date, NULL, &birth, NULL))
		known = true;
	c->age_band = stats_age_band(&birth, known, &c->date);
	c->transport = "UNK";
	for (size_t i = 0; f->transport && *f->transport && border_transport_codes[i]; i++)
		if (!strcmp(border_transport_codes[i], f->transport))
			c->transport = border_transport_codes[i];
}

const char *stats_code_of(const struct stats_codes *c, enum stats_dim d, char buf[16])
{
	switch (d) {
	case STATS_DAY:
	case STATS_WEEK:
	case STATS_MONTH:
	case STATS_QUARTER:
	case STATS_YEAR:
		stats_period_code(d, &c->date, buf);
		return buf;
	case STATS_BCP:
		return c->bcp;
	case STATS_DIRECTION:
		return c->direction;
	case STATS_NATIONALITY:
		return c->nationality;
	case STATS_SEX:
		return c->sex;
	case STATS_AGE_BAND:
		return c->age_band;
	case STATS_TRANSPORT:
		return c->transport;
	case STATS_GROUND: /* not facts of a crossing: the source's counting fills them */
	case STATS_CASE_TYPE:
	case STATS_STATE:
	case STATS_AGENCY:
	case STATS_PROVIDER:
	case STATS_SERVICE:
	case STATS_PROJECT:
	case STATS_DIM__COUNT:
		break;
	}
	return "";
}

/* The values of a roll-up's row for classified facts: period, then its columns in order. */
static int row_values(const struct stats_rollup *r, const struct stats_codes *c,
		      const char *v[8], char month[8])
{
	int n = 0;
	if (r->monthly) {
		memcpy(month, c->day, 7);
		month[7] = '\0';
		v[n++] = month;
	} else {
		v[n++] = c->day;
	}
	if (r->cols & RC_BCP)
		v[n++] = c->bcp;
	if (r->cols & RC_DIRECTION)
		v[n++] = c->direction;
	if (r->cols & RC_NATIONALITY)
		v[n++] = c->nationality;
	if (r->cols & RC_SEX)
		v[n++] = c->sex;
	if (r->cols & RC_AGE)
		v[n++] = c->age_band;
	if (r->cols & RC_TRANSPORT)
		v[n++] = c->transport;
	return n;
}

/* "INSERT INTO t (period, ..., n) VALUES (?, ...), ... ON CONFLICT (...) DO UPDATE ..." */
static void upsert_sql(struct strbuf *sb, const struct stats_rollup *r, int rows)
{
	int ncols = 1;
	strbuf_addf(sb, "INSERT INTO %s (period", r->table);
	for (size_t i = 0; i < COUNT(rc_names); i++)
		if (r->cols & (1u << i)) {
			strbuf_addf(sb, ", %s", rc_names[i]);
			ncols++;
		}
	strbuf_addstr(sb, ", n) VALUES ");
	for (int k = 0; k < rows; k++) {
		strbuf_addstr(sb, k ? ", (" : "(");
		for (int i = 0; i <= ncols; i++)
			strbuf_addstr(sb, i ? ", ?" : "?");
		strbuf_addch(sb, ')');
	}
	strbuf_addstr(sb, " ON CONFLICT (period");
	for (size_t i = 0; i < COUNT(rc_names); i++)
		if (r->cols & (1u << i))
			strbuf_addf(sb, ", %s", rc_names[i]);
	strbuf_addf(sb, ") DO UPDATE SET n = %s.n + excluded.n", r->table);
}

/* The one-row upsert of each roll-up, made once per process. */
static char *single_sql[COUNT(rollups)];
static pthread_once_t single_once = PTHREAD_ONCE_INIT;

static void make_single_sql(void)
{
	for (size_t i = 0; i < COUNT(rollups); i++) {
		struct strbuf sb;
		strbuf_init(&sb, 1024);
		upsert_sql(&sb, &rollups[i], 1);
		single_sql[i] = strbuf_detach(&sb, NULL); /* NULL when out of memory: reported below */
	}
}

enum mmis_err stats_rollup_crossing(struct store *s, const struct stats_crossing_facts *f, int sign,
				    struct mmis_error *err)
{
	struct stats_codes c;
	enum mmis_err rc = MMIS_OK;

	if (!atomic_load(&enabled))
		return MMIS_OK;
	pthread_once(&single_once, make_single_sql);
	stats_classify(f, &c);
	for (size_t i = 0; !rc && i < COUNT(rollups); i++) {
		const char *v[8];
		char month[8];
		struct store_stmt *st;
		int n = row_values(&rollups[i], &c, v, month);
		if (!single_sql[i])
			rc = stats_oom(err);
		else if (!(rc = store_prepare(s, single_sql[i], &st, err))) {
			for (int k = 0; k < n; k++)
				store_bind_text(st, k + 1, v[k]);
			store_bind_int64(st, n + 1, sign);
			rc = store_run(st, err);
			store_finalize(st);
		}
	}
	return rc;
}

/* ---- batches */

#define BATCH_ROWS 64
#define BATCH_FLUSH_AT 200000 /* rows held in memory per roll-up before they are written */

struct rkey {
	char period[11];
	char bcp[17];
	char nationality[4];
	char sex[2];
	uint8_t direction, age, transport, pad;
};

struct rentry {
	struct rkey k;
	int64_t n;
	bool used;
};

struct rmap {
	struct rentry *slots;
	size_t cap, n;
};

struct stats_rollup_batch {
	struct rmap maps[COUNT(rollups)];
};

static size_t key_hash(const struct rkey *k)
{
	const unsigned char *p = (const unsigned char *)k;
	size_t h = (size_t)14695981039346656037ULL;
	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * (size_t)1099511628211ULL;
	return h;
}

static bool rmap_grow(struct rmap *m)
{
	size_t nc = m->cap ? m->cap * 2 : 1024;
	struct rentry *ns = calloc(nc, sizeof(*ns));
	if (!ns)
		return false;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].used)
			continue;
		size_t j = key_hash(&m->slots[i].k) & (nc - 1);
		while (ns[j].used)
			j = (j + 1) & (nc - 1);
		ns[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = ns;
	m->cap = nc;
	return true;
}

static int index_of(const char *const *list, const char *s)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return i;
	return 0;
}

static const char *const dir_codes[] = { "entry", "exit", NULL };
static const char *const transport_all[] = { "car", "bus", "truck", "motorcycle", "bicycle", "foot",
					     "train", "aircraft", "vessel", "other", "UNK", NULL };

static void make_key(const struct stats_rollup *r, const struct stats_codes *c, struct rkey *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->period, c->day, r->monthly ? 7 : 10);
	if (r->cols & RC_BCP)
		stats_copy(k->bcp, sizeof(k->bcp), c->bcp);
	if (r->cols & RC_DIRECTION)
		k->direction = (uint8_t)index_of(dir_codes, c->direction);
	if (r->cols & RC_NATIONALITY)
		stats_copy(k->nationality, sizeof(k->nationality), c->nationality);
	if (r->cols & RC_SEX)
		stats_copy(k->sex, sizeof(k->sex), c->sex);
	if (r->cols & RC_AGE)
		k->age = (uint8_t)index_of(stats_age_bands, c->age_band);
	if (r->cols & RC_TRANSPORT)
		k->transport = (uint8_t)index_of(transport_all, c->transport);
}

struct stats_rollup_batch *stats_rollup_batch_new(void)
{
	return calloc(1, sizeof(struct stats_rollup_batch));
}

void stats_rollup_batch_free(struct stats_rollup_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < COUNT(rollups); i++)
		free(b->maps[i].slots);
	free(b);
}

/* Write one map's rows with 64-row upserts, and empty it. */
static enum mmis_err flush_map(const struct stats_rollup *r, struct rmap *m, struct store *s,
			       struct mmis_error *err)
{
	enum mmis_err rc = MMIS_OK;
	struct store_stmt *full = NULL, *st = NULL;
	int rows = 0, param = 1;
	size_t left = 0;

	for (size_t i = 0; i < m->cap; i++)
		left += m->slots[i].used && m->slots[i].n != 0;
	for (size_t i = 0; !rc && i < m->cap; i++) {
		struct rentry *e = &m->slots[i];
		if (!e->used)
			continue;
		if (e->n == 0)
			continue;
		if (!rows) {
			/* 64 rows at a time; what is left one by one (two statement texts per roll-up,
			 * so that the store's statement cache is not filled with every size) */
			int want = left >= BATCH_ROWS ? BATCH_ROWS : 1;
			struct strbuf sb;
			if (want == BATCH_ROWS && full) {
				st = full;
			} else {
				strbuf_init(&sb, 64 * 1024);
				upsert_sql(&sb, r, want);
				rc = strbuf_error(&sb) ? stats_oom(err)
						       : store_prepare(s, strbuf_str(&sb), &st, err);
				strbuf_release(&sb);
				if (rc)
					break;
				if (want == BATCH_ROWS)
					full = st;
			}
			rows = want;
			param = 1;
		}
		const struct rkey *k = &e->k;
		store_bind_text(st, param++, k->period);
		if (r->cols & RC_BCP)
			store_bind_text(st, param++, k->bcp);
		if (r->cols & RC_DIRECTION)
			store_bind_text(st, param++, dir_codes[k->direction]);
		if (r->cols & RC_NATIONALITY)
			store_bind_text(st, param++, k->nationality);
		if (r->cols & RC_SEX)
			store_bind_text(st, param++, k->sex);
		if (r->cols & RC_AGE)
			store_bind_text(st, param++, stats_age_bands[k->age]);
		if (r->cols & RC_TRANSPORT)
			store_bind_text(st, param++, transport_all[k->transport]);
		store_bind_int64(st, param++, e->n);
		left--;
		if (--rows == 0) {
			rc = store_run(st, err);
			if (st != full)
				store_finalize(st);
			st = NULL;
		}
	}
	if (st && st != full)
		store_finalize(st);
	store_finalize(full);
	memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->n = 0;
	return rc;
}

/* Add one crossing to the batch with `sign` (-1 takes it back). */
static enum mmis_err batch_add_signed(struct stats_rollup_batch *b, struct store *s,
				      const struct stats_crossing_facts *f, int sign,
				      struct mmis_error *err)
{
	struct stats_codes c;
	enum mmis_err rc;

	stats_classify(f, &c);
	for (size_t i = 0; i < COUNT(rollups); i++) {
		struct rmap *m = &b->maps[i];
		struct rkey k;
		make_key(&rollups[i], &c, &k);
		if ((m->n + 1) * 2 > m->cap && !rmap_grow(m))
			return stats_oom(err);
		size_t j = key_hash(&k) & (m->cap - 1);
		while (m->slots[j].used && memcmp(&m->slots[j].k, &k, sizeof(k)))
			j = (j + 1) & (m->cap - 1);
		if (!m->slots[j].used) {
			m->slots[j].used = true;
			m->slots[j].k = k;
			m->slots[j].n = 0;
			m->n++;
		}
		m->slots[j].n += sign;
		if (m->n >= BATCH_FLUSH_AT && (rc = flush_map(&rollups[i], m, s, err)))
			return rc;
	}
	return MMIS_OK;
}

enum mmis_err stats_rollup_batch_add(struct stats_rollup_batch *b, struct store *s,
				     const struct stats_crossing_facts *f, struct mmis_error *err)
{
	if (!atomic_load(&enabled))
		return MMIS_OK;
	return batch_add_signed(b, s, f, 1, err);
}

enum mmis_err stats_rollup_batch_flush(struct stats_rollup_batch *b, struct store *s,
				       struct mmis_error *err)
{
	enum mmis_err rc = MMIS_OK;
	for (size_t i = 0; !rc && i < COUNT(rollups); i++)
		if (b->maps[i].n)
			rc = flush_map(&rollups[i], &b->maps[i], s, err);
	return rc;
}

/* ---- from the records */

#define FACTS_SQL                                                                               \
	"SELECT c.at, c.bcp_code, c.direction, p.nationality, p.sex, p.birth_date, c.transport "  \
	"FROM crossing c JOIN person p ON p.id = c.person_id"

/* Add the crossings `st` selects (FACTS_SQL's columns) to `b` with `sign`. */
static enum mmis_err add_rows(struct stats_rollup_batch *b, struct store *s, struct store_stmt *st,
			      int sign, int64_t *count, struct mmis_error *err)
{
	enum mmis_err rc;
	bool row = false;

	while (!(rc = store_step(st, &row, err)) && row) {
		struct stats_crossing_facts f = {
			.bcp = store_column_text(st, 1),
			.exit = !strcmp(store_column_text(st, 2) ? store_column_text(st, 2) : "", "exit"),
			.nationality = store_column_text(st, 3),
			.sex = store_column_text(st, 4),
			.birth_date = store_column_text(st, 5),
			.transport = store_column_text(st, 6),
		};
		if (timestamp_parse(store_column_text(st, 0), "at", &f.at_ms, err))
			return mmis_error_set(err, MMIS_EDB, NULL, "a crossing's time is not a "
					      "timestamp: %.30s", store_column_text(st, 0));
		if ((rc = batch_add_signed(b, s, &f, sign, err)))
			return rc;
		if (count)
			++*count;
	}
	return rc;
}

enum mmis_err stats_rollup_person(struct store *s, const char *person_id, int sign,
				  struct mmis_error *err)
{
	struct stats_rollup_batch *b;
	struct store_stmt *st;
	enum mmis_err rc;

	if (!atomic_load(&enabled))
		return MMIS_OK;
	if (!(b = stats_rollup_batch_new()))
		return stats_oom(err);
	if (!(rc = store_prepare(s, FACTS_SQL " WHERE c.person_id = ?", &st, err))) {
		store_bind_text(st, 1, person_id);
		rc = add_rows(b, s, st, sign < 0 ? -1 : 1, NULL, err);
		store_finalize(st);
	}
	if (!rc)
		rc = stats_rollup_batch_flush(b, s, err);
	stats_rollup_batch_free(b);
	return rc;
}

static enum mmis_err set_state(struct store *s, const char *value, struct mmis_error *err)
{
	struct store_stmt *st;
	enum mmis_err rc;

	if ((rc = store_prepare(s, "UPDATE stats_state SET value = ? WHERE name = 'rollups'", &st,
				err)))
		return rc;
	store_bind_text(st, 1, value);
	rc = store_run(st, err);
	store_finalize(st);
	return rc;
}

enum mmis_err stats_rollups_current(struct store *s, bool *current, struct mmis_error *err)
{
	struct store_stmt *st;
	enum mmis_err rc;
	bool row = false;

	*current = false;
	if ((rc = store_prepare(s, "SELECT value FROM stats_state WHERE name = 'rollups'", &st, err)))
		return rc;
	if (!(rc = store_step(st, &row, err)) && row)
		*current = !strcmp(store_column_text(st, 0) ? store_column_text(st, 0) : "", "current");
	store_finalize(st);
	return rc;
}

enum mmis_err stats_rebuild(const struct mmis_ctx *cx, const struct actor *a, int64_t *crossings,
			    struct mmis_error *err)
{
	struct mmis_error local;
	struct stats_rollup_batch *b = NULL;
	struct store_stmt *st;
	struct audited_op op;
	int64_t n = 0;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if (crossings)
		*crossings = 0;
	if (!cx || !cx->store || !a)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database or actor");
	if ((rc = audited_begin(&op, cx, a, "stats.rebuild", "rollup", err)))
		return rc;
	if (actor_scope(a, PERM_STATS_WRITE) == SCOPE_NONE)
		rc = stats_denied(err, PERM_STATS_WRITE);
	else if (!(b = stats_rollup_batch_new()))
		rc = stats_oom(err);
	for (size_t i = 0; !rc && i < COUNT(rollups); i++) {
		struct strbuf sb;
		strbuf_init(&sb, 128);
		strbuf_addf(&sb, "DELETE FROM %s", rollups[i].table);
		rc = store_exec(cx->store, strbuf_str(&sb), err);
		strbuf_release(&sb);
	}
	if (!rc && !(rc = store_prepare(cx->store, FACTS_SQL, &st, err))) {
		rc = add_rows(b, cx->store, st, 1, &n, err);
		store_finalize(st);
	}
	if (!rc)
		rc = stats_rollup_batch_flush(b, cx->store, err);
	if (!rc)
		rc = set_state(cx->store, "current", err);
	stats_rollup_batch_free(b);
	if (!rc) {
		audited_detail(&op, "%lld crossings counted", (long long)n);
		if (crossings)
			*crossings = n;
	}
	return audited_end(&op, rc, err);
}
