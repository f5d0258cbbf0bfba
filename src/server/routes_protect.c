/*
 * routes_protect.c - the handlers of the protection routes (docs/api.md, docs/protection.md):
 * forms, screenings, cases and their workflow, consents, referrals, services, notes,
 * follow-ups, providers, projects, the supervisor's dashboard and the access table. Each reads
 * its input, calls lib/protect with the request's actor and answers JSON; every rule (who may,
 * what is shared, which step is allowed) is the library's.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "mmis/json.h"
#include "mmis/protect.h"
#include "routes_protect.h"

/* Answer the case as the actor now sees it, with `status`; `created` (may be NULL) adds the id
 * of what was just made: {"id": created, "case": CASE}. */
static void reply_case(struct req *r, unsigned status, const char *case_id, const char *created)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *c = NULL;

	mmis_error_clear(&err);
	if (case_get(v->cx, v->actor, case_id, &c, &err)) {
		reply_fail(r, &err);
		return;
	}
	if (created) {
		json_t *o = json_pack("{s:s, s:o}", "id", created, "case", c);
		if (!o) {
			reply_problem(r, 500, NULL, "out of memory");
			return;
		}
		c = o;
	}
	reply_json(r, status, c);
}

/* ---- forms */

void h_forms(struct req *r)
{
	struct mmis_error err;
	json_t *list = NULL;

	mmis_error_clear(&err);
	if (form_list(&list, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

void h_form_get(struct req *r)
{
	const struct form *f = form_find(req_view(r)->params[0]);

	if (!f) {
		reply_problem(r, 404, NULL, "no such form");
		return;
	}
	reply_json(r, 200, form_definition(f));
}

/* ---- screenings and cases */

void h_screening_add(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *out = NULL;

	mmis_error_clear(&err);
	if (screening_record(v->cx, v->actor, v->body, &out, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 201, out);
}

void h_case_add(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	char id[UUID_STR_MAX];

	mmis_error_clear(&err);
	if (case_open(v->cx, v->actor, v->body, id, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_case(r, 201, id, NULL);
}

/* A boolean query parameter: true, false, 1, 0 (absent: *out unchanged). */
static bool query_bool(struct req *r, const char *key, bool *out)
{
	const char *s = req_query(r, key);

	if (!s)
		return true;
	if (!strcmp(s, "true") || !strcmp(s, "1") || !*s) {
		*out = true;
		return true;
	}
	if (!strcmp(s, "false") || !strcmp(s, "0")) {
		*out = false;
		return true;
	}
	reply_problem(r, 400, key, "expected true or false");
	return false;
}

static bool query_count(struct req *r, const char *key, int min, int max, int *out)
{
	const char *s = req_query(r, key);
	char *end;

	if (!s)
		return true;
	long n = strtol(s, &end, 10);
	if (!*s || *end || n < min || n > max) {
		reply_problem(r, 400, key, "expected a whole number in range");
		return false;
	}
	*out = (int)n;
	return true;
}

void h_cases(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct case_filter f = { 0 };
	struct mmis_error err;
	json_t *out = NULL;

	if (!req_query_only(r, "state,type,mine,open,limit,offset") ||
	    !query_bool(r, "mine", &f.mine) || !query_bool(r, "open", &f.open_only) ||
	    !query_count(r, "limit", 1, 500, &f.limit) ||
	    !query_count(r, "offset", 0, 1000000000, &f.offset))
		return;
	f.state = req_query(r, "state");
	f.type = req_query(r, "type");
	if (f.state && !*f.state)
		f.state = NULL;
	if (f.type && !*f.type)
		f.type = NULL;
	mmis_error_clear(&err);
	if (case_list(v->cx, v->actor, &f, &out, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, out);
}

void h_case_get(struct req *r)
{
	reply_case(r, 200, req_view(r)->params[0], NULL);
}

typedef enum mmis_err (*case_action_fn)(const struct mmis_ctx *, const struct actor *,
					const char *, const json_t *, struct mmis_error *);

/* Run an action on the case in the path, then answer the case as it is now. */
static void case_action(struct req *r, case_action_fn fn)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;

	mmis_error_clear(&err);
	if (fn(v->cx, v->actor, v->params[0], v->body, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_case(r, 200, v->params[0], NULL);
}

void h_case_update(struct req *r)
{
	case_action(r, case_update);
}

void h_case_transition(struct req *r)
{
	case_action(r, case_transition);
}

void h_case_identify(struct req *r)
{
	case_action(r, case_identify);
}

void h_case_assign(struct req *r)
{
	case_action(r, case_assign);
}

void h_case_transfer(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *c = NULL;

	mmis_error_clear(&err);
	if (case_transfer(v->cx, v->actor, v->params[0], v->body, &err)) {
		reply_fail(r, &err);
		return;
	}
	/* The sending side may keep no reach: then it learns only that the case went. */
	if (case_get(v->cx, v->actor, v->params[0], &c, &err)) {
		if (err.code != MMIS_ENOTFOUND) {
			reply_fail(r, &err);
			return;
		}
		reply_json(r, 200, json_pack("{s:s, s:s, s:O}", "id", v->params[0], "access", "none",
					     "to_agency", json_object_get(v->body, "to_agency")));
		return;
	}
	reply_json(r, 200, c);
}

typedef enum mmis_err (*case_create_fn)(const struct mmis_ctx *, const struct actor *,
					const char *, const json_t *, char[UUID_STR_MAX],
					struct mmis_error *);

/* Make something on the case in the path: 201 {"id", "case"}. */
static void case_create(struct req *r, case_create_fn fn)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	char id[UUID_STR_MAX];

	mmis_error_clear(&err);
	if (fn(v->cx, v->actor, v->params[0], v->body, id, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_case(r, 201, v->params[0], id);
}

void h_consent_add(struct req *r)
{
	case_create(r, consent_add);
}

void h_service_add(struct req *r)
{
	case_create(r, service_add);
}

void h_note_add(struct req *r)
{
	case_create(r, case_note_add);
}

void h_followup_add(struct req *r)
{
	case_create(r, case_followup_add);
}

void h_case_form(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	char id[UUID_STR_MAX];

	mmis_error_clear(&err);
	if (case_form_submit(v->cx, v->actor, v->params[0], v->params[1], v->body, id, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_case(r, 201, v->params[0], id);
}

void h_consent_withdraw(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;

	mmis_error_clear(&err);
	if (consent_withdraw(v->cx, v->actor, v->params[0], v->params[1], &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_case(r, 200, v->params[0], NULL);
}

void h_followup_done(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	char case_id[UUID_STR_MAX];

	mmis_error_clear(&err);
	if (case_followup_done(v->cx, v->actor, v->params[0], case_id, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_case(r, 200, case_id, NULL);
}

/* ---- referrals */

void h_referral_add(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *out = NULL;

	mmis_error_clear(&err);
	if (referral_create(v->cx, v->actor, v->params[0], v->body, &out, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 201, out);
}

static void referral_step(struct req *r, const char *action)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *out = NULL;

	mmis_error_clear(&err);
	if (referral_act(v->cx, v->actor, v->params[0], action, v->body, &out, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, out);
}

void h_referral_accept(struct req *r)
{
	referral_step(r, "accept");
}

void h_referral_decline(struct req *r)
{
	referral_step(r, "decline");
}

void h_referral_complete(struct req *r)
{
	referral_step(r, "complete");
}

void h_referral_withdraw(struct req *r)
{
	referral_step(r, "withdraw");
}

void h_referrals(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	const char *state;
	json_t *list = NULL;

	if (!req_query_only(r, "direction,state"))
		return;
	state = req_query(r, "state");
	mmis_error_clear(&err);
	if (referral_list(v->cx, v->actor, req_query(r, "direction"), state && *state ? state : NULL,
			  &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

/* ---- providers, projects, supervision, the access table */

void h_providers(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *list = NULL;

	mmis_error_clear(&err);
	if (provider_list(v->cx, v->actor, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

void h_agency_services(struct req *r)
{
	static const char *const keys[] = { "services", NULL };
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *list = NULL, *ag;
	size_t i;

	mmis_error_clear(&err);
	if (mjson_only_keys(v->body, keys, &err) ||
	    provider_set_services(v->cx, v->actor, v->params[0],
				  json_object_get(v->body, "services"), &err) ||
	    provider_list(v->cx, v->actor, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	json_array_foreach(list, i, ag)
		if (!strcmp(json_string_value(json_object_get(ag, "code")), v->params[0])) {
			reply_json(r, 200, json_incref(ag));
			json_decref(list);
			return;
		}
	json_decref(list);
	reply_problem(r, 404, NULL, "no such agency");
}

void h_projects(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *list = NULL;

	mmis_error_clear(&err);
	if (project_list(v->cx, v->actor, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

void h_project_add(struct req *r)
{
	static const char *const keys[] = { "code", "name", "donor", NULL };
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	const char *code = NULL, *name = NULL, *donor = NULL;

	mmis_error_clear(&err);
	if (mjson_only_keys(v->body, keys, &err) ||
	    mjson_get_string(v->body, "code", true, 64, &code, &err) ||
	    mjson_get_string(v->body, "name", true, 400, &name, &err) ||
	    mjson_get_string(v->body, "donor", true, 400, &donor, &err) ||
	    project_add(v->cx, v->actor, code, name, donor, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 201, json_pack("{s:s, s:s, s:s}", "code", code, "name", name, "donor", donor));
}

void h_protect_dashboard(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *out = NULL;

	mmis_error_clear(&err);
	if (protect_dashboard(v->cx, v->actor, &out, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, out);
}

void h_protect_access(struct req *r)
{
	json_t *o = json_pack("{s:o, s:o}", "items", protect_access_json(), "workflow",
			      protect_workflow_json());
	if (!o) {
		reply_problem(r, 500, NULL, "out of memory");
		return;
	}
	reply_json(r, 200, o);
}
