/*
 * query.c - stats_run: count a source by dimensions over a period, then disclosure control.
 *
 * Each source has its counting function (the table `counters` below). Crossings are counted from
 * the roll-ups (rollup.c) for whole months: the planner takes the first roll-up that holds every
 * dimension asked for; days, weeks, and the days at the ends of a range that are not whole months
 * are counted from the crossings themselves. Refusals (about a thousandth of the crossings) are
 * counted from the records; overstays are worked out for the day from the stay rule
 * (lib/border). Protection cases, referrals and services (lib/protect) are few: they are counted
 * from their records, each source described by a row of `records` (its query and which column
 * holds which dimension's code).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/border.h"
#include "mmis/strbuf.h"
#include "rollup.h"

/* The roll-up column of a non-period dimension (0: none holds it). */
static unsigned rollup_col_of(enum stats_dim d)
{
	switch (d) {
	case STATS_BCP:
		return RC_BCP;
	case STATS_DIRECTION:
		return RC_DIRECTION;
	case STATS_NATIONALITY:
		return RC_NATIONALITY;
	case STATS_SEX:
		return RC_SEX;
	case STATS_AGE_BAND:
		return RC_AGE;
	case STATS_TRANSPORT:
		return RC_TRANSPORT;
	default:
		return 0;
	}
}

/* A period text of a roll-up ("YYYY-MM") as a date (the month's first day). */
static bool period_date(const char *s, struct date *out)
{
	if (!s || strlen(s) < 7)
		return false;
	out->year = atoi(s);
	out->month = atoi(s + 5);
	out->day = strlen(s) >= 10 ? atoi(s + 8) : 1;
	out->precision = DATE_DAY;
	return date_valid_ymd(out->year, out->month, out->day);
}

/* Crossings of the days [from, to] counted from the records themselves (days, weeks, and the
 * parts of months at the ends of a range). */
static enum mmis_err count_raw(struct store *s, const struct stats_query *q, int64_t from,
			       int64_t to, struct stats_cube *cube, struct mmis_error *err)
{
	char a[TIMESTAMP_STR_MAX], b[TIMESTAMP_STR_MAX];
	struct store_stmt *st;
	enum mmis_err rc;
	bool row = false;

	timestamp_format(from * DAY_MS, a);
	timestamp_format((to + 1) * DAY_MS, b);
	if ((rc = store_prepare(s, "SELECT c.at, c.bcp_code, c.direction, p.nationality, p.sex, "
				"p.birth_date, c.transport FROM crossing c JOIN person p ON p.id = "
				"c.person_id WHERE c.at >= ? AND c.at < ?", &st, err)))
		return rc;
	store_bind_text(st, 1, a);
	store_bind_text(st, 2, b);
	while (!(rc = store_step(st, &row, err)) && row) {
		const char *dir = store_column_text(st, 2);
		struct stats_crossing_facts f = {
			.bcp = store_column_text(st, 1),
			.exit = dir && !strcmp(dir, "exit"),
			.nationality = store_column_text(st, 3),
			.sex = store_column_text(st, 4),
			.birth_date = store_column_text(st, 5),
			.transport = store_column_text(st, 6),
		};
		struct stats_codes c;
		const char *codes[STATS_DIMS_MAX];
		char pbuf[16];
		if (timestamp_parse(store_column_text(st, 0), "at", &f.at_ms, NULL)) {
			rc = mmis_error_set(err, MMIS_EDB, NULL, "a crossing's time is not a timestamp");
			break;
		}
		stats_classify(&f, &c);
		for (int i = 0; i < q->n_dims; i++)
			codes[i] = stats_code_of(&c, q->dims[i], pbuf);
		if ((rc = stats_cube_add(cube, codes, 1, err)))
			break;
	}
	store_finalize(st);
	return rc;
}

/* Whole months [m0, m1] (month indices: year * 12 + month - 1) counted from roll-up r. */
static enum mmis_err count_rollup(struct store *s, const struct stats_query *q,
				  const struct stats_rollup *r, int m0, int m1,
				  struct stats_cube *cube, struct mmis_error *err)
{
	bool has_period = false, row = false;
	struct date d0 = { m0 / 12, m0 % 12 + 1, 1, DATE_DAY }, d1 = { m1 / 12, m1 % 12 + 1, 1, DATE_DAY };
	struct store_stmt *st;
	struct strbuf sb;
	char from[16], to[16];
	enum mmis_err rc;

	for (int i = 0; i < q->n_dims; i++)
		has_period |= stats_dim_is_period(q->dims[i]);
	stats_period_code(STATS_MONTH, &d0, from);
	stats_period_code(STATS_MONTH, &d1, to);
	/* SELECT [period,] dims..., SUM(n) ... GROUP BY 1..n_dims */
	strbuf_init(&sb, 4096);
	strbuf_addstr(&sb, "SELECT ");
	if (has_period)
		strbuf_addstr(&sb, "period, ");
	for (int i = 0; i < q->n_dims; i++)
		if (!stats_dim_is_period(q->dims[i]))
			strbuf_addf(&sb, "%s, ", stats_rollup_column(rollup_col_of(q->dims[i])));
	strbuf_addf(&sb, "SUM(n) FROM %s WHERE period >= ? AND period <= ?", r->table);
	for (int i = 0; i < q->n_dims; i++)
		strbuf_addf(&sb, "%s%d", i ? ", " : " GROUP BY ", i + 1);
	if (strbuf_error(&sb)) {
		strbuf_release(&sb);
		return stats_oom(err);
	}
	rc = store_prepare(s, strbuf_str(&sb), &st, err);
	strbuf_release(&sb);
	if (rc)
		return rc;
	store_bind_text(st, 1, from);
	store_bind_text(st, 2, to);
	while (!(rc = store_step(st, &row, err)) && row) {
		const char *codes[STATS_DIMS_MAX];
		char pbuf[16];
		int col = has_period ? 1 : 0;
		int64_t n = store_column_int64(st, q->n_dims);
		if (!n)
			continue;
		for (int i = 0; i < q->n_dims; i++) {
			if (stats_dim_is_period(q->dims[i])) {
				struct date d;
				if (!period_date(store_column_text(st, 0), &d)) {
					rc = mmis_error_set(err, MMIS_EDB, NULL, "a roll-up's period "
							    "is not a month: %.20s",
							    store_column_text(st, 0));
					break;
				}
				stats_period_code(q->dims[i], &d, pbuf);
				codes[i] = pbuf;
			} else {
				codes[i] = store_column_text(st, col++);
			}
		}
		if (rc || (rc = stats_cube_add(cube, codes, n, err)))
			break;
	}
	store_finalize(st);
	return rc;
}

/*
 * The planner: whole months from the first roll-up (smallest first) that holds every dimension
 * asked for; days and weeks, and the days of a range outside whole months, from the crossings.
 */
static enum mmis_err count_crossings(struct store *s, const struct stats_query *q,
				     struct stats_cube *cube, struct mmis_error *err)
{
	const struct stats_rollup *r = NULL;
	unsigned need = 0;
	bool by_day = false, current = false;
	enum mmis_err rc;

	if ((rc = stats_rollups_current(s, &current, err)))
		return rc;
	if (!current)
		return mmis_error_set(err, MMIS_ECONFLICT, NULL,
				      "the statistics' roll-ups are not built for this database yet: "
				      "run `mmis stats rebuild`");
	for (int i = 0; i < q->n_dims; i++) {
		by_day |= q->dims[i] == STATS_DAY || q->dims[i] == STATS_WEEK;
		need |= rollup_col_of(q->dims[i]);
	}
	for (size_t i = 0; !r && i < stats_rollup_count(); i++)
		if ((stats_rollup_at(i)->cols & need) == need)
			r = stats_rollup_at(i);
	int64_t from = date_to_days(&q->from), to = date_to_days(&q->to);
	/* The whole months inside the range. */
	int m0 = q->from.year * 12 + q->from.month - 1 + (q->from.day > 1 ? 1 : 0);
	int m1 = q->to.year * 12 + q->to.month - 1 -
		 (q->to.day < date_days_in_month(q->to.year, q->to.month) ? 1 : 0);
	if (by_day || !r || m0 > m1)
		return count_raw(s, q, from, to, cube, err);
	struct date first = { m0 / 12, m0 % 12 + 1, 1, DATE_DAY };
	struct date after = { (m1 + 1) / 12, (m1 + 1) % 12 + 1, 1, DATE_DAY };
	int64_t first_d = date_to_days(&first), after_d = date_to_days(&after);
	if (from < first_d && (rc = count_raw(s, q, from, first_d - 1, cube, err)))
		return rc;
	if ((rc = count_rollup(s, q, r, m0, m1, cube, err)))
		return rc;
	if (after_d <= to && (rc = count_raw(s, q, after_d, to, cube, err)))
		return rc;
	return MMIS_OK;
}

static enum mmis_err count_refusals(struct store *s, const struct stats_query *q,
				    struct stats_cube *cube, struct mmis_error *err)
{
	bool by_ground = false, row = false;
	char from[TIMESTAMP_STR_MAX], to[TIMESTAMP_STR_MAX];
	struct store_stmt *st;
	enum mmis_err rc;

	for (int i = 0; i < q->n_dims; i++)
		by_ground |= q->dims[i] == STATS_GROUND;
	timestamp_format(date_to_days(&q->from) * DAY_MS, from);
	timestamp_format((date_to_days(&q->to) + 1) * DAY_MS, to);
	if ((rc = store_prepare(s, by_ground ?
				"SELECT r.at, r.bcp_code, p.nationality, p.sex, p.birth_date, g.ground "
				"FROM refusal r JOIN person p ON p.id = r.person_id JOIN "
				"refusal_ground g ON g.refusal_id = r.id WHERE r.at >= ? AND r.at < ?" :
				"SELECT r.at, r.bcp_code, p.nationality, p.sex, p.birth_date, '' "
				"FROM refusal r JOIN person p ON p.id = r.person_id "
				"WHERE r.at >= ? AND r.at < ?", &st, err)))
		return rc;
	store_bind_text(st, 1, from);
	store_bind_text(st, 2, to);
	while (!(rc = store_step(st, &row, err)) && row) {
		struct stats_crossing_facts f = {
			.bcp = store_column_text(st, 1),
			.nationality = store_column_text(st, 2),
			.sex = store_column_text(st, 3),
			.birth_date = store_column_text(st, 4),
		};
		struct stats_codes c;
		const char *codes[STATS_DIMS_MAX];
		char pbuf[16];
		if (timestamp_parse(store_column_text(st, 0), "at", &f.at_ms, NULL)) {
			rc = mmis_error_set(err, MMIS_EDB, NULL, "a refusal's time is not a timestamp");
			break;
		}
		stats_classify(&f, &c);
		for (int i = 0; i < q->n_dims; i++)
			codes[i] = q->dims[i] == STATS_GROUND ? store_column_text(st, 5)
							      : stats_code_of(&c, q->dims[i], pbuf);
		if ((rc = stats_cube_add(cube, codes, 1, err)))
			break;
	}
	store_finalize(st);
	return rc;
}

struct overstay_ctx {
	const struct stats_query *q;
	struct stats_cube *cube;
};

static enum mmis_err on_overstayer(void *ctx, const char *nationality, const char *sex,
				   const char *birth_date, const char *bcp, struct mmis_error *err)
{
	struct overstay_ctx *o = ctx;
	struct stats_crossing_facts f = { .bcp = bcp, .nationality = nationality, .sex = sex,
					  .birth_date = birth_date };
	struct stats_codes c;
	const char *codes[STATS_DIMS_MAX];
	char pbuf[16];

	f.at_ms = date_to_days(&o->q->on) * DAY_MS;
	stats_classify(&f, &c);
	for (int i = 0; i < o->q->n_dims; i++)
		codes[i] = stats_code_of(&c, o->q->dims[i], pbuf);
	return stats_cube_add(o->cube, codes, 1, err);
}

static enum mmis_err count_overstays(struct store *s, const struct stats_query *q,
				     struct stats_cube *cube, struct mmis_error *err)
{
	struct overstay_ctx o = { q, cube };
	return border_overstay_facts(s, &q->on, on_overstayer, &o, err);
}

/* ---- protection: cases, referrals, services, from their records */

/*
 * A source counted from its records: `select` gives one row per record whose day (the first
 * column: a date YYYY-MM-DD, or a time when `timed`) lies in [?, ?), the first day of the range
 * and the day after its last (dates and times in mmis's text forms sort as text) —
 * and `select_by` (when not NULL) one row per record and code of the dimension `by`, for a table
 * counted by it (a case of two types counts under each). `person` is the column of the person's
 * citizenship, followed by sex and date of birth (0: none); `col` the column holding each
 * dimension's code (0: worked out from the day and the person, as for a crossing).
 */
struct records_def {
	const char *source;
	const char *select, *select_by;
	enum stats_dim by;
	bool timed; /* the day column is a time (UTC ISO 8601), not a date */
	int person;
	int col[STATS_DIM__COUNT];
};

#define CASES_FROM                                                                             \
	" FROM protect_case c JOIN agency g ON g.id = c.agency_id"
#define CASES_COLS "SELECT c.opened_on, c.citizenship, c.sex, c.birth_date, c.state, g.code"
#define CASES_WHERE " WHERE c.opened_on >= ? AND c.opened_on < ?"

static const struct records_def records[] = {
	{ "cases", CASES_COLS ", ''" CASES_FROM CASES_WHERE,
	  CASES_COLS ", t.type" CASES_FROM " JOIN protect_case_type t ON t.case_id = c.id"
	  CASES_WHERE, STATS_CASE_TYPE, false, 1,
	  { [STATS_STATE] = 4, [STATS_AGENCY] = 5, [STATS_CASE_TYPE] = 6 } },
	{ "referrals",
	  "SELECT r.created_at, g.code, r.service, r.state FROM protect_referral r JOIN agency g "
	  "ON g.id = r.to_agency_id WHERE r.created_at >= ? AND r.created_at < ?", NULL,
	  STATS_DIM__COUNT, true, 0,
	  { [STATS_PROVIDER] = 1, [STATS_SERVICE] = 2, [STATS_STATE] = 3 } },
	{ "services",
	  "SELECT s.delivered_on, g.code, COALESCE(p.code, 'NONE'), s.service FROM protect_service "
	  "s JOIN agency g ON g.id = s.provider_agency_id LEFT JOIN protect_project p ON p.id = "
	  "s.project_id WHERE s.delivered_on >= ? AND s.delivered_on < ?", NULL, STATS_DIM__COUNT,
	  false, 0, { [STATS_PROVIDER] = 1, [STATS_PROJECT] = 2, [STATS_SERVICE] = 3 } },
};

#undef CASES_FROM
#undef CASES_COLS
#undef CASES_WHERE

static enum mmis_err count_records(struct store *s, const struct stats_query *q,
				   const struct records_def *rd, struct stats_cube *cube,
				   struct mmis_error *err)
{
	char from[TIMESTAMP_STR_MAX], to[TIMESTAMP_STR_MAX];
	int64_t d0 = date_to_days(&q->from), d1 = date_to_days(&q->to) + 1;
	struct store_stmt *st;
	bool by = false, row = false;
	enum mmis_err rc;

	for (int i = 0; i < q->n_dims; i++)
		by |= rd->select_by && q->dims[i] == rd->by;
	if (rd->timed) {
		timestamp_format(d0 * DAY_MS, from);
		timestamp_format(d1 * DAY_MS, to);
	} else {
		struct date a, b;
		date_from_days(d0, &a);
		date_from_days(d1, &b);
		date_format(&a, from);
		date_format(&b, to);
	}
	if ((rc = store_prepare(s, by ? rd->select_by : rd->select, &st, err)))
		return rc;
	store_bind_text(st, 1, from);
	store_bind_text(st, 2, to);
	while (!(rc = store_step(st, &row, err)) && row) {
		const char *at = store_column_text(st, 0);
		struct stats_crossing_facts f = { 0 };
		struct stats_codes c;
		const char *codes[STATS_DIMS_MAX];
		char pbuf[16];
		struct date day;
		if (rd->timed ? timestamp_parse(at, NULL, &f.at_ms, NULL) != MMIS_OK
			      : date_parse(at, NULL, &day, NULL) != MMIS_OK) {
			rc = mmis_error_set(err, MMIS_EDB, NULL, "%s: a day that is not a date: %.30s",
					    rd->source, at ? at : "(null)");
			break;
		}
		if (!rd->timed)
			f.at_ms = date_to_days(&day) * DAY_MS;
		if (rd->person) {
			f.nationality = store_column_text(st, rd->person);
			f.sex = store_column_text(st, rd->person + 1);
			f.birth_date = store_column_text(st, rd->person + 2);
		}
		stats_classify(&f, &c);
		for (int i = 0; i < q->n_dims; i++) {
			int k = rd->col[q->dims[i]];
			codes[i] = k ? store_column_text(st, k) : stats_code_of(&c, q->dims[i], pbuf);
		}
		if ((rc = stats_cube_add(cube, codes, 1, err)))
			break;
	}
	store_finalize(st);
	return rc;
}

/* ---- the sources' counting: a function, or a description of the records to count */

static const struct {
	const char *source;
	enum mmis_err (*count)(struct store *s, const struct stats_query *q,
			       struct stats_cube *cube, struct mmis_error *err);
	const struct records_def *records; /* when count is NULL */
} counters[] = {
	{ "crossings", count_crossings, NULL },
	{ "refusals", count_refusals, NULL },
	{ "overstays", count_overstays, NULL },
	{ "cases", NULL, &records[0] },
	{ "referrals", NULL, &records[1] },
	{ "services", NULL, &records[2] },
};

static void dims_text(const struct stats_query *q, char *out, size_t cap)
{
	size_t k = 0;
	out[0] = '\0';
	for (int i = 0; i < q->n_dims; i++) {
		const char *n = stats_dim(q->dims[i])->name;
		size_t l = strlen(n);
		if (k + l + 2 >= cap)
			break;
		if (i)
			out[k++] = ',';
		memcpy(out + k, n, l);
		k += l;
		out[k] = '\0';
	}
	if (!q->n_dims)
		stats_copy(out, cap, "total");
}

enum mmis_err stats_run(const struct mmis_ctx *cx, const struct actor *a,
			const struct stats_query *q, int deployment_min_cell,
			struct stats_table **out, struct mmis_error *err)
{
	struct mmis_error local;
	const struct stats_source *src;
	struct stats_cube *cube = NULL;
	struct stats_table *t = NULL;
	struct audited_op op;
	char action[48], by[96], from[DATE_STR_MAX] = "", to[DATE_STR_MAX] = "";
	int k;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if (!cx || !cx->store || !a || !q)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database, actor or query");
	src = stats_source_find(q->source);
	snprintf(action, sizeof(action), "stats.%s", src ? src->name : "unknown");
	if ((rc = audited_begin(&op, cx, a, action, "statistics", err)))
		return rc;
	k = q->min_cell < 0 ? deployment_min_cell : q->min_cell;
	dims_text(q, by, sizeof(by));
	if (src && src->stock)
		date_format(&q->on, from);
	else if (src) {
		date_format(&q->from, from);
		date_format(&q->to, to);
	}
	if (!src)
		rc = mmis_error_set(err, MMIS_EINVAL, "source", "no such statistics");
	else if (actor_scope(a, PERM_STATS_READ) == SCOPE_NONE)
		rc = stats_denied(err, PERM_STATS_READ);
	else if (q->n_dims < 0 || q->n_dims > STATS_DIMS_MAX)
		rc = mmis_error_set(err, MMIS_EINVAL, "by", "at most %d dimensions", STATS_DIMS_MAX);
	else if (src->unsuppressible && k < deployment_min_cell)
		rc = mmis_error_set(err, MMIS_EDENIED, "min_cell",
				    "%s are never published with cells below %d, to anyone",
				    src->name, src->min_cell_floor);
	else if (k < deployment_min_cell &&
		 actor_scope(a, PERM_STATS_UNSUPPRESSED) == SCOPE_NONE)
		rc = mmis_error_set(err, MMIS_EDENIED, "min_cell",
				    "a minimum cell below %d (this deployment's) needs the "
				    "stats.unsuppressed permission", deployment_min_cell);
	if (!rc) {
		if (src->min_cell_floor > k)
			k = src->min_cell_floor;
		for (int i = 0; !rc && i < q->n_dims; i++)
			if (!(src->dims & (1u << q->dims[i])))
				rc = mmis_error_set(err, MMIS_EINVAL, "by",
						    "by: %s are not counted by %s", src->name,
						    stats_dim(q->dims[i])->name);
	}
	if (!rc && !(cube = stats_cube_new(q->n_dims, q->dims)))
		rc = stats_oom(err);
	if (!rc) {
		size_t i = 0;
		while (i < COUNT(counters) && strcmp(counters[i].source, src->name))
			i++;
		if (i == COUNT(counters))
			rc = mmis_error_set(err, MMIS_EUNSUPPORTED, "source",
					    "statistics of %s cannot be counted yet", src->name);
		else if (counters[i].count)
			rc = counters[i].count(cx->store, q, cube, err);
		else
			rc = count_records(cx->store, q, counters[i].records, cube, err);
	}
	if (!rc) {
		rc = stats_cube_finish(cube, k, src->unsuppressible, &t, err);
		cube = NULL;
	}
	if (!rc) {
		size_t prim = 0, sup = stats_table_suppressed(t, &prim);
		stats_table_set_meta(t, src, q, q->totals);
		audited_detail(&op, "%s by %s, %s%s%s, min cell %d%s, %s: %zu cells, %zu suppressed "
			       "(%zu primary)", src->name, by, from, to[0] ? ".." : "", to, k,
			       k < deployment_min_cell ? " (below the deployment's)" : "",
			       stats_format_name(q->format), stats_table_all_cells(t), sup, prim);
	} else {
		audited_detail(&op, "%s by %s, %s%s%s, min cell %d, %s",
			       src ? src->name : "?", by, from, to[0] ? ".." : "", to, k,
			       stats_format_name(q->format));
	}
	stats_cube_free(cube);
	rc = audited_end(&op, rc, err);
	if (rc)
		stats_table_free(t);
	else
		*out = t;
	return rc;
}
