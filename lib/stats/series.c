/*
 * series.c - official series behind the national indicators (stats.h): the strict parser of a
 * series file, its all-or-nothing import and the listing.
 *
 * The file is read with the border imports' CSV reader (libcsv in strict mode, line numbers,
 * UTF-8 checks: lib/border/internal.h). A file may hold several countries: the optional
 * `country` column (ISO alpha-3 or ICAO), else the default country (MNE), so that the
 * neighbours' series can be imported for the regional view with the same header.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../border/internal.h"
#include "internal.h"
#include "mmis/border.h"
#include "mmis/json.h"
#include "mmis/uuid.h"

#define ERRORS_MAX 1000
#define SERIES_ROWS_MAX 1000000

const char *const stats_indicator_names[] = { "population", "immigrants", "emigrants",
					      "remittances_usd", "immigrant_stock",
					      "immigrant_stock_female", NULL };

enum scol { S_INDICATOR, S_PERIOD, S_VALUE, S_SOURCE, S_UNIT, S_COUNTRY, S__COUNT };
static const char *const scol_names[S__COUNT] = { "indicator", "period", "value", "source", "unit",
						  "country" };

static void line_error(json_t *errors, int64_t line, const struct mmis_error *e)
{
	if (errors && json_array_size(errors) < ERRORS_MAX)
		json_array_append_new(errors, json_pack("{s:I, s:s?, s:s}", "line", (json_int_t)line,
							"field", e->field[0] ? e->field : NULL,
							"message", mmis_error_text(e)));
}

/* "2024", "2024-Q3", "2024-07"; MMIS_EINVAL naming period with the reason. */
static enum mmis_err check_period(const char *s, struct mmis_error *e)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < 4 && i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			n = 0;
	if (n < 4 || (n > 4 && s[4] != '-') || (n != 4 && n != 7))
		return mmis_error_set(e, MMIS_EINVAL, "period",
				      "period: '%.20s' is not a year (2024), a quarter (2024-Q1) or a "
				      "month (2024-01)", s);
	int year = atoi(s);
	if (year < 1800 || year > 2200)
		return mmis_error_set(e, MMIS_EINVAL, "period", "period: year %d is out of range", year);
	if (n == 7 && s[5] == 'Q') {
		if (s[6] < '1' || s[6] > '4')
			return mmis_error_set(e, MMIS_EINVAL, "period",
					      "period: quarter %c is out of range (Q1 to Q4)", s[6]);
	} else if (n == 7) {
		if (!isdigit((unsigned char)s[5]) || !isdigit((unsigned char)s[6]))
			return mmis_error_set(e, MMIS_EINVAL, "period",
					      "period: '%.20s' is not a month (2024-01)", s);
		int month = atoi(s + 5);
		if (month < 1 || month > 12)
			return mmis_error_set(e, MMIS_EINVAL, "period",
					      "period: month %d is out of range", month);
	}
	return MMIS_OK;
}

/* A decimal number as published: digits with an optional fraction ("620029", "441000000",
 * "12.5"); no sign, exponent, thousands separator or spaces. */
static enum mmis_err check_value(const char *s, double *out, struct mmis_error *e)
{
	const char *p = s;
	size_t digits = 0;
	if (*p == '-')
		return mmis_error_set(e, MMIS_EINVAL, "value",
				      "value: '%.30s' is negative (the indicators are counts and "
				      "amounts)", s);
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (digits && *p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			digits = 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (!digits || *p || p - s > 30)
		return mmis_error_set(e, MMIS_EINVAL, "value",
				      "value: '%.30s' is not a number (digits, and a '.' before "
				      "decimals)", s);
	*out = strtod(s, NULL);
	return MMIS_OK;
}

static bool known_indicator(const char *s)
{
	for (size_t i = 0; stats_indicator_names[i]; i++)
		if (!strcmp(stats_indicator_names[i], s))
			return true;
	return false;
}

/* One record into a row; MMIS_EINVAL naming the field. */
static enum mmis_err parse_record(char *const *v, const char *def, struct series_row *r,
				  struct mmis_error *e)
{
	enum mmis_err rc;

	memset(r, 0, sizeof(*r));
	if (!v[S_INDICATOR] || !*v[S_INDICATOR])
		return mmis_error_set(e, MMIS_EINVAL, "indicator", "indicator: is required");
	if (!known_indicator(v[S_INDICATOR]))
		return mmis_error_set(e, MMIS_EINVAL, "indicator",
				      "indicator: unknown indicator '%.40s' (population, immigrants, "
				      "emigrants, remittances_usd, immigrant_stock, "
				      "immigrant_stock_female)", v[S_INDICATOR]);
	stats_copy(r->indicator, sizeof(r->indicator), v[S_INDICATOR]);
	if (!v[S_PERIOD] || !*v[S_PERIOD])
		return mmis_error_set(e, MMIS_EINVAL, "period", "period: is required");
	if ((rc = check_period(v[S_PERIOD], e)))
		return rc;
	stats_copy(r->period, sizeof(r->period), v[S_PERIOD]);
	if (!v[S_VALUE] || !*v[S_VALUE])
		return mmis_error_set(e, MMIS_EINVAL, "value", "value: is required");
	if ((rc = check_value(v[S_VALUE], &r->number, e)))
		return rc;
	if (!strcmp(r->indicator, "population") && r->number <= 0)
		return mmis_error_set(e, MMIS_EINVAL, "value", "value: a population is above zero");
	stats_copy(r->value, sizeof(r->value), v[S_VALUE]);
	if (!v[S_SOURCE] || !*v[S_SOURCE])
		return mmis_error_set(e, MMIS_EINVAL, "source",
				      "source: is required (who published the figure)");
	if (!mjson_text_ok(v[S_SOURCE], strlen(v[S_SOURCE]), false) || strlen(v[S_SOURCE]) > 200)
		return mmis_error_set(e, MMIS_EINVAL, "source", "source: at most 200 characters of text");
	stats_copy(r->source, sizeof(r->source), v[S_SOURCE]);
	if (v[S_UNIT] && (strlen(v[S_UNIT]) > 32 || !mjson_text_ok(v[S_UNIT], strlen(v[S_UNIT]), false)))
		return mmis_error_set(e, MMIS_EINVAL, "unit", "unit: at most 32 characters of text");
	stats_copy(r->unit, sizeof(r->unit), v[S_UNIT]);
	const char *c = v[S_COUNTRY] && *v[S_COUNTRY] ? v[S_COUNTRY] : def;
	if (border_country_norm(c, "country", r->country, e))
		return mmis_error_set(e, MMIS_EINVAL, "country", "country: unknown country '%.10s'", c);
	return MMIS_OK;
}

static size_t row_hash(const struct series_row *r)
{
	size_t h = (size_t)14695981039346656037ULL;
	for (const char *p = r->country; *p; p++)
		h = (h ^ (unsigned char)*p) * (size_t)1099511628211ULL;
	for (const char *p = r->indicator; *p; p++)
		h = (h ^ (unsigned char)*p) * (size_t)1099511628211ULL;
	for (const char *p = r->period; *p; p++)
		h = (h ^ (unsigned char)*p) * (size_t)1099511628211ULL;
	return h;
}

static bool same_key(const struct series_row *a, const struct series_row *b)
{
	return !strcmp(a->country, b->country) && !strcmp(a->indicator, b->indicator) &&
	       !strcmp(a->period, b->period);
}

enum mmis_err series_parse(FILE *in, const char *default_country, struct series_row **rows_out,
			   size_t *n_out, json_t **errors_out, struct mmis_error *err)
{
	struct csv_reader *c = NULL;
	struct series_row *rows = NULL;
	size_t n = 0, cap = 0, *slots = NULL, nslots = 0;
	int idx[S__COUNT];
	int64_t bad = 0;
	json_t *errors = json_array();
	enum mmis_err rc = MMIS_OK;
	char def[4];

	*rows_out = NULL;
	*n_out = 0;
	if (errors_out)
		*errors_out = NULL;
	if (!errors)
		return stats_oom(err);
	if (border_country_norm(default_country ? default_country : "MNE", "country", def, err)) {
		json_decref(errors);
		return mmis_error_set(err, MMIS_EINVAL, "country", "country: unknown country '%.10s'",
				      default_country);
	}
	if (!(c = malloc(sizeof(*c))) || !csv_reader_init(c, in)) {
		if (c)
			csv_reader_release(c);
		free(c);
		json_decref(errors);
		return stats_oom(err);
	}
	/* The header: every column named once, the five of the contract required. */
	if (!csv_reader_next(c))
		rc = mmis_error_set(err, MMIS_EINVAL, NULL, "line 1: the file is empty: expected the "
				    "header indicator,period,value,source,unit");
	else if (c->bad[0])
		rc = mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: the header: %s",
				    (long long)c->line, c->bad);
	for (int k = 0; k < S__COUNT; k++)
		idx[k] = -1;
	for (int i = 0; !rc && i < c->n; i++) {
		int k;
		csv_trim(c->fields[i]);
		for (k = 0; k < S__COUNT && strcmp(c->fields[i], scol_names[k]); k++)
			;
		if (k == S__COUNT)
			rc = mmis_error_set(err, MMIS_EINVAL, NULL,
					    "line %lld: unknown column '%.40s' (the header is "
					    "indicator,period,value,source,unit and optionally country)",
					    (long long)c->line, c->fields[i]);
		else if (idx[k] >= 0)
			rc = mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: column '%s' twice",
					    (long long)c->line, scol_names[k]);
		else
			idx[k] = i;
	}
	for (int k = 0; !rc && k < S_COUNTRY; k++)
		if (idx[k] < 0)
			rc = mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: the column '%s' is missing",
					    (long long)c->line, scol_names[k]);
	while (!rc && csv_reader_next(c)) {
		struct mmis_error le;
		struct series_row r;
		char *v[S__COUNT] = { 0 };

		mmis_error_clear(&le);
		if (!c->bad[0] && c->n == 1 && !c->fields[0][0])
			continue; /* a blank line */
		if (c->bad[0]) {
			int f = -1;
			for (int k = 0; k < S__COUNT; k++)
				if (idx[k] == c->bad_field)
					f = k;
			mmis_error_set(&le, MMIS_EINVAL, f >= 0 ? scol_names[f] : NULL, "%s", c->bad);
		} else {
			int want = 0;
			for (int k = 0; k < S__COUNT; k++)
				want += idx[k] >= 0;
			if (c->n != want)
				mmis_error_set(&le, MMIS_EINVAL, NULL, "%d fields where the header has %d",
					       c->n, want);
		}
		if (!le.code) {
			for (int k = 0; k < S__COUNT; k++)
				if (idx[k] >= 0) {
					v[k] = c->fields[idx[k]];
					csv_trim(v[k]);
				}
			parse_record(v, def, &r, &le);
		}
		if (!le.code && n >= SERIES_ROWS_MAX)
			mmis_error_set(&le, MMIS_ETOOBIG, NULL, "more than %d lines", SERIES_ROWS_MAX);
		if (!le.code) {
			/* The same country, indicator and period twice: the second is an error. */
			if ((n + 1) * 2 > nslots) {
				size_t ns = nslots ? nslots * 2 : 256;
				size_t *sl = calloc(ns, sizeof(*sl));
				if (!sl) {
					rc = stats_oom(err);
					break;
				}
				for (size_t i = 0; i < n; i++) {
					size_t j = row_hash(&rows[i]) & (ns - 1);
					while (sl[j])
						j = (j + 1) & (ns - 1);
					sl[j] = i + 1;
				}
				free(slots);
				slots = sl;
				nslots = ns;
			}
			size_t j = row_hash(&r) & (nslots - 1);
			while (slots[j] && !same_key(&rows[slots[j] - 1], &r))
				j = (j + 1) & (nslots - 1);
			if (slots[j]) {
				mmis_error_set(&le, MMIS_EINVAL, "period",
					       "%s %s %s is already on line %lld", r.country,
					       r.indicator, r.period, (long long)rows[slots[j] - 1].line);
			} else {
				if (n == cap) {
					size_t nc = cap ? cap * 2 : 64;
					struct series_row *nr = realloc(rows, nc * sizeof(*nr));
					if (!nr) {
						rc = stats_oom(err);
						break;
					}
					rows = nr;
					cap = nc;
				}
				r.line = c->line;
				rows[n] = r;
				slots[j] = ++n;
			}
		}
		if (le.code) {
			bad++;
			line_error(errors, c->line, &le);
		}
	}
	if (!rc && c->io_error)
		rc = mmis_error_set(err, MMIS_EIO, NULL, "the file cannot be read");
	if (!rc && bad) {
		const json_t *first = json_array_get(errors, 0);
		rc = mmis_error_set(err, MMIS_EINVAL, json_string_value(json_object_get(first, "field")),
				    "%lld bad line%s, nothing imported; line %lld: %s", (long long)bad,
				    bad == 1 ? "" : "s",
				    (long long)json_integer_value(json_object_get(first, "line")),
				    json_string_value(json_object_get(first, "message")));
	}
	if (!rc && !n)
		rc = mmis_error_set(err, MMIS_EINVAL, NULL, "the file has a header and no series");
	csv_reader_release(c);
	free(c);
	free(slots);
	if (rc) {
		free(rows);
		if (errors_out)
			*errors_out = errors;
		else
			json_decref(errors);
		return rc;
	}
	json_decref(errors);
	*rows_out = rows;
	*n_out = n;
	return MMIS_OK;
}

enum mmis_err series_import(const struct mmis_ctx *cx, const struct actor *a, FILE *in,
			    const char *name, const char *default_country, int64_t *imported,
			    json_t **errors, struct mmis_error *err)
{
	struct mmis_error local;
	struct series_row *rows = NULL;
	struct audited_op op;
	char id[UUID_STR_MAX], now[TIMESTAMP_STR_MAX];
	size_t n = 0;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if (imported)
		*imported = 0;
	if (errors)
		*errors = NULL;
	if (!cx || !cx->store || !a)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database or actor");
	if ((rc = audited_begin(&op, cx, a, "series.import", "series", err)))
		return rc;
	uuid7_new_str(id);
	stats_copy(op.object_id, sizeof(op.object_id), id);
	timestamp_format(timestamp_now(), now);
	if (actor_scope(a, PERM_STATS_WRITE) == SCOPE_NONE)
		rc = stats_denied(err, PERM_STATS_WRITE);
	else
		rc = series_parse(in, default_country, &rows, &n, errors, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct store_stmt *st;
		if ((rc = store_prepare(cx->store,
					"INSERT INTO stats_series (country, indicator, period, "
					"value_text, value, source, unit, imported_at, import_id) VALUES "
					"(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (country, indicator, "
					"period) DO UPDATE SET value_text = excluded.value_text, value = "
					"excluded.value, source = excluded.source, unit = excluded.unit, "
					"imported_at = excluded.imported_at, import_id = "
					"excluded.import_id", &st, err)))
			break;
		store_bind_text(st, 1, rows[i].country);
		store_bind_text(st, 2, rows[i].indicator);
		store_bind_text(st, 3, rows[i].period);
		store_bind_text(st, 4, rows[i].value);
		store_bind_double(st, 5, rows[i].number);
		store_bind_text(st, 6, rows[i].source);
		store_bind_text(st, 7, rows[i].unit);
		store_bind_text(st, 8, now);
		store_bind_text(st, 9, id);
		rc = store_run(st, err);
		store_finalize(st);
	}
	free(rows);
	if (!rc) {
		audited_detail(&op, "%zu values from %.150s", n, name ? name : "standard input");
		if (imported)
			*imported = (int64_t)n;
	} else {
		audited_detail(&op, "from %.150s", name ? name : "standard input");
	}
	return audited_end(&op, rc, err);
}

/* A value as JSON: an integer when it is one, else a real. */
json_t *stats_value_json(double v)
{
	if (v == (double)(int64_t)v && v > -9007199254740992.0 && v < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

enum mmis_err series_list(const struct mmis_ctx *cx, const struct actor *a, const char *country,
			  const char *indicator, json_t **out, struct mmis_error *err)
{
	struct store_stmt *st;
	struct strbuf sql;
	json_t *arr;
	bool row = false;
	enum mmis_err rc;
	int p = 1;

	*out = NULL;
	if (!cx || !cx->store || !a)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database or actor");
	if (actor_scope(a, PERM_STATS_READ) == SCOPE_NONE)
		return stats_denied(err, PERM_STATS_READ);
	if (!(arr = json_array()))
		return stats_oom(err);
	strbuf_init(&sql, 1024);
	strbuf_addstr(&sql, "SELECT country, indicator, period, value, value_text, source, unit, "
			    "imported_at FROM stats_series WHERE 1 = 1");
	if (country)
		strbuf_addstr(&sql, " AND country = ?");
	if (indicator)
		strbuf_addstr(&sql, " AND indicator = ?");
	strbuf_addstr(&sql, " ORDER BY country, indicator, period");
	rc = store_prepare(cx->store, strbuf_str(&sql), &st, err);
	strbuf_release(&sql);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	if (country)
		store_bind_text(st, p++, country);
	if (indicator)
		store_bind_text(st, p++, indicator);
	while (!(rc = store_step(st, &row, err)) && row) {
		json_t *o = json_pack("{s:s?, s:s?, s:s?, s:o, s:s?, s:s?, s:s?, s:s?}", "country",
				      store_column_text(st, 0), "indicator", store_column_text(st, 1),
				      "period", store_column_text(st, 2), "value",
				      stats_value_json(store_column_double(st, 3)), "value_text",
				      store_column_text(st, 4), "source", store_column_text(st, 5),
				      "unit", store_column_text(st, 6), "imported_at",
				      store_column_text(st, 7));
		if (!o || json_array_append_new(arr, o)) {
			rc = stats_oom(err);
			break;
		}
	}
	store_finalize(st);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return MMIS_OK;
}
