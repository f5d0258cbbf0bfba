/*
 * trends.c - seasonal alerts: a BCP's arrivals in a month against the same month of the years
 * before (stats.h; the method in docs/statistics.md, "Seasonal alerts").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/strbuf.h"

#define HISTORY_YEARS 5
#define P_TAIL 0.0005   /* each side: p < 0.001 in all */
#define Z_ALERT 3.5     /* the robust z-score beyond which a count is unusual */
#define TREND_MIN 0.8   /* the year-on-year trend is trusted within these bounds */
#define TREND_MAX 1.25

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* The Poisson(lambda) quantiles: the smallest k with P(X <= k) >= p, for p = P_TAIL and 1 - P_TAIL. */
static void poisson_bounds(double lambda, double *low, double *high)
{
	if (lambda <= 0) {
		*low = *high = 0;
		return;
	}
	if (lambda > 1000) {
		/* normal approximation, z = 3.29 for 0.0005 each side */
		double sd = sqrt(lambda);
		*low = floor(lambda - 3.29 * sd);
		*high = ceil(lambda + 3.29 * sd);
		return;
	}
	double cdf = 0;
	bool have_low = false;
	for (int k = 0; k < 100000; k++) {
		cdf += exp(-lambda + k * log(lambda) - lgamma(k + 1.0));
		if (!have_low && cdf >= P_TAIL) {
			*low = k;
			have_low = true;
		}
		if (cdf >= 1.0 - P_TAIL) {
			*high = k;
			return;
		}
	}
	*high = lambda * 2;
}

void stats_alert_check(const int64_t *history, size_t n, double trend, int64_t count,
		       struct stats_alert_test *out)
{
	double h[HISTORY_YEARS * 4], dev[HISTORY_YEARS * 4];

	memset(out, 0, sizeof(*out));
	if (n < 2 || n > HISTORY_YEARS * 4)
		return;
	if (trend < TREND_MIN)
		trend = TREND_MIN;
	if (trend > TREND_MAX)
		trend = TREND_MAX;
	/* history[0] is the oldest: n years back; scale each by the trend for its years. */
	for (size_t i = 0; i < n; i++)
		h[i] = (double)history[i] * pow(trend, (double)(n - i));
	double m = median(h, n);
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(h[i] - m);
	double mad = median(dev, n);
	double sigma = fmax(1.4826 * mad, sqrt(fmax(m, 1.0)));
	out->expected = m;
	poisson_bounds(m, &out->low, &out->high);
	out->z = ((double)count - m) / sigma;
	out->above = (double)count > m;
	out->alert = ((double)count < out->low || (double)count > out->high) && fabs(out->z) > Z_ALERT;
}

/* Months as an index: year * 12 + month - 1. */
static int month_index(const char *s)
{
	if (!s || strlen(s) < 7)
		return -1;
	return atoi(s) * 12 + atoi(s + 5) - 1;
}

static void month_text(int idx, char out[16])
{
	struct date d = { idx / 12, idx % 12 + 1, 1, DATE_DAY };
	stats_period_code(STATS_MONTH, &d, out);
}

struct bcp_series {
	char code[17];
	char name[201];
	int64_t counts[(HISTORY_YEARS + 2) * 12 + 1]; /* months first..last */
};

enum mmis_err stats_alerts(const struct mmis_ctx *cx, const struct actor *a, const char *month,
			   int deployment_min_cell, json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct audited_op op;
	struct bcp_series *b = NULL;
	int64_t totals[(HISTORY_YEARS + 2) * 12 + 1] = { 0 };
	size_t nb = 0;
	int m, first, span = (HISTORY_YEARS + 2) * 12 + 1;
	char ms[16] = "", from[16], to[16];
	json_t *alerts = NULL, *res = NULL;
	bool current = false, row = false;
	struct store_stmt *st;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if (!cx || !cx->store || !a)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database or actor");
	if ((rc = audited_begin(&op, cx, a, "stats.alerts", "statistics", err)))
		return rc;
	if (month) {
		struct date d;
		m = -1;
		if (strlen(month) == 7 && !date_parse_partial(month, "month", &d, NULL) &&
		    d.precision == DATE_MONTH)
			m = d.year * 12 + d.month - 1;
	} else {
		struct date today;
		date_today(&today);
		m = today.year * 12 + today.month - 2; /* the last complete month */
	}
	if (actor_scope(a, PERM_STATS_READ) == SCOPE_NONE)
		rc = stats_denied(err, PERM_STATS_READ);
	else if (m < 0)
		rc = mmis_error_set(err, MMIS_EINVAL, "month", "month: YYYY-MM");
	else if (!(rc = stats_rollups_current(cx->store, &current, err)) && !current)
		rc = mmis_error_set(err, MMIS_ECONFLICT, NULL, "the statistics' roll-ups are not "
				    "built yet: run `mmis stats rebuild`");
	if (!rc) {
		month_text(m, ms);
		audited_detail(&op, "seasonal alerts for %s", ms);
		first = m - span + 1;
		month_text(first, from);
		month_text(m, to);
	}
	/* The BCPs. */
	if (!rc && !(rc = store_prepare(cx->store, "SELECT code, name FROM bcp ORDER BY code", &st,
					err))) {
		while (!(rc = store_step(st, &row, err)) && row) {
			struct bcp_series *nbp = realloc(b, (nb + 1) * sizeof(*b));
			if (!nbp) {
				rc = stats_oom(err);
				break;
			}
			b = nbp;
			memset(&b[nb], 0, sizeof(*b));
			stats_copy(b[nb].code, sizeof(b[nb].code), store_column_text(st, 0));
			stats_copy(b[nb].name, sizeof(b[nb].name), store_column_text(st, 1));
			nb++;
		}
		store_finalize(st);
	}
	/* Arrivals per BCP and month. */
	if (!rc && !(rc = store_prepare(cx->store, "SELECT period, bcp, SUM(n) FROM "
					"stats_crossing_month WHERE direction = 'entry' AND period >= "
					"? AND period <= ? GROUP BY period, bcp", &st, err))) {
		store_bind_text(st, 1, from);
		store_bind_text(st, 2, to);
		while (!(rc = store_step(st, &row, err)) && row) {
			int i = month_index(store_column_text(st, 0)) - first;
			const char *code = store_column_text(st, 1);
			int64_t n = store_column_int64(st, 2);
			if (i < 0 || i >= span)
				continue;
			totals[i] += n;
			for (size_t k = 0; code && k < nb; k++)
				if (!strcmp(b[k].code, code))
					b[k].counts[i] += n;
		}
		store_finalize(st);
	}
	if (!rc && (!(alerts = json_array())))
		rc = stats_oom(err);
	size_t checked = 0;
	for (size_t k = 0; !rc && k < nb; k++) {
		int64_t hist[HISTORY_YEARS];
		size_t nh = 0;
		int last = span - 1;
		/* The same month of earlier years for which there are records at all, oldest first. */
		for (int y = HISTORY_YEARS; y >= 1; y--)
			if (last - 12 * y >= 0 && totals[last - 12 * y] > 0)
				hist[nh++] = b[k].counts[last - 12 * y];
		int64_t seen = 0;
		for (size_t i = 0; i < nh; i++)
			seen += hist[i];
		if (nh < 2 || !seen)
			continue; /* too little history, or a BCP without arrivals in it */
		/* The trend: the last twelve months against the twelve before. */
		int64_t recent = 0, before = 0;
		bool data = true;
		for (int i = 1; i <= 12; i++) {
			recent += b[k].counts[last - i];
			before += b[k].counts[last - 12 - i];
			data &= totals[last - 12 - i] > 0;
		}
		double trend = data && recent > 0 && before > 0 ? (double)recent / (double)before : 1.0;
		struct stats_alert_test t;
		int64_t x = b[k].counts[last];
		stats_alert_check(hist, nh, trend, x, &t);
		checked++;
		/* Small counts are not published, here as in the tables. */
		if (!t.alert || x < deployment_min_cell || t.expected < deployment_min_cell)
			continue;
		json_t *h = json_array();
		for (size_t i = 0; h && i < nh; i++)
			json_array_append_new(h, json_integer(hist[i]));
		json_t *o = json_pack("{s:s, s:s, s:I, s:f, s:f, s:f, s:f, s:s, s:o, s:f}", "bcp",
				      b[k].code, "name", b[k].name, "count", (json_int_t)x,
				      "expected", round(t.expected * 10) / 10, "low", t.low, "high",
				      t.high, "z", round(t.z * 100) / 100, "direction",
				      t.above ? "above" : "below", "history", h ? h : json_array(),
				      "trend", round(fmin(fmax(trend, TREND_MIN), TREND_MAX) * 1000) /
						       1000);
		if (!o || json_array_append_new(alerts, o))
			rc = stats_oom(err);
	}
	if (!rc) {
		/* The strongest first. */
		size_t n = json_array_size(alerts);
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0; j--) {
				double z1 = fabs(json_real_value(json_object_get(json_array_get(alerts, j - 1), "z")));
				double z2 = fabs(json_real_value(json_object_get(json_array_get(alerts, j), "z")));
				if (z1 >= z2)
					break;
				json_t *p = json_incref(json_array_get(alerts, j - 1));
				json_array_set(alerts, j - 1, json_array_get(alerts, j));
				json_array_set_new(alerts, j, p);
			}
		res = json_pack("{s:s, s:O, s:I, s:i, s:s}", "month", ms, "alerts", alerts, "checked",
				(json_int_t)checked, "min_cell", deployment_min_cell, "method",
				"the month's arrivals at each BCP against the median of the same month "
				"in up to five earlier years, scaled by the BCP's year-on-year trend; "
				"an alert when outside the Poisson bounds (p < 0.001) and the robust "
				"z-score exceeds 3.5 (docs/statistics.md)");
		if (!res)
			rc = stats_oom(err);
	}
	json_decref(alerts);
	free(b);
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(res);
	else
		*out = res;
	return rc;
}
