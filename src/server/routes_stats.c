/*
 * routes_stats.c - the handlers of the statistics routes (docs/api.md): tables of crossings,
 * refusals, overstays, protection cases, referrals and services (JSON, CSV, SDMX-CSV or XLSX),
 * national indicators, official series and seasonal alerts. Every table is suppressed with the
 * deployment's minimum cell ($MMIS_MIN_CELL); a smaller one needs stats.unsuppressed, which no
 * role but the system holds; the protection tables never go below 11, for anyone.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/stats.h"
#include "routes_stats.h"


static bool query_bool(struct req *r, const char *key, bool *out)
{
	const char *s = req_query(r, key);
	*out = false;
	if (!s)
		return true;
	if (!*s || !strcmp(s, "1") || !strcmp(s, "true"))
		*out = true;
	else if (strcmp(s, "0") && strcmp(s, "false")) {
		reply_problem(r, 400, key, "expected true or false");
		return false;
	}
	return true;
}

static void table_route(struct req *r, const char *source)
{
	const struct req_view *v = req_view(r);
	struct stats_table *t = NULL;
	struct stats_query q;
	struct mmis_error err;
	bool totals;
	int k;

	if (!req_query_only(r, v->route->query) || !query_bool(r, "totals", &totals))
		return;
	mmis_error_clear(&err);
	if (stats_query_parse(&q, source, req_query(r, "by") ? req_query(r, "by") : "",
			      req_query(r, "from"), req_query(r, "to"), req_query(r, "on"),
			      req_query(r, "min_cell"), req_query(r, "format"), totals, &err) ||
	    stats_deployment_min_cell(&k, &err) ||
	    stats_run(v->cx, v->actor, &q, k, &t, &err)) {
		reply_fail(r, &err);
		return;
	}
	if (q.format == STATS_JSON) {
		json_t *o = stats_table_json(t);
		stats_table_free(t);
		if (!o) {
			reply_problem(r, 500, NULL, "out of memory");
			return;
		}
		reply_json(r, 200, o);
		return;
	}
	char *buf = NULL, disp[96];
	size_t len = 0;
	const char *ct = NULL;
	enum mmis_err rc = stats_export(t, q.format, &buf, &len, &ct, &err);
	stats_table_free(t);
	if (rc) {
		reply_fail(r, &err);
		return;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s.%s\"", source,
		 q.format == STATS_XLSX ? "xlsx" : q.format == STATS_SDMX_CSV ? "sdmx.csv" : "csv");
	reply_header(r, "Content-Disposition", disp);
	reply_owned(r, 200, ct, buf, len);
}

void h_stats_flows(struct req *r)
{
	table_route(r, "crossings");
}

void h_stats_refusals(struct req *r)
{
	table_route(r, "refusals");
}

void h_stats_overstays(struct req *r)
{
	table_route(r, "overstays");
}

void h_stats_cases(struct req *r)
{
	table_route(r, "cases");
}

void h_stats_referrals(struct req *r)
{
	table_route(r, "referrals");
}

void h_stats_services(struct req *r)
{
	table_route(r, "services");
}

void h_stats_indicators(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	const char *y;
	json_t *o = NULL;
	char *end;
	long year;

	if (!req_query_only(r, "year,country"))
		return;
	y = req_query(r, "year");
	if (!y || !*y) {
		reply_problem(r, 422, "year", "year: is required (YYYY)");
		return;
	}
	year = strtol(y, &end, 10);
	if (*end || strlen(y) != 4 || year < 1800 || year > 2200) {
		reply_problem(r, 422, "year", "year: a year YYYY (1800 to 2200)");
		return;
	}
	mmis_error_clear(&err);
	if (stats_indicators(v->cx, v->actor, (int)year, req_query(r, "country"), &o, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

void h_stats_series(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *list = NULL;

	if (!req_query_only(r, "country,indicator"))
		return;
	mmis_error_clear(&err);
	if (series_list(v->cx, v->actor, req_query(r, "country"), req_query(r, "indicator"), &list,
			&err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

/* A year query parameter; `def` when absent. False with a 422 naming it when malformed. */
static bool query_year(struct req *r, const char *key, long def, long *out)
{
	const char *y = req_query(r, key);
	char *end;
	*out = def;
	if (!y)
		return true;
	*out = strtol(y, &end, 10);
	if (*end || strlen(y) != 4 || *out < 1800 || *out > 2200) {
		reply_problem(r, 422, key, "a year YYYY (1800 to 2200)");
		return false;
	}
	return true;
}

void h_stats_regional(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	struct date today;
	json_t *list = NULL;
	long from, to;

	date_today(&today);
	if (!req_query_only(r, "from,to") || !query_year(r, "to", today.year, &to) ||
	    !query_year(r, "from", to - 9, &from))
		return;
	mmis_error_clear(&err);
	if (stats_regional(v->cx, v->actor, (int)from, (int)to, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

void h_stats_alerts(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *o = NULL;
	int k;

	if (!req_query_only(r, "month"))
		return;
	mmis_error_clear(&err);
	if (stats_deployment_min_cell(&k, &err) ||
	    stats_alerts(v->cx, v->actor, req_query(r, "month"), k, &o, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, o);
}
