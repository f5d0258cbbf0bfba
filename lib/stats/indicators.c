/*
 * indicators.c - national indicators from official series, and long-term migration estimated
 * from the border records with the 12/16-month rule (stats.h; docs/statistics.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/strbuf.h"

/* ---- official series */

struct figure {
	bool found;
	double value;
	char text[40];
	char source[201];
	char unit[33];
	char period[16];
};

static enum mmis_err figure_get(struct store *s, const char *country, const char *indicator,
				const char *period, struct figure *f, struct mmis_error *err)
{
	struct store_stmt *st;
	enum mmis_err rc;

	memset(f, 0, sizeof(*f));
	if ((rc = store_prepare(s, "SELECT value, value_text, source, unit FROM stats_series WHERE "
				"country = ? AND indicator = ? AND period = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, country);
	store_bind_text(st, 2, indicator);
	store_bind_text(st, 3, period);
	if (!(rc = store_step(st, &f->found, err)) && f->found) {
		f->value = store_column_double(st, 0);
		stats_copy(f->text, sizeof(f->text), store_column_text(st, 1));
		stats_copy(f->source, sizeof(f->source), store_column_text(st, 2));
		stats_copy(f->unit, sizeof(f->unit), store_column_text(st, 3));
		stats_copy(f->period, sizeof(f->period), period);
	}
	store_finalize(st);
	return rc;
}

static json_t *figure_json(const struct figure *f)
{
	if (!f->found)
		return json_null();
	return json_pack("{s:o, s:s, s:s, s:s}", "value", stats_value_json(f->value), "source",
			 f->source, "period", f->period, "unit", f->unit);
}

/* Round half away from zero to one decimal, as statistical offices publish. */
static double one_decimal(double x)
{
	return round(x * 10.0) / 10.0;
}

/* The sources of two or three figures, each named once ("A; B"). */
static void sources(char *out, size_t cap, const struct figure *const *f, size_t n)
{
	struct strbuf sb;
	strbuf_init(&sb, cap - 1);
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= !strcmp(f[j]->source, f[i]->source);
		if (!seen)
			strbuf_addf(&sb, "%s%s", sb.len ? "; " : "", f[i]->source);
	}
	stats_copy(out, cap, strbuf_str(&sb));
	strbuf_release(&sb);
}

enum { F_POP, F_IMM, F_EMI, F_REM, F_STOCK, F_FEMALE, F__COUNT };
static const char *const figure_names[F__COUNT] = { "population", "immigrants", "emigrants",
						    "remittances_usd", "immigrant_stock",
						    "immigrant_stock_female" };

/* The indicators of one country and year from its figures (the rule, in one place). */
static json_t *indicators_from(const struct figure *fg, int year, const char *country)
{
	const struct figure *pop = &fg[F_POP], *imm = &fg[F_IMM], *emi = &fg[F_EMI];
	const struct figure *stock = &fg[F_STOCK], *female = &fg[F_FEMALE];
	char period[8] = "", src[640];
	json_t *o = json_pack("{s:i, s:s}", "year", year, "country", country);

	if (!o)
		return NULL;
	if (year >= 0 && year <= 9999) {
		period[0] = (char)('0' + year / 1000);
		period[1] = (char)('0' + year / 100 % 10);
		period[2] = (char)('0' + year / 10 % 10);
		period[3] = (char)('0' + year % 10);
		period[4] = '\0';
	}
	if (pop->found && imm->found && emi->found && pop->value > 0) {
		const struct figure *fs[] = { imm, emi, pop };
		double exact = (imm->value - emi->value) / pop->value * 1000.0;
		sources(src, sizeof(src), fs, 3);
		json_object_set_new(o, "net_migration_rate",
				    json_pack("{s:f, s:f, s:s, s:s, s:s, s:s}", "value",
					      one_decimal(exact), "exact", exact, "unit",
					      "per 1000 inhabitants", "source", src, "period", period,
					      "formula", "(immigrants - emigrants) / mid-year "
							 "population x 1000"));
	} else {
		json_object_set_new(o, "net_migration_rate", json_null());
	}
	if (stock->found && female->found && stock->value > 0) {
		const struct figure *fs[] = { female, stock };
		double exact = female->value / stock->value * 100.0;
		sources(src, sizeof(src), fs, 2);
		json_object_set_new(o, "women_pct_immigrants",
				    json_pack("{s:f, s:f, s:s, s:s, s:s}", "value", one_decimal(exact),
					      "exact", exact, "unit", "per cent of the immigrant stock",
					      "source", src, "period", period));
	} else {
		json_object_set_new(o, "women_pct_immigrants", json_null());
	}
	json_object_set_new(o, "remittances_usd", figure_json(&fg[F_REM]));
	json_object_set_new(o, "population", figure_json(pop));
	json_object_set_new(o, "immigrants", figure_json(imm));
	json_object_set_new(o, "emigrants", figure_json(emi));
	json_object_set_new(o, "immigrant_stock", figure_json(stock));
	return o;
}

enum mmis_err stats_indicators(const struct mmis_ctx *cx, const struct actor *a, int year,
			       const char *country_in, json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct figure fg[F__COUNT];
	char period[8], country[4];
	struct audited_op op;
	json_t *o = NULL, *lt = NULL;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if (!cx || !cx->store || !a)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database or actor");
	if ((rc = audited_begin(&op, cx, a, "stats.indicators", "statistics", err)))
		return rc;
	stats_copy(country, sizeof(country), country_in && *country_in ? country_in : "MNE");
	audited_detail(&op, "indicators of %s for %d", country, year);
	if (actor_scope(a, PERM_STATS_READ) == SCOPE_NONE)
		rc = stats_denied(err, PERM_STATS_READ);
	else if (year < 1800 || year > 2200)
		rc = mmis_error_set(err, MMIS_EINVAL, "year", "year: from 1800 to 2200");
	else if (strlen(country) != 3)
		rc = mmis_error_set(err, MMIS_EINVAL, "country", "country: an alpha-3 code");
	if (!rc) {
		struct strbuf sb;
		strbuf_init(&sb, sizeof(period) - 1);
		strbuf_addf(&sb, "%04d", year);
		stats_copy(period, sizeof(period), strbuf_str(&sb));
		strbuf_release(&sb);
	}
	for (int i = 0; !rc && i < F__COUNT; i++)
		rc = figure_get(cx->store, country, figure_names[i], period, &fg[i], err);
	/* The estimate from the border records is Montenegro's own. */
	if (!rc && !strcmp(country, "MNE"))
		rc = stats_long_term_json(cx->store, year, &lt, err);
	if (!rc) {
		if (lt && fg[F_POP].found && fg[F_POP].value > 0) {
			/* The estimate as a rate, beside the official one. */
			double r = (double)json_integer_value(json_object_get(lt, "net")) /
				   fg[F_POP].value * 1000.0;
			json_object_set_new(lt, "net_rate", json_real(one_decimal(r)));
			json_object_set_new(lt, "net_rate_exact", json_real(r));
		}
		if (!(o = indicators_from(fg, year, country))) {
			rc = stats_oom(err);
		} else {
			json_object_set_new(o, "long_term", lt ? lt : json_null());
			lt = NULL;
		}
	}
	json_decref(lt);
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(o);
	else
		*out = o;
	return rc;
}

enum mmis_err stats_regional(const struct mmis_ctx *cx, const struct actor *a, int from_year,
			     int to_year, json_t **out, struct mmis_error *err)
{
	struct store_stmt *st;
	struct {
		char country[4];
		int year;
		struct figure fg[F__COUNT];
	} *cells = NULL;
	size_t n = 0, cap = 0;
	char from[16], to[16];
	json_t *arr = NULL;
	bool row = false;
	enum mmis_err rc;

	*out = NULL;
	if (!cx || !cx->store || !a)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database or actor");
	if (actor_scope(a, PERM_STATS_READ) == SCOPE_NONE)
		return stats_denied(err, PERM_STATS_READ);
	if (from_year < 1800 || to_year > 2200 || from_year > to_year || to_year - from_year > 100)
		return mmis_error_set(err, MMIS_EINVAL, "from", "from: years from 1800 to 2200, "
				      "from not after to, at most a century");
	{
		struct date y0 = { from_year, 1, 1, DATE_DAY }, y1 = { to_year, 1, 1, DATE_DAY };
		stats_period_code(STATS_YEAR, &y0, from);
		stats_period_code(STATS_YEAR, &y1, to);
	}
	/* Annual figures only (the indicators are annual), every country held. */
	if ((rc = store_prepare(cx->store, "SELECT country, period, indicator, value, value_text, "
				"source, unit FROM stats_series WHERE period >= ? AND period <= ? AND "
				"length(period) = 4 ORDER BY country, period", &st, err)))
		return rc;
	store_bind_text(st, 1, from);
	store_bind_text(st, 2, to);
	while (!(rc = store_step(st, &row, err)) && row) {
		const char *c = store_column_text(st, 0), *ind = store_column_text(st, 2);
		int year = atoi(store_column_text(st, 1) ? store_column_text(st, 1) : "0");
		if (!c)
			continue;
		if (!n || strcmp(cells[n - 1].country, c) || cells[n - 1].year != year) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				void *nx = realloc(cells, nc * sizeof(*cells));
				if (!nx) {
					rc = stats_oom(err);
					break;
				}
				cells = nx;
				cap = nc;
			}
			memset(&cells[n], 0, sizeof(cells[n]));
			stats_copy(cells[n].country, sizeof(cells[n].country), c);
			cells[n].year = year;
			n++;
		}
		for (int i = 0; ind && i < F__COUNT; i++) {
			if (strcmp(figure_names[i], ind))
				continue;
			struct figure *f = &cells[n - 1].fg[i];
			f->found = true;
			f->value = store_column_double(st, 3);
			stats_copy(f->text, sizeof(f->text), store_column_text(st, 4));
			stats_copy(f->source, sizeof(f->source), store_column_text(st, 5));
			stats_copy(f->unit, sizeof(f->unit), store_column_text(st, 6));
			stats_copy(f->period, sizeof(f->period), store_column_text(st, 1));
		}
	}
	store_finalize(st);
	if (!rc && !(arr = json_array()))
		rc = stats_oom(err);
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *o = indicators_from(cells[i].fg, cells[i].year, cells[i].country);
		if (!o || json_array_append_new(arr, o))
			rc = stats_oom(err);
	}
	free(cells);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return MMIS_OK;
}

/* ---- long-term migration: the 12/16-month rule */

/* The day `months` calendar months after `day` (the day of the month kept, or the month's last). */
static int64_t add_months(int64_t day, int months)
{
	struct date d, r;
	date_from_days(day, &d);
	int m = d.month - 1 + months;
	r.year = d.year + m / 12;
	r.month = m % 12 + 1;
	r.day = d.day;
	if (r.day > date_days_in_month(r.year, r.month))
		r.day = date_days_in_month(r.year, r.month);
	r.precision = DATE_DAY;
	return date_to_days(&r);
}

#define FOREVER INT64_MAX
#define NEVER INT64_MIN

struct span {
	int64_t from, to; /* days present, both included; to FOREVER while still present */
};

/* Present days of the spans within [a, b). */
static int64_t presence(const struct span *s, size_t n, int64_t a, int64_t b)
{
	int64_t days = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t lo = s[i].from > a ? s[i].from : a;
		int64_t hi = s[i].to == FOREVER || s[i].to >= b ? b - 1 : s[i].to;
		if (hi >= lo)
			days += hi - lo + 1;
	}
	return days;
}

void stats_lt_classify(const struct lt_crossing *x, size_t n, int64_t from, int64_t to,
		       int64_t decided_until, struct lt_result *r)
{
	struct span *spans = n ? calloc(n + 1, sizeof(*spans)) : NULL;
	size_t ns = 0;
	bool in = false, resident;

	if (!n || !spans) {
		free(spans);
		return;
	}
	/* Days present: from an entry to the next exit, both days included. An exit with no entry
	 * before it (the first crossing) closes a stay begun before the records. */
	for (size_t i = 0; i < n; i++) {
		if (!x[i].exit && !in) {
			spans[ns].from = x[i].day;
			spans[ns].to = FOREVER;
			in = true;
		} else if (x[i].exit && in) {
			spans[ns++].to = x[i].day;
			in = false;
		} else if (x[i].exit && i == 0) {
			spans[ns].from = NEVER / 2;
			spans[ns++].to = x[i].day;
		}
	}
	if (in)
		ns++;
	/* Someone whose first crossing is an exit lived here before it. */
	resident = x[0].exit;
	for (size_t i = 0; i < n; i++) {
		bool count = x[i].day >= from && x[i].day <= to;
		if (x[i].exit == resident) {
			/* An arrival of a non-resident or a departure of a resident: does it last? */
			int64_t end = add_months(x[i].day, STATS_LT_WINDOW_MONTHS);
			int64_t known_end = end <= decided_until + 1 ? end : decided_until + 1;
			int64_t known = known_end > x[i].day ? known_end - x[i].day : 0;
			int64_t unknown = end - x[i].day - known;
			int64_t here = presence(spans, ns, x[i].day, known_end);
			int64_t got = x[i].exit ? known - here : here; /* days in (or out of) */
			bool yes = got >= STATS_LT_MIN_DAYS;
			bool no = got + unknown < STATS_LT_MIN_DAYS;
			if (yes) {
				resident = !resident;
				if (count) {
					if (x[i].exit)
						r->departures++;
					else
						r->arrivals++;
				}
			} else if (!no && count) {
				if (x[i].exit)
					r->undecided_departures++;
				else
					r->undecided_arrivals++;
			}
		}
	}
	free(spans);
}

enum mmis_err stats_long_term_json(struct store *s, int year, json_t **out, struct mmis_error *err)
{
	struct store_stmt *st;
	struct lt_result r = { 0 };
	struct lt_crossing *x = NULL;
	struct date jan1 = { year, 1, 1, DATE_DAY }, dec31 = { year, 12, 31, DATE_DAY }, today;
	char a[TIMESTAMP_STR_MAX], b[TIMESTAMP_STR_MAX], person[UUID_STR_MAX] = "",
		as_of[DATE_STR_MAX], final_on[DATE_STR_MAX];
	size_t n = 0, cap = 0;
	int64_t travellers = 0;
	bool row = false;
	enum mmis_err rc;

	*out = NULL;
	date_today(&today);
	int64_t from = date_to_days(&jan1), to = date_to_days(&dec31), until = date_to_days(&today);
	timestamp_format(from * DAY_MS, a);
	timestamp_format((to + 1) * DAY_MS, b);
	/* Every crossing of everyone who crossed in the year, in order per person. */
	if ((rc = store_prepare(s, "SELECT person_id, at, direction FROM crossing WHERE person_id IN "
				"(SELECT person_id FROM crossing WHERE at >= ? AND at < ?) "
				"ORDER BY person_id, at, id", &st, err)))
		return rc;
	store_bind_text(st, 1, a);
	store_bind_text(st, 2, b);
	for (;;) {
		rc = store_step(st, &row, err);
		const char *pid = !rc && row ? store_column_text(st, 0) : NULL;
		if (rc || !row || strcmp(pid ? pid : "", person)) {
			stats_lt_classify(x, n, from, to, until, &r);
			n = 0;
			if (rc || !row)
				break;
			stats_copy(person, sizeof(person), pid);
			travellers++;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct lt_crossing *nx = realloc(x, nc * sizeof(*nx));
			if (!nx) {
				rc = stats_oom(err);
				break;
			}
			x = nx;
			cap = nc;
		}
		int64_t ms = 0;
		timestamp_parse(store_column_text(st, 1), NULL, &ms, NULL);
		x[n].day = ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
		x[n].exit = !strcmp(store_column_text(st, 2) ? store_column_text(st, 2) : "", "exit");
		n++;
	}
	store_finalize(st);
	free(x);
	if (rc)
		return rc;
	struct date fd;
	int64_t final_day = add_months(to, STATS_LT_WINDOW_MONTHS);
	date_from_days(final_day, &fd);
	date_format(&today, as_of);
	date_format(&fd, final_on);
	*out = json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:s, s:s, s:s}", "year", year,
			 "travellers", (json_int_t)travellers, "arrivals", (json_int_t)r.arrivals, "departures", (json_int_t)r.departures,
			 "net", (json_int_t)(r.arrivals - r.departures), "undecided_arrivals",
			 (json_int_t)r.undecided_arrivals, "undecided_departures",
			 (json_int_t)r.undecided_departures, "final", until >= final_day, "as_of",
			 as_of, "final_on", final_on, "method",
			 "12/16-month rule on the border records: an arrival is long-term when the "
			 "traveller spends at least 365 days in the country in the 16 months from it, "
			 "a departure when they spend 365 days away; only arrivals of travellers not "
			 "resident and departures of residents count (docs/statistics.md)");
	return *out ? MMIS_OK : stats_oom(err);
}

enum mmis_err stats_long_term(const struct mmis_ctx *cx, const struct actor *a, int year,
			      json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	json_t *o = NULL;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if (!cx || !cx->store || !a)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database or actor");
	if ((rc = audited_begin(&op, cx, a, "stats.long_term", "statistics", err)))
		return rc;
	audited_detail(&op, "long-term migration %d", year);
	if (actor_scope(a, PERM_STATS_READ) == SCOPE_NONE)
		rc = stats_denied(err, PERM_STATS_READ);
	else if (year < 1800 || year > 2200)
		rc = mmis_error_set(err, MMIS_EINVAL, "year", "year: from 1800 to 2200");
	else
		rc = stats_long_term_json(cx->store, year, &o, err);
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(o);
	else
		*out = o;
	return rc;
}
