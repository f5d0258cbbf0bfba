/*
 * routes_border.c - the handlers of the border routes (docs/api.md): MRZ parsing, BCPs,
 * crossings, travellers and their stay authorisations, refusals, overstayers and the
 * supervisor's summary. Each reads its
 * input, calls lib/border with the request's actor and answers JSON (or CSV).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "mmis/border.h"
#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/mrz.h"
#include "routes_border.h"

#define DAY_MS (86400 * 1000LL)


/* A query date "YYYY-MM-DD"; false with a 400 naming it when malformed. */
static bool query_date(struct req *r, const char *key, struct date *out, bool *given)
{
	struct mmis_error err;
	const char *s = req_query(r, key);

	*given = s != NULL;
	if (!s)
		return true;
	if (date_parse(s, key, out, &err)) {
		reply_problem(r, 400, key, mmis_error_text(&err));
		return false;
	}
	return true;
}

/* A query bound: a date (its first moment, or for `end` the next day's) or a timestamp. */
static bool query_bound(struct req *r, const char *key, bool end, int64_t *out)
{
	struct mmis_error err;
	struct date d;
	const char *s = req_query(r, key);

	if (!s)
		return true;
	if (!date_parse(s, key, &d, NULL)) {
		*out = (date_to_days(&d) + (end ? 1 : 0)) * DAY_MS;
		return true;
	}
	if (timestamp_parse(s, key, out, &err)) {
		reply_problem(r, 400, key, "expected a date YYYY-MM-DD or a timestamp with its zone");
		return false;
	}
	return true;
}

void h_mrz_parse(struct req *r)
{
	static const char *const keys[] = { "mrz", NULL };
	const json_t *b = req_view(r)->body;
	struct mmis_error err;
	struct date today;
	const char *text = NULL;
	struct mrz m;
	json_t *o;

	mmis_error_clear(&err);
	if (mjson_only_keys(b, keys, &err) || mjson_get_string(b, "mrz", true, 200, &text, &err)) {
		reply_error(r, &err);
		return;
	}
	date_today(&today);
	if (mrz_parse(text, &today, &m, &err)) {
		if (!err.field[0])
			snprintf(err.field, sizeof(err.field), "mrz");
		reply_error(r, &err);
		return;
	}
	if (!(o = mrz_to_json(&m))) {
		reply_problem(r, 500, NULL, "out of memory");
		return;
	}
	reply_json(r, 200, o);
}

void h_bcps(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *list = NULL;

	mmis_error_clear(&err);
	if (bcp_list(v->cx, v->actor, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

void h_crossing_add(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct crossing_in in;
	struct mmis_error err;
	json_t *out = NULL;

	mmis_error_clear(&err);
	if (crossing_from_json(v->body, &in, &err) ||
	    crossing_record(v->cx, v->actor, &in, &out, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 201, out);
}

void h_persons_find(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *list = NULL;
	const char *num;

	if (!req_query_only(r, "document_number,issuing_state"))
		return;
	num = req_query(r, "document_number");
	if (!num || !*num) {
		reply_problem(r, 422, "document_number", "document_number: is required");
		return;
	}
	mmis_error_clear(&err);
	if (person_find(v->cx, v->actor, num, req_query(r, "issuing_state"), &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

void h_person_get(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *p = NULL;

	mmis_error_clear(&err);
	if (person_get(v->cx, v->actor, v->params[0], &p, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, p);
}

void h_refusal_add(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct refusal_in in;
	struct mmis_error err;
	char grounds[16];
	json_t *out = NULL;

	mmis_error_clear(&err);
	if (refusal_from_json(v->body, &in, grounds, &err) ||
	    refusal_record(v->cx, v->actor, &in, &out, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 201, out);
}

void h_refusals(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	int64_t from = 0, to = 0;
	json_t *list = NULL;

	if (!req_query_only(r, "from,to") || !query_bound(r, "from", false, &from) ||
	    !query_bound(r, "to", true, &to))
		return;
	mmis_error_clear(&err);
	if (refusal_list(v->cx, v->actor, from, to, 10000, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

/* Whether the client asked for CSV: ?format=csv, or Accept naming text/csv. */
static bool wants_csv(struct req *r, bool *bad)
{
	const char *f = req_query(r, "format"), *accept = req_header(r, "Accept");

	*bad = false;
	if (f) {
		if (!strcmp(f, "csv"))
			return true;
		if (strcmp(f, "json"))
			*bad = true;
		return false;
	}
	return accept && strcasestr(accept, "text/csv");
}

void h_overstayers(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	struct date on;
	json_t *list = NULL;
	bool given = false, bad = false, csv;

	if (!req_query_only(r, "on,format") || !query_date(r, "on", &on, &given))
		return;
	csv = wants_csv(r, &bad);
	if (bad) {
		reply_problem(r, 400, "format", "format is json or csv");
		return;
	}
	mmis_error_clear(&err);
	if (border_overstayers(v->cx, v->actor, given ? &on : NULL, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	if (csv) {
		size_t len = 0;
		char *text = border_overstayers_csv(list, &len);
		json_decref(list);
		if (!text) {
			reply_problem(r, 500, NULL, "out of memory");
			return;
		}
		reply_header(r, "Content-Disposition", "attachment; filename=\"overstayers.csv\"");
		reply_owned(r, 200, "text/csv; charset=utf-8", text, len);
		return;
	}
	reply_items(r, list);
}

void h_border_summary(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	struct date day;
	json_t *o = NULL;
	bool given = false;

	if (!req_query_only(r, "date") || !query_date(r, "date", &day, &given))
		return;
	mmis_error_clear(&err);
	if (border_summary(v->cx, v->actor, given ? &day : NULL, &o, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

void h_person_authorise(struct req *r)
{
	static const char *const keys[] = { "kind", "valid_from", "valid_to", "days_allowed",
					    "number", NULL };
	const struct req_view *v = req_view(r);
	const json_t *b = v->body;
	struct mmis_error err;
	struct date from, to;
	const char *kind = NULL, *number = NULL;
	char id[UUID_STR_MAX];
	int64_t days = 0;
	bool given = false;
	int ki = -1;
	json_t *p = NULL, *o;

	mmis_error_clear(&err);
	if (mjson_only_keys(b, keys, &err) ||
	    mjson_get_enum(b, "kind", true, stay_authorisation_kinds, &ki, &err) ||
	    mjson_get_date(b, "valid_from", true, false, &from, &given, &err) ||
	    mjson_get_date(b, "valid_to", true, false, &to, &given, &err) ||
	    mjson_get_int(b, "days_allowed", false, 0, 36600, &days, &err) ||
	    mjson_get_string(b, "number", false, 40, &number, &err) ||
	    !(kind = stay_authorisation_kinds[ki]) ||
	    stay_authorisation_add(v->cx, v->actor, v->params[0], kind, &from, &to, (int)days,
				   number, id, &err) ||
	    person_get(v->cx, v->actor, v->params[0], &p, &err)) {
		reply_fail(r, &err);
		return;
	}
	o = json_pack("{s:s, s:s, s:O, s:O}", "id", id, "person_id", v->params[0],
		      "stay_authorisations", json_object_get(p, "stay_authorisations"), "status",
		      json_object_get(p, "status"));
	json_decref(p);
	if (!o) {
		reply_problem(r, 500, NULL, "out of memory");
		return;
	}
	reply_json(r, 201, o);
}
