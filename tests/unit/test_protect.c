/*
 * test_protect.c - protection (lib/protect): forms as data (a new question is a data change:
 * a test form proves it), answers checked, outcomes by rule; cases, the workflow's 409/403/422
 * leaving nothing changed; reach (own, agency, referred, none) and the audit of every read;
 * consent, referrals and what a receiving agency sees, field by field; formal identification,
 * the reflection period, transfer and assignment, services, follow-ups, the list's order, the
 * dashboard and the demo data. Runs on SQLite and PostgreSQL (MMIS_TEST_BACKEND, testdb.h);
 * every store test ends by verifying the audit chain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "mmis/audit.h"
#include "mmis/auth.h"
#include "mmis/demo.h"
#include "mmis/json.h"
#include "mmis/protect.h"
#include "testdb.h"

/* `call` fails with `code`, naming `fld` (NULL: any). */
#define FAILS(call, code, fld)                                                                 \
	do {                                                                                   \
		enum mmis_err f_rc_ = (call);                                                  \
		if (f_rc_ != (code))                                                           \
			fail_msg("%s: expected %s, got %s: %s", #call, mmis_strerror(code),    \
				 mmis_strerror(f_rc_), err.message);                           \
		if ((fld) && strcmp(err.field, (fld) ? (fld) : ""))                            \
			fail_msg("%s: expected field %s, got '%s' (%s)", #call, (fld) ? (fld) : "", \
				 err.field, err.message);                                      \
	} while (0)


static long long count(struct testdb_fx *f, const char *sql)
{
	return testdb_int(f->s, sql);
}

/* A user of `role` in agency `agency` (made when missing, of `kind`), as an actor. */
static void make_actor(struct testdb_fx *f, const char *name, const char *role, const char *agency,
		       struct actor *out)
{
	testdb_actor(&f->cx, &f->sys, name, role, agency, "ngo", out);
	snprintf(out->display_name, sizeof(out->display_name), "%s", name);
	snprintf(out->agency_code, sizeof(out->agency_code), "%s", agency);
}

static json_t *J(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, 0, &je);
	if (!v)
		fail_msg("bad JSON in the test: %s: %s", text, je.text);
	return v;
}

/* Screening answers: everything required false, `extra` (JSON object text) merged in. */
static json_t *answers(const char *extra)
{
	json_t *o = J("{\"place\":\"bcp\",\"documents_held\":false,\"debt\":false,"
		      "\"not_free_to_leave\":false,\"violence_or_threats\":false,"
		      "\"forced_begging_or_crime\":false,\"sexual_exploitation\":false,"
		      "\"deceived_about_work\":false,\"excessive_hours\":false,\"address_unknown\":false,"
		      "\"someone_speaks_for_them\":false,\"restricted_communication\":false,"
		      "\"fear_or_anxiety\":false,\"injuries\":false,\"age_group\":\"adult\","
		      "\"serious_health_need\":false,\"disability\":false,\"smuggled\":false}");
	json_t *x = J(extra ? extra : "{}");
	json_object_update(o, x);
	json_decref(x);
	return o;
}

static bool has_str(const json_t *arr, const char *s)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---- forms (no database) */

static void test_builtin_forms(void **state)
{
	static const char *const ids[] = { "vulnerability_screening", "assessment", "case_plan",
					   "guardian", "best_interests",
					   "best_interests_determination", NULL };
	struct mmis_error err;
	json_t *list;

	(void)state;
	OK(form_list(&list, &err));
	assert_int_equal(json_array_size(list), 6);
	json_decref(list);
	for (size_t i = 0; ids[i]; i++) {
		const struct form *fm = form_find(ids[i]);
		assert_non_null(fm);
		assert_string_equal(form_id(fm), ids[i]);
		json_t *d = form_definition(fm);
		size_t k;
		json_t *fl;
		/* Every label in both languages. */
		json_array_foreach(json_object_get(d, "fields"), k, fl) {
			assert_non_null(jstr(json_object_get(fl, "label"), "en"));
			assert_non_null(jstr(json_object_get(fl, "label"), "cnr"));
		}
		json_decref(d);
	}
	assert_null(form_find("nothing"));
	assert_null(form_find(NULL));
}

static void test_screening_rules(void **state)
{
	const struct form *fm = form_find(PROTECT_SCREENING_FORM);
	struct mmis_error err;
	json_t *a, *clean, *ev;

	(void)state;
	/* One strong indicator: the identification team. */
	a = answers("{\"documents_held\": true}");
	OK(form_check(fm, a, &clean, &err));
	ev = form_evaluate(fm, clean);
	assert_true(has_str(json_object_get(ev, "outcomes"), "refer_identification"));
	assert_true(has_str(json_object_get(ev, "case_types"), "presumed_victim_of_trafficking"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(ev, "indicators"), "strong")), 1);
	json_decref(ev);
	json_decref(clean);
	json_decref(a);
	/* One weak indicator: no concern. Two weak: the team. */
	a = answers("{\"fear_or_anxiety\": true}");
	OK(form_check(fm, a, &clean, &err));
	ev = form_evaluate(fm, clean);
	assert_int_equal(json_array_size(json_object_get(ev, "outcomes")), 1);
	assert_true(has_str(json_object_get(ev, "outcomes"), "no_concern"));
	assert_int_equal(json_array_size(json_object_get(ev, "case_types")), 0);
	json_decref(ev);
	json_decref(clean);
	json_decref(a);
	a = answers("{\"fear_or_anxiety\": true, \"address_unknown\": true}");
	OK(form_check(fm, a, &clean, &err));
	ev = form_evaluate(fm, clean);
	assert_true(has_str(json_object_get(ev, "outcomes"), "refer_identification"));
	json_decref(ev);
	json_decref(clean);
	json_decref(a);
	/* An unaccompanied child: the centre for social work; with an indicator, both. */
	a = answers("{\"age_group\": \"child\", \"care\": \"unaccompanied\", \"debt\": true}");
	OK(form_check(fm, a, &clean, &err));
	ev = form_evaluate(fm, clean);
	assert_true(has_str(json_object_get(ev, "outcomes"), "refer_csw"));
	assert_true(has_str(json_object_get(ev, "outcomes"), "refer_identification"));
	assert_true(has_str(json_object_get(ev, "case_types"), "unaccompanied_child"));
	json_decref(ev);
	/* Filtering by consent scope: identity only keeps age_group, not the indicators. */
	const char *const ident[] = { "identity", NULL };
	json_t *fl = form_filter(fm, clean, ident);
	assert_non_null(json_object_get(fl, "age_group"));
	assert_non_null(json_object_get(fl, "care"));
	assert_null(json_object_get(fl, "debt"));
	assert_null(json_object_get(fl, "place")); /* internal: never shared */
	json_decref(fl);
	json_decref(clean);
	json_decref(a);
	/* A separated child with a parent-like adult is separated_child; smuggled in danger. */
	a = answers("{\"age_group\": \"unknown\", \"care\": \"separated\", \"accompanied_by\": "
		    "\"an uncle\", \"smuggled\": true, \"danger_on_journey\": true, \"pregnant\": true}");
	OK(form_check(fm, a, &clean, &err));
	ev = form_evaluate(fm, clean);
	assert_true(has_str(json_object_get(ev, "case_types"), "separated_child"));
	assert_true(has_str(json_object_get(ev, "case_types"), "smuggled_migrant"));
	assert_true(has_str(json_object_get(ev, "case_types"), "other_vulnerable"));
	json_decref(ev);
	json_decref(clean);
	json_decref(a);
}

static void test_answers_refused(void **state)
{
	const struct form *fm = form_find(PROTECT_SCREENING_FORM);
	struct mmis_error err;
	json_t *a;

	(void)state;
#define REFUSED(extra, fld)                                                                   \
	do {                                                                                   \
		a = answers(extra);                                                            \
		FAILS(form_check(fm, a, NULL, &err), MMIS_EINVAL, fld);                        \
		json_decref(a);                                                                \
	} while (0)
	REFUSED("{\"colour\": \"red\"}", "colour");                     /* no such question */
	REFUSED("{\"debt\": \"yes\"}", "debt");                          /* a bool */
	REFUSED("{\"place\": \"moon\"}", "place");                       /* not a choice */
	REFUSED("{\"care\": \"unaccompanied\"}", "care");                /* not asked of an adult */
	REFUSED("{\"age_group\": \"child\"}", "care");                   /* then required */
	REFUSED("{\"age_group\": \"child\", \"care\": \"separated\", \"estimated_age\": 40}",
		"estimated_age");                                       /* out of range */
	REFUSED("{\"age_group\": \"child\", \"care\": \"separated\", \"estimated_age\": \"9\"}",
		"estimated_age");
	REFUSED("{\"observations\": \"a\\u0001b\"}", "observations");    /* control characters */
	REFUSED("{\"language\": 7}", "language");
	REFUSED("{\"danger_on_journey\": true}", "danger_on_journey");   /* only when smuggled */
#undef REFUSED
	a = answers(NULL);
	json_object_del(a, "debt");
	FAILS(form_check(fm, a, NULL, &err), MMIS_EINVAL, "debt");     /* required */
	json_object_set_new(a, "debt", json_null());
	FAILS(form_check(fm, a, NULL, &err), MMIS_EINVAL, "debt");     /* null is not an answer */
	json_decref(a);
	a = json_array();
	FAILS(form_check(fm, a, NULL, &err), MMIS_EINVAL, "answers");
	json_decref(a);
	/* A multi-choice: known choices, once each; a date is a date. */
	const struct form *as = form_find("assessment");
	a = J("{\"risk_level\":\"low\",\"needs\":[\"shelter\",\"shelter\"],\"wish\":\"stay\",\"summary\":\"x\"}");
	FAILS(form_check(as, a, NULL, &err), MMIS_EINVAL, "needs");
	json_decref(a);
	a = J("{\"risk_level\":\"low\",\"needs\":[\"yacht\"],\"wish\":\"stay\",\"summary\":\"x\"}");
	FAILS(form_check(as, a, NULL, &err), MMIS_EINVAL, "needs");
	json_decref(a);
	const struct form *cp = form_find("case_plan");
	a = J("{\"objectives\":\"x\",\"services_planned\":[\"shelter\"],\"review_on\":\"2025-02-30\"}");
	FAILS(form_check(cp, a, NULL, &err), MMIS_EINVAL, "review_on");
	json_decref(a);
}

/* A new question is a change of the form's data only: add a field with its indicator and a
 * label, and the screening asks it, checks it and counts it, with no C code changed. */
static void test_new_question_is_data(void **state)
{
	const struct form *fm = form_find(PROTECT_SCREENING_FORM);
	struct mmis_error err;
	struct form *nf = NULL;
	json_t *d = form_definition(fm), *copy = json_deep_copy(d), *a, *clean, *ev;
	char *text;

	(void)state;
	json_decref(d);
	json_object_set_new(copy, "version", json_integer(2));
	json_array_append_new(json_object_get(copy, "fields"),
			      J("{\"id\": \"recruited_online\", \"section\": \"indicators\", "
				"\"type\": \"bool\", \"scope\": \"story\", \"required\": true, "
				"\"indicator\": \"strong\", \"label\": {\"en\": \"Was the person "
				"recruited through an online advertisement?\", \"cnr\": \"Da li je "
				"osoba vrbovana putem oglasa na internetu?\"}}"));
	json_array_append_new(json_object_get(copy, "fields"),
			      J("{\"id\": \"platform\", \"section\": \"indicators\", \"type\": "
				"\"choice\", \"scope\": \"story\", \"shown_if\": {\"field\": "
				"\"recruited_online\", \"equals\": true}, \"choices\": [{\"id\": "
				"\"social\", \"label\": {\"en\": \"Social network\", \"cnr\": "
				"\"Društvena mreža\"}}, {\"id\": \"jobs\", \"label\": {\"en\": \"Job "
				"site\", \"cnr\": \"Sajt za posao\"}}], \"label\": {\"en\": \"Where?\", "
				"\"cnr\": \"Gdje?\"}}"));
	text = mjson_dump(copy);
	json_decref(copy);
	OK(form_parse(text, &nf, &err));
	free(text);
	assert_int_equal(form_version(nf), 2);
	/* The new question is required ... */
	a = answers(NULL);
	FAILS(form_check(nf, a, NULL, &err), MMIS_EINVAL, "recruited_online");
	json_decref(a);
	/* ... its follow-up asked only when it holds ... */
	a = answers("{\"recruited_online\": false, \"platform\": \"jobs\"}");
	FAILS(form_check(nf, a, NULL, &err), MMIS_EINVAL, "platform");
	json_decref(a);
	/* ... and, strong, it alone suggests the identification team. */
	a = answers("{\"recruited_online\": true, \"platform\": \"social\"}");
	OK(form_check(nf, a, &clean, &err));
	ev = form_evaluate(nf, clean);
	assert_true(has_str(json_object_get(ev, "outcomes"), "refer_identification"));
	assert_true(has_str(json_object_get(ev, "case_types"), "presumed_victim_of_trafficking"));
	json_decref(ev);
	json_decref(clean);
	json_decref(a);
	form_free(nf);
}

static void test_bad_definitions(void **state)
{
	static const char *const bad[] = {
		/* not an object */ "[1]",
		/* no sections */ "{\"id\":\"x\",\"version\":1,\"case_form\":true,\"title\":{\"en\":\"X\",\"cnr\":\"X\"},\"sections\":[],\"fields\":[]}",
		/* unknown type */ "{\"id\":\"x\",\"version\":1,\"case_form\":true,\"title\":{\"en\":\"X\",\"cnr\":\"X\"},\"sections\":[{\"id\":\"s\",\"title\":{\"en\":\"S\",\"cnr\":\"S\"}}],\"fields\":[{\"id\":\"a\",\"section\":\"s\",\"type\":\"colour\",\"scope\":\"story\",\"label\":{\"en\":\"A\",\"cnr\":\"A\"}}]}",
		/* no cnr label */ "{\"id\":\"x\",\"version\":1,\"case_form\":true,\"title\":{\"en\":\"X\",\"cnr\":\"X\"},\"sections\":[{\"id\":\"s\",\"title\":{\"en\":\"S\",\"cnr\":\"S\"}}],\"fields\":[{\"id\":\"a\",\"section\":\"s\",\"type\":\"bool\",\"scope\":\"story\",\"label\":{\"en\":\"A\"}}]}",
		/* no scope */ "{\"id\":\"x\",\"version\":1,\"case_form\":true,\"title\":{\"en\":\"X\",\"cnr\":\"X\"},\"sections\":[{\"id\":\"s\",\"title\":{\"en\":\"S\",\"cnr\":\"S\"}}],\"fields\":[{\"id\":\"a\",\"section\":\"s\",\"type\":\"bool\",\"label\":{\"en\":\"A\",\"cnr\":\"A\"}}]}",
		/* shown_if on a later field */ "{\"id\":\"x\",\"version\":1,\"case_form\":true,\"title\":{\"en\":\"X\",\"cnr\":\"X\"},\"sections\":[{\"id\":\"s\",\"title\":{\"en\":\"S\",\"cnr\":\"S\"}}],\"fields\":[{\"id\":\"a\",\"section\":\"s\",\"type\":\"bool\",\"scope\":\"story\",\"label\":{\"en\":\"A\",\"cnr\":\"A\"},\"shown_if\":{\"field\":\"b\",\"equals\":true}},{\"id\":\"b\",\"section\":\"s\",\"type\":\"bool\",\"scope\":\"story\",\"label\":{\"en\":\"B\",\"cnr\":\"B\"}}]}",
		/* the same id twice */ "{\"id\":\"x\",\"version\":1,\"case_form\":true,\"title\":{\"en\":\"X\",\"cnr\":\"X\"},\"sections\":[{\"id\":\"s\",\"title\":{\"en\":\"S\",\"cnr\":\"S\"}}],\"fields\":[{\"id\":\"a\",\"section\":\"s\",\"type\":\"bool\",\"scope\":\"story\",\"label\":{\"en\":\"A\",\"cnr\":\"A\"}},{\"id\":\"a\",\"section\":\"s\",\"type\":\"bool\",\"scope\":\"story\",\"label\":{\"en\":\"A\",\"cnr\":\"A\"}}]}",
		/* a choice without choices */ "{\"id\":\"x\",\"version\":1,\"case_form\":true,\"title\":{\"en\":\"X\",\"cnr\":\"X\"},\"sections\":[{\"id\":\"s\",\"title\":{\"en\":\"S\",\"cnr\":\"S\"}}],\"fields\":[{\"id\":\"a\",\"section\":\"s\",\"type\":\"choice\",\"scope\":\"story\",\"label\":{\"en\":\"A\",\"cnr\":\"A\"}}]}",
		/* an outcome naming no field */ "{\"id\":\"x\",\"version\":1,\"case_form\":false,\"title\":{\"en\":\"X\",\"cnr\":\"X\"},\"sections\":[{\"id\":\"s\",\"title\":{\"en\":\"S\",\"cnr\":\"S\"}}],\"fields\":[{\"id\":\"a\",\"section\":\"s\",\"type\":\"bool\",\"scope\":\"story\",\"label\":{\"en\":\"A\",\"cnr\":\"A\"}}],\"outcomes\":[{\"id\":\"o\",\"label\":{\"en\":\"O\",\"cnr\":\"O\"},\"when\":{\"field\":\"zz\",\"equals\":true}}],\"default_outcome\":{\"id\":\"n\",\"label\":{\"en\":\"N\",\"cnr\":\"N\"}}}",
		/* a case type that is none */ "{\"id\":\"x\",\"version\":1,\"case_form\":false,\"title\":{\"en\":\"X\",\"cnr\":\"X\"},\"sections\":[{\"id\":\"s\",\"title\":{\"en\":\"S\",\"cnr\":\"S\"}}],\"fields\":[{\"id\":\"a\",\"section\":\"s\",\"type\":\"bool\",\"scope\":\"story\",\"label\":{\"en\":\"A\",\"cnr\":\"A\"}}],\"case_types\":[{\"type\":\"pirate\",\"when\":{\"field\":\"a\",\"equals\":true}}]}",
		NULL,
	};
	struct mmis_error err;
	struct form *nf = NULL;

	(void)state;
	for (size_t i = 0; bad[i]; i++) {
		if (form_parse(bad[i], &nf, &err) != MMIS_EINVAL)
			fail_msg("definition %zu was accepted", i);
		assert_null(nf);
	}
}

static void test_tables(void **state)
{
	json_t *acc = protect_access_json(), *wf = protect_workflow_json();
	char *md = protect_access_markdown();
	size_t i;
	json_t *r;

	(void)state;
	assert_true(json_array_size(acc) >= 20);
	json_array_foreach(acc, i, r) {
		assert_non_null(strstr(md, jstr(r, "action")));
		assert_true(json_array_size(json_object_get(r, "reach")) >= 1);
	}
	assert_true(json_array_size(wf) >= 10);
	json_decref(acc);
	json_decref(wf);
	free(md);
	assert_true(protect_in_list(protect_htcds_exploitation, "ForcedBegging"));
	assert_true(protect_in_list(protect_htcds_control, "DebtBondage"));
	assert_true(protect_in_list(protect_services, "return_counselling"));
	assert_false(protect_in_list(protect_services, "pizza"));
}

/* ---- cases (store) */

struct world {
	struct actor border, cw, cw2, sup, ident, shelter, shelter_sup, analyst, other;
};

static void offer(struct testdb_fx *f, const char *agency, const char *services)
{
	struct mmis_error err;
	json_t *l = json_array();
	for (const char *p = services; *p;) {
		size_t n = strcspn(p, ",");
		json_array_append_new(l, json_stringn(p, n));
		p += n + (p[n] == ',');
	}
	OK(provider_set_services(&f->cx, &f->sys, agency, l, &err));
	json_decref(l);
}

static void world(struct testdb_fx *f, struct world *w)
{
	make_actor(f, "border1", "border_officer", "BP", &w->border);
	make_actor(f, "worker1", "case_worker", "CSW", &w->cw);
	make_actor(f, "worker2", "case_worker", "CSW", &w->cw2);
	make_actor(f, "super1", "case_supervisor", "CSW", &w->sup);
	make_actor(f, "ident1", "identification_officer", "AT", &w->ident);
	make_actor(f, "shelter1", "case_worker", "SHELTER", &w->shelter);
	make_actor(f, "shsup1", "case_supervisor", "SHELTER", &w->shelter_sup);
	make_actor(f, "analyst1", "analyst", "DM", &w->analyst);
	make_actor(f, "other1", "case_worker", "OTHER", &w->other);
	offer(f, "SHELTER", "shelter,psychosocial,legal_aid");
	offer(f, "OTHER", "medical");
}

static void open_case(struct testdb_fx *f, const struct actor *a, const char *body, char id[UUID_STR_MAX])
{
	struct mmis_error err;
	json_t *in = J(body);
	OK(case_open(&f->cx, a, in, id, &err));
	json_decref(in);
}

static enum mmis_err act(struct testdb_fx *f, enum mmis_err (*fn)(const struct mmis_ctx *,
							   const struct actor *, const char *,
							   const json_t *, struct mmis_error *),
			 const struct actor *a, const char *id, const char *body,
			 struct mmis_error *err)
{
	json_t *in = J(body);
	enum mmis_err rc = fn(&f->cx, a, id, in, err);
	json_decref(in);
	return rc;
}

static enum mmis_err mk(struct testdb_fx *f, enum mmis_err (*fn)(const struct mmis_ctx *,
							  const struct actor *, const char *,
							  const json_t *, char[UUID_STR_MAX],
							  struct mmis_error *),
			const struct actor *a, const char *id, const char *body,
			char out[UUID_STR_MAX], struct mmis_error *err)
{
	json_t *in = J(body);
	enum mmis_err rc = fn(&f->cx, a, id, in, out, err);
	json_decref(in);
	return rc;
}

static enum mmis_err formsub(struct testdb_fx *f, const struct actor *a, const char *id,
			     const char *form, const char *answers_json, struct mmis_error *err)
{
	char body[2048];
	snprintf(body, sizeof(body), "{\"answers\": %s}", answers_json);
	json_t *in = J(body);
	enum mmis_err rc = case_form_submit(&f->cx, a, id, form, in, NULL, err);
	json_decref(in);
	return rc;
}

static json_t *get(struct testdb_fx *f, const struct actor *a, const char *id)
{
	struct mmis_error err;
	json_t *c = NULL;
	OK(case_get(&f->cx, a, id, &c, &err));
	return c;
}

static long long events(struct testdb_fx *f, const char *action, const char *outcome)
{
	char sql[300];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_event WHERE action = '%s' AND "
		 "outcome = '%s'", action, outcome);
	return count(f, sql);
}

static void test_open_read_and_reach(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct world w;
	char id[UUID_STR_MAX], bid[UUID_STR_MAX];
	json_t *c = NULL, *in;

	world(f, &w);
	open_case(f, &w.cw, "{\"types\": [\"other_vulnerable\"], \"surname\": \"Hoxha\", "
		  "\"given_names\": \"Elira\", \"sex\": \"F\", \"birth_date\": \"1990\", "
		  "\"citizenship\": \"alb\", \"story\": \"Came through the helpline.\", "
		  "\"exploitation\": [\"ForcedLabour\"]}", id);
	c = get(f, &w.cw, id);
	assert_string_equal(jstr(c, "state"), "identified");
	assert_string_equal(jstr(c, "access"), "full");
	assert_string_equal(jstr(json_object_get(c, "identity"), "citizenship"), "ALB");
	assert_string_equal(jstr(json_object_get(c, "worker"), "username"), "worker1");
	assert_true(has_str(json_object_get(json_object_get(c, "story"), "exploitation"), "ForcedLabour"));
	assert_true(json_is_null(json_object_get(c, "reflection")));
	assert_int_equal(json_array_size(json_object_get(c, "timeline")), 1);
	json_decref(c);
	/* A colleague reads it (agency) but may not change it (own); the supervisor may. */
	c = get(f, &w.cw2, id);
	json_decref(c);
	FAILS(act(f, case_update, &w.cw2, id, "{\"phone\": \"+382 67 000 000\"}", &err), MMIS_EDENIED, NULL);
	OK(act(f, case_update, &w.sup, id, "{\"phone\": \"+382 67 000 000\"}", &err));
	/* Another agency, an analyst, a border officer: as if it did not exist (or no permission). */
	FAILS(case_get(&f->cx, &w.other, id, &c, &err), MMIS_ENOTFOUND, "id");
	FAILS(case_get(&f->cx, &w.border, id, &c, &err), MMIS_ENOTFOUND, "id");
	FAILS(case_get(&f->cx, &w.analyst, id, &c, &err), MMIS_EDENIED, NULL);
	FAILS(act(f, case_update, &w.other, id, "{\"phone\": \"1\"}", &err), MMIS_ENOTFOUND, "id");
	FAILS(case_get(&f->cx, &w.cw, "not-an-id", &c, &err), MMIS_ENOTFOUND, "id");
	/* Every read is audited, also the refused ones. */
	assert_true(events(f, "case.read", "ok") >= 2);
	assert_true(events(f, "case.read", "failed") >= 2);
	assert_true(events(f, "case.read", "denied") >= 1);

	/* Bad input: named, nothing made. */
	long long before = count(f, "SELECT count(*) FROM protect_case");
	in = J("{\"types\": [\"victim_of_trafficking\"]}");
	FAILS(case_open(&f->cx, &w.cw, in, NULL, &err), MMIS_EINVAL, "types");
	json_decref(in);
	in = J("{\"types\": []}");
	FAILS(case_open(&f->cx, &w.cw, in, NULL, &err), MMIS_EINVAL, "types");
	json_decref(in);
	in = J("{\"types\": [\"other_vulnerable\"], \"citizenship\": \"ZZZ\"}");
	FAILS(case_open(&f->cx, &w.cw, in, NULL, &err), MMIS_EINVAL, "citizenship");
	json_decref(in);
	in = J("{\"types\": [\"other_vulnerable\"], \"birth_date\": \"2999-01-01\"}");
	FAILS(case_open(&f->cx, &w.cw, in, NULL, &err), MMIS_EINVAL, "birth_date");
	json_decref(in);
	in = J("{\"types\": [\"other_vulnerable\"], \"means_of_control\": [\"Magic\"]}");
	FAILS(case_open(&f->cx, &w.cw, in, NULL, &err), MMIS_EINVAL, "means_of_control");
	json_decref(in);
	in = J("{\"types\": [\"other_vulnerable\"], \"hobby\": \"chess\"}");
	FAILS(case_open(&f->cx, &w.cw, in, NULL, &err), MMIS_EINVAL, "hobby");
	json_decref(in);
	in = J("{\"types\": [\"other_vulnerable\"]}");
	FAILS(case_open(&f->cx, &w.analyst, in, NULL, &err), MMIS_EDENIED, NULL);
	json_decref(in);
	assert_int_equal(count(f, "SELECT count(*) FROM protect_case"), before);

	/* A border officer screens at a BCP and opens the case: the suggested types, the screening. */
	json_t *scr = NULL;
	in = json_pack("{s:o, s:s}", "answers", answers("{\"documents_held\": true, \"debt\": true}"),
		       "bcp", "MNE-DBR");
	OK(screening_record(&f->cx, &w.border, in, &scr, &err));
	json_decref(in);
	assert_true(has_str(json_object_get(scr, "case_types"), "presumed_victim_of_trafficking"));
	assert_string_equal(jstr(json_array_get(json_object_get(scr, "outcomes"), 0), "id"),
			    "refer_identification");
	char body[200];
	snprintf(body, sizeof(body), "{\"screening_id\": \"%s\", \"citizenship\": \"UKR\"}",
		 jstr(scr, "id"));
	open_case(f, &w.border, body, bid);
	in = J(body);
	FAILS(case_open(&f->cx, &w.border, in, NULL, &err), MMIS_ECONFLICT, "screening_id");
	json_decref(in);
	json_decref(scr);
	c = get(f, &w.border, bid);
	assert_true(has_str(json_object_get(c, "types"), "presumed_victim_of_trafficking"));
	assert_string_equal(jstr(c, "bcp"), "MNE-DBR");
	assert_string_equal(jstr(json_object_get(c, "story"), "trafficking_status"), "PossibleVictim");
	assert_true(json_is_true(json_object_get(json_object_get(json_object_get(c, "screening"),
								 "answers"), "documents_held")));
	/* The reflection period: 90 days from opening for a foreign presumed victim. */
	json_t *refl = json_object_get(c, "reflection");
	assert_int_equal(json_integer_value(json_object_get(refl, "days_left")), PROTECT_REFLECTION_DAYS);
	assert_string_equal(jstr(refl, "status"), "running");
	json_decref(c);
	/* The officer's own case only: a colleague's case is out of reach. */
	FAILS(case_get(&f->cx, &w.border, id, &c, &err), MMIS_ENOTFOUND, NULL);
	/* Transferred to the identification team, the case leaves the officer's reach. */
	FAILS(act(f, case_transfer, &w.border, bid, "{\"to_agency\": \"AT\"}", &err), MMIS_EINVAL, "reason");
	FAILS(act(f, case_transfer, &w.border, bid, "{\"to_agency\": \"NOPE\", \"reason\": \"x\"}", &err),
	      MMIS_EINVAL, "to_agency");
	OK(act(f, case_transfer, &w.border, bid, "{\"to_agency\": \"AT\", \"reason\": \"for "
	       "identification\"}", &err));
	FAILS(case_get(&f->cx, &w.border, bid, &c, &err), MMIS_ENOTFOUND, NULL);
	c = get(f, &w.ident, bid);
	assert_true(json_is_null(json_object_get(c, "worker")));
	assert_true(has_str(json_object_get(json_object_get(c, "allowed"), "actions"), "case.take"));
	json_decref(c);
	/* A worker takes an unassigned case for themselves only; the supervisor assigns anyone. */
	FAILS(act(f, case_assign, &w.ident, bid, "{\"worker\": \"worker1\"}", &err), MMIS_EDENIED, "worker");
	OK(act(f, case_assign, &w.ident, bid, "{\"worker\": \"ident1\"}", &err));
	FAILS(act(f, case_assign, &w.cw, id, "{\"worker\": \"worker2\"}", &err), MMIS_EDENIED, NULL);
	FAILS(act(f, case_assign, &w.sup, id, "{\"worker\": \"shelter1\"}", &err), MMIS_EINVAL, "worker");
	OK(act(f, case_assign, &w.sup, id, "{\"worker\": \"worker2\"}", &err));
	FAILS(act(f, case_update, &w.cw, id, "{\"phone\": \"2\"}", &err), MMIS_EDENIED, NULL);
	OK(act(f, case_update, &w.cw2, id, "{\"phone\": \"2\"}", &err));
}

static void test_workflow(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct world w;
	char id[UUID_STR_MAX], svc[UUID_STR_MAX];
	json_t *c;

	world(f, &w);
	open_case(f, &w.cw, "{\"types\": [\"smuggled_migrant\"], \"surname\": \"Amrani\"}", id);
#define STATE_IS(s)                                                                            \
	do {                                                                                   \
		json_t *c_ = get(f, &w.cw, id);                                                \
		assert_string_equal(jstr(c_, "state"), (s));                                   \
		json_decref(c_);                                                               \
	} while (0)
	/* Not from this state: 409 naming to; nothing changes. */
	FAILS(act(f, case_transition, &w.cw, id, "{\"to\": \"services_implemented\"}", &err),
	      MMIS_ECONFLICT, "to");
	assert_non_null(strstr(err.message, "assessment"));
	FAILS(act(f, case_transition, &w.cw, id, "{\"to\": \"nowhere\"}", &err), MMIS_EINVAL, "to");
	FAILS(act(f, case_transition, &w.cw, id, "{}", &err), MMIS_EINVAL, "to");
	STATE_IS("identified");
	/* Not by this role: a colleague (agency read, own write) and a stranger. */
	FAILS(act(f, case_transition, &w.cw2, id, "{\"to\": \"assessment\"}", &err), MMIS_EDENIED, NULL);
	FAILS(act(f, case_transition, &w.other, id, "{\"to\": \"assessment\"}", &err), MMIS_ENOTFOUND, NULL);
	OK(act(f, case_transition, &w.cw, id, "{\"to\": \"assessment\"}", &err));
	/* Missing what it requires: 422 naming the form; nothing changes. */
	FAILS(act(f, case_transition, &w.cw, id, "{\"to\": \"case_plan\"}", &err), MMIS_EINVAL, "assessment");
	STATE_IS("assessment");
	FAILS(formsub(f, &w.cw, id, "guardian", "{\"guardian_name\":\"x\",\"guardian_kind\":\"relative\","
		      "\"appointed_on\":\"2025-01-01\",\"appointed_by\":\"CSW\"}", &err), MMIS_EINVAL, "form");
	FAILS(formsub(f, &w.cw, id, "no_such_form", "{}", &err), MMIS_ENOTFOUND, "form");
	FAILS(formsub(f, &w.cw, id, "assessment", "{\"risk_level\":\"low\"}", &err), MMIS_EINVAL, "needs");
	OK(formsub(f, &w.cw, id, "assessment", "{\"risk_level\":\"low\",\"needs\":[\"shelter\"],"
		   "\"wish\":\"return_home\",\"summary\":\"Wants to go home.\"}", &err));
	OK(act(f, case_transition, &w.cw, id, "{\"to\": \"case_plan\"}", &err));
	FAILS(act(f, case_transition, &w.cw, id, "{\"to\": \"services\"}", &err), MMIS_EINVAL, "case_plan");
	OK(formsub(f, &w.cw, id, "case_plan", "{\"objectives\":\"Return home safely.\","
		   "\"services_planned\":[\"return_counselling\"],\"review_on\":\"2030-01-01\"}", &err));
	OK(act(f, case_transition, &w.cw, id, "{\"to\": \"services\"}", &err));
	FAILS(act(f, case_transition, &w.cw, id, "{\"to\": \"services_implemented\"}", &err),
	      MMIS_EINVAL, "services");
	FAILS(mk(f, service_add, &w.cw, id, "{\"service\": \"shelter\", \"delivered_on\": \"2999-01-01\"}",
		 svc, &err), MMIS_EINVAL, "delivered_on");
	FAILS(mk(f, service_add, &w.cw, id, "{\"service\": \"shelter\", \"delivered_on\": \"2025-01-01\", "
		 "\"project\": \"NOPE\"}", svc, &err), MMIS_EINVAL, "project");
	OK(project_add(&f->cx, &f->sys, "P1", "A project", "A donor", &err));
	OK(mk(f, service_add, &w.cw, id, "{\"service\": \"shelter\", \"delivered_on\": \"2025-01-01\", "
	      "\"provider\": \"SHELTER\", \"project\": \"P1\"}", svc, &err));
	OK(act(f, case_transition, &w.cw, id, "{\"to\": \"services_implemented\"}", &err));
	/* Closing needs a reason among the reasons. */
	FAILS(act(f, case_transition, &w.cw, id, "{\"to\": \"closed\"}", &err), MMIS_EINVAL,
	      "closure_reason");
	FAILS(act(f, case_transition, &w.cw, id, "{\"to\": \"closed\", \"closure_reason\": \"bored\"}",
		  &err), MMIS_EINVAL, "closure_reason");
	STATE_IS("services_implemented");
	OK(act(f, case_transition, &w.cw, id, "{\"to\": \"closed\", \"closure_reason\": "
	       "\"voluntary_return\"}", &err));
	c = get(f, &w.cw, id);
	assert_string_equal(jstr(c, "closure_reason"), "voluntary_return");
	assert_false(json_is_null(json_object_get(c, "closed_at")));
	json_decref(c);
	/* A closed case takes no more but notes; reopening is a supervisor's, with a reason. */
	FAILS(act(f, case_update, &w.cw, id, "{\"phone\": \"1\"}", &err), MMIS_ECONFLICT, "state");
	char nid[UUID_STR_MAX];
	OK(mk(f, case_note_add, &w.cw, id, "{\"text\": \"Arrived home safely.\"}", nid, &err));
	FAILS(act(f, case_transition, &w.cw, id, "{\"to\": \"assessment\", \"reason\": \"back\"}", &err),
	      MMIS_EDENIED, "to");
	assert_non_null(strstr(err.message, "case supervisor"));
	FAILS(act(f, case_transition, &w.sup, id, "{\"to\": \"assessment\"}", &err), MMIS_EINVAL, "reason");
	STATE_IS("closed");
	OK(act(f, case_transition, &w.sup, id, "{\"to\": \"assessment\", \"reason\": \"Came back.\"}",
	       &err));
	c = get(f, &w.cw, id);
	assert_string_equal(jstr(c, "state"), "assessment");
	assert_true(json_is_null(json_object_get(c, "closed_at")));
	/* The timeline holds every step. */
	size_t i, transitions = 0;
	json_t *e;
	json_t *reopened = NULL;
	json_array_foreach(json_object_get(c, "timeline"), i, e) {
		transitions += !strcmp(jstr(e, "kind"), "transition");
		if (!strcmp(jstr(e, "kind"), "transition"))
			reopened = e;
	}
	assert_int_equal(transitions, 6);
	/* Each event says what happened as data too, for the page to write in the reader's
	 * language: the reopening, with its reason. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(reopened, "data"),
								"reason")), "Came back.");
	json_decref(c);
	/* Refusals are audited as failed or denied; none left a change. */
	assert_true(events(f, "case.transition", "failed") >= 8);
	assert_true(events(f, "case.transition", "denied") >= 2);
#undef STATE_IS
}

static void test_child_workflow(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct world w;
	char id[UUID_STR_MAX];

	world(f, &w);
	open_case(f, &w.cw, "{\"types\": [\"unaccompanied_child\"], \"birth_date\": \"2012\"}", id);
	OK(act(f, case_transition, &w.cw, id, "{\"to\": \"assessment\"}", &err));
	OK(formsub(f, &w.cw, id, "assessment", "{\"risk_level\":\"high\",\"needs\":[\"education\"],"
		   "\"wish\":\"undecided\",\"summary\":\"x\"}", &err));
	FAILS(act(f, case_transition, &w.cw, id, "{\"to\": \"case_plan\"}", &err), MMIS_EINVAL, "guardian");
	OK(formsub(f, &w.cw, id, "guardian", "{\"guardian_name\":\"Milena\",\"guardian_kind\":\"csw_officer\","
		   "\"appointed_on\":\"2025-01-02\",\"appointed_by\":\"CSW Podgorica\"}", &err));
	FAILS(act(f, case_transition, &w.cw, id, "{\"to\": \"case_plan\"}", &err), MMIS_EINVAL,
	      "best_interests");
	OK(formsub(f, &w.cw, id, "best_interests", "{\"assessed_on\":\"2025-01-03\",\"views_of_child\":"
		   "\"Wants to study.\",\"recommendation\":\"durable_solution\",\"determination_needed\":true}",
		   &err));
	OK(act(f, case_transition, &w.cw, id, "{\"to\": \"case_plan\"}", &err));
	/* The assessment asked for a determination: closing waits for it. */
	FAILS(act(f, case_transition, &w.cw, id, "{\"to\": \"closed\", \"closure_reason\": \"moved_away\"}",
		  &err), MMIS_EINVAL, "best_interests_determination");
	OK(formsub(f, &w.cw, id, "best_interests_determination", "{\"panel_on\":\"2025-02-01\","
		   "\"decision\":\"local_integration\",\"reasons\":\"Settled at school.\"}", &err));
	OK(act(f, case_transition, &w.cw, id, "{\"to\": \"closed\", \"closure_reason\": \"moved_away\"}",
	       &err));
	/* A child's consent is a guardian's. */
	char kid[UUID_STR_MAX];
	OK(act(f, case_transition, &w.sup, id, "{\"to\": \"assessment\", \"reason\": \"again\"}", &err));
	FAILS(mk(f, consent_add, &w.cw, id, "{\"to_agency\": \"SHELTER\", \"scopes\": [\"identity\"], "
		 "\"given_by\": \"person\"}", kid, &err), MMIS_EINVAL, "given_by");
	FAILS(mk(f, consent_add, &w.cw, id, "{\"to_agency\": \"SHELTER\", \"scopes\": [\"identity\"], "
		 "\"given_by\": \"guardian\"}", kid, &err), MMIS_EINVAL, "guardian_name");
	OK(mk(f, consent_add, &w.cw, id, "{\"to_agency\": \"SHELTER\", \"scopes\": [\"identity\"], "
	      "\"given_by\": \"guardian\", \"guardian_name\": \"Milena\"}", kid, &err));
	json_t *ref = NULL, *in = J("{\"to_agency\": \"SHELTER\", \"service\": \"shelter\"}");
	OK(referral_create(&f->cx, &w.cw, id, in, &ref, &err));
	json_decref(in);
	assert_string_equal(jstr(ref, "state"), "pending");
	json_decref(ref);
	/* An adult's case: the person's consent (the age comes from the date of birth, too). */
	open_case(f, &w.cw, "{\"types\": [\"other_vulnerable\"], \"birth_date\": \"1980-02\"}", id);
	OK(mk(f, consent_add, &w.cw, id, "{\"to_agency\": \"SHELTER\", \"scopes\": [\"identity\"], "
	      "\"given_by\": \"person\"}", kid, &err));
	open_case(f, &w.cw, "{\"types\": [\"other_vulnerable\"], \"birth_date\": \"2015-06-01\"}", id);
	FAILS(mk(f, consent_add, &w.cw, id, "{\"to_agency\": \"SHELTER\", \"scopes\": [\"identity\"], "
		 "\"given_by\": \"person\"}", kid, &err), MMIS_EINVAL, "given_by");
}

/* The receiving agency sees what the consent covers: each scope's fields, and nothing else. */
static void test_consent_and_referral_view(void **state)
{
	static const struct {
		const char *scope;
		const char *fields[8];
	} sections[] = {
		{ "identity", { "surname", "given_names", "sex", "birth_date", "citizenship", "languages", "person_id", NULL } },
		{ "contact", { "phone", "address", NULL } },
		{ "story", { "story", "trafficking_status", "exploitation", "means_of_control",
			     "relationship_to_trafficker", "country_of_exploitation", NULL } },
		{ "health", { "health", NULL } },
	};
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct world w;
	char id[UUID_STR_MAX], kid[UUID_STR_MAX], body[600];
	json_t *ref = NULL, *in, *c;

	world(f, &w);
	in = json_pack("{s:o}", "answers", answers("{\"sexual_exploitation\": true, \"language\": "
						  "\"Ukrainian\", \"health_notes\": \"asthma\"}"));
	OK(screening_record(&f->cx, &w.cw, in, &ref, &err));
	json_decref(in);
	snprintf(body, sizeof(body), "{\"screening_id\": \"%s\", \"surname\": \"Melnyk\", "
		 "\"given_names\": \"Olena\", \"sex\": \"F\", \"birth_date\": \"1998-04-02\", "
		 "\"citizenship\": \"UKR\", \"languages\": \"Ukrainian\", \"phone\": \"+380 1\", "
		 "\"address\": \"Shelter\", \"story\": \"Recruited for a bar job.\", \"health\": "
		 "\"Asthma\", \"exploitation\": [\"SexualExploitation\"], \"means_of_control\": "
		 "[\"DebtBondage\"], \"relationship_to_trafficker\": \"Acquainted\", "
		 "\"country_of_exploitation\": \"MNE\"}", jstr(ref, "id"));
	json_decref(ref);
	open_case(f, &w.cw, body, id);
	OK(formsub(f, &w.cw, id, "assessment", "{\"risk_level\":\"high\",\"needs\":[\"shelter\"],"
		   "\"psychological_state\":\"anxious\",\"wish\":\"stay\",\"summary\":\"Needs shelter.\"}",
		   &err));
	/* No consent: 409 naming consent; a case worker cannot override; nothing made. */
	in = J("{\"to_agency\": \"SHELTER\", \"service\": \"shelter\"}");
	FAILS(referral_create(&f->cx, &w.cw, id, in, &ref, &err), MMIS_ECONFLICT, "consent");
	assert_non_null(strstr(err.message, "consent"));
	json_decref(in);
	in = J("{\"to_agency\": \"SHELTER\", \"service\": \"shelter\", \"override_reason\": \"urgent\", "
	       "\"scopes\": [\"identity\"]}");
	FAILS(referral_create(&f->cx, &w.cw, id, in, &ref, &err), MMIS_EDENIED, NULL);
	json_decref(in);
	in = J("{\"to_agency\": \"SHELTER\", \"service\": \"medical\"}");
	FAILS(referral_create(&f->cx, &w.cw, id, in, &ref, &err), MMIS_EINVAL, "service");
	json_decref(in);
	assert_int_equal(count(f, "SELECT count(*) FROM protect_referral"), 0);
	FAILS(mk(f, consent_add, &w.cw, id, "{\"to_agency\": \"SHELTER\", \"scopes\": [], "
		 "\"given_by\": \"person\"}", kid, &err), MMIS_EINVAL, "scopes");
	FAILS(mk(f, consent_add, &w.cw, id, "{\"to_agency\": \"SHELTER\", \"scopes\": [\"gossip\"], "
		 "\"given_by\": \"person\"}", kid, &err), MMIS_EINVAL, "scopes");

	/* Each scope alone, then all: the receiving agency sees exactly that. */
	for (unsigned mask = 1; mask < 16; mask = mask == 8 ? 15 : mask << 1) {
		char scopes[100] = "";
		size_t len = 0;
		for (size_t i = 0; i < 4; i++)
			if (mask & (1u << i))
				len += (size_t)snprintf(scopes + len, sizeof(scopes) - len, "%s\"%s\"",
							len ? "," : "", sections[i].scope);
		/* A fresh consent (the previous withdrawn) and referral for this round. */
		snprintf(body, sizeof(body), "{\"to_agency\": \"SHELTER\", \"scopes\": [%s], "
			 "\"given_by\": \"person\"}", scopes);
		OK(mk(f, consent_add, &w.cw, id, body, kid, &err));
		in = J("{\"to_agency\": \"SHELTER\", \"service\": \"shelter\"}");
		OK(referral_create(&f->cx, &w.cw, id, in, &ref, &err));
		json_decref(in);
		c = get(f, &w.shelter, id);
		assert_string_equal(jstr(c, "access"), "referred");
		for (size_t i = 0; i < 4; i++) {
			json_t *sec = json_object_get(c, sections[i].scope);
			bool want = mask & (1u << i);
			if (want != (sec != NULL))
				fail_msg("scopes [%s]: section %s %s", scopes, sections[i].scope,
					 want ? "missing" : "shown");
			for (size_t k = 0; want && sections[i].fields[k]; k++)
				if (!json_object_get(sec, sections[i].fields[k]))
					fail_msg("scopes [%s]: %s.%s missing", scopes, sections[i].scope,
						 sections[i].fields[k]);
		}
		/* Screening answers by their fields' scopes; internal ones never. */
		json_t *sa = json_object_get(json_object_get(c, "screening"), "answers");
		assert_true((json_object_get(sa, "sexual_exploitation") != NULL) == !!(mask & 4u));
		assert_true((json_object_get(sa, "language") != NULL) == !!(mask & 1u));
		assert_true((json_object_get(sa, "health_notes") != NULL) == !!(mask & 8u));
		assert_null(json_object_get(sa, "place"));
		/* The assessment: story and health answers; never the internal risk level. */
		json_t *forms = json_object_get(c, "forms");
		if (mask & 12u) {
			json_t *fa = json_object_get(json_array_get(forms, 0), "answers");
			assert_null(json_object_get(fa, "risk_level"));
			assert_true((json_object_get(fa, "wish") != NULL) == !!(mask & 4u));
			assert_true((json_object_get(fa, "psychological_state") != NULL) == !!(mask & 8u));
		} else {
			assert_int_equal(json_array_size(forms), 0);
		}
		/* Never the sending side's internals. */
		assert_null(json_object_get(c, "notes"));
		assert_null(json_object_get(c, "consents"));
		assert_null(json_object_get(c, "timeline"));
		assert_null(json_object_get(c, "followups"));
		json_decref(c);
		/* Withdrawn: the referral stays, the view empties; then the round's referral goes. */
		OK(consent_withdraw(&f->cx, &w.cw, id, kid, &err));
		c = get(f, &w.shelter, id);
		assert_int_equal(json_array_size(json_object_get(c, "scopes")), 0);
		assert_null(json_object_get(c, "identity"));
		json_decref(c);
		json_t *done = NULL;
		OK(referral_act(&f->cx, &w.cw, jstr(ref, "id"), "withdraw", NULL, &done, &err));
		assert_string_equal(jstr(done, "state"), "withdrawn");
		json_decref(done);
		json_decref(ref);
		FAILS(case_get(&f->cx, &w.shelter, id, &c, &err), MMIS_ENOTFOUND, NULL);
	}
	FAILS(consent_withdraw(&f->cx, &w.cw, id, kid, &err), MMIS_ECONFLICT, "consent");
	/* A supervisor overrides, with a reason and what is shared; audited. */
	in = J("{\"to_agency\": \"SHELTER\", \"service\": \"shelter\", \"override_reason\": "
	       "\"Life in danger tonight; consent to follow.\"}");
	FAILS(referral_create(&f->cx, &w.sup, id, in, &ref, &err), MMIS_EINVAL, "scopes");
	json_decref(in);
	in = J("{\"to_agency\": \"SHELTER\", \"service\": \"shelter\", \"override_reason\": "
	       "\"Life in danger tonight; consent to follow.\", \"scopes\": [\"identity\", \"health\"]}");
	OK(referral_create(&f->cx, &w.sup, id, in, &ref, &err));
	json_decref(in);
	assert_false(json_is_true(json_object_get(ref, "with_consent")));
	assert_true(count(f, "SELECT count(*) FROM audit_event WHERE action = 'referral.create' AND "
			  "outcome = 'ok' AND detail LIKE '%consent overridden%Life in danger%'") == 1);
	c = get(f, &w.shelter, id);
	assert_non_null(json_object_get(c, "identity"));
	assert_non_null(json_object_get(c, "health"));
	assert_null(json_object_get(c, "story"));
	assert_null(json_object_get(json_array_get(json_object_get(c, "referrals"), 0), "override_reason"));
	json_decref(c);
	/* The referral's states: the sender cannot accept; decline needs a reason; from pending
	 * nothing completes; the receiver accepts, records its services, completes. */
	json_t *r2 = NULL;
	const char *rid = jstr(ref, "id");
	FAILS(referral_act(&f->cx, &w.cw, rid, "accept", NULL, &r2, &err), MMIS_EDENIED, NULL);
	FAILS(referral_act(&f->cx, &w.other, rid, "accept", NULL, &r2, &err), MMIS_ENOTFOUND, "id");
	FAILS(referral_act(&f->cx, &w.shelter, rid, "complete", NULL, &r2, &err), MMIS_ECONFLICT, "state");
	in = J("{}");
	FAILS(referral_act(&f->cx, &w.shelter, rid, "decline", in, &r2, &err), MMIS_EINVAL, "reason");
	json_decref(in);
	char sid[UUID_STR_MAX];
	FAILS(mk(f, service_add, &w.shelter, id, "{\"service\": \"shelter\", \"delivered_on\": "
		 "\"2025-01-01\"}", sid, &err), MMIS_EDENIED, NULL); /* not accepted yet */
	OK(referral_act(&f->cx, &w.shelter, rid, "accept", NULL, &r2, &err));
	assert_string_equal(jstr(r2, "state"), "accepted");
	json_decref(r2);
	FAILS(referral_act(&f->cx, &w.shelter, rid, "accept", NULL, &r2, &err), MMIS_ECONFLICT, "state");
	FAILS(mk(f, service_add, &w.shelter, id, "{\"service\": \"shelter\", \"delivered_on\": "
		 "\"2025-01-01\", \"provider\": \"CSW\"}", sid, &err), MMIS_EDENIED, "provider");
	OK(mk(f, service_add, &w.shelter, id, "{\"service\": \"shelter\", \"delivered_on\": "
	      "\"2025-01-01\"}", sid, &err));
	FAILS(act(f, case_update, &w.shelter, id, "{\"phone\": \"1\"}", &err), MMIS_EDENIED, NULL);
	FAILS(act(f, case_transition, &w.shelter, id, "{\"to\": \"assessment\"}", &err), MMIS_EDENIED, NULL);
	OK(referral_act(&f->cx, &w.shelter, rid, "complete", NULL, &r2, &err));
	json_decref(r2);
	json_decref(ref);
	/* Completed: the shelter's reach has ended; the case keeps the service. */
	FAILS(case_get(&f->cx, &w.shelter, id, &c, &err), MMIS_ENOTFOUND, NULL);
	c = get(f, &w.cw, id);
	assert_int_equal(json_array_size(json_object_get(c, "services")), 1);
	assert_string_equal(jstr(json_array_get(json_object_get(c, "services"), 0), "provider"), "SHELTER");
	json_decref(c);
	/* The inbox. */
	json_t *list = NULL;
	OK(referral_list(&f->cx, &w.shelter, "in", NULL, &list, &err));
	assert_true(json_array_size(list) >= 5);
	json_decref(list);
	OK(referral_list(&f->cx, &w.shelter, "in", "completed", &list, &err));
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	OK(referral_list(&f->cx, &w.other, "in", NULL, &list, &err));
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	FAILS(referral_list(&f->cx, &w.cw, "sideways", NULL, &list, &err), MMIS_EINVAL, "direction");
}

static void test_identification_and_reflection(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct world w;
	char id[UUID_STR_MAX], mne[UUID_STR_MAX];
	json_t *c;

	world(f, &w);
	open_case(f, &w.ident, "{\"types\": [\"presumed_victim_of_trafficking\"], \"citizenship\": "
		  "\"NGA\", \"opened_on\": \"2020-01-01\"}", id);
	c = get(f, &w.ident, id);
	assert_string_equal(jstr(json_object_get(c, "reflection"), "end"), "2020-03-31");
	assert_string_equal(jstr(json_object_get(c, "reflection"), "status"), "ended");
	json_decref(c);
	/* A citizen of Montenegro has no reflection period (it is for foreigners). */
	open_case(f, &w.ident, "{\"types\": [\"presumed_victim_of_trafficking\"], \"citizenship\": "
		  "\"MNE\"}", mne);
	c = get(f, &w.ident, mne);
	assert_true(json_is_null(json_object_get(c, "reflection")));
	json_decref(c);
	/* Formal identification: the team only (a case worker has no case.identify). */
	FAILS(act(f, case_identify, &w.cw, id, "{\"outcome\": \"victim\"}", &err), MMIS_ENOTFOUND, NULL);
	struct actor atsup;
	make_actor(f, "atsup", "case_supervisor", "AT", &atsup);
	FAILS(act(f, case_identify, &atsup, id, "{\"outcome\": \"victim\"}", &err), MMIS_EDENIED, NULL);
	FAILS(act(f, case_identify, &w.ident, id, "{\"outcome\": \"maybe\"}", &err), MMIS_EINVAL, "outcome");
	FAILS(act(f, case_identify, &w.ident, id, "{\"outcome\": \"victim\", \"decided_on\": "
		  "\"2999-01-01\"}", &err), MMIS_EINVAL, "decided_on");
	OK(act(f, case_identify, &w.ident, id, "{\"outcome\": \"victim\", \"note\": \"Team decision.\"}", &err));
	c = get(f, &w.ident, id);
	assert_true(has_str(json_object_get(c, "types"), "victim_of_trafficking"));
	assert_false(has_str(json_object_get(c, "types"), "presumed_victim_of_trafficking"));
	assert_string_equal(jstr(json_object_get(c, "story"), "trafficking_status"), "ActualVictim");
	assert_string_equal(jstr(json_object_get(json_object_get(c, "story"), "identification"),
				 "outcome"), "victim");
	json_decref(c);
	FAILS(act(f, case_identify, &w.ident, id, "{\"outcome\": \"victim\"}", &err), MMIS_ECONFLICT,
	      "outcome");
	/* Only identification changes victim status. */
	FAILS(act(f, case_update, &w.ident, id, "{\"types\": [\"other_vulnerable\"]}", &err),
	      MMIS_EINVAL, "types");
	FAILS(act(f, case_update, &w.ident, mne, "{\"types\": [\"victim_of_trafficking\"]}", &err),
	      MMIS_EINVAL, "types");
	OK(act(f, case_identify, &w.ident, mne, "{\"outcome\": \"not_victim\"}", &err));
	c = get(f, &w.ident, mne);
	assert_true(has_str(json_object_get(c, "types"), "other_vulnerable"));
	assert_string_equal(jstr(json_object_get(c, "story"), "trafficking_status"),
			    "NotAVictimOfTrafficking");
	json_decref(c);
	/* The setting: a shorter period for cases opened after the change. */
	struct protect_settings ps = { 30, 5 };
	FAILS(protect_settings_set(&f->cx, &w.ident, &ps, &err), MMIS_EDENIED, NULL);
	ps.reflection_days = 0;
	FAILS(protect_settings_set(&f->cx, &f->sys, &ps, &err), MMIS_EINVAL, "reflection_days");
	ps.reflection_days = 30;
	OK(protect_settings_set(&f->cx, &f->sys, &ps, &err));
	OK(protect_settings_get(&f->cx, &ps, &err));
	assert_int_equal(ps.reflection_days, 30);
	open_case(f, &w.ident, "{\"types\": [\"presumed_victim_of_trafficking\"]}", id);
	c = get(f, &w.ident, id);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "reflection"),
							    "days_left")), 30);
	json_decref(c);
}

static void test_list_order_followups_dashboard(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct world w;
	char a1[UUID_STR_MAX], a2[UUID_STR_MAX], a3[UUID_STR_MAX], fu[UUID_STR_MAX],
		opened[DATE_STR_MAX], body[300];
	struct date today, d;
	json_t *list = NULL;
	struct case_filter flt = { 0 };

	world(f, &w);
	date_today(&today);
	open_case(f, &w.ident, "{\"types\": [\"smuggled_migrant\"]}", a1);
	/* Opened 80 days ago: its 90 days end within the fortnight. */
	date_add_days(&today, -80, &d);
	date_format(&d, opened);
	snprintf(body, sizeof(body), "{\"types\": [\"presumed_victim_of_trafficking\"], \"opened_on\": "
		 "\"%s\"}", opened);
	open_case(f, &w.ident, body, a2);
	open_case(f, &w.ident, "{\"types\": [\"other_vulnerable\"]}", a3);
	OK(mk(f, case_followup_add, &w.ident, a3, "{\"due_on\": \"2020-01-01\", \"text\": \"Call\"}", fu,
	      &err));
	FAILS(mk(f, case_followup_add, &w.ident, a3, "{\"due_on\": \"soon\", \"text\": \"Call\"}", fu,
		 &err), MMIS_EINVAL, "due_on");
	OK(case_list(&f->cx, &w.ident, &flt, &list, &err));
	json_t *items = json_object_get(list, "items");
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 3);
	assert_string_equal(jstr(json_array_get(items, 0), "id"), a3); /* overdue first */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "overdue_followups")), 1);
	assert_string_equal(jstr(json_array_get(items, 1), "id"), a2); /* reflection ending next */
	assert_true(json_is_true(json_object_get(json_array_get(items, 1), "reflection_ending")));
	assert_string_equal(jstr(json_array_get(items, 2), "id"), a1);
	json_decref(list);
	/* Filters and paging. */
	flt.type = "smuggled_migrant";
	OK(case_list(&f->cx, &w.ident, &flt, &list, &err));
	assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
	json_decref(list);
	flt.type = "pirate";
	FAILS(case_list(&f->cx, &w.ident, &flt, &list, &err), MMIS_EINVAL, "type");
	flt.type = NULL;
	flt.limit = 2;
	flt.offset = 2;
	OK(case_list(&f->cx, &w.ident, &flt, &list, &err));
	assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
	json_decref(list);
	memset(&flt, 0, sizeof(flt));
	OK(case_list(&f->cx, &w.cw, &flt, &list, &err)); /* another agency's: none */
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 0);
	json_decref(list);
	FAILS(case_list(&f->cx, &w.analyst, &flt, &list, &err), MMIS_EDENIED, NULL);
	/* Done: no longer overdue; twice is a conflict; out of reach does not exist. */
	char cid[UUID_STR_MAX];
	FAILS(case_followup_done(&f->cx, &w.cw, fu, cid, &err), MMIS_ENOTFOUND, "id");
	OK(case_followup_done(&f->cx, &w.ident, fu, cid, &err));
	assert_string_equal(cid, a3);
	FAILS(case_followup_done(&f->cx, &w.ident, fu, cid, &err), MMIS_ECONFLICT, "id");
	/* The dashboard: the supervisor's agency only. */
	struct actor atsup;
	json_t *dash = NULL;
	make_actor(f, "atsup", "case_supervisor", "AT", &atsup);
	OK(mk(f, case_followup_add, &w.ident, a1, "{\"due_on\": \"2021-01-01\", \"text\": \"Visit\"}", fu,
	      &err));
	OK(protect_dashboard(&f->cx, &atsup, &dash, &err));
	assert_int_equal(json_array_size(json_object_get(dash, "overdue_followups")), 1);
	assert_int_equal(json_array_size(json_object_get(dash, "reflection_ending")), 1);
	size_t i, open_cases = 0;
	json_t *row;
	json_array_foreach(json_object_get(dash, "open_by_type_state"), i, row)
		open_cases += (size_t)json_integer_value(json_object_get(row, "count"));
	assert_int_equal(open_cases, 3);
	json_decref(dash);
	OK(protect_dashboard(&f->cx, &w.sup, &dash, &err)); /* CSW: nothing of AT's */
	assert_int_equal(json_array_size(json_object_get(dash, "open_by_type_state")), 0);
	json_decref(dash);
	FAILS(protect_dashboard(&f->cx, &w.cw, &dash, &err), MMIS_EDENIED, NULL);
}

static void test_providers_and_projects(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct world w;
	json_t *list = NULL, *l;

	world(f, &w);
	OK(provider_list(&f->cx, &w.cw, &list, &err));
	size_t i;
	json_t *p;
	bool found = false;
	json_array_foreach(list, i, p)
		if (!strcmp(jstr(p, "code"), "SHELTER")) {
			found = true;
			assert_true(has_str(json_object_get(p, "services"), "legal_aid"));
		}
	assert_true(found);
	json_decref(list);
	OK(provider_list(&f->cx, &w.border, &list, &err)); /* a border officer refers too */
	json_decref(list);
	l = J("[\"shelter\", \"spa\"]");
	FAILS(provider_set_services(&f->cx, &f->sys, "SHELTER", l, &err), MMIS_EINVAL, "services");
	json_decref(l);
	l = J("[\"shelter\"]");
	FAILS(provider_set_services(&f->cx, &w.sup, "SHELTER", l, &err), MMIS_EDENIED, NULL);
	FAILS(provider_set_services(&f->cx, &f->sys, "NOPE", l, &err), MMIS_ENOTFOUND, "code");
	json_decref(l);
	OK(project_add(&f->cx, &f->sys, "CT-1", "Counter trafficking", "A donor", &err));
	FAILS(project_add(&f->cx, &f->sys, "CT-1", "Again", "A donor", &err), MMIS_ECONFLICT, "code");
	FAILS(project_add(&f->cx, &f->sys, "ct 1", "x", "y", &err), MMIS_EINVAL, "code");
	FAILS(project_add(&f->cx, &f->sys, "CT-2", "x", "", &err), MMIS_EINVAL, "donor");
	FAILS(project_add(&f->cx, &w.sup, "CT-3", "x", "y", &err), MMIS_EDENIED, NULL);
	OK(project_list(&f->cx, &w.cw, &list, &err));
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	FAILS(project_list(&f->cx, &w.analyst, &list, &err), MMIS_EDENIED, NULL);
}

static void test_demo_data(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct date today;
	json_t *accounts = NULL;

	date_today(&today);
	OK(demo_seed(&f->cx, 7, &accounts, &err));
	json_decref(accounts);
	assert_int_equal(count(f, "SELECT count(*) FROM protect_project"), 3);
	assert_int_equal(count(f, "SELECT count(*) FROM protect_project WHERE name = 'Regional Support "
			       "to Protection Sensitive Migration Management in the Western Balkans and "
			       "Turkey' AND donor = 'EU IPA II'"), 1);
	assert_true(count(f, "SELECT count(*) FROM protect_case") >= 25);
	assert_true(count(f, "SELECT count(DISTINCT agency_id) FROM protect_case") >= 3);
	assert_true(count(f, "SELECT count(*) FROM protect_case WHERE state = 'closed'") >= 1);
	assert_true(count(f, "SELECT count(*) FROM protect_case_type WHERE type = "
			  "'victim_of_trafficking'") >= 1);
	assert_true(count(f, "SELECT count(*) FROM protect_service WHERE project_id IS NOT NULL") >= 10);
	assert_true(count(f, "SELECT count(*) FROM protect_referral WHERE state = 'pending'") >= 1);
	/* Again: nothing new. */
	long long n = count(f, "SELECT count(*) FROM protect_case");
	OK(protect_demo_seed(&f->cx, 7, &today, &err));
	assert_int_equal(count(f, "SELECT count(*) FROM protect_case"), n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_forms),
		cmocka_unit_test(test_screening_rules),
		cmocka_unit_test(test_answers_refused),
		cmocka_unit_test(test_new_question_is_data),
		cmocka_unit_test(test_bad_definitions),
		cmocka_unit_test(test_tables),
		cmocka_unit_test_setup_teardown(test_open_read_and_reach, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_workflow, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_child_workflow, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_consent_and_referral_view, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_identification_and_reflection, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_list_order_followups_dashboard, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_providers_and_projects, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_demo_data, testdb_setup, testdb_teardown),
	};
	int rc;

	if (!testdb_start())
		return 1;
	rc = cmocka_run_group_tests_name(testdb_backend_name(), tests, NULL, NULL);
	testdb_finish();
	return rc;
}
