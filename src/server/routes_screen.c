/*
 * routes_screen.c - the handlers of the screening routes (docs/api.md): screening names for other
 * systems, the alert lists, and the hits raised on crossings with the officer's decisions. Each
 * reads its input, calls lib/screen with the request's actor and answers JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "mmis/json.h"
#include "mmis/match.h"
#include "mmis/screen.h"
#include "routes_screen.h"

void h_screen(struct req *r)
{
	static const char *const batch_keys[] = { "queries", "threshold", "limit", NULL };
	const struct req_view *v = req_view(r);
	const json_t *b = v->body, *queries = json_object_get(b, "queries");
	struct screen_query *qs = NULL;
	struct mmis_error err;
	double threshold = MATCH_DEFAULT_THRESHOLD;
	int64_t limit = 10;
	json_t *single = NULL, *out = NULL;
	size_t n;

	mmis_error_clear(&err);
	if (mjson_get_number(b, "threshold", false, 0.0, 1.0, &threshold, &err) ||
	    mjson_get_int(b, "limit", false, 1, SCREEN_LIMIT_MAX, &limit, &err)) {
		reply_error(r, &err);
		return;
	}
	if (threshold <= 0) {
		reply_problem(r, 422, "threshold", "threshold: a number above 0 and at most 1");
		return;
	}
	if (queries) {
		if (mjson_only_keys(b, batch_keys, &err)) {
			reply_error(r, &err);
			return;
		}
		n = json_array_size(queries);
		if (!json_is_array(queries) || !n || n > SCREEN_BATCH_MAX) {
			reply_problem(r, 422, "queries", "queries: an array of 1 to 1000 queries");
			return;
		}
	} else {
		/* One query: the body less threshold and limit. */
		if (!(single = json_copy((json_t *)b))) {
			reply_problem(r, 500, NULL, "out of memory");
			return;
		}
		json_object_del(single, "threshold");
		json_object_del(single, "limit");
		n = 1;
	}
	if (!(qs = calloc(n, sizeof(*qs)))) {
		json_decref(single);
		reply_problem(r, 500, NULL, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char prefix[32];
		snprintf(prefix, sizeof(prefix), "queries[%zu].", i);
		if (screen_query_read(single ? single : json_array_get(queries, i),
				      single ? NULL : prefix, &qs[i], &err)) {
			reply_error(r, &err);
			goto out;
		}
	}
	if (screen_queries(v->cx, v->actor, qs, n, threshold, (size_t)limit, &out, &err)) {
		reply_fail(r, &err);
		goto out;
	}
	if (single)
		reply_json(r, 200, json_incref(json_array_get(out, 0)));
	else
		reply_json(r, 200, json_pack("{s:O}", "results", out));
out:
	json_decref(out);
	json_decref(single);
	free(qs);
}

void h_watchlists(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *list = NULL, *o;

	mmis_error_clear(&err);
	if (watchlist_list(v->cx, v->actor, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	o = json_pack("{s:o, s:o}", "items", list, "screening",
		      v->cx->screen ? screen_status(v->cx->screen) : json_null());
	if (!o) {
		reply_problem(r, 500, NULL, "out of memory");
		return;
	}
	reply_json(r, 200, o);
}

void h_hits(struct req *r)
{
	const struct req_view *v = req_view(r);
	const char *status, *limit_s;
	struct mmis_error err;
	json_t *list = NULL;
	long limit = 100;

	if (!req_query_only(r, "status,limit"))
		return;
	status = req_query(r, "status");
	if ((limit_s = req_query(r, "limit"))) {
		char *end;
		limit = strtol(limit_s, &end, 10);
		if (end == limit_s || *end || limit < 1 || limit > 1000) {
			reply_problem(r, 400, "limit", "limit: 1 to 1000");
			return;
		}
	}
	mmis_error_clear(&err);
	if (screen_hit_list(v->cx, v->actor, status && *status ? status : NULL, (int)limit, &list,
			    &err)) {
		if (err.code == MMIS_EINVAL) {
			reply_problem(r, 400, err.field[0] ? err.field : NULL, mmis_error_text(&err));
			return;
		}
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

void h_hit_get(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *o = NULL;

	mmis_error_clear(&err);
	if (screen_hit_get(v->cx, v->actor, v->params[0], &o, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

static void decide(struct req *r, bool confirm)
{
	static const char *const keys[] = { "note", NULL };
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	const char *note = NULL;
	json_t *o = NULL;

	mmis_error_clear(&err);
	if (mjson_only_keys(v->body, keys, &err) ||
	    mjson_get_string(v->body, "note", !confirm, SCREEN_NOTE_MAX, &note, &err) ||
	    screen_hit_decide(v->cx, v->actor, v->params[0], confirm, note, &o, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

void h_hit_confirm(struct req *r)
{
	decide(r, true);
}

void h_hit_dismiss(struct req *r)
{
	decide(r, false);
}
